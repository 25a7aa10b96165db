/**
 * Read-only views of the local stack's table for the console, through the stores: a visitor is the graph the
 * conversion would traverse (VisitorStore.visitorGraph), an order is read by the order reader (order-partition.ts).
 * Local only: the list of orders is a Scan, which the deployed service never does (docs/DATA-MODEL.md), and which is
 * cheap on a developer's in-memory table. It stays here, outside lambdas/, so that no deployed code can scan; each
 * order partition it finds is read by the same order reader as the status route's.
 */
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { saleDestinationOf } from '../../lambdas/config/cancellation';
import type { TrackingConfig } from '../../lambdas/config/schema';
import type { GroupDecision } from '../../lambdas/core/exclusive';
import type { VisitorKey } from '../../lambdas/core/visitor';
import { foldCancellationCalls, OrderCancellation } from '../../lambdas/store/cancellation-records';
import { orderPk } from '../../lambdas/store/keys';
import { inPlanOrder, OrderPartition, readOrderPartition, StoredDelivery } from '../../lambdas/store/order-partition';
import { OrderStore } from '../../lambdas/store/order-store';
import { everyPage, Item } from '../../lambdas/store/table';
import { VisitorNode, VisitorStore } from '../../lambdas/store/visitor-store';

export type { StoredClickView, VisitorNode } from '../../lambdas/store/visitor-store';

/** One destination of an order: the planned status until its sender writes a delivery record, then that record. */
export interface DeliveryRow {
  vendor: string;
  status: string;
  attempts: number;
  reason?: string;
  lastError?: string;
  vendorStatus?: number;
  sentAt?: string;
  updatedAt?: string;
  /** The record's per-attempt history, when the sender keeps one (oldest first), as it is stored. */
  history?: Array<Record<string, unknown>>;
  /**
   * Once its order is cancelled after it was sent: `unsupported` (no cancellation call), or its cancellation call
   * (`<postback>-cancel`) as a row of its own would show it – the call is shown here, under its sale, never as a
   * destination of its own.
   */
  cancellation?: 'unsupported' | Omit<DeliveryRow, 'vendor' | 'cancellation'>;
}

export interface OrderRow {
  orderId: string;
  receivedAt: string;
  /** The order's cancellation: when it was asked for, and the shop's reason and time when given. */
  cancellation?: OrderCancellation;
  deliveries: DeliveryRow[];
  /** The exclusive groups' decisions: per group the winner (null when no member held a live click) and `{channel}`. */
  groups?: GroupDecision[];
}

function deliveryRow(record: StoredDelivery): DeliveryRow {
  return {
    vendor: record.destination,
    status: String(record.status),
    attempts: record.attempts,
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    ...(record.lastError !== undefined ? { lastError: record.lastError } : {}),
    ...(record.vendorStatus !== undefined ? { vendorStatus: record.vendorStatus } : {}),
    ...(record.sentAt !== undefined ? { sentAt: record.sentAt } : {}),
    ...(record.updatedAt !== undefined ? { updatedAt: record.updatedAt } : {}),
    ...(record.history ? { history: toPlain(record.history) as Array<Record<string, unknown>> } : {}),
    ...(record.cancellation === 'unsupported' ? { cancellation: 'unsupported' as const } : {}),
  };
}

/** DynamoDB sets come back as Set: JSON needs arrays. */
function toPlain(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(toPlain);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** What the rows need of the configuration: which destinations are cancellation calls, and of which sale. */
export type CancellationConfig = Partial<Pick<TrackingConfig, 'postbacks'>>;

/**
 * An order partition as one row, destinations in plan order, each cancellation call under its sale (as the status
 * route shows them), with the order's cancellation and its groups.
 */
function rowOf(partition: OrderPartition, config: CancellationConfig): OrderRow {
  const { order } = partition;
  const deliveries = foldCancellationCalls(inPlanOrder(partition, deliveryRow), (id) => saleDestinationOf(id, config), order.cancellation !== undefined);
  return {
    orderId: order.orderId,
    receivedAt: order.receivedAt,
    ...(order.cancellation ? { cancellation: toPlain(order.cancellation) as OrderCancellation } : {}),
    deliveries,
    ...(order.groups ? { groups: toPlain(order.groups) as GroupDecision[] } : {}),
  };
}

/** The order item and its delivery records as one row, destinations in plan order (as the status route shows them). */
export function orderRow(order: Item, records: Item[], config: CancellationConfig = {}): OrderRow {
  return rowOf(readOrderPartition([order, ...records])!, config);
}

export class ConsoleReader {
  private readonly visitors: VisitorStore;
  private readonly orderStore: OrderStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The postbacks, to show each cancellation call under its sale; without them none is recognised. */
    private readonly config: CancellationConfig = {},
  ) {
    this.visitors = new VisitorStore(db, tableName);
    this.orderStore = new OrderStore(db, tableName);
  }

  /** Every order with its deliveries, newest first, at most `limit`; `total` counts them all. */
  async orders(limit: number): Promise<{ total: number; orders: OrderRow[] }> {
    const items = await everyPage((startKey) =>
      this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :order)',
          ExpressionAttributeValues: { ':order': orderPk('') },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    const partitions = new Map<string, Item[]>();
    for (const item of items) {
      const partition = partitions.get(String(item.pk)) ?? [];
      partition.push(item);
      partitions.set(String(item.pk), partition);
    }
    const rows = [...partitions.values()]
      .map(readOrderPartition)
      .filter((p): p is OrderPartition => p !== undefined)
      .map((partition) => rowOf(partition, this.config))
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || a.orderId.localeCompare(b.orderId));
    return { total: rows.length, orders: rows.slice(0, limit) };
  }

  /** One order and its deliveries (strongly consistent: the console shows what was just written), or undefined. */
  async order(orderId: string): Promise<OrderRow | undefined> {
    const partition = await this.orderStore.readOrder(orderId);
    return partition && rowOf(partition, this.config);
  }

  /**
   * The keys given and every key their links reach, as the conversion follows them (VisitorStore.visitorGraph), each
   * with its click records and links, read strongly consistent. Expired records are listed as not live rather than
   * hidden: the console explains.
   */
  visitor(keys: VisitorKey[], now = new Date()): Promise<VisitorNode[]> {
    return this.visitors.visitorGraph(keys, now, true);
  }
}
