import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { hasCancellationCall } from '../config/cancellation';
import { Destination, MessageContextError, requestsFor } from '../config/destinations';
import type { DeliverySettings } from '../config/schema';
import { DeliveryMessage, deliveryMessageSchema, messageDigest } from '../core/delivery';
import { contextIdentifiers } from '../core/redact';
import { Clock, systemClock } from '../core/time';
import { debugEnabled } from '../observability/logger';
import { DeliveryEvent, DeliveryMetrics, noDeliveryMetrics } from '../observability/metrics';
import { cancellationCallMessage, cancelWithOf } from '../store/cancellation-records';
import {
  decodeRetryState,
  DeliveryParking,
  encodeRetryState,
  MessageCopy,
  PARKED_ATTRIBUTE,
  RETRY_ATTRIBUTE,
  RetryScheduler,
  RetryState,
} from '../store/delivery-queues';
import type { DeliveryQueues } from '../store/delivery-queues';
import type { RecordedPlan } from '../store/order-store';
import type { DeliveryClaim, TrackingStore } from '../store/tracking-store';
import { HttpSender, TransportError } from '../vendors/http-sender';
import type { DeliveryOutcome, VendorRequest, VendorResponse } from '../vendors/types';
import { afterFailure, RetryPolicy, retryPolicyOf } from './backoff';
import { PoisonMessageError, RetryLaterError } from './errors';
import { AttemptTrace, withAttempt } from './history';
import { CallPacer, realSleep } from './pacing';
import { ProgressWriter } from './progress';
import { callIntervalMs, capacityOf } from '../config/capacity';

export { PoisonMessageError, RetryLaterError } from './errors';
export { MAX_UNSAVED_CALLS } from './progress';

export interface SenderDeps {
  destination: Destination;
  delivery: DeliverySettings;
  store: TrackingStore;
  retries: RetryScheduler;
  /** The destination's dead-letter queue, where a delivery the vendor refused is parked for a redrive. */
  parking: DeliveryParking;
  /**
   * For a destination with a cancellation call: its cancellation queue (`<id>-cancel`), where the sender queues the
   * call for a sale it records `sent` after the order was cancelled.
   */
  cancellations?: DeliveryQueues;
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
  /** How the sender waits for a paced call's slot (`ratePerSecond`); tests give one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
}

/** Default of `recordWaitMs`: the conversion records its order a few milliseconds after queuing, seconds under load. */
export const RECORD_WAIT_MS = 2000;

/** Default of `stopMarginMs`: a few DynamoDB and SQS round trips, with room to spare. */
export const DEFAULT_STOP_MARGIN_MS = 3000;

/**
 * Outcomes counted per batch and published once: one metric record per batch, not per message, which is also the
 * batch's log line – it names the orders the batch delivered (`sent`), so that a delivered sale needs no line of its own.
 */
class Counts extends Map<DeliveryEvent, number> {
  readonly sent: string[] = [];
}

/** One received record on its way through the sender. */
interface Received {
  record: SQSRecord;
  message: DeliveryMessage;
  orderId: string;
  /** Receives of this copy of the message (ApproximateReceiveCount); each may have made a vendor call. */
  receiveCount: number;
  /** What the copies before this one made of the delivery (RETRY_ATTRIBUTE); a fresh state on a first copy. */
  retry: RetryState;
}

/**
 * One destination's sender: for each SQS record, claim the delivery (so that a delivery already `sent` is never
 * sent again, whoever else holds the same message), make the vendor call(s), record the outcome, and either
 * acknowledge the record – sent, parked, dead-lettered, or sent again as a delayed copy for a later attempt (see
 * RetryScheduler) – or leave it on the queue. Records fail individually (partial batch response); one bad record never
 * fails its neighbours.
 */
export function createSenderHandler(deps: SenderDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const sender = new DestinationSender(deps);
  return (event, context) => sender.handle(event, context);
}

class DestinationSender {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly metrics: DeliveryMetrics;
  private readonly destination: Destination;
  private readonly store: TrackingStore;
  private readonly logger: Logger;
  /** Where a cancellation call exists, what it will be rendered from is kept with the sale (no shopper data). */
  private readonly keepsForCancellation: boolean;
  /**
   * A cancellation call is built by the cancellation route from a recorded, sent delivery – never from a shop's report
   * – so there is no report body to hold it to; its own claim keeps it to one call.
   */
  private readonly isCancellationCall: boolean;
  private readonly policy: RetryPolicy;
  /** At most this many calls of one message at once (`parallelCalls`). */
  private readonly parallelCalls: number;
  /** Spaces this instance's calls under the destination's `ratePerSecond`; none without one. */
  private readonly pacer: CallPacer | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: SenderDeps) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.metrics = deps.metrics ?? noDeliveryMetrics;
    this.destination = deps.destination;
    this.store = deps.store;
    this.logger = deps.logger;
    this.keepsForCancellation = hasCancellationCall(deps.destination);
    this.isCancellationCall = deps.destination.adapter.capabilities?.cancellationOnly === true;
    this.policy = retryPolicyOf(deps.delivery);
    // A postback's cancellation destination has its postback's entry, and so its capacity.
    const capacity = capacityOf(deps.destination.config);
    this.parallelCalls = capacity.parallelCalls;
    const interval = callIntervalMs(capacity);
    this.pacer = interval === undefined ? undefined : new CallPacer(interval, () => this.clock().getTime());
    this.sleep = deps.sleep ?? realSleep;
  }

  async handle(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const counts = new Counts();
    try {
      // A processor per invocation: its records and failures live on the instance, and concurrent invocations of one
      // handler (the local pollers, Lambda's multi-concurrency) must not clear each other's failures.
      return await processPartialResponse(event, (record: SQSRecord) => this.processRecord(record, counts, context), new BatchProcessor(EventType.SQS), {
        context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      this.metrics.countAll(this.destination.id, counts, {
        message: 'Batch settled',
        ...(context?.awsRequestId ? { function_request_id: context.awsRequestId } : {}),
        ...(counts.sent.length ? { sent: counts.sent } : {}),
      });
    }
  }

  private async processRecord(record: SQSRecord, counts: Counts, lambda?: Context): Promise<void> {
    const message = this.parse(record);
    const received: Received = {
      record,
      message,
      orderId: message.order.orderId,
      receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
      retry: decodeRetryState(record.messageAttributes?.[RETRY_ATTRIBUTE]?.stringValue) ?? { attempts: 0, since: this.clock().getTime(), waits: 0 },
    };
    if (!this.isCancellationCall && !(await this.matchesRecordedOrder(received, counts))) return;
    const claim = await this.claim(received);
    if (claim.kind === 'done') {
      if (claim.cancelledNow) counted(counts, 'cancelled');
      this.logger.info(claim.cancelledNow ? 'Delivery cancelled: its order was cancelled while a call was on the wire; no call made' : 'Delivery already settled; no call made', {
        orderId: received.orderId,
        destination: this.destination.id,
        status: claim.status,
      });
      // Sent, and its order cancelled meanwhile: completed again, in case the copy that recorded `sent` could not.
      if (claim.cancellationRequested) await this.completeCancellation(received, false);
      return;
    }
    if (claim.kind === 'busy') {
      // Another sender holds the delivery: this copy comes back once its lease is over, without using up an attempt.
      await this.sendAgain(received, { attempts: attemptsBefore(received) }, this.deps.claimLeaseSeconds);
      this.logger.info('Delivery held by another sender; no call made, a copy looks again after the lease', {
        orderId: received.orderId,
        destination: this.destination.id,
        retryInSeconds: this.deps.claimLeaseSeconds,
      });
      return;
    }
    const requests = this.requestsOf(message);
    const completed = new Set(claim.completedRequests);
    const trace = new AttemptTrace(message.order, this.clock, undefined, contextIdentifiers(message.context));
    const attempt = await this.callAll(received, claim, requests, completed, trace, lambda);
    await this.settle(received, claim, attempt.outcome, completed, attempt.trace, counts);
  }

  private parse(record: SQSRecord): DeliveryMessage {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      throw new PoisonMessageError('message body is not JSON');
    }
    const result = deliveryMessageSchema.safeParse(body);
    if (!result.success) throw new PoisonMessageError(`message does not match contract v1: ${result.error.issues[0]?.message}`);
    if (result.data.destination !== this.destination.id) {
      throw new PoisonMessageError(`message for ${result.data.destination} on the ${this.destination.id} queue`);
    }
    return result.data;
  }

  private requestsOf(message: DeliveryMessage): VendorRequest[] {
    try {
      return requestsFor(this.destination, message);
    } catch (error) {
      if (error instanceof MessageContextError) throw new PoisonMessageError(error.message);
      throw error;
    }
  }

  /**
   * What vendors receive must be what the service recorded. The conversion queues its messages before it records the
   * order, so a message may belong to a report that lost the race to record it (a concurrent report of the same
   * orderId with another body), or to one whose record failed. Before any claim or call:
   * - order not recorded (after waiting up to RECORD_WAIT_MS for the conversion that is recording it): sent again with a
   *   backoff, without using up an attempt, for as long as a vendor fault would be retried – then into the dead-letter
   *   queue;
   * - recorded, but this destination not planned as queued, or this message's digest not the recorded one: dropped
   *   (acknowledged, logged, counted as `dropped`), never sent;
   * - recorded with this message's digest (or, for orders recorded before digests existed, without one): sent.
   */
  private async matchesRecordedOrder(received: Received, counts: Counts): Promise<boolean> {
    const { message, orderId, receiveCount } = received;
    const destination = this.destination.id;
    const digest = messageDigest(message);
    const matches = (recorded: RecordedPlan) => recorded.recorded && recorded.status === 'queued' && (recorded.digest === undefined || recorded.digest === digest);
    // An eventually consistent read first, at half the read units. The plan is written with the order and changed
    // only by a replay's new digest, so a read that finds this message's digest queued found it recorded – at worst,
    // in the second after a replay, the digest the replay replaced, whose delivery the claim still keeps to one
    // call. What it does not find – no order yet, another digest – is read again strongly consistent before anything
    // is decided on it.
    let plan = await this.store.recordedPlan(orderId, destination, false);
    if (matches(plan)) return true;
    plan = await this.store.recordedPlan(orderId, destination);
    // The conversion records the order right after queuing: a sender that polled faster waits for it a little,
    // rather than burn one of the message's receives (and so its attempts) on a backoff.
    const waitUntil = Date.now() + (this.deps.recordWaitMs ?? RECORD_WAIT_MS);
    while (!plan.recorded && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, waitUntil - Date.now()))));
      plan = await this.store.recordedPlan(orderId, destination);
    }
    const log = { orderId, destination, receiveCount };
    if (!plan.recorded) {
      // Waits have their own count and backoff, and the retry horizon bounds them as it bounds attempts.
      const waits = received.retry.waits + 1;
      const step = afterFailure(this.policy, waits, this.elapsedSeconds(received), this.random);
      if (step.kind === 'dead-letter') {
        await this.deps.parking.deadLetter(received.record.body, orderId);
        this.logger.warn('Order never recorded; message goes to the dead-letter queue', { ...log, waits });
        return false;
      }
      // At least a second even with a backoff base of 0: the record is what is awaited, not a vendor.
      const delay = Math.max(1, step.delaySeconds);
      await this.sendAgain(received, { attempts: attemptsBefore(received), waits }, delay);
      this.logger.warn('Order not recorded yet; no call made, retried later', { ...log, waits, retryInSeconds: delay });
      return false;
    }
    const reason =
      plan.status !== 'queued'
        ? `the recorded order plans no delivery to ${destination}${plan.status ? ` (${plan.status})` : ''}`
        : plan.digest !== undefined && plan.digest !== digest
          ? 'the message differs from the recorded order (digest mismatch)'
          : undefined;
    if (reason === undefined) return true;
    counted(counts, 'dropped');
    this.logger.warn('Message dropped: not what the service recorded; no call made', { ...log, reason, digest, recordedDigest: plan.digest });
    return false;
  }

  /**
   * A sale recorded `sent` after its order was cancelled – the cancellation arrived while its call was on the wire,
   * or while a partly delivered order was being finished: its cancellation call goes on the destination's
   * cancellation queue, or, for a destination without one, the record says `unsupported`. The sender does it because
   * nobody else would: the cancellation route answered 503 and the shop may never ask again. Repeating it is harmless
   * (the cancellation sender's claim makes one call of any number of copies); only the first is counted `queued`.
   */
  private async completeCancellation({ message, orderId }: Pick<Received, 'message' | 'orderId'>, first: boolean): Promise<void> {
    const log = { orderId, destination: this.destination.id };
    if (!this.keepsForCancellation) {
      await this.store.recordCancellationUnsupported(orderId, this.destination.id);
      this.logger.info('Order cancelled while it was being sent; its destination has no cancellation call: recorded as unsupported', log);
      return;
    }
    if (!this.deps.cancellations) {
      this.logger.error('Order cancelled while it was being sent, but this sender has no cancellation queue: the call waits for the shop to repeat the cancellation', log);
      return;
    }
    const call = cancellationCallMessage(this.destination.id, cancelWithOf(message), message.expiresAt, this.clock());
    await this.deps.cancellations.send(call);
    if (first) this.metrics.count(call.destination, 'queued');
    this.logger.info('Order cancelled while it was being sent: cancellation call queued', { ...log, cancellationCall: call.destination });
  }

  /**
   * Claims the delivery. A parked message back from a redrive (it carries PARKED_ATTRIBUTE) re-opens its `failed`
   * delivery and claims it again; a `sent` delivery is never re-opened.
   */
  private async claim({ record, message, orderId }: Received): Promise<DeliveryClaim> {
    const claimNow = () => this.store.claimDelivery(orderId, this.destination.id, this.clock(), this.deps.claimLeaseSeconds, message.expiresAt);
    const claim = await claimNow();
    if (claim.kind !== 'done' || claim.status !== 'failed' || !isParked(record)) return claim;
    if (!(await this.store.reopenFailed(orderId, this.destination.id, this.clock()))) return claim;
    this.logger.info('Redriven delivery re-opened', { orderId, destination: this.destination.id });
    return claimNow();
  }

  /**
   * Makes the calls not yet completed, up to `parallelCalls` at once (a destination of one call per message makes
   * one), each in its slot under `ratePerSecond`, until one is not accepted: no call starts after that, the calls
   * already on the wire finish, and the first failing call in request order decides the attempt's outcome. A delivery
   * of several calls (Raptor: one per order line) makes the calls the vendor accepted durable as they complete, under
   * this sender's lease, so that a stop or a crash never makes the next attempt repeat them; a delivery of one call
   * needs no such write. When the next call (its wait for a slot, its timeout and the margin) no longer fits in the
   * function's time, no call starts, and once those on the wire are done the delivery is given back with its progress
   * (stopForTime). Returns the outcome and the trace to record: the deciding call – the failure, or the last call
   * started – with the time of all the attempt's calls.
   */
  private async callAll(
    received: Received,
    claim: Extract<DeliveryClaim, { kind: 'claimed' }>,
    requests: VendorRequest[],
    completed: Set<string>,
    trace: AttemptTrace,
    lambda: Context | undefined,
  ): Promise<{ outcome: DeliveryOutcome; trace: AttemptTrace }> {
    const { orderId } = received;
    const progress = new ProgressWriter(
      requests.length < 2 ? undefined : (keys) => this.store.recordProgress(orderId, this.destination.id, keys, claim.leaseUntil),
    );
    const pending = requests.filter((request) => !completed.has(request.key));
    const calls: MadeCall[] = [];
    const workers = Math.max(1, Math.min(this.parallelCalls, pending.length));
    // One call at a time (one request, or parallelCalls 1): the trace follows each call as it is made. Calls at once
    // are traced afterwards, from what each one recorded (attemptTrace).
    const traced = workers === 1 ? trace : undefined;
    // Shared by the workers: the next request to take, the first failure in request order, whether time ran out.
    const state: { next: number; failure?: { index: number; call: MadeCall }; outOfTime: boolean } = { next: 0, outOfTime: false };
    const worker = async (): Promise<void> => {
      while (state.failure === undefined && !state.outOfTime && state.next < pending.length) {
        const index = state.next++;
        const request = pending[index]!;
        const waitMs = this.slotFor(request, lambda);
        if (waitMs === undefined) {
          state.outOfTime = true;
          return;
        }
        if (waitMs > 0) await this.sleep(waitMs);
        // Another call failed while this one waited for its slot: it is not made.
        if (state.failure !== undefined) return;
        const made = await this.call(request, index, trace, traced);
        calls.push(made);
        if (made.outcome.kind !== 'sent') {
          // Set meanwhile by a call on the wire at the same time (the compiler cannot see that across the await).
          const earlier = state.failure as { index: number } | undefined;
          if (earlier === undefined || index < earlier.index) state.failure = { index, call: made };
          return;
        }
        completed.add(request.key);
        await progress.add(request.key);
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: workers }, worker));
    // Every call is over before anything is decided: an error (a lost lease, an unexpected throw) after them all.
    const error = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (error) throw error.reason;
    if (state.failure === undefined && state.outOfTime) {
      await progress.flush();
      await this.stopForTime(received, claim.leaseUntil, completed.size, requests.length);
    }
    await progress.flush();
    const deciding = state.failure?.call ?? lastStarted(calls);
    const outcome = deciding?.outcome ?? { kind: 'sent', vendorStatus: 0 };
    return { outcome, trace: traced ?? (deciding ? attemptTrace(received.message, calls, deciding) : trace) };
  }

  /**
   * The wait before `request` may leave under the destination's rate (0 without one), its slot reserved; or undefined
   * when the wait, the call's timeout and the margin no longer fit in the function's remaining time.
   */
  private slotFor(request: VendorRequest, lambda: Context | undefined): number | undefined {
    const fits = (waitMs: number) => this.timeLeftFor(request, lambda, waitMs);
    if (!this.pacer) return fits(0) ? 0 : undefined;
    return this.pacer.reserve(fits);
  }

  /** One call; `traced`, when given, follows it as it is made (calls made one at a time). */
  private async call(request: VendorRequest, index: number, trace: AttemptTrace, traced: AttemptTrace | undefined): Promise<MadeCall> {
    traced?.started(request);
    const at = this.clock();
    const startedMs = performance.now();
    const made = (outcome: DeliveryOutcome, answer: Pick<MadeCall, 'response' | 'transportError'>): MadeCall => ({
      request,
      index,
      at,
      durationMs: performance.now() - startedMs,
      outcome,
      ...answer,
    });
    try {
      // Redacted before the adapter reads it: classification cuts the answer into `lastError`, and a cut value
      // could no longer be recognised afterwards.
      const response = trace.redactedResponse(await this.deps.http.send(request, this.callTimeoutMs(request)));
      traced?.answered(response);
      return made(redactedOutcome(this.destination.adapter.classify(response, request), trace), { response });
    } catch (error) {
      if (error instanceof TransportError) {
        // No answer: the adapter judges it when its vendor books a call on receipt (QUALITYCLICK on a read timeout
        // after sending); every other call without an answer is retried, whether or not the vendor received it.
        traced?.noAnswer(error.message);
        const outcome = this.destination.adapter.classifyTransportError?.(error, request) ?? { kind: 'retry', error: error.message };
        return made(redactedOutcome(outcome, trace), { transportError: error.message });
      }
      throw error;
    }
  }

  private callTimeoutMs(request: VendorRequest): number {
    return Math.min(request.timeoutMs ?? Infinity, this.deps.delivery.timeoutMs);
  }

  /** Whether one more call (its wait for a slot, its timeout and the margin) fits before the function's time runs out. */
  private timeLeftFor(request: VendorRequest, lambda: Context | undefined, waitMs = 0): boolean {
    if (!lambda?.getRemainingTimeInMillis) return true;
    return lambda.getRemainingTimeInMillis() > waitMs + this.callTimeoutMs(request) + (this.deps.stopMarginMs ?? DEFAULT_STOP_MARGIN_MS);
  }

  /**
   * The function's time is about to run out in the middle of a multi-call delivery: give the delivery back with its
   * progress and leave the message for the next receive, at once. Not a vendor failure: no status, error or metric –
   * unless this was the message's last receive, when it is marked dead-lettered like any exhausted delivery.
   */
  private async stopForTime({ record, orderId, receiveCount }: Received, leaseUntil: number, done: number, total: number): Promise<never> {
    const log = { orderId, destination: this.destination.id, receiveCount, completed: done, requests: total };
    if (receiveCount >= this.deps.delivery.maxAttempts) {
      const error = `function time ran out after ${done} of ${total} calls on the last allowed attempt`;
      await this.store.recordDelivery(orderId, this.destination.id, { status: 'dead-lettered', error, completedRequests: [], at: this.clock() });
      await this.deps.retries.retryIn(record.receiptHandle, 0);
      this.logger.error('Delivery attempts exhausted; message goes to the dead-letter queue', log);
      throw new RetryLaterError(error);
    }
    await this.store.releaseDelivery(orderId, this.destination.id, leaseUntil);
    await this.deps.retries.retryIn(record.receiptHandle, 0);
    this.logger.info('Stopped before the function timed out; the rest follows on the next receive', log);
    throw new RetryLaterError('stopped before the function timed out');
  }

  /**
   * Records the attempt's outcome and decides the record's fate, then acknowledges it: sent; refused (parked in the
   * dead-letter queue); retryable (sent again as a copy delayed by the backoff, carrying the attempts made); or
   * retryable with the horizon and the attempts spent (dead-lettered: a copy without retry state goes to the
   * dead-letter queue, so that a redrive starts afresh).
   */
  private async settle(
    received: Received,
    claim: Extract<DeliveryClaim, { kind: 'claimed' }>,
    outcome: DeliveryOutcome,
    completed: Set<string>,
    trace: AttemptTrace,
    counts: Counts,
  ): Promise<void> {
    const { record, message, orderId, receiveCount } = received;
    const destination = this.destination.id;
    const at = this.clock();
    const attempt = attemptsBefore(received) + 1;
    const log = { orderId, destination, attempt, attempts: claim.attempts, receiveCount };
    const history = withAttempt(claim.history, trace.record(outcome));
    if (outcome.kind === 'sent') {
      const keep = this.keepsForCancellation ? { cancelWith: cancelWithOf(message) } : {};
      const recorded = await this.store.recordDelivery(orderId, destination, { status: 'sent', vendorStatus: outcome.vendorStatus, at, history, ...keep });
      counted(counts, 'sent');
      counts.sent.push(orderId);
      // The happy path, the most frequent of all, logs nothing of its own at INFO: the batch's metric record names the
      // order (`sent`), and the delivery's record keeps the attempt, the vendor's status and the request line.
      if (debugEnabled(this.logger)) this.logger.debug('Delivered', { orderId, destination, attempt, vendorStatus: outcome.vendorStatus });
      if (recorded.cancellationRequested) await this.completeCancellation({ message, orderId }, true);
      return;
    }
    const base = { error: outcome.error, vendorStatus: outcome.vendorStatus, completedRequests: [...completed], at, history };
    if (outcome.kind === 'failed') {
      // Parked before it is recorded and acknowledged: if parking fails, the message stays and is tried again.
      await this.deps.parking.park(record.body, orderId);
      await this.store.recordDelivery(orderId, destination, { status: 'failed', ...base });
      counted(counts, 'failed');
      this.logger.warn('Delivery refused by the vendor; parked in the dead-letter queue for a redrive', {
        ...log,
        error: outcome.error,
        vendorStatus: outcome.vendorStatus,
      });
      return;
    }
    const elapsedSeconds = this.elapsedSeconds(received, at);
    const step = afterFailure(this.policy, attempt, elapsedSeconds, this.random, outcome.retryAfterSeconds);
    if (step.kind === 'dead-letter') {
      // In the dead-letter queue before it is recorded, as a parked delivery: if that fails, this copy stays and is tried again.
      await this.deps.parking.deadLetter(record.body, orderId);
      await this.store.recordDelivery(orderId, destination, { status: 'dead-lettered', ...base });
      counted(counts, 'dead-lettered');
      this.logger.error('Delivery retries exhausted; message goes to the dead-letter queue', { ...log, elapsedSeconds, error: outcome.error });
      return;
    }
    await this.store.recordDelivery(orderId, destination, { status: 'retrying', ...base });
    counted(counts, 'retrying');
    await this.sendAgain(received, { attempts: attempt }, step.delaySeconds);
    this.logger.warn('Delivery will be retried', { ...log, elapsedSeconds, error: outcome.error, retryInSeconds: step.delaySeconds });
  }

  /** Seconds since the first receive of the delivery's first copy: how much of the retry horizon is spent. */
  private elapsedSeconds(received: Received, at: Date = this.clock()): number {
    return Math.max(0, (at.getTime() - received.retry.since) / 1000);
  }

  /**
   * Sends the received message again as a new copy, receivable after `delaySeconds`, carrying the retry state (the
   * attempts made, the horizon's start, the waits), and lets the received copy be acknowledged. A parked message's
   * mark is not carried over: its failed delivery was re-opened when it came back.
   */
  private async sendAgain(received: Received, state: Partial<RetryState>, delaySeconds: number): Promise<void> {
    const attributes: MessageCopy['attributes'] = {};
    for (const [name, value] of Object.entries(received.record.messageAttributes ?? {})) {
      if (name === RETRY_ATTRIBUTE || name === PARKED_ATTRIBUTE || value.stringValue === undefined) continue;
      attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
    }
    attributes[RETRY_ATTRIBUTE] = { DataType: 'String', StringValue: encodeRetryState({ ...received.retry, ...state }) };
    await this.deps.retries.sendAgain({ body: received.record.body, attributes }, delaySeconds);
  }
}

/** One vendor call of an attempt, as made: what the attempt's trace records of it. */
interface MadeCall {
  request: VendorRequest;
  /** Its place among the calls the attempt had to make (they start in this order). */
  index: number;
  /** When it left. */
  at: Date;
  durationMs: number;
  outcome: DeliveryOutcome;
  /** The vendor's answer, redacted. */
  response?: VendorResponse;
  /** No answer: the transport error. */
  transportError?: string;
}

/** The call of an attempt that started last: the one an attempt of accepted calls records. */
function lastStarted(calls: readonly MadeCall[]): MadeCall | undefined {
  return calls.reduce<MadeCall | undefined>((latest, call) => (latest === undefined || call.index > latest.index ? call : latest), undefined);
}

/**
 * The trace of an attempt whose calls may have run at once: the deciding call (the failure, or the last started) as
 * its last call, and the time of all of its calls as its duration, as AttemptTrace keeps it for calls made one after
 * another.
 */
function attemptTrace(message: DeliveryMessage, calls: readonly MadeCall[], last: MadeCall): AttemptTrace {
  let elapsed = 0;
  const trace = new AttemptTrace(message.order, () => last.at, () => elapsed, contextIdentifiers(message.context));
  trace.started(last.request);
  elapsed = calls.reduce((sum, call) => sum + call.durationMs, 0);
  if (last.response) trace.answered(last.response);
  else trace.noAnswer(last.transportError ?? '');
  return trace;
}

/**
 * Attempts made on the delivery before this receive: those of the earlier copies, and every earlier receive of this
 * copy (each may have made a call before its invocation failed).
 */
function attemptsBefore(received: Received): number {
  return received.retry.attempts + received.receiveCount - 1;
}

/** Whether a record is a parked message (PARKED_ATTRIBUTE), i.e. one that came back through a redrive. */
function isParked(record: SQSRecord): boolean {
  return record.messageAttributes?.[PARKED_ATTRIBUTE]?.stringValue === 'failed';
}

/** The outcome with the shopper's personal values removed from its error text or note, which are stored and logged. */
function redactedOutcome(outcome: DeliveryOutcome, trace: AttemptTrace): DeliveryOutcome {
  if (outcome.kind !== 'sent') return { ...outcome, error: trace.redacted(outcome.error) };
  return outcome.note === undefined ? outcome : { ...outcome, note: trace.redacted(outcome.note) };
}

function counted(counts: Counts, kind: DeliveryEvent): void {
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
}
