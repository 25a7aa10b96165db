import type * as z from 'zod/mini';
import { ValidationError } from '../core/errors';
import { lazy } from '../core/lazy';
import { parseDateOrDateTime } from '../core/time';
import { MAX_VISITOR_KEY_BYTES, Visitor } from '../core/visitor';
import { zod } from '../core/zod-mini';

/**
 * Pieces shared by the request schemas of several routes (SPEC §2). Each route's own schema lives beside its handler.
 * Each is built on first use: capture and identify answer the common body without any schema (commonCapture,
 * commonIdentify), and the status route, which only reads `orderIdParam` here, bundles no zod at all.
 */

const MAX_AMOUNT = 1e12;
const identifierName = /* @__PURE__ */ lazy(() => zod().string().check(zod().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be a simple name')));
const boundedRecord = <V extends z.ZodMiniType>(value: V, max: number) =>
  zod().record(identifierName(), value).check(zod().refine((r) => Object.keys(r).length <= max, `at most ${max} entries`));

export const isoTimestamp = /* @__PURE__ */ lazy(() => zod().iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp, e.g. 2026-11-21T10:00:00Z' }));

/**
 * A date or date-time a caller filters by (`since`), as an ISO string in UTC. A day its month does not have
 * (`2026-02-30`) is refused, never rolled over into the next month (`parseDateOrDateTime`).
 */
export const dateOrDateTime = /* @__PURE__ */ lazy(() => {
  const z = zod();
  return z.pipe(
    z.string(),
    z.transform((value: string, ctx) => {
      const at = parseDateOrDateTime(value);
      if (at) return at.toISOString();
      ctx.issues.push({ code: 'custom', message: 'must be a date (2026-11-01) or an ISO 8601 date-time, on a day the calendar has', input: value });
      return z.NEVER;
    }),
  );
});

export const consentSchema = /* @__PURE__ */ lazy(() => zod().strictObject({ tracking: zod().boolean() }));

/** Ids the shop keeps in its own cookies, by vendor: `{"raptor": {"coid": "…"}}`. */
export const identifiersSchema = /* @__PURE__ */ lazy(() => boundedRecord(boundedRecord(zod().string().check(zod().maxLength(2048)), 20), 20));

export const amount = /* @__PURE__ */ lazy(() => zod().number().check(zod().gte(0, 'must be ≥ 0'), zod().lte(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)));

export const text = (max: number) => zod().string().check(zod().minLength(1, 'must not be empty'), zod().maxLength(max, `must be at most ${max} characters`));

/** The longest order id (SPEC §2): `orderId` in a body is `text(MAX_ORDER_ID)`. */
export const MAX_ORDER_ID = 128;

/** Characters as zod's length checks count them: code points, a surrogate pair one, a lone surrogate one too. */
function codePoints(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    if ((value.charCodeAt(i) & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/**
 * The `{orderId}` path parameter, checked as a named field so that an error names `orderId`, not the body, with the
 * messages `text(MAX_ORDER_ID)` gives (test/unit/order-id-param.test.ts holds them to the zod schema's).
 */
export function orderIdParam(value: string | undefined): string {
  const orderId = value ?? '';
  const tooLong = orderId.length > MAX_ORDER_ID && codePoints(orderId) > MAX_ORDER_ID;
  const message = orderId.length < 1 ? 'must not be empty' : tooLong ? `must be at most ${MAX_ORDER_ID} characters` : undefined;
  if (message !== undefined) throw new ValidationError('Invalid request: orderId', [{ field: 'orderId', message }]);
  return orderId;
}

/*
 * The common shapes of request bodies, checked without zod (lambdas/api/capture.ts, visitors.ts): each accepts only
 * what its zod schema accepts and returns what the schema would (same values, same key order), or undefined, which
 * leaves the body to the schema – whose messages the route answers with. Strings are measured in UTF-16 units, never
 * more than zod's code points, so a string these pass the schema passes too.
 */

type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const MAX_VISITOR_KEY_LENGTH = 256;
const VISITOR_FIELDS = ['sessionId', 'userId', 'basketId'] as const;

/** A visitor of `visitorWithAtLeast(min)`: only its three keys, each 1–256 characters and at most 1,000 bytes. */
export function commonVisitor(value: unknown, min: number): Visitor | undefined {
  if (!isObject(value)) return undefined;
  let count = 0;
  for (const key in value) {
    if (key !== 'sessionId' && key !== 'userId' && key !== 'basketId') return undefined;
    const id = value[key];
    if (typeof id !== 'string' || id.length < 1 || id.length > MAX_VISITOR_KEY_LENGTH) return undefined;
    // A character is at most 3 bytes in UTF-8 (4 for a surrogate pair, which is 2 characters): short keys need no count.
    if (id.length * 3 > MAX_VISITOR_KEY_BYTES && Buffer.byteLength(id, 'utf8') > MAX_VISITOR_KEY_BYTES) return undefined;
    count++;
  }
  if (count < min) return undefined;
  const visitor: Visitor = {};
  for (const field of VISITOR_FIELDS) if (field in value) visitor[field] = value[field] as string;
  return visitor;
}

/** `consentSchema`: `{"tracking": <boolean>}` and nothing else. */
export function commonConsent(value: unknown): { tracking: boolean } | undefined {
  if (!isObject(value) || typeof value.tracking !== 'boolean') return undefined;
  for (const key in value) if (key !== 'tracking') return undefined;
  return { tracking: value.tracking };
}
