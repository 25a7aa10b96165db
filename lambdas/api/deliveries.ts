import * as z from 'zod/mini';
import { cancelDestinationIdsOf, queuedDestinationIdsOf } from '../config/destination-ids';
import { ValidationError, FieldIssue } from '../core/errors';
import { UNSETTLED_STATUSES, UnsettledCursor, unsettledCursorProblem, UnsettledQuery, UnsettledStatus } from '../store/unsettled';
import type { ApiDeps, StoreWith } from './deps';
import { ApiHandler, jsonResponse, route } from './http';
import { lazy } from '../core/lazy';
import { parseDateOrDateTime } from '../core/time';
import { dateOrDateTime } from './schemas';
import '../core/zod-en';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;
/**
 * More than twice the longest cursor the listing answers (under 3,900 characters: three index keys of the longest
 * order id, each of its characters escaped by JSON); longer text is refused before it is decoded.
 */
export const MAX_CURSOR_LENGTH = 8192;
const PARAMETERS = ['status', 'vendor', 'since', 'limit', 'next'] as const;

const STATUS_MESSAGE = `must be one or more of ${UNSETTLED_STATUSES.join(', ')}, comma-separated`;
/** Why `status=queued` is refused rather than answered with an empty page. */
const QUEUED_MESSAGE =
  `${STATUS_MESSAGE}: the listing holds the deliveries whose last recorded outcome was not sent; a queued delivery ` +
  '(not yet claimed, or in flight) has no outcome yet, so it is not listed – GET /v1/conversions/{orderId} shows it';

/**
 * GET /v1/deliveries?status=&vendor=&since=&limit=&next=: the deliveries that are not `sent` and have an outcome
 * (`retrying`, `failed`, `dead-lettered`), newest first, from the sparse index of unsettled deliveries. Every
 * parameter is checked; a bad one is a 400 naming it, and an unknown one too (a typo must not silently widen the
 * listing). `vendor` is any destination the listing can return: a postback's id lists its sales and its cancellation
 * calls, `<postback>-cancel` the cancellation calls alone.
 */
export function createDeliveriesHandler(deps: Pick<ApiDeps, 'config' | 'apiKeys' | 'logger'> & StoreWith<'listUnsettled'>): ApiHandler {
  const vendors = queuedDestinationIdsOf(deps.config);
  const cancellations = new Set(cancelDestinationIdsOf(deps.config));
  const destinationsOfVendor = (vendor: string): string[] => [vendor, ...[`${vendor}-cancel`].filter((id) => cancellations.has(id))];
  // Built on first use: a well-formed query (commonQuery) never needs it.
  const schema = lazy(() => querySchema(vendors));
  return route({ logger: deps.logger, apiKeys: deps.apiKeys, body: false }, async ({ event }) => {
    const raw = event.queryStringParameters ?? {};
    const unknown = Object.keys(raw).filter((name) => !(PARAMETERS as readonly string[]).includes(name));
    const known = Object.fromEntries(Object.entries(raw).filter(([name]) => !unknown.includes(name)));
    const query = (unknown.length ? undefined : commonQuery(known, vendors)) ?? parseQuery(schema(), known, unknown);
    const listing: Omit<UnsettledQuery, 'cursor' | 'limit'> = {
      statuses: query.status ?? [...UNSETTLED_STATUSES],
      ...(query.vendor ? { destinations: destinationsOfVendor(query.vendor) } : {}),
      ...(query.since ? { since: query.since } : {}),
    };
    const filter = JSON.stringify([listing.statuses, query.vendor ?? null, query.since ?? null]);
    const cursor = query.next === undefined ? undefined : decodeCursor(query.next, filter, listing);
    const page = await deps.store.listUnsettled({ ...listing, limit: query.limit ?? DEFAULT_LIMIT, ...(cursor ? { cursor } : {}) });
    return jsonResponse(200, { deliveries: page.deliveries, ...(page.cursor ? { next: encodeCursor(page.cursor, filter) } : {}) });
  });
}

/** The query's parameters checked by the schema, which names every bad one (an unknown one too) in a 400. */
function parseQuery(schema: ReturnType<typeof querySchema>, known: Record<string, string | undefined>, unknown: string[]): DeliveriesQuery {
  const issues: FieldIssue[] = unknown.map((field) => ({ field, message: `unknown parameter; expected one of ${PARAMETERS.join(', ')}` }));
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    issues.push(...parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? '(query)'), message: issue.message })));
  }
  if (issues.length || !parsed.success) throw new ValidationError(`Invalid request: ${issues.map((i) => i.field).join(', ')}`, issues);
  return parsed.data;
}

export type DeliveriesQuery = z.output<ReturnType<typeof querySchema>>;

/**
 * A query whose every parameter is well formed, read without zod: what `querySchema` returns for it (same values),
 * or undefined for anything else, which the schema then judges and names. Per request this is a few comparisons,
 * and the schema need not be built at all. test/unit/deliveries-query.test.ts compares the two.
 */
export function commonQuery(params: Record<string, string | undefined>, vendors: readonly string[]): DeliveriesQuery | undefined {
  const query: DeliveriesQuery = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string') return undefined;
    if (name === 'status') {
      const statuses = [...new Set(value.split(','))];
      if (!statuses.every((s) => (UNSETTLED_STATUSES as readonly string[]).includes(s))) return undefined;
      query.status = statuses as UnsettledStatus[];
    } else if (name === 'vendor') {
      if (!vendors.includes(value)) return undefined;
      query.vendor = value;
    } else if (name === 'since') {
      const at = parseDateOrDateTime(value);
      if (!at) return undefined;
      query.since = at.toISOString();
    } else if (name === 'limit') {
      const limit = Number(value);
      if (!/^\d{1,3}$/.test(value) || limit < 1 || limit > MAX_LIMIT) return undefined;
      query.limit = limit;
    } else if (name === 'next') {
      query.next = value;
    } else {
      return undefined;
    }
  }
  return query;
}

/** Exported for test/unit/deliveries-query.test.ts, which holds commonQuery to it. */
export function querySchema(vendors: readonly string[]) {
  return z.object({
    status: z.optional(
      z.pipe(
        z.string(),
        z.transform((value: string, ctx) => {
          const statuses = [...new Set(value.split(','))];
          const wrong = statuses.filter((s) => !(UNSETTLED_STATUSES as readonly string[]).includes(s));
          if (!wrong.length) return statuses as UnsettledStatus[];
          ctx.issues.push({ code: 'custom', input: value, message: wrong.includes('queued') ? QUEUED_MESSAGE : STATUS_MESSAGE });
          return z.NEVER;
        }),
      ),
    ),
    vendor: z.optional(z.string().check(z.refine((v) => vendors.includes(v), { error: `must be a configured destination: ${vendors.join(', ') || '(none)'}` }))),
    since: z.optional(dateOrDateTime()),
    limit: z.optional(
      z
        .pipe(z.string().check(z.regex(/^\d{1,3}$/, `must be an integer from 1 to ${MAX_LIMIT}`)), z.transform(Number))
        .check(z.refine((n) => n >= 1 && n <= MAX_LIMIT, { error: `must be an integer from 1 to ${MAX_LIMIT}` })),
    ),
    next: z.optional(z.string()),
  });
}

export function encodeCursor(cursor: UnsettledCursor, filter: string): string {
  return Buffer.from(JSON.stringify({ f: filter, c: cursor }), 'utf8').toString('base64url');
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The cursor of a previous page of the same listing (same filters), checked field by field against the query it
 * continues (unsettledCursorProblem); anything else is a 400 naming `next`, never a start key DynamoDB refuses.
 */
export function decodeCursor(value: string, filter: string, query: Omit<UnsettledQuery, 'cursor' | 'limit'>): UnsettledCursor {
  const invalid = (why: string) =>
    new ValidationError('Invalid request: next', [{ field: 'next', message: `${why}; pass the "next" of the previous page unchanged, with the same filters` }]);
  if (value.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) throw invalid('is not a cursor of this listing');
  let decoded: unknown;
  try {
    decoded = JSON.parse(UTF8.decode(Buffer.from(value, 'base64url')));
  } catch {
    throw invalid('is not a cursor of this listing');
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded) || Object.keys(decoded).sort().join() !== 'c,f') {
    throw invalid('is not a cursor of this listing');
  }
  const { f, c } = decoded as { f: unknown; c: unknown };
  if (typeof f !== 'string') throw invalid('is not a cursor of this listing');
  if (f !== filter) throw invalid('belongs to a listing with other filters');
  const problem = unsettledCursorProblem(c, query);
  if (problem) throw invalid(problem);
  return c as UnsettledCursor;
}
