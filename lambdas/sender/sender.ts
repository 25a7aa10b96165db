import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeliverySettings } from '../core/config';
import { DeliveryMessage, deliveryMessageSchema } from '../core/delivery';
import { DeliveryEvent, DeliveryMetrics, noDeliveryMetrics } from '../core/metrics';
import { hasCancellationCall } from '../core/cancellation';
import type { Destination } from '../core/destinations';
import { cancelWithOf } from '../store/cancellation-records';
import { Clock, systemClock } from '../core/time';
import type { RetryScheduler } from '../store/delivery-queues';
import type { TrackingStore } from '../store/tracking-store';
import { HttpSender, TransportError } from '../vendors/http-sender';
import type { DeliveryOutcome, VendorRequest } from '../vendors/types';
import { retryDelaySeconds } from './backoff';

export interface SenderDeps {
  destination: Destination;
  delivery: DeliverySettings;
  store: TrackingStore;
  retries: RetryScheduler;
  http: HttpSender;
  logger: Logger;
  /** How long a claimed delivery stays reserved to this sender (longer than the function can run). */
  claimLeaseSeconds: number;
  clock?: Clock;
  random?: () => number;
  metrics?: DeliveryMetrics;
}

/** Thrown to leave a message on its queue for a later attempt (the batch reports it as a failed item). */
export class RetryLaterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Thrown for a message that can never be processed; it goes to the DLQ after maxAttempts for a human to see. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/**
 * One destination's sender: for each SQS record, claim the delivery (so that a delivery already `sent` is never
 * sent again, whoever else holds the same message), make the vendor call(s), record the outcome, and either
 * acknowledge the record or leave it on the queue with a per-message backoff. Records fail individually
 * (partial batch response); one bad record never fails its neighbours.
 */
export function createSenderHandler(deps: SenderDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const { destination, store, logger } = deps;
  const metrics = deps.metrics ?? noDeliveryMetrics;
  const adapter = destination.adapter;
  const keepsForCancellation = hasCancellationCall(destination);

  function parse(record: SQSRecord): DeliveryMessage {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new PoisonMessageError('message body is not JSON');
    }
    const result = deliveryMessageSchema.safeParse(body);
    if (!result.success) throw new PoisonMessageError(`message does not match contract v1: ${result.error.issues[0]?.message}`);
    if (result.data.destination !== destination.id) throw new PoisonMessageError(`message for ${result.data.destination} on the ${destination.id} queue`);
    return result.data;
  }

  async function call(request: VendorRequest): Promise<DeliveryOutcome> {
    const timeoutMs = Math.min(request.timeoutMs ?? Infinity, deps.delivery.timeoutMs);
    try {
      return adapter.classify(await deps.http.send(request, timeoutMs), request);
    } catch (error) {
      if (error instanceof TransportError) return { kind: 'retry', error: error.message };
      throw error;
    }
  }

  async function processRecord(record: SQSRecord, counts: Map<DeliveryEvent, number>): Promise<void> {
    const message = parse(record);
    const { orderId } = message.order;
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const claim = await store.claimDelivery(orderId, destination.id, clock(), deps.claimLeaseSeconds, message.expiresAt);
    if (claim.kind === 'done') {
      logger.info('Delivery already settled; no call made', { orderId, destination: destination.id, status: claim.status });
      return;
    }
    if (claim.kind === 'busy') {
      await deps.retries.retryIn(record.receiptHandle, deps.claimLeaseSeconds);
      throw new RetryLaterError('delivery held by another sender');
    }

    const context = adapter.contextSchema().safeParse(message.context);
    if (!context.success) throw new PoisonMessageError(`context does not match ${destination.id}: ${context.error.issues[0]?.message}`);
    const completed = new Set(claim.completedRequests);
    const channel = message.version === 2 ? { channel: message.exclusive.channel } : {};
    const requests = adapter.buildRequests({ order: message.order, config: destination.config, context: context.data, ...channel });

    let outcome: DeliveryOutcome = { kind: 'sent', vendorStatus: 0 };
    for (const request of requests) {
      if (completed.has(request.key)) continue;
      outcome = await call(request);
      if (outcome.kind !== 'sent') break;
      completed.add(request.key);
    }

    const at = clock();
    const log = { orderId, destination: destination.id, attempt: claim.attempts, receiveCount };
    if (outcome.kind === 'sent') {
      // Where a cancellation call exists, what it will be rendered from is kept with the sale (no shopper data).
      const keep = keepsForCancellation ? { cancelWith: cancelWithOf(message) } : {};
      await store.recordDelivery(orderId, destination.id, { status: 'sent', vendorStatus: outcome.vendorStatus, at, ...keep });
      counted(counts, 'sent');
      logger.info('Delivered', { ...log, vendorStatus: outcome.vendorStatus });
      return;
    }
    const base = { error: outcome.error, vendorStatus: outcome.vendorStatus, completedRequests: [...completed], at };
    if (outcome.kind === 'failed') {
      await store.recordDelivery(orderId, destination.id, { status: 'failed', ...base });
      counted(counts, 'failed');
      logger.warn('Delivery failed permanently; not retried', { ...log, error: outcome.error, vendorStatus: outcome.vendorStatus });
      return;
    }
    if (receiveCount >= deps.delivery.maxAttempts) {
      await store.recordDelivery(orderId, destination.id, { status: 'dead-lettered', ...base });
      counted(counts, 'dead-lettered');
      // Visible again at once, so SQS moves it to the dead-letter queue on the next receive.
      await deps.retries.retryIn(record.receiptHandle, 0);
      logger.error('Delivery attempts exhausted; message goes to the dead-letter queue', { ...log, error: outcome.error });
      throw new RetryLaterError(outcome.error);
    }
    const delay = retryDelaySeconds(receiveCount, deps.delivery.retryBaseSeconds, random, outcome.retryAfterSeconds);
    await store.recordDelivery(orderId, destination.id, { status: 'retrying', ...base });
    counted(counts, 'retrying');
    await deps.retries.retryIn(record.receiptHandle, delay);
    logger.warn('Delivery will be retried', { ...log, error: outcome.error, retryInSeconds: delay });
    throw new RetryLaterError(outcome.error);
  }

  return async (event, context) => {
    // Outcomes are counted per batch and published once per kind: one metric record per batch, not per message.
    const counts = new Map<DeliveryEvent, number>();
    try {
      // A processor per invocation: its records and failures live on the instance, and concurrent invocations of one
      // handler (the local pollers, Lambda's multi-concurrency) must not clear each other's failures.
      return await processPartialResponse(event, (record: SQSRecord) => processRecord(record, counts), new BatchProcessor(EventType.SQS), {
        context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      for (const [kind, value] of counts) metrics.count(destination.id, kind, value);
    }
  };
}

function counted(counts: Map<DeliveryEvent, number>, kind: DeliveryEvent): void {
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
}
