import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GroupDecision } from '../core/exclusive';
import type { CancellableOrder, OrderCancellation } from './cancellation-records';
import { ORDER_SK, orderPk } from './keys';
import { cancellableOrder, OrderPartition, orderView, OrderView, PlannedDelivery, readOrderPartition } from './order-partition';
import type { ReplayRecord } from './replay-records';
import { conditionHeld, SingleTable } from './table';

/** One destination of a new order's plan: recorded as it is read back (PlannedDelivery). */
export type NewDelivery = PlannedDelivery;

/** What the recorded order planned for one destination, as the sender checks it. */
export type RecordedPlan =
  | { recorded: false }
  | { recorded: true; status?: 'queued' | 'skipped'; digest?: string };

export interface NewOrder {
  orderId: string;
  receivedAt: Date;
  occurredAt: string;
  /** Epoch seconds: `retentionDays` after receipt. */
  expiresAt: number;
  /** The plan per destination: queued (its message is on its queue) or skipped, with the reason. */
  deliveries: NewDelivery[];
  /** The exclusive groups' decisions (lambdas/core/exclusive.ts): the winner per group. */
  groups?: GroupDecision[];
  /** What a replay rebuilds a queued destination's message from, without the shopper (replay-records.ts). */
  replay?: ReplayRecord;
  /** Why some of the visitor's links were not followed for the attribution (VisitorStore.traverse's cut). */
  attributionNote?: string;
}

/** The order items (`ORDER#<orderId>`, `sk = ORDER`), and the whole order partition as read (order-partition.ts). */
export class OrderStore extends SingleTable {
  /**
   * Conversion: records the order – ids, times and the plan per destination – with one conditional PutItem, only
   * if the order is new. The conversion calls it once the messages are on their queues; the delivery records are
   * created by the senders' first claim. Returns false when the order already exists (a repeated or concurrent
   * report of the same orderId).
   */
  async createOrder(order: NewOrder): Promise<boolean> {
    return conditionHeld(
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: orderPk(order.orderId),
            sk: ORDER_SK,
            orderId: order.orderId,
            receivedAt: order.receivedAt.toISOString(),
            occurredAt: order.occurredAt,
            ttl: order.expiresAt,
            plan: order.deliveries.map((d) => ({
              destination: d.destination,
              status: d.status,
              ...(d.reason !== undefined ? { reason: d.reason } : {}),
              ...(d.digest !== undefined ? { digest: d.digest } : {}),
            })),
            ...(order.groups ? { groups: order.groups } : {}),
            ...(order.replay ? { replay: order.replay } : {}),
            ...(order.attributionNote ? { attributionNote: order.attributionNote } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** The order and its delivery records in one strongly consistent Query, or undefined while the order is not recorded. */
  async readOrder(orderId: string): Promise<OrderPartition | undefined> {
    return readOrderPartition(await this.queryPartition(orderPk(orderId), true));
  }

  /**
   * Conversion: whether the order is recorded, by one eventually consistent GetItem of its order item (half the read
   * units of a strongly consistent one, and none of its delivery records). A report the read misses – a repeat within
   * the second after the order was recorded – is caught by createOrder's condition like a concurrent one.
   */
  async orderRecorded(orderId: string): Promise<boolean> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: orderPk(orderId), sk: ORDER_SK }, ProjectionExpression: 'pk' }),
    );
    return result.Item !== undefined;
  }

  /**
   * Status: the order and its delivery records (readOrder). A destination whose sender has not claimed it yet shows
   * as planned (`queued` or `skipped`); a delivery record found for a destination outside the plan (a concurrent
   * report of the same order that attributed differently) is listed too.
   */
  async getOrder(orderId: string): Promise<OrderView | undefined> {
    const partition = await this.readOrder(orderId);
    return partition && orderView(partition);
  }

  /** Cancellation: the order, its plan and its delivery records (readOrder), or undefined when unknown. */
  async getCancellableOrder(orderId: string): Promise<CancellableOrder | undefined> {
    const partition = await this.readOrder(orderId);
    return partition && cancellableOrder(partition);
  }

  /**
   * Sender: what the recorded order planned for one destination (one GetItem of the order record, strongly consistent
   * unless `consistent` is false): not recorded (yet), or its planned status and message digest – no status when the
   * plan does not name it.
   */
  async recordedPlan(orderId: string, destination: string, consistent = true): Promise<RecordedPlan> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: ORDER_SK },
        ProjectionExpression: '#plan',
        ExpressionAttributeNames: { '#plan': 'plan' },
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    if (!result.Item) return { recorded: false };
    const plan = (Array.isArray(result.Item.plan) ? result.Item.plan : []) as Array<{ destination?: string; status?: 'queued' | 'skipped'; digest?: string }>;
    const entry = plan.find((p) => p.destination === destination);
    return { recorded: true, ...(entry?.status ? { status: entry.status } : {}), ...(entry?.digest ? { digest: entry.digest } : {}) };
  }

  /**
   * Replay: records the digest of a destination's rebuilt message in the order's plan (entry `planIndex`, which must
   * still name `destination` as queued), so that the sender, which sends only what the plan records, sends it. Refused
   * – false – once the order is cancelled. A copy of the message as first queued (still in a dead-letter queue) then
   * no longer matches and is dropped by the sender instead of sent.
   */
  async recordReplayDigest(orderId: string, destination: string, planIndex: number, digest: string): Promise<boolean> {
    if (!Number.isInteger(planIndex) || planIndex < 0) throw new RangeError(`planIndex must be an index of the plan, not ${planIndex}`);
    const entry = `#plan[${planIndex}]`;
    return conditionHeld(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: orderPk(orderId), sk: ORDER_SK },
          UpdateExpression: `SET ${entry}.digest = :digest`,
          ConditionExpression: `${entry}.destination = :destination AND ${entry}.#status = :queued AND attribute_not_exists(cancellation)`,
          ExpressionAttributeNames: { '#plan': 'plan', '#status': 'status' },
          ExpressionAttributeValues: { ':digest': digest, ':destination': destination, ':queued': 'queued' },
        }),
      ),
    );
  }

  /** Cancellation: marks the order cancelled; the first request's reason and time stand. Returns what is stored. */
  async markOrderCancelled(orderId: string, cancellation: OrderCancellation): Promise<OrderCancellation> {
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: orderPk(orderId), sk: ORDER_SK },
        UpdateExpression: 'SET cancellation = if_not_exists(cancellation, :c)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':c': cancellation },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes!.cancellation as OrderCancellation;
  }
}
