/**
 * Fault: the vendor is unreachable – nothing listens on its port, every connection is refused. Every delivery is
 * dead-lettered without the vendor ever seeing a call; then the vendor starts on that port, both dead-letter queues
 * are redriven, and every order reaches every vendor exactly once, with one call each.
 */
import { freePort } from '../../local/services';
import { VendorDouble } from '../support/vendor-double';
import { FaultRig, N, recordRow, VENDORS } from './harness';

jest.setTimeout(150_000);

const DELIVERY = { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 5000 };

it('delivers every order exactly once to every vendor once the vendor is reachable and the DLQs are redriven', async () => {
  // A port that was free a moment ago and that nothing listens on until the vendor "comes back" there.
  const port = await freePort();
  const rig = await FaultRig.start({ fault: 'unreachable', delivery: DELIVERY, vendorBase: `http://127.0.0.1:${port}` });
  let double: VendorDouble | undefined;
  try {
    await rig.captureClicks();
    const answers = await rig.convert();
    expect(answers.filter((a) => a.status !== 202)).toEqual([]);

    const { counts, drained } = await rig.waitUntilDrained(45_000);
    const deadLettered = VENDORS.reduce((sum, { id }) => sum + counts[id].dlq.visible, 0);
    // Before the vendor is back: every attempt refused and counted, every message in its dead-letter queue.
    const before = await rig.statuses();
    const faultPhase = [...before.entries()].flatMap(([orderId, ds]) =>
      ds
        .filter((d) => d.status !== 'dead-lettered' || d.attempts !== DELIVERY.maxAttempts || !/ECONNREFUSED/.test(d.lastError ?? ''))
        .map((d) => `${JSON.stringify(orderId)} → ${d.vendor}: ${d.status} after ${d.attempts} attempts (${d.lastError})`),
    );

    double = await VendorDouble.start({ port });
    const moved = await rig.redriveAll();
    const redriven = moved.kelkoo + moved.qualityclick;
    const { statuses, seconds, complete } = await rig.waitUntilDelivered(double, 45_000);
    recordRow(
      rig.row(double, {
        rank: 5,
        description: 'vendor unreachable (connection refused)',
        conversions5xx: 0,
        deadLettered,
        redriven,
        seconds,
        statuses,
      }),
    );

    expect(rig.deliveryProblems(double, statuses)).toEqual([]);
    expect(rig.notSent(statuses)).toEqual([]);
    expect(complete).toBe(true);
    expect(drained).toBe(true);
    expect(faultPhase.slice(0, 12)).toEqual([]);
    expect(deadLettered).toBe(N * VENDORS.length);
    // The refused attempts are counted too: the status shows every try, not just the one that got through.
    const attempts = [...statuses.values()].flat().filter((d) => d.attempts !== DELIVERY.maxAttempts + 1);
    expect(attempts).toEqual([]);
    expect(double.totals().received).toBe(N * VENDORS.length);
    expect(redriven).toBe(deadLettered);
  } finally {
    await rig.stop();
    await double?.stop();
  }
});
