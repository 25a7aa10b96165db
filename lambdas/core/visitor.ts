import * as z from 'zod';

/** The visitor keys a shop can hand us, and the short tag each has in storage keys. */
export const VISITOR_KEY_KINDS = { sessionId: 's', userId: 'u', basketId: 'b' } as const;
export type VisitorKeyKind = keyof typeof VISITOR_KEY_KINDS;

const keyValue = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

export const visitorSchema = z.strictObject({
  sessionId: keyValue.optional(),
  userId: keyValue.optional(),
  basketId: keyValue.optional(),
});
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
  return visitorSchema.refine((v) => visitorKeys(v).length >= min, {
    message: min === 1 ? 'at least one of sessionId, userId, basketId is required' : `at least ${min} of sessionId, userId, basketId are required`,
  });
}
