/**
 * The attempt history of a delivery: what one attempt sent and got back, kept on the delivery record (the last
 * MAX_HISTORY attempts) and shown by GET /v1/conversions/{orderId}. The shopper's IP and e-mail, and the click ids
 * the message carries, are redacted by value before anything is cut to size (docs/PRIVACY.md).
 */
import { AttemptRecord, MAX_HISTORY } from '../core/delivery';
import type { Order } from '../core/order';
import { firstBytes, personalValues, redactor } from '../core/redact';
import type { DeliveryOutcome, VendorRequest, VendorResponse } from '../vendors/types';

/** Bytes of the vendor's answer kept per attempt. */
export const RESPONSE_BYTES = 256;
/** Bytes of the request line (`METHOD url`) kept per attempt: the host, path and leading parameters. */
export const REQUEST_LINE_BYTES = 256;

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
    return {
      at: last.at.toISOString(),
      durationMs: Math.round(this.durationMs),
      outcome: outcome.kind,
      request: firstBytes(line, REQUEST_LINE_BYTES),
      ...(last.response ? { httpStatus: last.response.status, response: firstBytes(this.redact(last.response.body), RESPONSE_BYTES) } : {}),
      ...(last.transportError !== undefined ? { transportError: firstBytes(this.redact(last.transportError), RESPONSE_BYTES) } : {}),
      // Why an answer that is not a plain acceptance still counts as sent (a duplicate notice, a read timeout).
      ...(outcome.kind === 'sent' && outcome.note !== undefined ? { note: firstBytes(this.redact(outcome.note), RESPONSE_BYTES) } : {}),
    };
  }

  private stop(): void {
    this.durationMs += this.elapsed() - this.startedAt;
  }
}

/** The history after this attempt: the last MAX_HISTORY, oldest first. */
export function withAttempt(history: readonly AttemptRecord[] | undefined, attempt: AttemptRecord | undefined): AttemptRecord[] | undefined {
  if (!attempt) return undefined;
  return [...(history ?? []), attempt].slice(-MAX_HISTORY);
}
