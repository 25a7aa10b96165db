/**
 * Fault: the vendor is slow – it answers 200, but only after 3 s, beyond the sender's 1 s timeout. Every call times
 * out after its request was sent, and each late 200 finds its caller gone.
 * - Kelkoo: the sender retries, so every delivery is dead-lettered; after the vendor is fast again and the dead-letter
 *   queue is redriven, every order reaches Kelkoo exactly once. The report's "late 2xx" column counts the calls such a
 *   vendor had processed anyway: a vendor that does not de-duplicate would have booked those (see docs/RELIABILITY.md).
 * - QUALITYCLICK: "the transaction is correctly created … even if the call times out – the data is processed
 *   immediately upon receipt", so a read timeout after sending is `sent` at once, the timeout in its history
 *   (issue #21, point 3): one call per order, never dead-lettered, never redriven.
 */
import { runVendorFault } from './vendor-fault';

jest.setTimeout(150_000);

const TIMEOUT_MS = 1000;
/** Far enough beyond the timeout that the sender has surely given up when the answer is ready. */
const DELAY_MS = 3000;

it('delivers every order exactly once to every vendor: QUALITYCLICK at the first timeout, Kelkoo after the vendor is fast again and its DLQ is redriven', async () => {
  const delivery = { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: TIMEOUT_MS };
  const row = await runVendorFault({
    rank: 3,
    fault: 'slow',
    description: `vendor slow (200 after ${DELAY_MS / 1000} s, timeout ${TIMEOUT_MS / 1000} s)`,
    mode: { kind: 'slow', delayMs: DELAY_MS },
    delivery,
    deadLetters: 'all',
    bookedOnReceipt: ['qualityclick'],
    check: (double, rig) => {
      // QUALITYCLICK got each order once: no retry, no redrive (its history is checked in test/integration/qualityclick-received.test.ts).
      for (const v of rig.visitors) expect(double.tally('/get_trans.cgi', v.orderId)).toEqual({ received: 1, accepted: 0 });
    },
  });
  // Every call the vendor received and did not have accepted was a slow answer to a caller already gone.
  expect(row.lateAnswers).toBe(row.received - row.accepted);
  // Kelkoo: every attempt during the fault; QUALITYCLICK: its one call.
  expect(row.lateAnswers).toBeGreaterThanOrEqual(row.n * (delivery.maxAttempts + 1));
  expect(row.deadLettered).toBe(row.n);
});
