import { ChangeMessageVisibilityCommand, MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MAX_RETRY_DELAY_SECONDS } from '../config/schema';
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

/**
 * How a sender gives a message back for a later attempt.
 *
 * A retry is a **new copy** of the message, sent to the same queue with a delay (`sendAgain`), after which the
 * received copy is acknowledged. While it waits, the copy is *delayed*, not *in flight*: SQS caps a standard queue
 * at about 120,000 in-flight messages (received, not yet deleted), and a retry that waited out a long visibility
 * timeout would hold one of them for its whole wait – a long vendor outage of a large shop would reach the cap, and
 * the sender could then receive nothing at all, new sales included. Delayed messages have no such cap. The price is
 * SQS's longest delay, MAX_DELAY_SECONDS, which bounds the wait between two attempts. A copy sent twice (the
 * acknowledgement failed after `sendAgain`) is harmless: the delivery's claim lets one call through.
 *
 * `retryIn` still changes a received copy's visibility, for the cases that keep that copy: a multi-call delivery
 * stopped before the function's time ran out.
 */
export interface RetryScheduler {
  retryIn(receiptHandle: string, seconds: number): Promise<void>;
  /** Puts a new copy of a message on the queue, receivable after `delaySeconds` (0–MAX_DELAY_SECONDS). */
  sendAgain(copy: MessageCopy, delaySeconds: number): Promise<void>;
}

/** A message as it is sent again: its body and its message attributes (SQS's shape). */
export interface MessageCopy {
  body: string;
  attributes: Record<string, MessageAttributeValue>;
}

/** SQS's longest visibility timeout. */
export const MAX_VISIBILITY_SECONDS = 12 * 3600;

/** SQS's longest message delay (DelaySeconds, 15 minutes): the longest wait between two attempts. */
export const MAX_DELAY_SECONDS = MAX_RETRY_DELAY_SECONDS;

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

  async sendAgain(copy: MessageCopy, delaySeconds: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: copy.body,
        MessageAttributes: copy.attributes,
        DelaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds))),
      }),
    );
  }
}

/**
 * The message attribute carrying a delivery's retry state from one copy of its message to the next (RetryState, as
 * JSON). A message without it is on its first copy: just queued by the conversion, parked and redriven, or
 * dead-lettered by its sender and redriven – those two leave it behind, so that a redriven delivery starts a fresh
 * horizon.
 */
export const RETRY_ATTRIBUTE = 'retry';

/** What a copy of a message knows of the attempts made on the copies before it. */
export interface RetryState {
  /** Attempts already made: vendor calls tried, or receives that may have made one. */
  attempts: number;
  /** Epoch milliseconds of the first receive of the first copy: the start of the retry horizon. */
  since: number;
  /** Receives that only waited for the order to be recorded; they do not count as attempts. */
  waits: number;
}

export function encodeRetryState(state: RetryState): string {
  return JSON.stringify({ attempts: state.attempts, since: state.since, waits: state.waits });
}

/** The retry state in an attribute's value; undefined when absent or unreadable (the copy then starts afresh). */
export function decodeRetryState(value: string | undefined): RetryState | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<Record<keyof RetryState, unknown>>;
    const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
    if (!count(parsed.attempts) || !count(parsed.since) || !count(parsed.waits)) return undefined;
    return { attempts: parsed.attempts as number, since: parsed.since as number, waits: parsed.waits as number };
  } catch {
    return undefined;
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
  /**
   * Puts a copy of the message body in the dead-letter queue unmarked, as a delivery whose retries ran out
   * (`dead-lettered`): without its retry state, so that a redrive gives it a fresh horizon.
   */
  deadLetter(body: string, orderId: string): Promise<void>;
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

  async deadLetter(body: string, orderId: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: { orderId: { DataType: 'String', StringValue: orderId } },
      }),
    );
  }
}
