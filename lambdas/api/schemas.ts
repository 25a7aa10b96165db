import * as z from 'zod';
import { parseDateOrDateTime } from '../core/time';

/** Pieces shared by the request schemas of several routes (SPEC §2). Each route's own schema lives beside its handler. */

const MAX_AMOUNT = 1e12;
const identifierName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be a simple name');
const boundedRecord = <V extends z.ZodType>(value: V, max: number) =>
  z.record(identifierName, value).refine((r) => Object.keys(r).length <= max, `at most ${max} entries`);

export const isoTimestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp, e.g. 2026-11-21T10:00:00Z' });

/**
 * A date or date-time a caller filters by (`since`), as an ISO string in UTC. A day its month does not have
 * (`2026-02-30`) is refused, never rolled over into the next month (`parseDateOrDateTime`).
 */
export const dateOrDateTime = z.string().transform((value, ctx) => {
  const at = parseDateOrDateTime(value);
  if (at) return at.toISOString();
  ctx.addIssue({ code: 'custom', message: 'must be a date (2026-11-01) or an ISO 8601 date-time, on a day the calendar has' });
  return z.NEVER;
});

export const consentSchema = z.strictObject({ tracking: z.boolean() });

/** Ids the shop keeps in its own cookies, by vendor: `{"raptor": {"coid": "…"}}`. */
export const identifiersSchema = boundedRecord(boundedRecord(z.string().max(2048), 20), 20);

export const amount = z.number().min(0, 'must be ≥ 0').max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);

export const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
