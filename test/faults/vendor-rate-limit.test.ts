/**
 * Fault: the vendor rate-limits – its first K calls answer 429 with `Retry-After: 1`. The senders wait at least
 * that long before each retry (the configured backoff base is 0, so any wait comes from the header); deliveries
 * refused on every attempt are dead-lettered and delivered after the redrive. Every order reaches every vendor
 * exactly once.
 */
import type { ReceivedCall } from '../support/vendor-double';
import { N, VENDORS } from './harness';
import { runVendorFault } from './vendor-fault';

jest.setTimeout(150_000);

/** About two and a half attempts per delivery: most get through on a retry, some run out of attempts. */
const LIMITED_CALLS = Math.round(N * VENDORS.length * 2.5);
/** Retry-After is in whole seconds and SQS visibility too; the poll that picks the message up can only be later. */
const MIN_GAP_MS = 950;

it('honours Retry-After and delivers every order exactly once to every vendor after the redrive', async () => {
  const row = await runVendorFault({
    rank: 6,
    fault: 'rate-limit',
    description: `vendor rate-limiting (429, Retry-After: 1, first ${LIMITED_CALLS} calls)`,
    mode: { kind: 'rate-limit', calls: LIMITED_CALLS, retryAfterSeconds: 1 },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 5000 },
    deadLetters: 'some or none',
    check: (double) => {
      const byDelivery = new Map<string, ReceivedCall[]>();
      for (const call of double.calls) {
        const url = new URL(call.url, 'http://vendor.invalid');
        const key = `${url.pathname} ${url.searchParams.get('orderId') ?? url.searchParams.get('tid')}`;
        byDelivery.set(key, [...(byDelivery.get(key) ?? []), call]);
      }
      const tooSoon: string[] = [];
      let limitedRetries = 0;
      for (const [key, calls] of byDelivery) {
        for (let i = 1; i < calls.length; i++) {
          if (calls[i - 1]!.answered !== 429) continue;
          limitedRetries++;
          const gap = calls[i]!.receivedAt! - calls[i - 1]!.receivedAt!;
          if (gap < MIN_GAP_MS) tooSoon.push(`${key}: retried ${gap} ms after a 429`);
        }
      }
      expect(tooSoon).toEqual([]);
      expect(limitedRetries).toBeGreaterThan(0);
      expect(double.calls.filter((c) => c.answered === 429)).toHaveLength(LIMITED_CALLS);
    },
  });
  expect(row.maxAttempts).toBeGreaterThan(1);
});
