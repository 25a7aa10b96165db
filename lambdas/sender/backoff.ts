/**
 * When a delivery is tried again, and when it is given up: the one policy the sender follows, the schedule
 * docs/RELIABILITY.md prints (generated from `retrySchedule`, so the two cannot drift) and the settings are checked
 * against.
 *
 * A delivery is retried until its horizon `retryFor` has passed since its first attempt **and** it has made
 * `maxAttempts` attempts; then it is dead-lettered. Between two attempts it waits an exponential backoff with jitter,
 * capped at `maxRetryDelay` – at most 15 minutes, SQS's longest message delay, because a retry waits as a delayed
 * copy of its message (DelaySeconds), never as an in-flight one (lambdas/store/delivery-queues.ts).
 */
import type { DeliverySettings } from '../config/schema';
import { durationSeconds } from '../core/duration';
import { MAX_DELAY_SECONDS } from '../store/delivery-queues';

export interface RetryPolicy {
  /** The fewest attempts before a delivery may be dead-lettered. */
  maxAttempts: number;
  /** The first wait; each further one doubles it, with jitter. */
  baseSeconds: number;
  /** The longest wait between two attempts, at most MAX_DELAY_SECONDS. */
  maxDelaySeconds: number;
  /** How long after its first attempt a delivery is still retried. */
  retryForSeconds: number;
}

export function retryPolicyOf(delivery: Pick<DeliverySettings, 'maxAttempts' | 'retryBaseSeconds' | 'retryFor' | 'maxRetryDelay'>): RetryPolicy {
  return {
    maxAttempts: delivery.maxAttempts,
    baseSeconds: delivery.retryBaseSeconds,
    maxDelaySeconds: Math.min(MAX_DELAY_SECONDS, durationSeconds(delivery.maxRetryDelay)),
    retryForSeconds: durationSeconds(delivery.retryFor),
  };
}

/**
 * Delay before the next attempt after `attempt` failures: exponential from `baseSeconds`, capped at
 * `maxDelaySeconds`, with "equal jitter" (half fixed, half random) so that a vendor outage does not end in a
 * synchronised stampede. A vendor's Retry-After is honoured when it asks for longer, up to the same cap. Whole
 * seconds, as SQS counts them.
 */
export function retryDelaySeconds(
  attempt: number,
  baseSeconds: number,
  random: () => number,
  retryAfterSeconds?: number,
  maxDelaySeconds: number = MAX_DELAY_SECONDS,
): number {
  const exponential = Math.min(maxDelaySeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  const delay = Math.max(jittered, retryAfterSeconds ?? 0);
  return Math.min(maxDelaySeconds, Math.ceil(delay));
}

export type RetryStep = { kind: 'retry'; delaySeconds: number } | { kind: 'dead-letter' };

/**
 * What follows a failed attempt – the `attempt`-th, `elapsedSeconds` after the first attempt: another one after a
 * delay, or the dead-letter queue once both the horizon and the attempts are spent.
 */
export function afterFailure(policy: RetryPolicy, attempt: number, elapsedSeconds: number, random: () => number, retryAfterSeconds?: number): RetryStep {
  if (attempt >= policy.maxAttempts && elapsedSeconds >= policy.retryForSeconds) return { kind: 'dead-letter' };
  return { kind: 'retry', delaySeconds: retryDelaySeconds(attempt, policy.baseSeconds, random, retryAfterSeconds, policy.maxDelaySeconds) };
}

export interface ScheduledAttempt {
  attempt: number;
  /** Seconds after the first attempt. */
  atSeconds: number;
  /** The wait before the next attempt; absent on the last, after which the delivery is dead-lettered. */
  delaySeconds?: number;
}

/** Far more attempts than any valid setting allows (13 days at one per second); a schedule never gets there. */
const SCHEDULE_LIMIT = 13 * 86_400 + 1000;

/**
 * The attempts of a delivery whose every attempt fails, with the jitter `random` draws (`() => 0`: the shortest
 * waits, `() => 1`: the longest) and no time spent in the calls themselves. The last entry is the attempt after
 * which the delivery is dead-lettered.
 */
export function retrySchedule(policy: RetryPolicy, random: () => number): ScheduledAttempt[] {
  const attempts: ScheduledAttempt[] = [];
  let at = 0;
  for (let attempt = 1; attempt <= SCHEDULE_LIMIT; attempt++) {
    const step = afterFailure(policy, attempt, at, random);
    if (step.kind === 'dead-letter') {
      attempts.push({ attempt, atSeconds: at });
      return attempts;
    }
    attempts.push({ attempt, atSeconds: at, delaySeconds: step.delaySeconds });
    at += step.delaySeconds;
  }
  throw new Error('retry schedule without an end: a horizon with a backoff base of 0 never passes');
}
