/**
 * What `npm run replay` (scripts/replay.ts) rebuilds a delivery's message from, once the message itself is gone: a
 * queue keeps it 14 days at most, the order record `retentionDays` (400 by default). Written by the conversion on the
 * order record (`replay`), in the same PutItem, for the destinations it queued:
 *
 * - the order as reported, **without the shopper** (no IP, e-mail, country or city), as a postback's `cancelWith`
 *   keeps it;
 * - the names of the shopper fields the report gave, never their values: a replay can then tell that a destination's
 *   call would have carried them, and refuses it (Klevu needs the shopper's IP) instead of sending a different call;
 * - per queued destination, what was decided at conversion time and travels in its message: its context (the click
 *   ids, Kelkoo's seeded saleId) and its exclusive group's verdict, so a replay never decides again.
 *
 * A context value that is the shopper's IP or e-mail in any spelling (Raptor's user id, when the shop sends the e-mail)
 * is never kept: that destination is recorded as `personal`, without its context, and cannot be replayed.
 * docs/PRIVACY.md.
 */
import { MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeliveryMessage, messageDigest } from '../core/delivery';
import type { Order, Shopper } from '../core/order';
import { personalValues, redactor } from '../core/redact';
import { PARKED_ATTRIBUTE } from './delivery-queues';

/** An exclusive group's verdict for one member, as its version 2 message carries it. */
export type ExclusiveVerdict = Extract<DeliveryMessage, { version: 2 }>['exclusive'];

/** One queued destination's values, or `personal` when they held the shopper's IP or e-mail and were not kept. */
export type ReplayEntry = { context: Record<string, unknown>; exclusive?: ExclusiveVerdict } | { personal: true };

/** The order record's `replay` attribute. */
export interface ReplayRecord {
  /** The order as reported, without `shopper`. */
  order: Omit<Order, 'shopper'>;
  /** Which shopper fields the report gave (`ip`, `email`, `country`, `city`): names only. Absent: none. */
  shopperFields?: Array<keyof Shopper>;
  /** Per destination the conversion queued a message for. */
  destinations: Record<string, ReplayEntry>;
}

/**
 * The replay record of a new order: its queued messages without the shopper. Undefined when nothing was queued (a
 * replay sends only what the conversion decided to send).
 */
export function replayRecordOf(order: Order, messages: readonly DeliveryMessage[]): ReplayRecord | undefined {
  if (!messages.length) return undefined;
  const { shopper, ...content } = order;
  const shopperFields = shopper ? (Object.keys(shopper) as Array<keyof Shopper>).filter((field) => shopper[field] !== undefined) : [];
  const personal = personalValues(order);
  // Only an order with a shopper IP or e-mail has anything to find, and its contexts hold it rarely: one pass over all
  // of them first, then one per destination only when that pass found something.
  const redact = personal.length ? redactor(personal) : undefined;
  const contextsHold = (contexts: unknown) => redact !== undefined && hasPersonal(redact, contexts);
  const anyPersonal = contextsHold(messages.map((m) => m.context));
  const destinations: Record<string, ReplayEntry> = {};
  for (const message of messages) {
    destinations[message.destination] =
      anyPersonal && contextsHold(message.context)
        ? { personal: true }
        : { context: message.context, ...(message.version === 2 ? { exclusive: message.exclusive } : {}) };
  }
  return { order: content, ...(shopperFields.length ? { shopperFields } : {}), destinations };
}

/** Whether the redactor finds a personal value in `value`'s JSON. */
function hasPersonal(redact: (text: string) => string, value: unknown): boolean {
  const text = JSON.stringify(value);
  return redact(text) !== text;
}

/** What a replayed message is rebuilt with besides the record: the order item's receipt time and expiry. */
export interface ReplayedOrder {
  receivedAt: string;
  /** Epoch seconds: the order's TTL, which the delivery record the sender creates gets too. */
  expiresAt: number;
}

/**
 * The message a replay queues for `destination`, built as the conversion built it – the order without the shopper, the
 * recorded context and verdict – with its digest (messageDigest), which the recorded plan must then hold for the
 * sender to send it. Undefined when the record does not keep what the message needs.
 */
export function replayedMessage(record: ReplayRecord, destination: string, order: ReplayedOrder): DeliveryMessage | undefined {
  const entry = record.destinations[destination];
  if (!entry || 'personal' in entry) return undefined;
  const base = { destination, order: record.order as Order, context: entry.context, receivedAt: order.receivedAt, expiresAt: order.expiresAt };
  const digest = messageDigest({ ...base, ...(entry.exclusive ? { exclusive: entry.exclusive } : {}) });
  return entry.exclusive ? { version: 2, ...base, exclusive: entry.exclusive, digest } : { version: 1, ...base, digest };
}

/**
 * Puts a replayed message on its destination's queue, with the attributes the conversion gives a message. `reopens`
 * marks it as a parked message back from a redrive (PARKED_ATTRIBUTE), so that the sender re-opens the delivery the
 * vendor refused (`failed`) and sends it; a `sent` delivery is never re-opened.
 */
export async function queueReplayed(sqs: SQSClient, queueUrl: string, message: DeliveryMessage, reopens: boolean): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {
    orderId: { DataType: 'String', StringValue: message.order.orderId },
    version: { DataType: 'Number', StringValue: String(message.version) },
    ...(reopens ? { [PARKED_ATTRIBUTE]: { DataType: 'String', StringValue: 'failed' } } : {}),
  };
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), MessageAttributes: attributes }));
}
