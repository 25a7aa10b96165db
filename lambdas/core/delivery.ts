import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { orderSchema } from './order';

export const DELIVERY_STATUSES = ['queued', 'retrying', 'sent', 'failed', 'dead-lettered', 'skipped', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Statuses after which no vendor call will ever be made for that order and destination. */
export const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set(['sent', 'failed', 'skipped', 'cancelled']);

/** What the status endpoint reports per destination. */
export interface DeliveryState {
  vendor: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  vendorStatus?: number;
  sentAt?: string;
  reason?: string;
  /** The last attempts (at most MAX_HISTORY), oldest first: what was sent and what came back, personal data redacted. */
  history?: AttemptRecord[];
  /**
   * For a delivery sent before its order was cancelled: `unsupported` (the destination declares no cancellation
   * call), or the state of its cancellation call.
   */
  cancellation?: 'unsupported' | Omit<DeliveryState, 'vendor' | 'cancellation'>;
}

/** How many attempts a delivery record keeps while unsettled (a sent one keeps the attempt that sent it). */
export const MAX_HISTORY = 5;

/** One attempt at a delivery, as kept on its record (lambdas/sender/history.ts builds it). */
export interface AttemptRecord {
  /** When the attempt's last call was made (ISO 8601). */
  at: string;
  /** Milliseconds spent on the vendor call(s) of this attempt. */
  durationMs: number;
  /** The vendor's HTTP status, when it answered. */
  httpStatus?: number;
  /** No HTTP answer: the transport error (timeout, reset, refused). */
  transportError?: string;
  /** The outcome: sent, retry (retryable answer or no answer) or failed (refused). */
  outcome: 'sent' | 'retry' | 'failed';
  /**
   * `METHOD url` of the last call of the attempt, shopper IP and e-mail redacted: its first 256 bytes – on the newest
   * attempt up to the end of a parameter a console decodes (Kelkoo's productsInfos), at most 640 (lambdas/sender/history.ts).
   */
  request: string;
  /** The first 256 bytes of the vendor's answer, shopper IP and e-mail redacted; on a `sent` attempt only with a note. */
  response?: string;
  /**
   * Why an attempt is `sent` although its answer was not a plain acceptance: a duplicate notice, or no answer in time
   * from a vendor that books a call on receipt (at most 256 bytes, redacted).
   */
  note?: string;
}

/**
 * The message a conversion puts on a destination's queue: everything the sender needs, nothing it must look up.
 * Versioned: a sender rejects (and dead-letters) a version it does not know rather than guess. Built by a call marked
 * pure, so that a function that reaches this module without parsing messages (the status route) drops it.
 */
export const deliveryMessageSchema = /* @__PURE__ */ (() => {
  const deliveryMessageV1Schema = z.strictObject({
    version: z.literal(1),
    destination: z.string().check(z.minLength(1)),
    order: orderSchema,
    /** Destination-specific values fixed at conversion time (click ids, Kelkoo's saleId), reused on every retry. */
    context: z.record(z.string(), z.unknown()),
    receivedAt: z.string(),
    /** Epoch seconds: when the delivery record the sender creates expires (the order's `retentionDays`). */
    expiresAt: z.number().check(z.int(), z.positive()),
    /** messageDigest of this message, also recorded with the order's plan: the sender sends only what was recorded. */
    digest: z.optional(z.string()),
  });

  /**
   * Version 2: version 1 plus the exclusive group decision for the destination (lambdas/core/exclusive.ts), made once
   * in the conversion. A conversion writes version 2 only for a member of a group, so every other message stays
   * readable by a sender that knows version 1 alone.
   */
  const deliveryMessageV2Schema = z.extend(deliveryMessageV1Schema, {
    version: z.literal(2),
    exclusive: z.strictObject({ group: z.string(), winner: z.nullable(z.string()), channel: z.string(), won: z.boolean() }),
  });

  return z.discriminatedUnion('version', [deliveryMessageV1Schema, deliveryMessageV2Schema]);
})();
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

/** JSON with every object's keys sorted (undefined members left out): one text per value, whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The digest of what a message makes the sender send: its destination, order and context (SHA-256, hex). The
 * conversion records it with the order's plan; the sender recomputes it from the message it received and sends
 * only when it equals the recorded one, so a vendor never hears of an order body the service did not record.
 */
export function messageDigest(message: Pick<DeliveryMessage, 'destination' | 'order' | 'context'> & { exclusive?: ExclusiveDecision }): string {
  // `exclusive` (version 2) is left out when absent, so a version 1 message digests as it always did.
  const digested = { destination: message.destination, order: message.order, context: message.context, exclusive: message.exclusive };
  return createHash('sha256').update(canonicalJson(digested)).digest('hex');
}

type ExclusiveDecision = Extract<DeliveryMessage, { version: 2 }>['exclusive'];
