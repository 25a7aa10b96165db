/**
 * Fault: the vendor flaps – every other call fails with 500 – while N conversions arrive. Most deliveries get
 * through on a retry; those unlucky enough to draw failures on every attempt are dead-lettered, and are delivered
 * after the vendor settles and both dead-letter queues are redriven. Every order reaches every vendor exactly once.
 */
import { runVendorFault } from './vendor-fault';

jest.setTimeout(150_000);

it('delivers every order exactly once to every vendor through retries, then recovery and redrive', async () => {
  const row = await runVendorFault({
    rank: 2,
    fault: 'flapping',
    description: 'vendor flapping (every other call 500)',
    mode: { kind: 'flapping' },
    // Backoff from 1 s: retries of a flapping vendor spread out instead of arriving in lockstep.
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 1, timeoutMs: 5000 },
    deadLetters: 'some or none',
  });
  // Half the calls during the fault failed, so many deliveries needed more than one attempt.
  expect(row.maxAttempts).toBeGreaterThan(1);
});
