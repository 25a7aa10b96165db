import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import type { TransportFailure, TransportPhase, VendorRequest, VendorResponse } from './types';

/**
 * Thrown when no HTTP answer came back: timeout, refused or reset connection, DNS failure. `phase` tells whether the
 * request had been sent in full before that happened (TransportFailure); the adapter may judge by it
 * (`classifyTransportError`), and the sender retries whatever the adapter does not judge.
 */
export class TransportError extends Error implements TransportFailure {
  constructor(
    message: string,
    readonly timedOut: boolean,
    readonly phase: TransportPhase,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** Performs vendor calls described by adapters: the only place the service talks HTTP to vendors. */
export interface HttpSender {
  send(request: VendorRequest, timeoutMs: number): Promise<VendorResponse>;
}

/** Vendor answers are read up to this size: enough to classify, never enough to exhaust memory. */
const MAX_BODY_CHARS = 4096;
/** Bytes kept to decode MAX_BODY_CHARS characters of UTF-8 (at most 4 bytes each); the rest is read and dropped. */
const MAX_BODY_BYTES = MAX_BODY_CHARS * 4;

export const USER_AGENT = 's2s-conversion-tracking/1.0';

export interface HttpSenderOptions {
  /** Resolves the vendor's host name (default: the system's); a test gives one that never answers. */
  lookup?: LookupFunction;
}

/**
 * The HTTP sender over node:http(s). It never follows a redirect: a 3xx is handed back as it came, for the adapter to
 * fail naming its Location (classifyByStatus) – a followed 301/302/303 would have re-sent a POST as a GET without its
 * body, and counted the new place's 200 as the vendor's acceptance.
 *
 * It knows how far a call got, which fetch does not tell: `connect` until the request has been handed to a connected
 * socket in full, `sent` from then on. A timeout (one deadline for the whole call, from connecting to the answer's
 * last byte) or a dropped connection is reported with that phase.
 */
export function createHttpSender(options: HttpSenderOptions = {}): HttpSender {
  return { send: (request, timeoutMs) => send(request, timeoutMs, options) };
}

/** The sender every destination uses (the name is older than its node:http implementation). */
export const fetchHttpSender: HttpSender = createHttpSender();

function send(request: VendorRequest, timeoutMs: number, options: HttpSenderOptions): Promise<VendorResponse> {
  return new Promise<VendorResponse>((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch (error) {
      reject(new TransportError(`Transport error: not a URL`, false, 'connect', { cause: error }));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new TransportError(`Transport error: ${url.protocol} is not http(s)`, false, 'connect'));
      return;
    }
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: '*/*', ...request.headers };
    if (body) headers['content-length'] = String(body.length);

    let connected = false;
    let written = false;
    let timedOut = false;
    let settled = false;
    const phase = (): TransportPhase => (connected && written ? 'sent' : 'connect');
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const at = phase();
      const detail = timedOut
        ? at === 'sent'
          ? `no answer within ${timeoutMs} ms after the request was sent`
          : `no connection within ${timeoutMs} ms (the request was not sent)`
        : describe(error);
      reject(new TransportError(`Transport error: ${detail}`, timedOut, at, { cause: error }));
    };

    const transport = url.protocol === 'https:' ? https : http;
    // Node's global agents: connections kept open between calls to one vendor, idle ones closed after 5 s.
    const req = transport.request(url, { method: request.method, headers, ...(options.lookup ? { lookup: options.lookup } : {}) });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error(`timeout after ${timeoutMs} ms`));
    }, timeoutMs);

    req.on('socket', (socket: Socket) => {
      // A kept-alive socket is connected already; a new one says so once connected (TLS: once its handshake is done).
      if (!socket.connecting) connected = true;
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
    });
    // Emitted once the last byte of the request has been handed to the operating system.
    req.on('finish', () => (written = true));
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept >= MAX_BODY_BYTES) return;
        chunks.push(chunk);
        kept += chunk.length;
      });
      res.on('error', fail);
      // Closed before its last byte: the connection failed under the answer.
      res.on('close', () => {
        if (!res.complete) fail(new Error('the answer was cut off'));
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8').slice(0, MAX_BODY_CHARS);
        resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: text });
      });
    });
    req.end(body);
  });
}

/** `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9` – the code first, as the sender's logs and tests read it. */
function describe(error: unknown): string {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  return `${code ?? name ?? 'Error'}: ${message ?? String(error)}`;
}

/** Header names lower-cased, repeated headers joined as HTTP allows. */
function flatHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
