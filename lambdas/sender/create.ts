/**
 * The one way a destination's sender is put together – by the Lambda entry, the local stack, the tests and the
 * benchmarks alike: the destination looked up in the runtime configuration, its queue for retries, its dead-letter
 * queue for parking, and the claim lease the queue settings derive from the delivery settings.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { cancelDestinationId, queuedDestinationsOf } from '../config/cancellation';
import type { RuntimeConfig } from '../contract/runtime-config';
import { deliveryQueueSettings } from '../contract/shape';
import type { Clock } from '../core/time';
import type { DeliveryMetrics } from '../observability/metrics';
import { DeliveryParking, DeliveryQueues, RetryScheduler, SqsDeliveryParking, SqsDeliveryQueues, SqsRetryScheduler } from '../store/delivery-queues';
import type { TrackingStore } from '../store/tracking-store';
import { fetchHttpSender, HttpSender } from '../vendors/http-sender';
import { createSenderHandler } from './sender';

export interface SenderWiring {
  config: Pick<RuntimeConfig, 'vendors' | 'postbacks' | 'delivery'>;
  /** A sale destination or a postback's cancellation destination (`<postback>-cancel`). */
  destinationId: string;
  store: TrackingStore;
  sqs: SQSClient;
  /** The destination's delivery queue: retries change its messages' visibility. */
  queueUrl: string;
  /** The destination's dead-letter queue: a delivery the vendor refused is parked there. */
  deadLetterQueueUrl: string;
  logger: Logger;
  /** Default: fetch. */
  http?: HttpSender;
  metrics?: DeliveryMetrics;
  /** Default: the claim lease of the delivery settings' queue settings. */
  claimLeaseSeconds?: number;
  /** Default: visibility changes on `queueUrl`. */
  retries?: RetryScheduler;
  /** Default: the dead-letter queue at `deadLetterQueueUrl`. */
  parking?: DeliveryParking;
  /**
   * For a postback with a `cancel` template: the queue of its cancellation calls (`<id>-cancel`), where its sender
   * queues the call for a sale it records `sent` after the order was cancelled.
   */
  cancellationQueueUrl?: string;
  /** Default: messages to `cancellationQueueUrl`, when given. */
  cancellations?: DeliveryQueues;
  clock?: Clock;
  random?: () => number;
  recordWaitMs?: number;
  stopMarginMs?: number;
  /** Default: a real wait. How the sender waits for a paced call's slot (`ratePerSecond`). */
  sleep?: (ms: number) => Promise<void>;
}

export type SenderHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The sender of `wiring.destinationId`; throws, naming it, when the configuration has no such destination. */
export function createSender(wiring: SenderWiring): SenderHandler {
  const destination = queuedDestinationsOf(wiring.config).find((d) => d.id === wiring.destinationId);
  if (!destination) throw new Error(`${wiring.destinationId} is not an enabled destination`);
  const handle = createSenderHandler({
    destination,
    delivery: wiring.config.delivery,
    store: wiring.store,
    retries: wiring.retries ?? new SqsRetryScheduler(wiring.sqs, wiring.queueUrl),
    parking: wiring.parking ?? new SqsDeliveryParking(wiring.sqs, wiring.deadLetterQueueUrl),
    ...cancellationsOf(wiring),
    http: wiring.http ?? fetchHttpSender,
    logger: wiring.logger,
    claimLeaseSeconds: wiring.claimLeaseSeconds ?? deliveryQueueSettings(wiring.config.delivery).claimLeaseSeconds,
    ...(wiring.metrics ? { metrics: wiring.metrics } : {}),
    ...(wiring.clock ? { clock: wiring.clock } : {}),
    ...(wiring.random ? { random: wiring.random } : {}),
    ...(wiring.recordWaitMs !== undefined ? { recordWaitMs: wiring.recordWaitMs } : {}),
    ...(wiring.stopMarginMs !== undefined ? { stopMarginMs: wiring.stopMarginMs } : {}),
    ...(wiring.sleep ? { sleep: wiring.sleep } : {}),
  });
  // Every line of an invocation carries Lambda's context (function_request_id, cold_start, function name and version),
  // as the API functions' lines do (apiFunction): a sale's log lines lead to the invocation's REPORT line and back.
  return (event, context) => {
    wiring.logger.addContext(context);
    return handle(event, context);
  };
}

/** The sender's cancellation queue: the one given, or one sending to `cancellationQueueUrl`; none without either. */
function cancellationsOf(wiring: SenderWiring): { cancellations?: DeliveryQueues } {
  if (wiring.cancellations) return { cancellations: wiring.cancellations };
  if (!wiring.cancellationQueueUrl) return {};
  return { cancellations: new SqsDeliveryQueues(wiring.sqs, { [cancelDestinationId(wiring.destinationId)]: wiring.cancellationQueueUrl }) };
}
