import type { Logger } from '@aws-lambda-powertools/logger';
import type { TrackingConfig } from '../config/schema';
import type { DeliveryState } from '../core/delivery';
import { ValidationError } from '../core/errors';
import type { DeliveryMetrics } from '../observability/metrics';
import type { Clock } from '../core/time';
import type { DeliveryQueues } from '../store/delivery-queues';
import type { TrackingStore } from '../store/tracking-store';
import type { ApiKeySource } from './api-keys';

/** Everything the API handlers may need; each handler factory takes only the part it uses. */
export interface ApiDeps {
  /** `lateReportHours` may be absent: the default (72) applies; `attribution` too: no exclusive groups. */
  config: Pick<TrackingConfig, 'vendors' | 'postbacks' | 'retentionDays'> & Partial<Pick<TrackingConfig, 'lateReportHours' | 'attribution'>>;
  /** A handler's type names the methods it calls (`StoreWith`), so that an entry may hand it the one store it needs. */
  store: TrackingStore;
  queues: DeliveryQueues;
  apiKeys: ApiKeySource;
  logger: Logger;
  clock?: Clock;
  /** Randomness for per-sale values such as Kelkoo's saleId. */
  random?: () => number;
  metrics?: DeliveryMetrics;
}

/** ApiDeps narrowed to a store with only the methods `M` of TrackingStore (a VisitorStore, an OrderStore… has them). */
export type StoreWith<M extends keyof TrackingStore> = { store: Pick<TrackingStore, M> };

/** Timestamps further ahead than this are refused: a shop's clock may drift, but not by much. */
const MAX_FUTURE_SKEW_SECONDS = 300;

export const NO_CONSENT = { tracking: false } as const;

/** The time a capture or order happened: the caller's `occurredAt`, or now. */
export function occurredAt(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const at = new Date(value);
  if (at.getTime() > now.getTime() + MAX_FUTURE_SKEW_SECONDS * 1000) {
    throw new ValidationError('Invalid request: occurredAt', [{ field: 'occurredAt', message: 'must not be more than 5 minutes in the future' }]);
  }
  return at;
}

/**
 * Refuses an order older than the grace for late reports, naming the limit: the click records it would be judged on
 * may already be gone, so it could only be attributed to nothing.
 */
export function refuseTooLate(at: Date, now: Date, graceSeconds: number): void {
  if (at.getTime() >= now.getTime() - graceSeconds * 1000) return;
  const limit = graceSeconds % 3600 === 0 ? `${graceSeconds / 3600} hours` : `${graceSeconds} seconds`;
  throw new ValidationError('Invalid request: occurredAt', [
    { field: 'occurredAt', message: `must not be more than ${limit} in the past (lateReportHours): the order is too old to be attributed` },
  ]);
}

/**
 * Deliveries in configuration order (storage returns them by key), given the destinations' ids in that order
 * (destinationIdsOf); a destination since removed goes last.
 */
export function configOrder(destinationIds: readonly string[]): (deliveries: DeliveryState[]) => DeliveryState[] {
  const position = new Map(destinationIds.map((id, i) => [id, i]));
  return (deliveries) => [...deliveries].sort((a, b) => (position.get(a.vendor) ?? Infinity) - (position.get(b.vendor) ?? Infinity));
}
