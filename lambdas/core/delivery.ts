import * as z from 'zod';
import { orderSchema } from './order';

export const DELIVERY_STATUSES = ['queued', 'retrying', 'sent', 'failed', 'dead-lettered', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Statuses after which no vendor call will ever be made for that order and destination. */
export const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set(['sent', 'failed', 'skipped']);

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
}

/** How many attempts a delivery record keeps. */
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
  /** `METHOD url` of the last call of the attempt, shopper IP and e-mail redacted, at most 256 bytes. */
  request: string;
  /** The first 256 bytes of the vendor's answer, shopper IP and e-mail redacted. */
  response?: string;
}

/**
 * The message a conversion puts on a destination's queue: everything the sender needs, nothing it must look up.
 * Versioned: a sender rejects (and dead-letters) a version it does not know rather than guess.
 */
export const deliveryMessageSchema = z.strictObject({
  version: z.literal(1),
  destination: z.string().min(1),
  order: orderSchema,
  /** Destination-specific values fixed at conversion time (click ids, Kelkoo's saleId), reused on every retry. */
  context: z.record(z.string(), z.unknown()),
  receivedAt: z.string(),
  /** Epoch seconds: when the delivery record the sender creates expires (the order's `retentionDays`). */
  expiresAt: z.number().int().positive(),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;
