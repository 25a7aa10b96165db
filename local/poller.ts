/**
 * Feeds one destination's queue to its sender handler the way Lambda's SQS event source mapping does:
 * batches of up to `batchSize`, a batching window, up to `maxConcurrency` batches in flight, partial batch
 * responses (ReportBatchItemFailures) honoured record by record, and nothing deleted when the handler throws
 * or times out – those messages come back after the visibility timeout, and SQS's redrive policy moves a
 * message to the dead-letter queue after `maxReceiveCount` receives.
 *
 * A retry needs nothing of the poller beyond that: the sender sends a delayed copy of the message, carrying its retry
 * state in a message attribute, and the record it received is deleted here as a success. So every message attribute
 * is received and handed over, as Lambda does.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { DeleteMessageBatchCommand, Message, MessageAttributeValue, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { DeliveryQueueSettings } from '../lambdas/contract/shape';
import { lambdaContext } from './lambda-context';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** Name of the function this poller stands in for, as it appears in the handler's context. */
  functionName: string;
  settings: DeliveryQueueSettings;
  handler: SqsHandler;
  logger: Logger;
}

/** How long stop() waits for batches already handed to the handler before abandoning them (as a killed Lambda would). */
const STOP_GRACE_MS = 3000;

/** Pause after a failed ReceiveMessage, so that a stopped or restarting SQS server is not hammered. */
const RECEIVE_ERROR_PAUSE_MS = 1000;

function toMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes ?? {}).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
        stringListValues: value.StringListValues ?? [],
        binaryListValues: (value.BinaryListValues ?? []).map((v) => Buffer.from(v).toString('base64')),
      },
    ]),
  );
}

/** An SQS message as Lambda hands it to a function: camel-cased, system attributes as strings. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const now = String(Date.now());
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ...attributes,
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? now,
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp || now,
    },
    messageAttributes: toMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The message ids to keep on the queue, by Lambda's rules for a partial batch response: no response or an empty
 * list means every record succeeded; an identifier that is empty or not in the batch makes the whole batch fail.
 */
export function failedMessageIds(response: SQSBatchResponse | void, records: SQSRecord[]): Set<string> {
  const all = new Set(records.map((r) => r.messageId));
  const failures = response?.batchItemFailures ?? [];
  const ids = failures.map((f) => f?.itemIdentifier);
  if (ids.some((id) => typeof id !== 'string' || !all.has(id))) return all;
  return new Set(ids as string[]);
}

class SenderTimeoutError extends Error {
  constructor(seconds: number) {
    super(`sender did not finish within its ${seconds} s timeout`);
    this.name = 'SenderTimeoutError';
  }
}

export class QueuePoller {
  private stopping = false;
  private readonly abort = new AbortController();
  private readonly aborted = new Promise<void>((resolve) => this.abort.signal.addEventListener('abort', () => resolve(), { once: true }));
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: QueuePollerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops receiving at once; waits briefly for batches in flight. Messages received but not deleted simply reappear. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.loop;
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS))),
    ]);
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    const { sqs, queueUrl, settings, logger } = this.options;
    while (!this.stopping) {
      if (this.inFlight.size >= settings.maxConcurrency) {
        await Promise.race([...this.inFlight, this.aborted]);
        continue;
      }
      let messages: Message[];
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            // SQS returns at most 10 per receive; Lambda gathers larger batches over several, which a local run never needs.
            MaxNumberOfMessages: Math.min(10, settings.batchSize),
            // local-aws-sqs answers a long poll only when the batch is full or the wait is over, which is exactly
            // Lambda's batching window; it also still reads the older AttributeNames rather than
            // MessageSystemAttributeNames, so both are sent (the sender needs ApproximateReceiveCount).
            WaitTimeSeconds: settings.maxBatchingWindowSeconds,
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (this.stopping) break;
        logger.warn('Receiving from the queue failed; trying again shortly', { error: error as Error });
        await this.pause(RECEIVE_ERROR_PAUSE_MS);
        continue;
      }
      if (messages.length === 0) continue;
      const batch: Promise<void> = this.invoke(messages).finally(() => this.inFlight.delete(batch));
      this.inFlight.add(batch);
    }
  }

  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), this.aborted]);
    clearTimeout(timer);
  }

  /** One Lambda invocation: never rejects; whatever is not deleted here is retried by SQS. */
  private async invoke(messages: Message[]): Promise<void> {
    const { queueArn, region, functionName, settings, handler, logger } = this.options;
    const records = messages.map((m) => toSqsRecord(m, queueArn, region));
    let response: SQSBatchResponse | void;
    let timer: NodeJS.Timeout | undefined;
    try {
      response = await Promise.race([
        handler({ Records: records }, lambdaContext(functionName, settings.senderTimeoutSeconds)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new SenderTimeoutError(settings.senderTimeoutSeconds)), settings.senderTimeoutSeconds * 1000);
        }),
      ]);
    } catch (error) {
      logger.error('Sender invocation failed; its whole batch comes back after the visibility timeout', {
        error: error as Error,
        records: records.length,
        visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
      });
      return;
    } finally {
      clearTimeout(timer);
    }
    const failed = failedMessageIds(response, records);
    await this.delete(records.filter((r) => !failed.has(r.messageId)));
  }

  private async delete(records: SQSRecord[]): Promise<void> {
    const { sqs, queueUrl, logger } = this.options;
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      try {
        const result = await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })),
          }),
        );
        for (const failure of result.Failed ?? []) {
          logger.warn('Could not delete a processed message; it will be received again', { code: failure.Code, reason: failure.Message });
        }
      } catch (error) {
        logger.warn('Could not delete processed messages; they will be received again', { error: error as Error, records: chunk.length });
      }
    }
  }
}
