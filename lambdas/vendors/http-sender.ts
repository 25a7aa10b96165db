import type { VendorRequest, VendorResponse } from './types';

/** Thrown when no HTTP answer came back: timeout, refused or reset connection, DNS failure. Always retryable. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
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

export const USER_AGENT = 's2s-conversion-tracking/1.0';

export const fetchHttpSender: HttpSender = {
  async send(request, timeoutMs) {
    let response: Response;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: { 'user-agent': USER_AGENT, ...request.headers },
        body: request.body,
        redirect: 'follow',
        signal,
      });
      // The same signal bounds reading the body: a vendor that trickles its answer still times out.
      const body = (await response.text()).slice(0, MAX_BODY_CHARS);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
      return { status: response.status, headers, body };
    } catch (error) {
      const timedOut = signal.aborted;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = timedOut ? `no answer within ${timeoutMs} ms` : `${cause?.code ?? (error as Error).name}: ${cause?.message ?? (error as Error).message}`;
      throw new TransportError(`Transport error: ${detail}`, timedOut, { cause: error });
    }
  },
};
