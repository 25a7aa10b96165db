/**
 * The course of a vendor-side fault: the vendor misbehaves from the first conversion on; once the delivery queues
 * have drained (every message delivered or dead-lettered) the vendor recovers, the operators redrive both
 * dead-letter queues, and every order must then have reached every vendor exactly once, with its status `sent`
 * and its attempts counted.
 *
 * The course always runs to the end and records its row before asserting anything, so that a fault that loses or
 * doubles deliveries still shows in the table how many it lost or doubled.
 */
import { VendorDouble, VendorMode } from '../support/vendor-double';
import { DeliverySettings, FaultRig, FaultRow, N, recordRow, VendorId, VENDORS } from './harness';

export interface VendorFault {
  rank: number;
  fault: string;
  description: string;
  mode: VendorMode;
  delivery: DeliverySettings;
  /** What the fault must have done before recovery: dead-letter every delivery, or leave that to chance. */
  deadLetters: 'all' | 'some or none';
  /** Vendors that book a call on receipt in this fault (RigOptions.bookedOnReceipt): `sent` at once, never dead-lettered. */
  bookedOnReceipt?: readonly VendorId[];
  /** Extra checks on what the double saw, run after the exactly-once checks. */
  check?: (double: VendorDouble, rig: FaultRig) => void;
}

/** Bounds of the two waits: the fault's course, then recovery and redrive. */
const FAULT_PHASE_MS = 45_000;
const RECOVERY_PHASE_MS = 45_000;

export async function runVendorFault(spec: VendorFault): Promise<FaultRow> {
  const double = await VendorDouble.start();
  double.mode(spec.mode);
  const booksOnReceipt = (id: string) => spec.bookedOnReceipt?.includes(id as VendorId) ?? false;
  const rig = await FaultRig.start({
    fault: spec.fault,
    delivery: spec.delivery,
    vendorBase: double.url,
    ...(spec.bookedOnReceipt ? { bookedOnReceipt: spec.bookedOnReceipt } : {}),
  });
  try {
    await rig.captureClicks();
    const answers = await rig.convert();
    expect(answers.filter((a) => a.status !== 202)).toEqual([]);
    for (const { body } of answers) expect(body.deliveries).toEqual(VENDORS.map(({ id }) => ({ vendor: id, status: 'queued' })));

    const { counts, drained } = await rig.waitUntilDrained(FAULT_PHASE_MS);
    const deadLettered = VENDORS.reduce((sum, { id }) => sum + counts[id].dlq.visible, 0);
    const faultPhase: string[] = [];
    if (!drained) faultPhase.push(`delivery queues not drained within ${FAULT_PHASE_MS} ms: ${JSON.stringify(counts)}`);
    // Before the redrive the status says what happened: every attempt used, and where the message went.
    // A vendor that books on receipt has every delivery `sent` at its first attempt instead.
    if (spec.deadLetters === 'all') {
      const expected = N * VENDORS.filter(({ id }) => !booksOnReceipt(id)).length;
      if (deadLettered !== expected) faultPhase.push(`${deadLettered} messages dead-lettered, expected ${expected}`);
      const before = await rig.statuses();
      for (const [orderId, ds] of before) {
        for (const d of ds) {
          const [status, attempts] = booksOnReceipt(d.vendor) ? ['sent', 1] : ['dead-lettered', spec.delivery.maxAttempts];
          if (d.status !== status || d.attempts !== attempts) {
            faultPhase.push(`${JSON.stringify(orderId)} → ${d.vendor}: ${d.status} after ${d.attempts} attempts`);
          }
        }
      }
    }

    double.mode({ kind: 'ok' });
    const moved = await rig.redriveAll();
    const redriven = moved.kelkoo + moved.qualityclick;
    const { statuses, seconds, complete } = await rig.waitUntilDelivered(double, RECOVERY_PHASE_MS);
    const row = rig.row(double, { rank: spec.rank, description: spec.description, conversions5xx: 0, deadLettered, redriven, seconds, statuses });
    recordRow(row);

    // Exactly once first: it names each order lost or doubled, with the calls the vendor saw and its status.
    expect(rig.deliveryProblems(double, statuses)).toEqual([]);
    expect(rig.notSent(statuses)).toEqual([]);
    expect(complete).toBe(true);
    // One claim per call: the attempts a status shows cover every call the vendor received.
    expect(rig.callsBeyondAttempts(statuses, double)).toEqual([]);
    expect(faultPhase.slice(0, 12)).toEqual([]);
    expect(redriven).toBe(deadLettered);
    spec.check?.(double, rig);
    return row;
  } finally {
    await rig.stop();
    await double.stop();
  }
}
