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
