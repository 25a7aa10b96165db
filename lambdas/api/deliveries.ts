import * as z from 'zod';
import { UNSETTLED_INDEX } from '../contract/shape';
import { destinationsOf } from '../config/destinations';
import { ValidationError, FieldIssue } from '../core/errors';
import { UNSETTLED_STATUSES, UnsettledCursor, UnsettledStatus } from '../store/tracking-store';
import type { ApiDeps } from './deps';
import { ApiHandler, jsonResponse, route } from './http';
import { dateOrDateTime } from './schemas';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;
const PARAMETERS = ['status', 'vendor', 'since', 'limit', 'next'] as const;

/**
 * GET /v1/deliveries?status=&vendor=&since=&limit=&next=: deliveries that are not `sent`, newest first, from the
 * sparse index of unsettled deliveries. Every parameter is checked; a bad one is a 400 naming it, and an unknown
 * one too (a typo must not silently widen the listing).
 */
export function createDeliveriesHandler(deps: Pick<ApiDeps, 'config' | 'store' | 'apiKeys' | 'logger'>): ApiHandler {
  const vendors = destinationsOf(deps.config).map((d) => d.id);
  const schema = querySchema(vendors);
  return route({ logger: deps.logger, apiKeys: deps.apiKeys, body: false }, async ({ event }) => {
    const raw = event.queryStringParameters ?? {};
    const unknown = Object.keys(raw).filter((name) => !(PARAMETERS as readonly string[]).includes(name));
    const issues: FieldIssue[] = unknown.map((field) => ({ field, message: `unknown parameter; expected one of ${PARAMETERS.join(', ')}` }));
    const parsed = schema.safeParse(Object.fromEntries(Object.entries(raw).filter(([name]) => !unknown.includes(name))));
    if (!parsed.success) {
      issues.push(...parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? '(query)'), message: issue.message })));
    }
    if (issues.length || !parsed.success) throw new ValidationError(`Invalid request: ${issues.map((i) => i.field).join(', ')}`, issues);
    const query = parsed.data;
    const statuses = query.status ?? [...UNSETTLED_STATUSES];
    const filter = JSON.stringify([statuses, query.vendor ?? null, query.since ?? null]);
    const cursor = query.next === undefined ? undefined : decodeCursor(query.next, filter, statuses);
    const page = await deps.store.listUnsettled({
      statuses,
      ...(query.vendor ? { vendor: query.vendor } : {}),
      ...(query.since ? { since: query.since } : {}),
      limit: query.limit ?? DEFAULT_LIMIT,
      ...(cursor ? { cursor } : {}),
    });
    return jsonResponse(200, { deliveries: page.deliveries, ...(page.cursor ? { next: encodeCursor(page.cursor, filter) } : {}) });
  });
}

function querySchema(vendors: string[]) {
  return z.object({
    status: z
      .string()
      .transform((value) => [...new Set(value.split(','))])
      .pipe(z.array(z.enum(UNSETTLED_STATUSES, { error: `must be one or more of ${UNSETTLED_STATUSES.join(', ')}, comma-separated` })))
      .optional(),
    vendor: z
      .string()
      .refine((v) => vendors.includes(v), { error: `must be a configured destination: ${vendors.join(', ') || '(none)'}` })
      .optional(),
    since: dateOrDateTime.optional(),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, `must be an integer from 1 to ${MAX_LIMIT}`)
      .transform(Number)
      .refine((n) => n >= 1 && n <= MAX_LIMIT, { error: `must be an integer from 1 to ${MAX_LIMIT}` })
      .optional(),
    next: z.string().max(4096, 'is not a cursor of this listing').optional(),
  });
}

export function encodeCursor(cursor: UnsettledCursor, filter: string): string {
  return Buffer.from(JSON.stringify({ f: filter, c: cursor }), 'utf8').toString('base64url');
}

const keySchema = z.strictObject({
  pk: z.string().startsWith('ORDER#'),
  sk: z.string().startsWith('DELIVERY#'),
  [UNSETTLED_INDEX.partitionKey]: z.enum(UNSETTLED_STATUSES),
  [UNSETTLED_INDEX.sortKey]: z.string().max(40),
});

/** The cursor of a previous page of the same listing (same filters); anything else is a 400 naming `next`. */
export function decodeCursor(value: string, filter: string, statuses: readonly UnsettledStatus[]): UnsettledCursor {
  const invalid = (why: string) =>
    new ValidationError('Invalid request: next', [{ field: 'next', message: `${why}; pass the "next" of the previous page unchanged, with the same filters` }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor of this listing');
  }
  const shape = z.strictObject({ f: z.string(), c: z.partialRecord(z.enum(UNSETTLED_STATUSES), keySchema.nullable()) }).safeParse(decoded);
  if (!shape.success) throw invalid('is not a cursor of this listing');
  if (shape.data.f !== filter) throw invalid('belongs to a listing with other filters');
  const cursor = shape.data.c as UnsettledCursor;
  for (const [status, key] of Object.entries(cursor)) {
    if (!statuses.includes(status as UnsettledStatus) || (key && key[UNSETTLED_INDEX.partitionKey] !== status)) {
      throw invalid('is not a cursor of this listing');
    }
  }
  return cursor;
}
