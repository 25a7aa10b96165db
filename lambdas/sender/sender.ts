import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeliverySettings } from '../config/schema';
import { DeliveryMessage, deliveryMessageSchema, messageDigest } from '../core/delivery';
import { DeliveryEvent, DeliveryMetrics, noDeliveryMetrics } from '../observability/metrics';
import { hasCancellationCall } from '../config/cancellation';
import { Destination, MessageContextError, requestsFor } from '../config/destinations';
import { cancelWithOf } from '../store/cancellation-records';
import { Clock, systemClock } from '../core/time';
import { DeliveryParking, PARKED_ATTRIBUTE, RetryScheduler } from '../store/delivery-queues';
import type { DeliveryClaim, TrackingStore } from '../store/tracking-store';
import { HttpSender, TransportError } from '../vendors/http-sender';
import type { DeliveryOutcome, VendorRequest } from '../vendors/types';
import { retryDelaySeconds } from './backoff';
import { AttemptTrace, withAttempt } from './history';
import { contextIdentifiers } from '../core/redact';

export interface SenderDeps {
  destination: Destination;
  delivery: DeliverySettings;
  store: TrackingStore;
  retries: RetryScheduler;
  /** The destination's dead-letter queue, where a delivery the vendor refused is parked for a redrive. */
  parking: DeliveryParking;
  http: HttpSender;
  logger: Logger;
  /** How long a claimed delivery stays reserved to this sender (longer than the function can run). */
  claimLeaseSeconds: number;
  clock?: Clock;
  random?: () => number;
  metrics?: DeliveryMetrics;
  /** How long a sender waits (polling) for the order of a message it received to be recorded (RECORD_WAIT_MS). */
  recordWaitMs?: number;
  /**
   * Time kept in hand, beyond one vendor call's timeout, when the sender decides whether another call of a
   * multi-call delivery still fits in the function's remaining time (for the progress write and the release).
   */
  stopMarginMs?: number;
}

/** Default of `recordWaitMs`: the conversion records its order a few milliseconds after queuing, seconds under load. */
export const RECORD_WAIT_MS = 2000;

/** Default of `stopMarginMs`: a few DynamoDB and SQS round trips, with room to spare. */
export const DEFAULT_STOP_MARGIN_MS = 3000;

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
  const isCancellationCall = adapter.capabilities?.cancellationOnly === true;

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

  function requestsOf(message: DeliveryMessage): VendorRequest[] {
    try {
      return requestsFor(destination, message);
    } catch (error) {
      if (error instanceof MessageContextError) throw new PoisonMessageError(error.message);
      throw error;
    }
  }

  async function call(request: VendorRequest, trace: AttemptTrace): Promise<DeliveryOutcome> {
    const timeoutMs = Math.min(request.timeoutMs ?? Infinity, deps.delivery.timeoutMs);
    trace.started(request);
    try {
      const response = await deps.http.send(request, timeoutMs);
      trace.answered(response);
      return redactedOutcome(adapter.classify(response, request), trace);
    } catch (error) {
      if (error instanceof TransportError) {
        trace.noAnswer(error.message);
        return { kind: 'retry', error: trace.redacted(error.message) };
      }
      throw error;
    }
  }

  /**
   * A parked message back from a redrive (it carries PARKED_ATTRIBUTE) re-opens its `failed` delivery and claims it
   * again; any other claim is returned as it is. A `sent` delivery is never re-opened.
   */
  async function reopenIfRedriven(record: SQSRecord, message: DeliveryMessage, claim: DeliveryClaim): Promise<DeliveryClaim> {
    if (claim.kind !== 'done' || claim.status !== 'failed' || !isParked(record)) return claim;
    const { orderId } = message.order;
    if (!(await store.reopenFailed(orderId, destination.id, clock()))) return claim;
    logger.info('Redriven delivery re-opened', { orderId, destination: destination.id });
    return store.claimDelivery(orderId, destination.id, clock(), deps.claimLeaseSeconds, message.expiresAt);
  }

  /** Whether one more call (its timeout plus the margin) fits before the function's time runs out. */
  function timeLeftFor(request: VendorRequest, lambda: Context | undefined): boolean {
    if (!lambda?.getRemainingTimeInMillis) return true;
    const callMs = Math.min(request.timeoutMs ?? Infinity, deps.delivery.timeoutMs);
    return lambda.getRemainingTimeInMillis() > callMs + (deps.stopMarginMs ?? DEFAULT_STOP_MARGIN_MS);
  }

  /**
   * A delivery of several calls (Raptor: one per order line) makes the calls the vendor accepted durable as they
   * complete, under this sender's lease, so that a stop or a crash never makes the next attempt repeat them. A
   * delivery of one call needs no such write: its outcome is recorded right after.
   */
  function progressOf(orderId: string, total: number, leaseUntil: number): ProgressWriter {
    return new ProgressWriter(total < 2 ? undefined : (keys) => store.recordProgress(orderId, destination.id, keys, leaseUntil));
  }

  /**
   * The function's time is about to run out in the middle of a multi-call delivery: give the delivery back with its
   * progress and leave the message for the next receive, at once. Not a vendor failure: no status, error or metric –
   * unless this was the message's last receive, when it is marked dead-lettered like any exhausted delivery.
   */
  async function stopForTime(record: SQSRecord, orderId: string, leaseUntil: number, done: number, total: number, receiveCount: number): Promise<never> {
    const log = { orderId, destination: destination.id, receiveCount, completed: done, requests: total };
    if (receiveCount >= deps.delivery.maxAttempts) {
      const error = `function time ran out after ${done} of ${total} calls on the last allowed attempt`;
      await store.recordDelivery(orderId, destination.id, { status: 'dead-lettered', error, completedRequests: [], at: clock() });
      await deps.retries.retryIn(record.receiptHandle, 0);
      logger.error('Delivery attempts exhausted; message goes to the dead-letter queue', log);
      throw new RetryLaterError(error);
    }
    await store.releaseDelivery(orderId, destination.id, leaseUntil);
    await deps.retries.retryIn(record.receiptHandle, 0);
    logger.info('Stopped before the function timed out; the rest follows on the next receive', log);
    throw new RetryLaterError('stopped before the function timed out');
  }

  /**
   * What vendors receive must be what the service recorded. The conversion queues its messages before it records the
   * order, so a message may belong to a report that lost the race to record it (a concurrent report of the same
   * orderId with another body), or to one whose record failed. Before any claim or call:
   * - order not recorded (after waiting up to RECORD_WAIT_MS for the conversion that is recording it): left on the queue, and
   *   retried with backoff like a vendor fault – into the dead-letter queue if it never gets recorded;
   * - recorded, but this destination not planned as queued, or this message's digest not the recorded one: dropped
   *   (acknowledged, logged, counted as `dropped`), never sent;
   * - recorded with this message's digest (or, for orders recorded before digests existed, without one): sent.
   */
  async function matchesRecordedOrder(record: SQSRecord, message: DeliveryMessage, receiveCount: number, counts: Map<DeliveryEvent, number>): Promise<boolean> {
    const { orderId } = message.order;
    let plan = await store.recordedPlan(orderId, destination.id);
    // The conversion records the order right after queuing: a sender that polled faster waits for it a little,
    // rather than burn one of the message's receives (and so its attempts) on a backoff.
    const waitUntil = Date.now() + (deps.recordWaitMs ?? RECORD_WAIT_MS);
    while (!plan.recorded && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, waitUntil - Date.now()))));
      plan = await store.recordedPlan(orderId, destination.id);
    }
    const log = { orderId, destination: destination.id, receiveCount };
    if (!plan.recorded) {
      const last = receiveCount >= deps.delivery.maxAttempts;
      // At least a second even with a backoff base of 0: the record is what is awaited, not a vendor.
      const delay = last ? 0 : Math.max(1, retryDelaySeconds(receiveCount, deps.delivery.retryBaseSeconds, random));
      await deps.retries.retryIn(record.receiptHandle, delay);
      logger.warn(last ? 'Order never recorded; message goes to the dead-letter queue' : 'Order not recorded yet; no call made, retried later', { ...log, retryInSeconds: delay });
      throw new RetryLaterError('order not recorded yet');
    }
    const digest = messageDigest(message);
    const reason =
      plan.status !== 'queued'
        ? `the recorded order plans no delivery to ${destination.id}${plan.status ? ` (${plan.status})` : ''}`
        : plan.digest !== undefined && plan.digest !== digest
          ? 'the message differs from the recorded order (digest mismatch)'
          : undefined;
    if (reason === undefined) return true;
    counted(counts, 'dropped');
    logger.warn('Message dropped: not what the service recorded; no call made', { ...log, reason, digest, recordedDigest: plan.digest });
    return false;
  }

  async function processRecord(record: SQSRecord, counts: Map<DeliveryEvent, number>, lambda?: Context): Promise<void> {
    const message = parse(record);
    const { orderId } = message.order;
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1');
    // A cancellation call is built by the cancellation route from a recorded, sent delivery – never from a shop's
    // report – so there is no report body to hold it to; its own claim keeps it to one call.
    if (!isCancellationCall && !(await matchesRecordedOrder(record, message, receiveCount, counts))) return;
    const claim = await reopenIfRedriven(
      record,
      message,
      await store.claimDelivery(orderId, destination.id, clock(), deps.claimLeaseSeconds, message.expiresAt),
    );
    if (claim.kind === 'done') {
      logger.info('Delivery already settled; no call made', { orderId, destination: destination.id, status: claim.status });
      return;
    }
    if (claim.kind === 'busy') {
      await deps.retries.retryIn(record.receiptHandle, deps.claimLeaseSeconds);
      throw new RetryLaterError('delivery held by another sender');
    }

    const requests = requestsOf(message);
    const completed = new Set(claim.completedRequests);

    let outcome: DeliveryOutcome = { kind: 'sent', vendorStatus: 0 };
    const progress = progressOf(orderId, requests.length, claim.leaseUntil);
    const trace = new AttemptTrace(message.order, clock, undefined, contextIdentifiers(message.context));
    for (const request of requests) {
      if (completed.has(request.key)) continue;
      if (!timeLeftFor(request, lambda)) {
        await progress.flush();
        await stopForTime(record, orderId, claim.leaseUntil, completed.size, requests.length, receiveCount);
      }
      outcome = await call(request, trace);
      if (outcome.kind !== 'sent') break;
      completed.add(request.key);
      await progress.add(request.key);
    }
    await progress.flush();

    const at = clock();
    const log = { orderId, destination: destination.id, attempt: claim.attempts, receiveCount };
    const history = withAttempt(claim.history, trace.record(outcome));
    if (outcome.kind === 'sent') {
      // Where a cancellation call exists, what it will be rendered from is kept with the sale (no shopper data).
      const keep = keepsForCancellation ? { cancelWith: cancelWithOf(message) } : {};
      await store.recordDelivery(orderId, destination.id, { status: 'sent', vendorStatus: outcome.vendorStatus, at, history, ...keep });
      counted(counts, 'sent');
      logger.info('Delivered', { ...log, vendorStatus: outcome.vendorStatus });
      return;
    }
    const base = { error: outcome.error, vendorStatus: outcome.vendorStatus, completedRequests: [...completed], at, history };
    if (outcome.kind === 'failed') {
      // Parked before it is recorded and acknowledged: if parking fails, the message stays and is tried again.
      await deps.parking.park(record.body, orderId);
      await store.recordDelivery(orderId, destination.id, { status: 'failed', ...base });
      counted(counts, 'failed');
      logger.warn('Delivery refused by the vendor; parked in the dead-letter queue for a redrive', {
        ...log,
        error: outcome.error,
        vendorStatus: outcome.vendorStatus,
      });
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
      return await processPartialResponse(event, (record: SQSRecord) => processRecord(record, counts, context), new BatchProcessor(EventType.SQS), {
        context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      for (const [kind, value] of counts) metrics.count(destination.id, kind, value);
    }
  };
}

/** Whether a record is a parked message (PARKED_ATTRIBUTE), i.e. one that came back through a redrive. */
function isParked(record: SQSRecord): boolean {
  return record.messageAttributes?.[PARKED_ATTRIBUTE]?.stringValue === 'failed';
}

/** The outcome with the shopper's personal values removed from its error text, which is stored and logged. */
function redactedOutcome(outcome: DeliveryOutcome, trace: AttemptTrace): DeliveryOutcome {
  return outcome.kind === 'sent' ? outcome : { ...outcome, error: trace.redacted(outcome.error) };
}

function counted(counts: Map<DeliveryEvent, number>, kind: DeliveryEvent): void {
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
}

/** Calls a vendor accepted that may be not yet durable at any moment: the bound of what a crash can make resend. */
export const MAX_UNSAVED_CALLS = 8;

/**
 * The durable progress of one multi-call delivery, written behind the calls: one write at a time, and the keys of
 * calls that complete meanwhile go together in the next, so a vendor faster than the table is not slowed to the
 * table's pace. At most MAX_UNSAVED_CALLS accepted calls are ever not yet written; `flush` waits until all are.
 */
class ProgressWriter {
  private pending: string[] = [];
  private writing: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly write: ((keys: string[]) => Promise<boolean>) | undefined) {}

  async add(key: string): Promise<void> {
    if (!this.write) return;
    this.check();
    this.pending.push(key);
    if (!this.writing) this.start();
    else if (this.pending.length >= MAX_UNSAVED_CALLS) await this.flush();
    this.check();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    this.check();
  }

  private start(): void {
    const keys = this.pending.splice(0);
    this.writing = this.write!(keys).then(
      (held) => {
        if (!held) this.failure = new RetryLaterError('delivery lease lost to another sender; stopping');
      },
      (error: unknown) => {
        this.failure = error;
      },
    ).finally(() => {
      this.writing = undefined;
      if (this.pending.length && this.failure === undefined) this.start();
    });
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
