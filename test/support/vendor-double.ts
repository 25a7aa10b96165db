/**
 * A vendor's server on loopback whose answers a test scripts, call by call (`answer`, `always`) or as a fault
 * mode switched at run time (`mode`: down, flapping, slow, reset, rate-limit, ok).
 *
 * Besides every call it received, it keeps a tally per (path, order id) of calls RECEIVED and calls ACCEPTED.
 * Accepted means a 2xx answer written in full to a caller that was still waiting for it. A slow answer to a sender
 * that had already given up is received but not accepted: the sender saw a timeout, so for the pipeline that call
 * failed and will be made again. (A real vendor may well have booked it: `lateAnswers` counts those.)
 *
 * "Still waiting" is judged by what the caller did with the connection, not by the moment of writing, because a
 * caller whose event loop is busy can give up a few milliseconds after the answer reached its socket. A 2xx is
 * booked once the caller reuses the connection or closes it cleanly – it read the answer – or, when the test asks
 * (`settleIdle`), if the connection is still open once the callers are at rest. It is not booked when the caller had
 * already closed the connection, or resets it afterwards: a client that abandons a connection with an unread answer
 * in its buffer makes the kernel send a reset, which arrives at once on loopback.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type VendorBehaviour =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Accept the connection and never answer (a vendor beyond the timeout). */
  | { kind: 'hang' }
  /** Drop the connection without an HTTP answer. */
  | { kind: 'reset' }
  /** Answer `status` (default 200) only after `delayMs` – if the caller is still there to read it. */
  | { kind: 'slow'; delayMs: number; status?: number; body?: string };

/** A fault a test switches the whole vendor into; each call's answer is drawn from it as the call arrives. */
export type VendorMode =
  | { kind: 'ok' }
  /** Every call answers `status` (default 500). */
  | { kind: 'down'; status?: number }
  /** Every other call fails with 500, starting with a failure; the rest answer 200. */
  | { kind: 'flapping' }
  /** Every call answers 200 after `delayMs`, which a test chooses beyond the sender's timeout. */
  | { kind: 'slow'; delayMs: number }
  /** Every call's connection is destroyed as soon as the request has arrived. */
  | { kind: 'reset' }
  /**
   * 429 with `Retry-After: retryAfterSeconds` (default 1) for the first `calls` calls after the switch and/or
   * for `forMs` after it (whichever is given; both: until both have passed), then 200.
   */
  | { kind: 'rate-limit'; calls?: number; forMs?: number; retryAfterSeconds?: number };

export interface ReceivedCall {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** When the request had been read in full (epoch ms). */
  receivedAt?: number;
  /** The status written back, once written; absent for a dropped, unanswered or abandoned call. */
  answered?: number;
}

/** How one call ended, from the vendor's side. */
export type CallOutcome = 'accepted' | 'error-status' | 'reset' | 'caller-gone' | 'unanswered';

export interface CallTally {
  received: number;
  accepted: number;
}

export interface VendorDoubleOptions {
  /** Port to listen on (default: any free one). A test may pick a closed port first and start the double there later. */
  port?: number;
  /**
   * The order a call is about, for the tally. Default: the `orderId` query parameter (Kelkoo), else `tid`
   * (QUALITYCLICK), else the whole query string.
   */
  orderIdOf?: (url: URL, call: ReceivedCall) => string;
}

const OK: VendorBehaviour = { kind: 'status', status: 200, body: 'OK' };

/** 2xx answers written on one connection and not yet known to have been read. */
interface ConnectionState {
  unsettled: Array<(read: boolean) => void>;
}

function defaultOrderId(url: URL): string {
  return url.searchParams.get('orderId') ?? url.searchParams.get('tid') ?? url.search;
}

/** Key of the tally: the vendor's path (one double can stand in for several vendors) and the order id. */
const tallyKey = (path: string, orderId: string) => `${path}\u0000${orderId}`;

export class VendorDouble {
  readonly calls: ReceivedCall[] = [];
  private script: VendorBehaviour[] = [];
  private fallback: () => VendorBehaviour = () => OK;
  private server!: Server;
  private readonly tallies = new Map<string, CallTally & { path: string; orderId: string; unsettled: number }>();
  private readonly outcomes = new Map<CallOutcome, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private orderIdOf: (url: URL, call: ReceivedCall) => string = defaultOrderId;
  private readonly connections = new Map<Socket, ConnectionState>();

  static async start(options: VendorDoubleOptions = {}): Promise<VendorDouble> {
    const double = new VendorDouble();
    if (options.orderIdOf) double.orderIdOf = options.orderIdOf;
    double.server = createServer((req, res) => double.handle(req, res));
    double.server.on('connection', (socket: Socket) => {
      const state: ConnectionState = { unsettled: [] };
      double.connections.set(socket, state);
      let reset = false;
      socket.on('error', () => {
        reset = true;
      });
      socket.once('close', (hadError) => {
        double.connections.delete(socket);
        double.settle(state, !(hadError || reset));
      });
    });
    await new Promise<void>((resolve, reject) => {
      double.server.once('error', reject);
      double.server.listen(options.port ?? 0, '127.0.0.1', () => {
        double.server.off('error', reject);
        resolve();
      });
    });
    return double;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The next answers, in order; after them the fallback. */
  answer(...behaviours: VendorBehaviour[]): this {
    this.script.push(...behaviours);
    return this;
  }

  always(behaviour: VendorBehaviour): this {
    this.fallback = () => behaviour;
    return this;
  }

  /** Switches the fallback to a fault mode (or back to `ok`), starting its counters afresh. */
  mode(mode: VendorMode): this {
    switch (mode.kind) {
      case 'ok':
        this.fallback = () => OK;
        break;
      case 'down': {
        const down: VendorBehaviour = { kind: 'status', status: mode.status ?? 500, body: 'Internal Server Error' };
        this.fallback = () => down;
        break;
      }
      case 'flapping': {
        let n = 0;
        this.fallback = () => (n++ % 2 === 0 ? { kind: 'status', status: 500, body: 'Internal Server Error' } : OK);
        break;
      }
      case 'slow': {
        const slow: VendorBehaviour = { kind: 'slow', delayMs: mode.delayMs, status: 200, body: 'OK' };
        this.fallback = () => slow;
        break;
      }
      case 'reset':
        this.fallback = () => ({ kind: 'reset' });
        break;
      case 'rate-limit': {
        const limited: VendorBehaviour = {
          kind: 'status',
          status: 429,
          body: 'Too Many Requests',
          headers: { 'retry-after': String(mode.retryAfterSeconds ?? 1) },
        };
        const until = mode.forMs === undefined ? undefined : Date.now() + mode.forMs;
        let left = mode.calls;
        this.fallback = () => {
          const byCount = left !== undefined && left > 0;
          const byTime = until !== undefined && Date.now() < until;
          if (left !== undefined) left--;
          return byCount || byTime ? limited : OK;
        };
        break;
      }
    }
    return this;
  }

  /** The calls received for one order on one vendor path, in order of arrival. */
  callsFor(path: string, orderId: string): ReceivedCall[] {
    return this.calls.filter((call) => {
      const url = new URL(call.url, 'http://vendor.invalid');
      return url.pathname === path && this.orderIdOf(url, call) === orderId;
    });
  }

  /** Calls received and accepted for one order on one vendor path (e.g. `/st`). */
  tally(path: string, orderId: string): CallTally {
    const entry = this.tallies.get(tallyKey(path, orderId));
    return { received: entry?.received ?? 0, accepted: entry?.accepted ?? 0 };
  }

  /** Every (path, order id) the double heard about, with its tally. */
  allTallies(): Array<CallTally & { path: string; orderId: string }> {
    return [...this.tallies.values()].map(({ path, orderId, received, accepted }) => ({ path, orderId, received, accepted }));
  }

  /** 2xx answers written but not yet known to have been read (their connection is still open and idle). */
  get unsettled(): number {
    let n = 0;
    for (const state of this.connections.values()) n += state.unsettled.length;
    return n;
  }

  /**
   * Books the answers still waiting on open connections, after one pause for any reset already on its way to be
   * read. Call it once the callers are at rest (nothing left to send): a caller that gave up on an answer has
   * reset its connection by then, so a connection still open was kept by a caller that read what it carried.
   */
  async settleIdle(pauseMs = 200): Promise<void> {
    await new Promise((r) => setTimeout(r, pauseMs));
    for (const state of this.connections.values()) this.settle(state, true);
  }

  /** Calls received and accepted per (path, order id), counting answers still unsettled as accepted. */
  tallyIncludingUnsettled(path: string, orderId: string): CallTally {
    const entry = this.tallies.get(tallyKey(path, orderId));
    return { received: entry?.received ?? 0, accepted: (entry?.accepted ?? 0) + (entry?.unsettled ?? 0) };
  }

  /** Totals over all calls, and how the calls ended. */
  totals(): CallTally & { outcomes: Record<CallOutcome, number> } {
    let received = 0;
    let accepted = 0;
    for (const t of this.tallies.values()) {
      received += t.received;
      accepted += t.accepted;
    }
    const outcomes = Object.fromEntries(
      (['accepted', 'error-status', 'reset', 'caller-gone', 'unanswered'] as const).map((o) => [o, this.outcomes.get(o) ?? 0]),
    ) as Record<CallOutcome, number>;
    return { received, accepted, outcomes };
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // An idle connection still open at the end was kept by its client after reading the answers it carried.
    for (const state of this.connections.values()) this.settle(state, true);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private settle(state: ConnectionState, read: boolean): void {
    for (const done of state.unsettled.splice(0)) done(read);
  }

  private count(outcome: CallOutcome): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    // A new request on this connection: its client read every answer sent on it before.
    const connection = this.connections.get(req.socket);
    if (connection) this.settle(connection, true);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call: ReceivedCall = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      this.calls.push(call);
      const url = new URL(call.url, 'http://vendor.invalid');
      const key = tallyKey(url.pathname, this.orderIdOf(url, call));
      const tally = this.tallies.get(key) ?? { path: url.pathname, orderId: this.orderIdOf(url, call), received: 0, accepted: 0, unsettled: 0 };
      this.tallies.set(key, tally);
      tally.received++;

      const behaviour = this.script.shift() ?? this.fallback();
      if (behaviour.kind === 'hang') {
        this.count('unanswered');
        return;
      }
      if (behaviour.kind === 'reset') {
        this.count('reset');
        req.socket.destroy();
        return;
      }
      const reply = (status: number, body: string | undefined, headers: Record<string, string> = {}) => {
        // The caller gave up (its timeout aborted the request): nothing can be written, so nothing is accepted.
        if (res.destroyed || req.socket.destroyed || !req.socket.writable || req.socket.readableEnded) {
          this.count('caller-gone');
          return;
        }
        const success = status >= 200 && status < 300;
        if (!success) this.count('error-status');
        if (success) {
          const book = (read: boolean) => {
            if (!read) return this.count('caller-gone');
            tally.accepted++;
            this.count('accepted');
          };
          res.once('close', () => {
            // Not written in full: the connection failed under the answer.
            if (!res.writableFinished) return book(false);
            const state = this.connections.get(req.socket);
            // Already closed: it was closed cleanly only if no error came with the close.
            if (!state) return book(!req.socket.errored);
            tally.unsettled++;
            state.unsettled.push((read) => {
              tally.unsettled--;
              book(read);
            });
          });
        }
        call.answered = status;
        res.writeHead(status, headers);
        res.end(body ?? '');
      };
      if (behaviour.kind === 'slow') {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          reply(behaviour.status ?? 200, behaviour.body ?? 'OK');
        }, behaviour.delayMs);
        this.timers.add(timer);
        return;
      }
      // One turn of the event loop first: a caller that aborted while its request was still queued here has its
      // close read in that turn, so the answer is not booked for a caller that is already gone.
      setImmediate(() => reply(behaviour.status, behaviour.body, behaviour.headers));
    });
  }
}
