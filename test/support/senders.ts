/**
 * Senders for tests, put together by the one factory the Lambda entry and the local stack use
 * (lambdas/sender/create.ts) on test queues of the suite's SQS server, and fed the way Lambda's event source feeds
 * them: a test states only what it changes (a vendor double, a recording retry scheduler, a clock).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { cancelDestinationId, queuedDestinationsOf } from '../../lambdas/config/cancellation';
import { createSender, SenderHandler, SenderWiring } from '../../lambdas/sender/create';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { toSqsRecord } from '../../local/poller';
import { lambdaContext } from './api';
import { createTestQueue, recordingLogger } from './aws';

/** A delivery queue and its dead-letter queue, as createTestQueue makes them. */
export interface TestQueue {
  queueUrl: string;
  dlqUrl: string;
}

/** What a test may set on a sender beyond its destination and queues; the logger defaults to one that records. */
export type TestSenderWiring = Omit<SenderWiring, 'config' | 'destinationId' | 'queueUrl' | 'deadLetterQueueUrl' | 'logger'> & {
  store: TrackingStore;
  sqs: SQSClient;
  logger?: Logger;
};

/** The sender of `destinationId`: retries on `queue`, parking in its dead-letter queue. */
export function senderFor(config: SenderWiring['config'], destinationId: string, queue: TestQueue, wiring: TestSenderWiring): SenderHandler {
  const { logger = recordingLogger().logger, ...rest } = wiring;
  return createSender({ ...rest, config, destinationId, queueUrl: queue.queueUrl, deadLetterQueueUrl: queue.dlqUrl, logger });
}

/** A queue with its dead-letter queue for every queued destination of `config` (sales, then cancellations). */
export async function queuesFor(config: SenderWiring['config'], sqs: SQSClient, maxReceiveCount: number): Promise<Record<string, TestQueue>> {
  const queues: Record<string, TestQueue> = {};
  for (const destination of queuedDestinationsOf(config)) queues[destination.id] = await createTestQueue(sqs, maxReceiveCount);
  return queues;
}

/** Each destination's delivery queue URL: what the conversion's SqsDeliveryQueues is given. */
export const queueUrlsOf = (queues: Record<string, TestQueue>): Record<string, string> =>
  Object.fromEntries(Object.entries(queues).map(([id, queue]) => [id, queue.queueUrl]));

/** The sender of every queued destination of `config`, each on its own queue of `queues`. */
export function sendersFor(config: SenderWiring['config'], wiring: TestSenderWiring & { queues: Record<string, TestQueue> }): Record<string, SenderHandler> {
  const { queues, ...rest } = wiring;
  return Object.fromEntries(
    queuedDestinationsOf(config).map((destination) => {
      const queue = queues[destination.id];
      if (!queue) throw new Error(`no test queue for ${destination.id}`);
      // A sale destination's sender queues the cancellation calls of the sales it sends after their order was cancelled.
      const cancellations = queues[cancelDestinationId(destination.id)];
      return [destination.id, senderFor(config, destination.id, queue, { ...(cancellations ? { cancellationQueueUrl: cancellations.queueUrl } : {}), ...rest })];
    }),
  );
}

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:000000000000:delivery';
const REGION = 'eu-west-1';

/**
 * Up to `max` messages of `queueUrl` as Lambda hands them to a sender: real receipt handles, system and message
 * attributes included. Waits up to `waitSeconds` for the first.
 */
export async function receiveRecords(sqs: SQSClient, queueUrl: string, options: { max?: number; waitSeconds?: number } = {}): Promise<SQSRecord[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.max ?? 1,
      WaitTimeSeconds: options.waitSeconds ?? 1,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return Messages.map((message) => toSqsRecord(message, QUEUE_ARN, REGION));
}

/** The next message of `queueUrl` as a sender's record; fails when none arrives within a second. */
export async function receiveRecord(sqs: SQSClient, queueUrl: string): Promise<SQSRecord> {
  const [record] = await receiveRecords(sqs, queueUrl);
  if (!record) throw new Error(`no message on ${queueUrl}`);
  return record;
}

/**
 * One poll of a queue through its sender, as Lambda's event source does it: up to ten messages in one invocation,
 * those the partial batch response does not name as failed deleted. Returns the records handed over (none when the
 * queue had nothing visible) and the sender's answer.
 */
export async function pollOnce(
  sqs: SQSClient,
  queueUrl: string,
  sender: SenderHandler,
  context: Context = lambdaContext,
): Promise<{ records: SQSRecord[]; result: SQSBatchResponse }> {
  const records = await receiveRecords(sqs, queueUrl, { max: 10, waitSeconds: 0 });
  if (!records.length) return { records, result: { batchItemFailures: [] } };
  const result = await sender({ Records: records }, context);
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  if (done.length) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
  }
  return { records, result };
}
