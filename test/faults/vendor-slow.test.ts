/**
 * Fault: the vendor is slow – it answers 200, but only after 3 s, beyond the sender's 1 s timeout. The sender gives
 * up on every call, so every delivery is dead-lettered; each late 200 finds its caller gone and is not accepted.
 * After the vendor is fast again and both dead-letter queues are redriven, every order reaches every vendor exactly
 * once. The report's "late 2xx" column counts the calls such a vendor had processed anyway: a vendor that does not
 * de-duplicate would have booked those (see docs/RELIABILITY.md).
 */
import { runVendorFault } from './vendor-fault';

jest.setTimeout(150_000);

const TIMEOUT_MS = 1000;
/** Far enough beyond the timeout that the sender has surely given up when the answer is ready. */
const DELAY_MS = 3000;

it('delivers every order exactly once to every vendor after the vendor is fast again and the DLQs are redriven', async () => {
  const row = await runVendorFault({
    rank: 3,
    fault: 'slow',
    description: `vendor slow (200 after ${DELAY_MS / 1000} s, timeout ${TIMEOUT_MS / 1000} s)`,
    mode: { kind: 'slow', delayMs: DELAY_MS },
    delivery: { maxAttempts: 3, retryBaseSeconds: 0, timeoutMs: TIMEOUT_MS },
    deadLetters: 'all',
  });
  // Every call the vendor received and did not have accepted was a slow answer to a caller already gone.
  expect(row.lateAnswers).toBe(row.received - row.accepted);
  expect(row.lateAnswers).toBeGreaterThanOrEqual(row.n * 2 * 3);
});
