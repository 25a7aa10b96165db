import { MAX_VISIBILITY_SECONDS } from '../store/delivery-queues';

/**
 * Delay before the next attempt after `attempt` failures: exponential from `baseSeconds` with "equal jitter"
 * (half fixed, half random) so that a vendor outage does not end in a synchronised stampede; a vendor's
 * Retry-After is honoured when it asks for longer. Capped at SQS's longest visibility timeout.
 */
export function retryDelaySeconds(attempt: number, baseSeconds: number, random: () => number, retryAfterSeconds?: number): number {
  const exponential = baseSeconds * 2 ** Math.max(0, attempt - 1);
  const jittered = exponential / 2 + (random() * exponential) / 2;
  const delay = Math.max(jittered, retryAfterSeconds ?? 0);
  return Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(delay));
}

/** The longest a message can take from first attempt to dead-letter queue, ignoring jitter and Retry-After. */
export function retryWindowSeconds(maxAttempts: number, baseSeconds: number): number {
  let total = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt++) total += Math.min(MAX_VISIBILITY_SECONDS, baseSeconds * 2 ** (attempt - 1));
  return total;
}
