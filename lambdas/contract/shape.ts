/**
 * The deployment contract of the functions in lambdas/: the table, routes, functions, queues and environment names
 * they are built for. Free of CDK imports: the CDK stack (lib/) and the local stack (local/) both build their table,
 * routes, queues and pollers from these definitions, so the two cannot drift apart.
 */
import type { DeliverySettings, TrackingConfig } from '../config/schema';
import { capacityOf, DestinationCapacity } from '../config/capacity';
import { cancelDestinationsOf, queuedDestinationsOf } from '../config/cancellation';
import { destinationsOf } from '../config/destinations';

/** The one DynamoDB table: generic keys, every item carries its own expiry in `ttl` (epoch seconds). */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
} as const;

/**
 * The sparse index of deliveries that are not `sent` (GET /v1/deliveries): its key attributes are written only when
 * a sender records an outcome other than `sent` and removed when the delivery is sent, so a delivery sent at its
 * first attempt never costs an index write. Partition: the status; sort: when it was recorded (ISO 8601).
 * Only what the listing shows is projected, so an index write stays one write unit.
 */
export const UNSETTLED_INDEX = {
  indexName: 'unsettled',
  partitionKey: 'unsettledStatus',
  sortKey: 'unsettledAt',
  nonKeyAttributes: ['destination', 'attempts', 'lastError', 'vendorStatus'],
} as const;

/** The handlers behind the HTTP API, each served by the function named in `API_FUNCTIONS`. */
export type ApiHandlerName = 'health' | 'capture' | 'identify' | 'erase' | 'conversion' | 'status' | 'deliveries' | 'cancellation';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  handler: ApiHandlerName;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'GET', path: '/v1/health', handler: 'health' },
  { method: 'POST', path: '/v1/clicks', handler: 'capture' },
  { method: 'POST', path: '/v1/identify', handler: 'identify' },
  { method: 'DELETE', path: '/v1/visitors', handler: 'erase' },
  { method: 'POST', path: '/v1/conversions', handler: 'conversion' },
  { method: 'GET', path: '/v1/conversions/{orderId}', handler: 'status' },
  { method: 'GET', path: '/v1/deliveries', handler: 'deliveries' },
  { method: 'POST', path: '/v1/conversions/{orderId}/cancellation', handler: 'cancellation' },
];

/** The API's Lambda functions and the handlers each serves (grouped by the data they touch). */
export const API_FUNCTIONS = {
  capture: ['capture'],
  identify: ['identify', 'erase'],
  conversion: ['conversion'],
  status: ['status', 'health'],
  deliveries: ['deliveries'],
  cancellation: ['cancellation'],
} as const satisfies Record<string, readonly ApiHandlerName[]>;
export type ApiFunctionName = keyof typeof API_FUNCTIONS;

export function functionServing(handler: ApiHandlerName): ApiFunctionName {
  const name = (Object.keys(API_FUNCTIONS) as ApiFunctionName[]).find((fn) =>
    (API_FUNCTIONS[fn] as readonly ApiHandlerName[]).includes(handler),
  );
  if (!name) throw new Error(`No function serves handler ${handler}`);
  return name;
}

/** API function timeout: well inside API Gateway's 30 s integration limit. */
export const API_TIMEOUT_SECONDS = 10;

/** The API's default throttling (per account and stage); merchants can raise it in the config later. */
export const API_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

/** Request bodies above this size are refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface DeliveryQueueSettings {
  /** Sender function timeout. */
  senderTimeoutSeconds: number;
  /** At least six times the function timeout, as AWS recommends for SQS event sources. */
  visibilityTimeoutSeconds: number;
  /**
   * Receives one copy of a message may take without being settled – crashed or timed-out invocations, throttled
   * batches – before SQS moves it to the DLQ: `delivery.maxAttempts`, at least the 5 AWS advises for Lambda. The sender
   * settles every other receive itself: a retry is a new copy sent with a delay, so waiting retries are never in flight.
   */
  maxReceiveCount: number;
  retentionSeconds: number;
  dlqRetentionSeconds: number;
  /** Messages per sender invocation: the destination's `batchSize`. */
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** Cap on concurrent sender invocations per destination, so no vendor is flooded: its `concurrency`. */
  maxConcurrency: number;
  /** The destination's `ratePerSecond`, when it has one: its senders space their calls (lambdas/sender/pacing.ts). */
  ratePerSecond?: number;
  /** Calls of one message made at once (Raptor: its order lines): the destination's `parallelCalls`. */
  parallelCalls: number;
  /** How long a sender may hold a delivery before another may take it over (longer than the function runs). */
  claimLeaseSeconds: number;
}

const FOURTEEN_DAYS = 14 * 86_400;

/**
 * The queue, batching and concurrency settings of a destination's delivery: `capacity` is the destination's own
 * (`destinationCapacity`); without it, the defaults every destination has without capacity keys.
 */
export function deliveryQueueSettings(delivery: DeliverySettings, capacity: DestinationCapacity = capacityOf(undefined)): DeliveryQueueSettings {
  const senderTimeoutSeconds = 60;
  return {
    senderTimeoutSeconds,
    visibilityTimeoutSeconds: senderTimeoutSeconds * 6,
    maxReceiveCount: delivery.maxAttempts,
    retentionSeconds: FOURTEEN_DAYS,
    dlqRetentionSeconds: FOURTEEN_DAYS,
    // Defaults chosen by measurement (docs/PERFORMANCE.md, "Sender batch size…"): batches of 10 sent in parallel cut
    // the invocations and the receive/delete requests tenfold against one message per invocation; at most 3 batches
    // in flight bound what one vendor sees to 30 open calls (5 allowed 50) with room above 50 conversions/s for a
    // vendor answering in 150 ms. Each destination may set its own (`concurrency`, `batchSize`, lambdas/config/capacity.ts).
    batchSize: capacity.batchSize,
    maxBatchingWindowSeconds: 1,
    maxConcurrency: capacity.concurrency,
    ...(capacity.ratePerSecond !== undefined ? { ratePerSecond: capacity.ratePerSecond } : {}),
    parallelCalls: capacity.parallelCalls,
    claimLeaseSeconds: senderTimeoutSeconds + 30,
  };
}

/**
 * A queued destination's capacity: the keys of its vendor or postback entry, defaults filled in; a postback's
 * cancellation destination (`<postback>-cancel`) has its postback's. Throws, naming it, for an unknown destination.
 */
export function destinationCapacity(config: Pick<TrackingConfig, 'vendors'> & Partial<Pick<TrackingConfig, 'postbacks'>>, destinationId: string): DestinationCapacity {
  const destination = queuedDestinationsOf(config).find((d) => d.id === destinationId);
  if (!destination) throw new Error(`${destinationId} is not a destination of this configuration`);
  return capacityOf(destination.config);
}

/** `deliveryQueueSettings` of one destination of `config`, with its own capacity. */
export function deliveryQueueSettingsOf(config: Pick<TrackingConfig, 'vendors' | 'delivery'> & Partial<Pick<TrackingConfig, 'postbacks'>>, destinationId: string): DeliveryQueueSettings {
  return deliveryQueueSettings(config.delivery, destinationCapacity(config, destinationId));
}

/** Logical names of a destination's queues (the deployed names are generated by CloudFormation). */
export function queueNames(destinationId: string): { queue: string; deadLetterQueue: string } {
  return { queue: `delivery-${destinationId}`, deadLetterQueue: `delivery-${destinationId}-dlq` };
}

/** The postbacks with a `cancel` template: one more VendorDelivery each, for their cancellation calls. */
export function cancelDestinationIds(config: TrackingConfig): Array<{ id: string; of: string }> {
  return cancelDestinationsOf(config).map((d) => ({ id: d.id, of: d.id.slice(0, -'-cancel'.length) }));
}

/**
 * The deployed name of a destination's delivery queue, e.g. `ConversionTracking-delivery-kelkoo`. Fixed at synthesis,
 * so the conversion function derives each queue's URL from it (ENV.queueUrlBase + name) instead of carrying one URL
 * per destination in its environment, which Lambda caps at 4 KB.
 */
export function deliveryQueueName(stackName: string, destinationId: string): string {
  return `${stackName}-${queueNames(destinationId).queue}`;
}

/** SQS's limit on a queue name. */
export const MAX_QUEUE_NAME_LENGTH = 80;

/** The enabled destination ids: one VendorDelivery (queue, DLQ, sender, alarm) each. */
export function destinationIds(config: TrackingConfig): string[] {
  return destinationsOf(config).map((d) => d.id);
}

/** Environment variable names shared by the stack (which sets them) and the entry points (which read them). */
export const ENV = {
  tableName: 'TABLE_NAME',
  apiKeysSecretArn: 'API_KEYS_SECRET_ARN',
  destination: 'DESTINATION_ID',
  queueUrl: 'QUEUE_URL',
  /** The sender's dead-letter queue, where it parks a delivery the vendor refused. */
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  /**
   * Of a sale sender whose postback has a `cancel` template: its cancellation queue (`<postback>-cancel`), where the
   * sender queues the cancellation call of a sale it records `sent` after the order was cancelled.
   */
  cancellationQueueUrl: 'CANCELLATION_QUEUE_URL',
  /** `https://sqs.<region>.<suffix>/<account>/`: a delivery queue's URL is this followed by its deliveryQueueName. */
  queueUrlBase: 'QUEUE_URL_BASE',
} as const;
