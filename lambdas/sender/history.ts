/**
 * The attempt history of a delivery: what one attempt sent and got back, kept on the delivery record and shown by
 * GET /v1/conversions/{orderId} and the deployed console. The shopper's IP and e-mail, and the click ids the message
 * carries, are redacted by value before anything is cut to size (docs/PRIVACY.md).
 *
 * What is kept is sized for two readers at once. While a delivery is unsettled, the last MAX_HISTORY attempts with
 * the first bytes of each answer: what an operator needs when a vendor refuses sales. Once it is `sent`, only the
 * attempt that sent it, without the vendor's answer unless a note says why that answer counts as sent: a record over
 * 1 KB costs two write units on every write, and the answers of a sale gone through tell nobody anything. The request
 * line keeps its first REQUEST_LINE_BYTES – or, on the newest attempt, up to the end of the last parameter the console
 * decodes (DECODED_PARAMETERS: Kelkoo's productsInfos needs all of its Base64 to show the order lines) when that ends
 * within KEPT_LINE_BYTES, which keeps a sent record within 1 KB. Every attempt of a delivery sends the same message,
 * so the older attempts' lines are cut back to REQUEST_LINE_BYTES when a new one is kept.
 */
import { AttemptRecord, MAX_HISTORY } from '../core/delivery';
import type { Order } from '../core/order';
import { firstBytes, personalValues, redactor } from '../core/redact';
import type { DeliveryOutcome, VendorRequest, VendorResponse } from '../vendors/types';

/** Bytes of the vendor's answer kept per attempt. */
export const RESPONSE_BYTES = 256;
/** Bytes of the request line (`METHOD url`) kept per attempt: the host, path and leading parameters. */
export const REQUEST_LINE_BYTES = 256;
/**
 * The query parameters whose value a console decodes (the adapters' `decodeQuery`: Kelkoo's productsInfos, Raptor's
 * ruid), kept whole – redacted like the rest of the line – on the newest attempt when they end within KEPT_LINE_BYTES.
 */
export const DECODED_PARAMETERS: readonly string[] = ['productsInfos', 'ruid'];
/**
 * The longest request line kept, for its decoded parameters: with the record's other attributes, a sent delivery
 * record stays within 1 KB (one write unit). A Kelkoo basket of up to three typical lines fits.
 */
export const KEPT_LINE_BYTES = 640;

/**
 * The request line as kept on the newest attempt: its first REQUEST_LINE_BYTES, or up to the end of the last decoded
 * parameter that ends within KEPT_LINE_BYTES. `line` is already redacted: a cut never exposes a prefix of a personal
 * value.
 */
export function keptRequestLine(line: string): string {
  const query = line.indexOf('?');
  let budget = REQUEST_LINE_BYTES;
  if (query >= 0) {
    let at = query + 1;
    for (const part of line.slice(query + 1).split('&')) {
      const end = at + part.length;
      const equals = part.indexOf('=');
      const name = equals < 0 ? part : part.slice(0, equals);
      if (DECODED_PARAMETERS.includes(name)) {
        const endBytes = Buffer.byteLength(line.slice(0, end));
        if (endBytes <= KEPT_LINE_BYTES) budget = Math.max(budget, endBytes);
      }
      at = end + 1;
    }
  }
  return firstBytes(line, budget);
}

/** Collects the calls of one attempt; `record` turns the last one into an AttemptRecord. */
export class AttemptTrace {
  private readonly redact: (text: string) => string;
  private durationMs = 0;
  private startedAt = 0;
  private last?: { request: VendorRequest; at: Date; response?: VendorResponse; transportError?: string };

  constructor(
    order: Pick<Order, 'shopper'>,
    private readonly clock: () => Date,
    private readonly elapsed: () => number = () => performance.now(),
    /** Further values to redact: the click ids of the message's context (contextIdentifiers). */
    identifiers: readonly string[] = [],
  ) {
    this.redact = redactor([...personalValues(order), ...identifiers]);
  }

  /** Text about this order with its personal values removed (for `lastError` and logs as well). */
  redacted(text: string): string {
    return this.redact(text);
  }

  /** The vendor's answer with this order's personal values removed from its body and headers. */
  redactedResponse(response: VendorResponse): VendorResponse {
    const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, this.redact(value)]));
    return { ...response, headers, body: this.redact(response.body) };
  }

  started(request: VendorRequest): void {
    this.startedAt = this.elapsed();
    this.last = { request, at: this.clock() };
  }

  answered(response: VendorResponse): void {
    this.stop();
    if (this.last) this.last.response = response;
  }

  noAnswer(error: string): void {
    this.stop();
    if (this.last) this.last.transportError = error;
  }

  /** The attempt as kept on the record, or undefined when it made no call (every request already completed). */
  record(outcome: DeliveryOutcome): AttemptRecord | undefined {
    const last = this.last;
    if (!last) return undefined;
    const line = this.redact(`${last.request.method} ${last.request.url}`);
    // A sale gone through keeps its answer only when a note says why that answer counts as sent.
    const keepAnswer = outcome.kind !== 'sent' || outcome.note !== undefined;
    return {
      at: last.at.toISOString(),
      durationMs: Math.round(this.durationMs),
      outcome: outcome.kind,
      request: keptRequestLine(line),
      ...(last.response ? { httpStatus: last.response.status } : {}),
      ...(last.response && keepAnswer ? { response: firstBytes(this.redact(last.response.body), RESPONSE_BYTES) } : {}),
      ...(last.transportError !== undefined ? { transportError: firstBytes(this.redact(last.transportError), RESPONSE_BYTES) } : {}),
      // Why an answer that is not a plain acceptance still counts as sent (a duplicate notice, a read timeout).
      ...(outcome.kind === 'sent' && outcome.note !== undefined ? { note: firstBytes(this.redact(outcome.note), RESPONSE_BYTES) } : {}),
    };
  }

  private stop(): void {
    this.durationMs += this.elapsed() - this.startedAt;
  }
}

/**
 * The history after this attempt: the last MAX_HISTORY, oldest first – or, once the attempt sent the delivery, that
 * attempt alone (the earlier ones explained a delay that is over; `attempts` still counts them).
 */
export function withAttempt(history: readonly AttemptRecord[] | undefined, attempt: AttemptRecord | undefined): AttemptRecord[] | undefined {
  if (!attempt) return undefined;
  if (attempt.outcome === 'sent') return [attempt];
  // The same message on every attempt: the newest line shows what decoding needs, the older ones their first bytes.
  const older = (history ?? []).map((a) => (Buffer.byteLength(a.request) > REQUEST_LINE_BYTES ? { ...a, request: firstBytes(a.request, REQUEST_LINE_BYTES) } : a));
  return [...older, attempt].slice(-MAX_HISTORY);
}
