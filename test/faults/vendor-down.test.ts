/**
 * Fault: the vendor is down – every call answers 500 – for the whole course of N conversions. Every delivery
 * exhausts its attempts and is dead-lettered; after the vendor is back and both dead-letter queues are redriven,
 * every order reaches every vendor exactly once.
 */
import { runVendorFault } from './vendor-fault';

jest.setTimeout(150_000);

it('delivers every order exactly once to every vendor after the vendor comes back and the DLQs are redriven', async () => {
  await runVendorFault({
    rank: 1,
    fault: 'down',
    description: 'vendor down (every call 500)',
    mode: { kind: 'down' },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 5000 },
    deadLetters: 'all',
  });
});
