import * as z from 'zod/mini';
import { lazy } from '../core/lazy';

/**
 * How much of a destination's delivery runs at once, and how fast: keys of a vendor's or postback's entry, beside
 * `paused` (a postback's cancellation calls, `<postback>-cancel`, use their postback's). Every key is optional; what
 * an absent key means is in DESTINATION_CAPACITY_DEFAULTS.
 */
export interface CapacitySetting {
  /** At most this many sender invocations at once: the event source's maximum concurrency (Lambda's bounds, 2–1000). */
  concurrency?: number;
  /** Messages per sender invocation, 1–10; a sender works on a batch's messages at once. */
  batchSize?: number;
  /** At most this many vendor calls per second, over all of the destination's senders together (see callIntervalMs). */
  ratePerSecond?: number;
  /** At most this many calls of one message at once (Raptor: one call per order line). */
  parallelCalls?: number;
}

/** A destination's capacity with the defaults filled in: what the stack deploys and its sender runs with. */
export interface DestinationCapacity {
  concurrency: number;
  batchSize: number;
  ratePerSecond?: number;
  parallelCalls: number;
}

/** Lambda's bounds of an SQS event source's maximum concurrency. */
export const CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;
/** Messages per invocation: at most SQS's ten per receive, so that a batch never waits for a batching window to fill. */
export const BATCH_SIZE_RANGE = { min: 1, max: 10 } as const;
/** Calls of one message at once. */
export const PARALLEL_CALLS_RANGE = { min: 1, max: 10 } as const;

/**
 * Without a key: 3 invocations of 10 messages (chosen by measurement, docs/PERFORMANCE.md "Sender batch size…"), no
 * rate limit, and up to 4 calls of one message at once (a 5-line Raptor order in two round trips instead of five).
 */
export const DESTINATION_CAPACITY_DEFAULTS = { concurrency: 3, batchSize: 10, parallelCalls: 4 } as const;

/**
 * Of the sender's 60 s, the time a paced batch may take: its messages' calls spaced callIntervalMs apart must fit
 * in it, leaving the rest to the calls themselves and to the writes around them.
 */
export const PACING_BUDGET_SECONDS = 30;

export const CAPACITY_KEYS = ['concurrency', 'batchSize', 'ratePerSecond', 'parallelCalls'] as const satisfies ReadonlyArray<keyof CapacitySetting>;

/** The capacity keys of a destination's entry, validated together (the rate and the batch must fit the pacing budget). */
export const capacitySettingSchema = /* @__PURE__ */ lazy(() =>
  z
    .strictObject({
      concurrency: z.optional(
        z
          .number({ error: 'must be a number' })
          .check(
            z.int('must be a whole number'),
            z.gte(CONCURRENCY_RANGE.min, `must be at least ${CONCURRENCY_RANGE.min}, Lambda's lowest maximum concurrency of an SQS event source`),
            z.lte(CONCURRENCY_RANGE.max, `must be at most ${CONCURRENCY_RANGE.max}, Lambda's highest maximum concurrency of an SQS event source`),
          ),
      ),
      batchSize: z.optional(
        z
          .number({ error: 'must be a number' })
          .check(
            z.int('must be a whole number'),
            z.gte(BATCH_SIZE_RANGE.min, `must be at least ${BATCH_SIZE_RANGE.min}`),
            z.lte(BATCH_SIZE_RANGE.max, `must be at most ${BATCH_SIZE_RANGE.max}: a sender works on a batch's messages at once`),
          ),
      ),
      ratePerSecond: z.optional(z.number({ error: 'must be a number' }).check(z.positive('must be above 0'), z.lte(10_000, 'must be at most 10000'))),
      parallelCalls: z.optional(
        z
          .number({ error: 'must be a number' })
          .check(
            z.int('must be a whole number'),
            z.gte(PARALLEL_CALLS_RANGE.min, `must be at least ${PARALLEL_CALLS_RANGE.min}`),
            z.lte(PARALLEL_CALLS_RANGE.max, `must be at most ${PARALLEL_CALLS_RANGE.max}`),
          ),
      ),
    })
    .check(
      z.superRefine((setting, ctx) => {
        if (setting.ratePerSecond === undefined || !(setting.ratePerSecond > 0)) return;
        const concurrency = setting.concurrency ?? DESTINATION_CAPACITY_DEFAULTS.concurrency;
        const intervalSeconds = concurrency / setting.ratePerSecond;
        if (intervalSeconds > PACING_BUDGET_SECONDS) {
          ctx.addIssue({
            code: 'custom',
            path: ['ratePerSecond'],
            message:
              `must be at least ${round(concurrency / PACING_BUDGET_SECONDS)} with concurrency ${concurrency}: each of the ${concurrency} senders ` +
              `would wait ${round(intervalSeconds)} s between two calls, more than the ${PACING_BUDGET_SECONDS} s a batch may take (lower concurrency)`,
          });
          return;
        }
        if (setting.batchSize !== undefined && setting.batchSize * intervalSeconds > PACING_BUDGET_SECONDS) {
          ctx.addIssue({
            code: 'custom',
            path: ['batchSize'],
            message:
              `must be at most ${Math.floor(PACING_BUDGET_SECONDS / intervalSeconds)} with ratePerSecond ${setting.ratePerSecond} and concurrency ${concurrency}: ` +
              `a batch's calls, ${round(intervalSeconds)} s apart, must fit in ${PACING_BUDGET_SECONDS} s (or leave batchSize out to have it chosen)`,
          });
        }
      }),
    ),
);

/**
 * A destination's capacity from its entry (a vendor's or postback's configuration, which carries the keys beside its
 * own). With a rate and no batch size, the batch is the largest whose paced calls fit in PACING_BUDGET_SECONDS.
 */
export function capacityOf(entry: unknown): DestinationCapacity {
  const given = (entry !== null && typeof entry === 'object' ? entry : {}) as CapacitySetting;
  const concurrency = given.concurrency ?? DESTINATION_CAPACITY_DEFAULTS.concurrency;
  const fitting =
    given.ratePerSecond === undefined
      ? DESTINATION_CAPACITY_DEFAULTS.batchSize
      : Math.max(BATCH_SIZE_RANGE.min, Math.min(DESTINATION_CAPACITY_DEFAULTS.batchSize, Math.floor((PACING_BUDGET_SECONDS * given.ratePerSecond) / concurrency)));
  return {
    concurrency,
    batchSize: given.batchSize ?? fitting,
    ...(given.ratePerSecond !== undefined ? { ratePerSecond: given.ratePerSecond } : {}),
    parallelCalls: given.parallelCalls ?? DESTINATION_CAPACITY_DEFAULTS.parallelCalls,
  };
}

/**
 * The spacing of one sender's vendor calls under `ratePerSecond`: `concurrency` senders, each one call per interval,
 * make at most `ratePerSecond` calls a second together. Undefined without a rate.
 */
export function callIntervalMs(capacity: Pick<DestinationCapacity, 'concurrency' | 'ratePerSecond'>): number | undefined {
  return capacity.ratePerSecond === undefined ? undefined : (capacity.concurrency * 1000) / capacity.ratePerSecond;
}

/** Lambda's bounds of a function's reserved concurrency (the account's own quota is checked by Lambda at deploy). */
export const RESERVED_CONCURRENCY_RANGE = { min: 1, max: 10_000 } as const;

const reservedConcurrency = (what: string) =>
  z
    .number({ error: 'must be a number' })
    .check(
      z.int('must be a whole number'),
      z.gte(RESERVED_CONCURRENCY_RANGE.min, `must be at least ${RESERVED_CONCURRENCY_RANGE.min}: 0 would ${what}`),
      z.lte(RESERVED_CONCURRENCY_RANGE.max, `must be at most ${RESERVED_CONCURRENCY_RANGE.max}`),
    );

/**
 * The API functions' share of the account's Lambda concurrency: the conversion and cancellation functions keep a
 * reserve a capture storm cannot take, and capture is held to a ceiling. Each is a reserved concurrency on its
 * function, taken from the account's unreserved pool (docs/INFRASTRUCTURE.md, "Capacity"). Absent: none reserved.
 */
export const capacitySchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    conversion: z.optional(z.strictObject({ reservedConcurrency: reservedConcurrency('refuse every order') })),
    cancellation: z.optional(z.strictObject({ reservedConcurrency: reservedConcurrency('refuse every cancellation') })),
    capture: z.optional(z.strictObject({ maxConcurrency: reservedConcurrency('refuse every click') })),
  }),
);

export type CapacitySettings = z.infer<ReturnType<typeof capacitySchema>>;

/** The reserved concurrency of each API function that has one: conversion, cancellation (reserves), capture (its ceiling). */
export function reservedConcurrencyOf(capacity: CapacitySettings | undefined): { conversion?: number; cancellation?: number; capture?: number } {
  return {
    ...(capacity?.conversion ? { conversion: capacity.conversion.reservedConcurrency } : {}),
    ...(capacity?.cancellation ? { cancellation: capacity.cancellation.reservedConcurrency } : {}),
    ...(capacity?.capture ? { capture: capacity.capture.maxConcurrency } : {}),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
