/**
 * GET /v1/deliveries: the deliveries that are not `sent`, read from the sparse UNSETTLED_INDEX (docs/DATA-MODEL.md,
 * pattern 10). The senders' writes keep the index's keys on a delivery record while it is not sent (order-store.ts).
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { UNSETTLED_INDEX } from '../contract/shape';
import { orderPk } from './keys';
import type { Item } from './table';

/** Statuses the unsettled-deliveries index holds: every status of a delivery record but `sent`. */
export const UNSETTLED_STATUSES = ['queued', 'retrying', 'failed', 'dead-lettered'] as const;
export type UnsettledStatus = (typeof UNSETTLED_STATUSES)[number];

/** A delivery that is not `sent`, as GET /v1/deliveries lists it. */
export interface UnsettledDelivery {
  orderId: string;
  vendor: string;
  status: UnsettledStatus;
  /** When the status was recorded (ISO 8601): the listing's order, newest first. */
  updatedAt: string;
  attempts: number;
  lastError?: string;
  vendorStatus?: number;
}

/** Where a listing continues, per status partition: not yet read (absent), after this index key, or exhausted (null). */
export type UnsettledCursor = Partial<Record<UnsettledStatus, Record<string, string> | null>>;

export interface UnsettledQuery {
  statuses: readonly UnsettledStatus[];
  vendor?: string;
  /** ISO 8601: only deliveries recorded at or after it. */
  since?: string;
  limit: number;
  cursor?: UnsettledCursor;
}

export interface UnsettledPage {
  deliveries: UnsettledDelivery[];
  /** Absent when there is nothing more. */
  cursor?: UnsettledCursor;
}

/**
 * Deliveries that are not `sent`, newest first. One Query per status asked for, merged by time; the cursor
 * remembers where each status partition stands.
 */
export async function listUnsettled(db: DynamoDBDocumentClient, tableName: string, query: UnsettledQuery): Promise<UnsettledPage> {
  const cursor = query.cursor ?? {};
  const open = query.statuses.filter((status) => cursor[status] !== null);
  const reads = await Promise.all(open.map(async (status) => ({ status, ...(await readUnsettled(db, tableName, status, cursor[status] ?? undefined, query)) })));
  // Each partition's items are newest first; a stable sort keeps them so, so the page takes a prefix of each.
  const merged = reads
    .flatMap((read) => read.items.map((item) => ({ status: read.status, item })))
    .sort((a, b) => String(b.item[UNSETTLED_INDEX.sortKey]).localeCompare(String(a.item[UNSETTLED_INDEX.sortKey])));
  const page = merged.slice(0, query.limit);
  const next: UnsettledCursor = {};
  for (const status of query.statuses) {
    const read = reads.find((r) => r.status === status);
    if (!read) {
      next[status] = null;
      continue;
    }
    const taken = page.filter((p) => p.status === status);
    if (read.exhausted && taken.length === read.items.length) next[status] = null;
    else if (taken.length) next[status] = indexKey(taken.at(-1)!.item);
    else if (cursor[status]) next[status] = cursor[status]!;
  }
  const more = query.statuses.some((status) => next[status] !== null);
  return { deliveries: page.map((p) => unsettledView(p.item)), ...(more ? { cursor: next } : {}) };
}

/** Up to `limit` matching items of one status partition after `startKey`, and whether the partition ends there. */
async function readUnsettled(
  db: DynamoDBDocumentClient,
  tableName: string,
  status: UnsettledStatus,
  startKey: Record<string, string> | undefined,
  query: UnsettledQuery,
): Promise<{ items: Item[]; exhausted: boolean }> {
  const items: Item[] = [];
  let exclusiveStartKey: Item | undefined = startKey;
  const names: Record<string, string> = { '#status': UNSETTLED_INDEX.partitionKey, '#at': UNSETTLED_INDEX.sortKey };
  const values: Item = { ':status': status };
  if (query.since) values[':since'] = query.since;
  if (query.vendor) values[':vendor'] = query.vendor;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: UNSETTLED_INDEX.indexName,
        KeyConditionExpression: query.since ? '#status = :status AND #at >= :since' : '#status = :status',
        ...(query.vendor ? { FilterExpression: 'destination = :vendor' } : {}),
        ExpressionAttributeNames: query.since ? names : { '#status': names['#status']! },
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: query.limit,
        ...(exclusiveStartKey ? { ExclusiveStartKey: exclusiveStartKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey && items.length < query.limit);
  return { items, exhausted: !exclusiveStartKey };
}

/** The index key of an item of UNSETTLED_INDEX: where a listing resumes after it. */
function indexKey(item: Item): Record<string, string> {
  return {
    pk: String(item.pk),
    sk: String(item.sk),
    [UNSETTLED_INDEX.partitionKey]: String(item[UNSETTLED_INDEX.partitionKey]),
    [UNSETTLED_INDEX.sortKey]: String(item[UNSETTLED_INDEX.sortKey]),
  };
}

function unsettledView(item: Item): UnsettledDelivery {
  return {
    orderId: String(item.pk).slice(orderPk('').length),
    vendor: String(item.destination),
    status: item[UNSETTLED_INDEX.partitionKey] as UnsettledStatus,
    updatedAt: String(item[UNSETTLED_INDEX.sortKey]),
    attempts: Number(item.attempts ?? 0),
    ...(item.lastError !== undefined ? { lastError: String(item.lastError) } : {}),
    ...(item.vendorStatus !== undefined ? { vendorStatus: Number(item.vendorStatus) } : {}),
  };
}
