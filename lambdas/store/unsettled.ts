/**
 * GET /v1/deliveries: the deliveries whose last recorded outcome was not `sent`, read from the sparse UNSETTLED_INDEX
 * (docs/DATA-MODEL.md, pattern 10). The senders' writes keep the index's keys on a delivery record while its outcome
 * is `retrying`, `failed` or `dead-lettered` (delivery-store.ts).
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { UNSETTLED_INDEX } from '../contract/shape';
import { DELIVERY_PREFIX, orderPk } from './keys';
import type { Item } from './table';

/**
 * Statuses the unsettled-deliveries index holds: the outcomes a sender records other than `sent`. A `queued` delivery
 * (not yet claimed, or claimed and in flight) has no outcome yet and no index entry: listing it would take an index
 * write for every delivery of every order, where now a delivery sent at its first attempt costs none. A redriven
 * delivery leaves the index until its new outcome is recorded.
 */
export const UNSETTLED_STATUSES = ['retrying', 'failed', 'dead-lettered'] as const;
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

/** An item's key in UNSETTLED_INDEX: the table's keys and the index's. Where a listing resumes after that item. */
export type UnsettledKey = { pk: string; sk: string } & Record<typeof UNSETTLED_INDEX.partitionKey, UnsettledStatus> &
  Record<typeof UNSETTLED_INDEX.sortKey, string>;

/** Where a listing continues, per status partition: not yet read (absent), after this index key, or exhausted (null). */
export type UnsettledCursor = Partial<Record<UnsettledStatus, UnsettledKey | null>>;

export interface UnsettledQuery {
  statuses: readonly UnsettledStatus[];
  /** Only deliveries to these destinations (ids as recorded, e.g. `awin` and `awin-cancel`); all when absent. */
  destinations?: readonly string[];
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

/** DynamoDB's limits on a key attribute's value, in UTF-8 bytes. */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

/** `unsettledAt` as the store writes it: Date.toISOString(). */
const INDEX_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Why `cursor` (decoded from untrusted text) cannot continue `query`, or undefined when it can. It can only when it
 * is what listUnsettled answers for this query: per status asked for, nothing (not read yet), null (exhausted) or the
 * index key of an item the query lists – in that status's partition, at a time as the store writes it and not before
 * `since`, of an order, at one of the destinations asked for, within DynamoDB's key sizes – with at least one status
 * still open. Anything else would be refused by DynamoDB (a 500) or resume where this listing never stood.
 */
export function unsettledCursorProblem(cursor: unknown, query: Omit<UnsettledQuery, 'cursor' | 'limit'>): string | undefined {
  if (!isPlainObject(cursor) || !Object.keys(cursor).length) return 'is not a cursor of this listing';
  if (query.statuses.every((status) => cursor[status] === null)) return 'is not a cursor of this listing: nothing is left to read';
  for (const [status, key] of Object.entries(cursor)) {
    if (!(query.statuses as readonly string[]).includes(status)) return 'is not a cursor of this listing: it reads another status';
    const problem = key === null ? undefined : keyProblem(key, status, query);
    if (problem) return `is not a cursor of this listing: ${problem}`;
  }
  return undefined;
}

const KEY_NAMES = /* @__PURE__ */ ['pk', 'sk', UNSETTLED_INDEX.partitionKey, UNSETTLED_INDEX.sortKey].sort().join();

function keyProblem(key: unknown, status: string, query: Omit<UnsettledQuery, 'cursor' | 'limit'>): string | undefined {
  if (!isPlainObject(key) || Object.keys(key).sort().join() !== KEY_NAMES) return 'a position is not an index key';
  if (!Object.values(key).every((value) => typeof value === 'string' && value.isWellFormed())) return 'a position is not an index key';
  const { pk, sk, [UNSETTLED_INDEX.partitionKey]: partition, [UNSETTLED_INDEX.sortKey]: at } = key as Record<string, string>;
  if (partition !== status) return 'a position lies in another status';
  const orderId = pk!.slice(orderPk('').length);
  if (!pk!.startsWith(orderPk('')) || !orderId || Buffer.byteLength(pk!) > MAX_PARTITION_KEY_BYTES) return 'a position names no order';
  const destination = sk!.slice(DELIVERY_PREFIX.length);
  if (!sk!.startsWith(DELIVERY_PREFIX) || !destination || Buffer.byteLength(sk!) > MAX_SORT_KEY_BYTES) return 'a position names no delivery';
  if (query.destinations && !query.destinations.includes(destination)) return 'a position lies at another destination';
  if (!INDEX_TIME.test(at!) || Number.isNaN(Date.parse(at!)) || new Date(at!).toISOString() !== at) return 'a position is not a time of this listing';
  if (query.since && at! < query.since) return 'a position lies before since';
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  startKey: UnsettledKey | undefined,
  query: UnsettledQuery,
): Promise<{ items: Item[]; exhausted: boolean }> {
  const items: Item[] = [];
  let exclusiveStartKey: Item | undefined = startKey ? { ...startKey } : undefined;
  const names: Record<string, string> = { '#status': UNSETTLED_INDEX.partitionKey, '#at': UNSETTLED_INDEX.sortKey };
  const values: Item = { ':status': status };
  if (query.since) values[':since'] = query.since;
  const destinations = query.destinations ?? [];
  destinations.forEach((destination, i) => (values[`:d${i}`] = destination));
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: UNSETTLED_INDEX.indexName,
        KeyConditionExpression: query.since ? '#status = :status AND #at >= :since' : '#status = :status',
        ...(destinations.length ? { FilterExpression: `destination IN (${destinations.map((_, i) => `:d${i}`).join(', ')})` } : {}),
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
function indexKey(item: Item): UnsettledKey {
  return {
    pk: String(item.pk),
    sk: String(item.sk),
    [UNSETTLED_INDEX.partitionKey]: item[UNSETTLED_INDEX.partitionKey] as UnsettledStatus,
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
