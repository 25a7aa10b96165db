/**
 * Fault: SQS is unavailable when the conversions arrive (its endpoint refuses connections; DynamoDB stays up).
 * Each conversion cannot queue its deliveries, answers 503 and records nothing; a retry during the outage answers
 * 503 again. Once SQS is back, the shop's retry of each failed conversion – the same body – queues and records it
 * (202), a further repeat is a duplicate (200) that queues nothing, and every order reaches every vendor exactly
 * once.
 */
import { TcpProxy } from '../support/tcp-proxy';
import { VendorDouble } from '../support/vendor-double';
import { FaultRig, mapLimit, N, recordRow, VENDORS } from './harness';

jest.setTimeout(150_000);

const DELIVERY = { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 5000 };
/** Orders whose shop retries once more while SQS is still down. */
const EARLY_RETRIES = 20;

it('answers 5xx while SQS is down, and the retried conversions deliver every order exactly once', async () => {
  const proxy = await TcpProxy.start(process.env.TEST_SQS_ENDPOINT ?? '');
  const double = await VendorDouble.start();
  const rig = await FaultRig.start({ fault: 'sqs-unavailable', delivery: DELIVERY, vendorBase: double.url, sqsEndpoint: proxy.endpoint });
  try {
    await rig.captureClicks();

    await proxy.down('refuse');
    const during = await rig.convert();
    expect(during.filter((a) => a.status !== 503 || a.body?.error?.code !== 'enqueue_failed')).toEqual([]);
    // Nothing recorded: the status of every order is unknown until the shop's retry succeeds.
    const unknown = await mapLimit(rig.visitors, 8, async (v) => (await rig.client.api('GET', `/v1/conversions/${encodeURIComponent(v.orderId)}`)).status);
    expect(unknown.filter((status) => status !== 404)).toEqual([]);
    const early = await rig.convert(rig.visitors.slice(0, EARLY_RETRIES));
    expect(early.filter((a) => a.status !== 503)).toEqual([]);
    expect(double.calls).toHaveLength(0);

    await proxy.up();
    const retried = await rig.convert();
    expect(retried.filter((a) => a.status !== 202)).toEqual([]);
    for (const { body } of retried) expect(body.deliveries).toEqual(VENDORS.map(({ id }) => ({ vendor: id, status: 'queued' })));
    const repeated = await rig.convert();
    expect(repeated.filter((a) => a.status !== 200 || a.body.duplicate !== true)).toEqual([]);

    const { statuses, seconds, complete } = await rig.waitUntilDelivered(double, 45_000);
    const counts = await rig.allCounts();
    const deadLettered = VENDORS.reduce((sum, { id }) => sum + counts[id].dlq.visible, 0);
    const moved = await rig.redriveAll();
    recordRow(
      rig.row(double, {
        rank: 7,
        description: 'SQS unavailable when the conversions arrive',
        conversions5xx: during.length + early.length,
        deadLettered,
        redriven: moved.kelkoo + moved.qualityclick,
        seconds,
        statuses,
        notes: `${N} conversions answered 503 during the outage, ${EARLY_RETRIES} retries during it too; every retry after it 202`,
      }),
    );

    expect(rig.deliveryProblems(double, statuses)).toEqual([]);
    expect(rig.notSent(statuses)).toEqual([]);
    expect(complete).toBe(true);
    expect(rig.callsBeyondAttempts(statuses, double)).toEqual([]);
    expect(deadLettered).toBe(0);
  } finally {
    // The stack deletes its queues on stop, through the proxy.
    await proxy.up();
    await rig.stop();
    await proxy.stop();
    await double.stop();
  }
});
