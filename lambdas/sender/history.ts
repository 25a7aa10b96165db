/**
 * The attempt history of a delivery: what one attempt sent and got back, kept on the delivery record and shown by
 * GET /v1/conversions/{orderId} and the deployed console. The shopper's IP and e-mail, and the click ids the message
 * carries, are redacted by value before anything is cut to size (docs/PRIVACY.md).
 *
 * What is kept is sized for two readers at once. While a delivery is unsettled, the last MAX_HISTORY attempts with
 * the first bytes of each answer: what an operator needs when a vendor refuses sales. Once it is `sent`, only the
 * attempt that sent it, without the vendor's answer unless a note says why that answer counts as sent: a record over
 * 1 KB costs two write units on every write, and the answers of a sale gone through tell nobody anything. The request
 * line keeps its first REQUEST_LINE_BYTES, plus the parameters the console decodes (DECODED_PARAMETERS: Kelkoo's
 * productsInfos needs all of its Base64 to show the order lines) whole up to DECODED_PARAMETER_BYTES each.
 */
import { AttemptRecord, MAX_HISTORY } from '../core/delivery';
import type { Order } from '../core/order';
import { firstBytes, personalValues, redactor } from '../core/redact';
import type { DeliveryOutcome, VendorRequest, VendorResponse } from '../vendors/types';

/** Bytes of the vendor's answer kept per attempt. */
export const RESPONSE_BYTES = 256;
/**
 * Bytes of the request line (`METHOD url`) kept per attempt: the host, path and leading parameters – beyond the
 * decoded parameters' own length, which is added to it.
 */
export const REQUEST_LINE_BYTES = 256;
/**
 * The query parameters whose value a console decodes (the adapters' `decodeQuery`: Kelkoo's productsInfos, Raptor's
 * ruid), kept whole – redacted like the rest of the line – when they fit DECODED_PARAMETER_BYTES each.
 */
export const DECODED_PARAMETERS: readonly string[] = ['productsInfos', 'ruid'];
/** The longest decoded parameter (`name=value`, as sent) added whole to the kept request line. */
export const DECODED_PARAMETER_BYTES = 1024;

/**
 * The request line as kept: its first REQUEST_LINE_BYTES, stretched by the length of each decoded parameter it holds
 * (at most DECODED_PARAMETER_BYTES each), so that a parameter the console decodes is cut only when itself too long.
 * `line` is already redacted: the cut never exposes a prefix of a personal value.
 */
export function keptRequestLine(line: string): string {
  const query = line.indexOf('?');
  let budget = REQUEST_LINE_BYTES;
  if (query >= 0) {
    for (const part of line.slice(query + 1).split(/[&#]/)) {
      const equals = part.indexOf('=');
      const name = equals < 0 ? part : part.slice(0, equals);
      const bytes = Buffer.byteLength(part) + 1;
      if (DECODED_PARAMETERS.includes(name) && bytes <= DECODED_PARAMETER_BYTES) budget += bytes;
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
  return [...(history ?? []), attempt].slice(-MAX_HISTORY);
}
