import type * as z from 'zod/mini';
import { lazy } from './lazy';
import { zod } from './zod-mini';

/** The visitor keys a shop can hand us, and the short tag each has in storage keys. */
export const VISITOR_KEY_KINDS = { sessionId: 's', userId: 'u', basketId: 'b' } as const;
export type VisitorKeyKind = keyof typeof VISITOR_KEY_KINDS;

/**
 * A visitor key becomes part of DynamoDB keys (`VIS#s#<value>`, and `LINK#s#<value>` as a sort key, which DynamoDB
 * caps at 1,024 bytes), so its length is bounded in UTF-8 bytes too: 256 characters of 4-byte UTF-8 (emoji) would
 * not fit. 1,000 bytes leave room for every prefix (store/keys.ts; test/unit/keys.test.ts checks each key).
 */
export const MAX_VISITOR_KEY_BYTES = 1000;

/**
 * Built on first use: capture and identify check the common visitor without zod (api/schemas.ts, commonVisitor), and
 * the status route, which reaches this module for VISITOR_KEY_KINDS, never builds it.
 */
const builtVisitorSchema = /* @__PURE__ */ lazy(() => {
  const z = zod();
  const keyValue = z
    .string()
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(256, 'must be at most 256 characters'),
      z.refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_VISITOR_KEY_BYTES, `must be at most ${MAX_VISITOR_KEY_BYTES} bytes in UTF-8`),
    );
  return z.strictObject({
    sessionId: z.optional(keyValue),
    userId: z.optional(keyValue),
    basketId: z.optional(keyValue),
  });
});

export const visitorSchema = /* @__PURE__ */ builtVisitorSchema();
export type Visitor = z.infer<typeof visitorSchema>;

export interface VisitorKey {
  kind: VisitorKeyKind;
  value: string;
}

export function visitorKeys(visitor: Visitor): VisitorKey[] {
  const keys: VisitorKey[] = [];
  for (const kind of Object.keys(VISITOR_KEY_KINDS) as VisitorKeyKind[]) {
    const value = visitor[kind];
    if (value !== undefined) keys.push({ kind, value });
  }
  return keys;
}

/** A visitor object with at least `min` keys. */
export function visitorWithAtLeast(min: number) {
  return builtVisitorSchema().check(
    zod().refine((v) => visitorKeys(v).length >= min, {
      message: min === 1 ? 'at least one of sessionId, userId, basketId is required' : `at least ${min} of sessionId, userId, basketId are required`,
    }),
  );
}
