/**
 * Read-only views of the local stack's table for the console, through the stores: a visitor is the graph the
 * conversion would traverse (VisitorStore.visitorGraph), an order is read by the order reader (order-partition.ts).
 * Local only: the list of orders is a Scan, which the deployed service never does (docs/DATA-MODEL.md), and which is
 * cheap on a developer's in-memory table. It stays here, outside lambdas/, so that no deployed code can scan; each
 * order partition it finds is read by the same order reader as the status route's.
 */
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { VisitorKey } from '../../lambdas/core/visitor';
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
}

export interface OrderRow {
  orderId: string;
  receivedAt: string;
  deliveries: DeliveryRow[];
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
  };
}

/** DynamoDB sets come back as Set: JSON needs arrays. */
function toPlain(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(toPlain);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** An order partition as one row, destinations in plan order (as the status route shows them). */
function rowOf(partition: OrderPartition): OrderRow {
  return { orderId: partition.order.orderId, receivedAt: partition.order.receivedAt, deliveries: inPlanOrder(partition, deliveryRow) };
}

/** The order item and its delivery records as one row, destinations in plan order (as the status route shows them). */
export function orderRow(order: Item, records: Item[]): OrderRow {
  return rowOf(readOrderPartition([order, ...records])!);
}

export class ConsoleReader {
  private readonly visitors: VisitorStore;
  private readonly orderStore: OrderStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
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
      .map(rowOf)
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || a.orderId.localeCompare(b.orderId));
    return { total: rows.length, orders: rows.slice(0, limit) };
  }

  /** One order and its deliveries (strongly consistent: the console shows what was just written), or undefined. */
  async order(orderId: string): Promise<OrderRow | undefined> {
    const partition = await this.orderStore.readOrder(orderId);
    return partition && rowOf(partition);
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
