/**
 * Read-only views of the local stack's table for the console. Local only: the list of orders is a Scan, which the
 * deployed service never does (docs/DATA-MODEL.md), and which is cheap on a developer's in-memory table.
 */
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../../lambdas/core/time';
import type { VisitorKey } from '../../lambdas/core/visitor';
import { CLICK_PREFIX, DELIVERY_PREFIX, LINK_PREFIX, linkedKey, ORDER_SK, orderPk, visitorPk } from '../../lambdas/store/keys';
import { TrackingStore } from '../../lambdas/store/tracking-store';

type Item = Record<string, unknown>;

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

export interface StoredClickView {
  key: string;
  value: string;
  occurredAt: string;
  /** Epoch seconds. */
  expiresAt: number;
  live: boolean;
}

export interface VisitorNode {
  key: VisitorKey;
  /** The key whose link led here; absent for the keys looked up. */
  via?: VisitorKey;
  clicks: StoredClickView[];
  links: Array<{ key: VisitorKey; expiresAt: number; live: boolean }>;
}

/** As the conversion follows links: up to 3 hops from the keys given, 30 keys at most (tracking-store.ts). */
const LINK_DEPTH = 3;
const MAX_KEYS = 30;

function deliveryRow(record: Item): DeliveryRow {
  return {
    vendor: String(record.destination),
    status: String(record.status),
    attempts: Number(record.attempts ?? 0),
    ...(record.reason !== undefined ? { reason: String(record.reason) } : {}),
    ...(record.lastError !== undefined ? { lastError: String(record.lastError) } : {}),
    ...(record.vendorStatus !== undefined ? { vendorStatus: Number(record.vendorStatus) } : {}),
    ...(record.sentAt !== undefined ? { sentAt: String(record.sentAt) } : {}),
    ...(record.updatedAt !== undefined ? { updatedAt: String(record.updatedAt) } : {}),
    ...(Array.isArray(record.history) ? { history: toPlain(record.history) as Array<Record<string, unknown>> } : {}),
  };
}

/** DynamoDB sets come back as Set: JSON needs arrays. */
function toPlain(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(toPlain);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** The order item and its delivery records as one row, destinations in plan order (as the status route shows them). */
export function orderRow(order: Item, records: Item[]): OrderRow {
  const byDestination = new Map(records.map((r) => [String(r.destination), deliveryRow(r)]));
  const plan = (Array.isArray(order.plan) ? order.plan : []) as Array<{ destination: string; status: string; reason?: string }>;
  const deliveries = plan.map((p) => {
    const record = byDestination.get(p.destination);
    byDestination.delete(p.destination);
    return record ?? { vendor: p.destination, status: p.status, attempts: 0, ...(p.reason !== undefined ? { reason: p.reason } : {}) };
  });
  return { orderId: String(order.orderId), receivedAt: String(order.receivedAt), deliveries: [...deliveries, ...byDestination.values()] };
}

const keyLabel = (key: VisitorKey) => `${key.kind}\u0000${key.value}`;

export class ConsoleReader {
  private readonly store: TrackingStore;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.store = new TrackingStore(db, tableName);
  }

  /** Every order with its deliveries, newest first, at most `limit`; `total` counts them all. */
  async orders(limit: number): Promise<{ total: number; orders: OrderRow[] }> {
    const partitions = new Map<string, { order?: Item; records: Item[] }>();
    let startKey: Item | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :order)',
          ExpressionAttributeValues: { ':order': orderPk('') },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const partition = partitions.get(String(item.pk)) ?? { records: [] };
        if (item.sk === ORDER_SK) partition.order = item;
        else if (String(item.sk).startsWith(DELIVERY_PREFIX)) partition.records.push(item);
        partitions.set(String(item.pk), partition);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const rows = [...partitions.values()]
      .filter((p): p is { order: Item; records: Item[] } => p.order !== undefined)
      .map((p) => orderRow(p.order, p.records))
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || a.orderId.localeCompare(b.orderId));
    return { total: rows.length, orders: rows.slice(0, limit) };
  }

  /** One order and its deliveries, or undefined. */
  async order(orderId: string): Promise<OrderRow | undefined> {
    const items = await this.partition(orderPk(orderId));
    const order = items.find((i) => i.sk === ORDER_SK);
    return order ? orderRow(order, items.filter((i) => String(i.sk).startsWith(DELIVERY_PREFIX))) : undefined;
  }

  /**
   * The keys given and every key their links reach (as a conversion would follow them), each with its click
   * records and links. Expired records are listed as not live rather than hidden: the console explains.
   */
  async visitor(keys: VisitorKey[], now = new Date()): Promise<VisitorNode[]> {
    const nowEpoch = epochSeconds(now);
    const seen = new Set(keys.map(keyLabel));
    const nodes: VisitorNode[] = [];
    let frontier: Array<{ key: VisitorKey; via?: VisitorKey }> = keys.map((key) => ({ key }));
    for (let depth = 0; frontier.length && depth <= LINK_DEPTH; depth++) {
      const level = await Promise.all(frontier.map(async (entry) => ({ entry, items: await this.partition(visitorPk(entry.key)) })));
      frontier = [];
      for (const { entry, items } of level) {
        const node: VisitorNode = { key: entry.key, ...(entry.via ? { via: entry.via } : {}), clicks: [], links: [] };
        for (const item of items) {
          const sk = String(item.sk);
          const expiresAt = Number(item.ttl);
          const live = !(expiresAt <= nowEpoch);
          if (sk.startsWith(CLICK_PREFIX)) {
            node.clicks.push({ key: String(item.key), value: String(item.value), occurredAt: String(item.occurredAt), expiresAt, live });
          } else if (sk.startsWith(LINK_PREFIX)) {
            const linked = linkedKey(sk);
            if (!linked) continue;
            node.links.push({ key: linked, expiresAt, live });
            if (live && !seen.has(keyLabel(linked)) && seen.size < MAX_KEYS) {
              seen.add(keyLabel(linked));
              frontier.push({ key: linked, via: entry.key });
            }
          }
        }
        nodes.push(node);
      }
    }
    return nodes;
  }

  /** One partition, strongly consistent: the console shows what was just written. */
  private partition(pk: string): Promise<Item[]> {
    return this.store.queryPartition(pk, true);
  }
}
