import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryMessage } from '../core/delivery';

/** Puts delivery messages on the destinations' queues. */
export interface DeliveryQueues {
  send(message: DeliveryMessage): Promise<void>;
}

export class SqsDeliveryQueues implements DeliveryQueues {
  constructor(
    private readonly sqs: SQSClient,
    /** Destination id → queue URL. */
    private readonly queueUrls: Readonly<Record<string, string>>,
  ) {}

  async send(message: DeliveryMessage): Promise<void> {
    const queueUrl = this.queueUrls[message.destination];
    if (!queueUrl) throw new Error(`No queue configured for destination ${message.destination}`);
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: {
          orderId: { DataType: 'String', StringValue: message.order.orderId },
          version: { DataType: 'Number', StringValue: String(message.version) },
        },
      }),
    );
  }
}

/** Lets a sender push a failed message's next delivery into the future: per-message backoff. */
export interface RetryScheduler {
  retryIn(receiptHandle: string, seconds: number): Promise<void>;
}

/** SQS's longest visibility timeout: the longest single retry delay. */
export const MAX_VISIBILITY_SECONDS = 12 * 3600;

export class SqsRetryScheduler implements RetryScheduler {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async retryIn(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.round(seconds))),
      }),
    );
  }
}

/**
 * The message attribute that marks a parked message: a delivery the vendor refused (a non-retryable answer), put in
 * the destination's dead-letter queue by its sender. Its value is the status recorded, `failed`. A message that
 * arrives on a delivery queue with it came back through a redrive, which re-opens the failed delivery.
 */
export const PARKED_ATTRIBUTE = 'parked';

/** Where a sender parks a delivery the vendor refused, so that it can be redriven once the cause is fixed. */
export interface DeliveryParking {
  /** Puts a copy of the message body in the dead-letter queue, marked PARKED_ATTRIBUTE. */
  park(body: string, orderId: string): Promise<void>;
}

export class SqsDeliveryParking implements DeliveryParking {
  constructor(
    private readonly sqs: SQSClient,
    private readonly deadLetterQueueUrl: string,
  ) {}

  async park(body: string, orderId: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: {
          orderId: { DataType: 'String', StringValue: orderId },
          [PARKED_ATTRIBUTE]: { DataType: 'String', StringValue: 'failed' },
        },
      }),
    );
  }
}
