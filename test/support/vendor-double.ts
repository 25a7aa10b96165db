import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type VendorBehaviour =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Accept the connection and never answer (a vendor beyond the timeout). */
  | { kind: 'hang' }
  /** Drop the connection without an HTTP answer. */
  | { kind: 'reset' };

export interface ReceivedCall {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A vendor's server on loopback whose answers a test scripts call by call. */
export class VendorDouble {
  readonly calls: ReceivedCall[] = [];
  private script: VendorBehaviour[] = [];
  private fallback: VendorBehaviour = { kind: 'status', status: 200, body: 'OK' };
  private server!: Server;

  static async start(): Promise<VendorDouble> {
    const double = new VendorDouble();
    double.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        double.calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const behaviour = double.script.shift() ?? double.fallback;
        if (behaviour.kind === 'hang') return;
        if (behaviour.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        res.writeHead(behaviour.status, behaviour.headers ?? {});
        res.end(behaviour.body ?? '');
      });
    });
    await new Promise<void>((resolve) => double.server.listen(0, '127.0.0.1', resolve));
    return double;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next answers, in order; after them the fallback. */
  answer(...behaviours: VendorBehaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  always(behaviour: VendorBehaviour): this {
    this.fallback = behaviour;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
