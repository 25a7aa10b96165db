/**
 * Fault: the vendor resets connections – it reads each request and drops the connection without answering. Every
 * delivery is dead-lettered; after the vendor answers again and both dead-letter queues are redriven, every order
 * reaches every vendor exactly once.
 */
import { runVendorFault } from './vendor-fault';

jest.setTimeout(150_000);

it('delivers every order exactly once to every vendor after the vendor stops resetting and the DLQs are redriven', async () => {
  const row = await runVendorFault({
    rank: 4,
    fault: 'reset',
    description: 'vendor resets connections',
    mode: { kind: 'reset' },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 5000 },
    deadLetters: 'all',
  });
  // Every call made during the fault was read and dropped: the vendor may or may not have acted on it.
  expect(row.droppedAfterReceipt).toBe(row.received - row.accepted);
});
