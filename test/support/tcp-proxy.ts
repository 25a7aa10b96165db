/**
 * A loopback TCP proxy in front of a service (the SQS server), so a test can make that one endpoint unavailable
 * – connections refused, or accepted and dropped – while everything else (DynamoDB Local) stays up, and bring it
 * back on the same port. Clients keep their configured endpoint throughout, exactly as a Lambda keeps its
 * SQS endpoint through a regional outage.
 */
import { createConnection, createServer, Server, Socket } from 'node:net';

export type ProxyDownMode =
  /** Nothing listens on the port: every connection attempt is refused (ECONNREFUSED). */
  | 'refuse'
  /** The port still accepts connections but drops each at once (ECONNRESET / socket hang up). */
  | 'reset';

export interface TcpProxyStats {
  /** Connections relayed to the target. */
  relayed: number;
  /** Connections accepted and dropped while down in 'reset' mode. */
  dropped: number;
  /** Open connections cut when the proxy went down. */
  cut: number;
}

const HOST = '127.0.0.1';

/** How long up() keeps trying to listen again when the port is briefly held (bounded: 50 × 100 ms). */
const RELISTEN_TRIES = 50;
const RELISTEN_PAUSE_MS = 100;

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private state: 'up' | ProxyDownMode = 'up';
  private readonly counters: TcpProxyStats = { relayed: 0, dropped: 0, cut: 0 };

  private constructor(
    private readonly target: { host: string; port: number },
    private listenPort: number,
  ) {}

  /** A proxy on `port` (default: a free one) relaying to `target`, e.g. `http://127.0.0.1:4566`. */
  static async start(target: string, port = 0): Promise<TcpProxy> {
    const url = new URL(target);
    if (url.hostname !== HOST && url.hostname !== 'localhost') throw new Error(`The proxy only relays to loopback, not ${url.hostname}`);
    const proxy = new TcpProxy({ host: HOST, port: Number(url.port) }, port);
    await proxy.listen();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** The endpoint clients use instead of the target's. */
  get endpoint(): string {
    return `http://${HOST}:${this.listenPort}`;
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  stats(): TcpProxyStats {
    return { ...this.counters };
  }

  /** Takes the endpoint down: open connections are cut, new ones refused ('refuse') or dropped on arrival ('reset'). */
  async down(mode: ProxyDownMode = 'refuse'): Promise<void> {
    this.state = mode;
    this.cutAll();
    if (mode === 'refuse') await this.closeServer();
  }

  /** Brings the endpoint back on the same port. */
  async up(): Promise<void> {
    this.state = 'up';
    if (!this.server) await this.listen();
  }

  async stop(): Promise<void> {
    this.state = 'refuse';
    this.cutAll();
    await this.closeServer();
  }

  private cutAll(): void {
    for (const socket of this.sockets) {
      this.counters.cut++;
      socket.destroy();
    }
    this.sockets.clear();
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // A relay's errors are the point of the exercise; they must not crash the test process.
    socket.on('error', () => undefined);
  }

  private relay(client: Socket): void {
    if (this.state !== 'up') {
      this.counters.dropped++;
      client.on('error', () => undefined);
      // resetAndDestroy sends an RST where supported, which is what a crashed endpoint looks like.
      if (typeof client.resetAndDestroy === 'function') client.resetAndDestroy();
      else client.destroy();
      return;
    }
    this.counters.relayed++;
    const upstream = createConnection({ host: this.target.host, port: this.target.port });
    this.track(client);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // Either side closing ends the pair: a half-relayed HTTP exchange is worse than a closed connection.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end);
    upstream.once('close', end);
  }

  private async listen(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const server = createServer((socket) => this.relay(socket));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.listenPort, HOST, () => {
            server.off('error', reject);
            resolve();
          });
        });
        this.server = server;
        const address = server.address();
        if (typeof address === 'object' && address) this.listenPort = address.port;
        return;
      } catch (error) {
        // The port may be held for a moment by a connection still closing; anything else, or too long, is fatal.
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= RELISTEN_TRIES) throw error;
        await new Promise((r) => setTimeout(r, RELISTEN_PAUSE_MS));
      }
    }
  }
}
