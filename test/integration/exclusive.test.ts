/**
 * Exclusive groups through the real pipeline – capture, conversion, queues, senders, vendor double – against
 * DynamoDB Local and the SQS server: whatever the click history, exactly the reference model's winner is called,
 * and no other member of an all-`skip` group; a redelivered message never re-decides.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import type { SenderHandler } from '../../lambdas/sender/create';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { apiEvent, call } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { pollOnce, queuesFor, queueUrlsOf, sendersFor } from '../support/senders';
import { VendorDouble } from '../support/vendor-double';

const MEMBERS = [
  { id: 'qualityclick', param: 'qc_clickid', days: 7, path: '/qc/get_trans.cgi' },
  { id: 'clickmeter', param: 's1', days: 20, path: '/cm/s2s' },
  { id: 'awin', param: 'awc', days: 30, path: '/awin/sale' },
] as const;
const MINUTE = 60_000;

const sqs: SQSClient = sqsClient();
let store: TrackingStore;
let vendor: VendorDouble;
let config: TrackingConfig;
let handlers: ReturnType<typeof createApiHandlers>;
let queueUrls: Record<string, string>;
let senders: Record<string, SenderHandler>;
let seq = 0;

beforeAll(async () => {
  ({ store } = await createTestStore());
  vendor = await VendorDouble.start({ orderIdOf: (url) => url.searchParams.get('tid') ?? url.searchParams.get('param') ?? url.searchParams.get('ref') ?? '' });
  config = parseConfig({
    vendors: {
      qualityclick: { endpoint: `${vendor.url}/qc/get_trans.cgi`, cpid: '1', product: 'Sale', attributionDays: 7 },
      clickmeter: { conversionId: 'A531F18FCECC4DEB9B2C3994556FBF41', clickIdParam: 's1', commission: 1, param: '{order.orderId}', endpoint: `${vendor.url}/cm/s2s`, attributionDays: 20 },
    },
    postbacks: { awin: { clickIdParam: 'awc', attributionDays: 30, url: `${vendor.url}/awin/sale?ref={order.orderId}&cks={clickId}&ch={channel}` } },
    attribution: { exclusive: { affiliates: { members: MEMBERS.map((m) => m.id) } } },
    delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 3000 },
  });
  const queues = await queuesFor(config, sqs, 3);
  queueUrls = queueUrlsOf(queues);
  const { logger } = recordingLogger();
  handlers = createApiHandlers({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrls), apiKeys: new StaticApiKeys(['test-key-0123456789']), logger });
  senders = sendersFor(config, { store, sqs, queues, logger });
});
afterAll(() => vendor.stop());

/** Every message of the destination's queue through its sender, none failing; returns their bodies. */
async function drainThroughSender(id: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { records, result } = await pollOnce(sqs, queueUrls[id]!, senders[id]!);
    if (!records.length) return bodies;
    expect(result.batchItemFailures).toEqual([]);
    bodies.push(...records.map((r) => r.body));
  }
}

describe('exclusive group through the pipeline', () => {
  it('calls exactly the reference winner – newest live click in its own window, ties to the first listed – and no other member', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ member: fc.integer({ min: 0, max: 2 }), minutesAgo: fc.integer({ min: 1, max: 35 * 1440 }) }), { maxLength: 5 }),
        async (clicks) => {
          const base = Date.now();
          const sessionId = `px-${++seq}-${base}`;
          const orderId = `PX-${seq}`;
          // Per member, the stored click is the capture with the newest occurredAt, whatever order they arrived in.
          const kept = new Map<number, number>();
          for (const c of clicks) {
            const occurredAt = new Date(base - c.minutesAgo * MINUTE).toISOString();
            const m = MEMBERS[c.member]!;
            const res = await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: { [m.param]: `${m.id}-${c.minutesAgo}` }, occurredAt } }));
            expect([200, 201]).toContain(res.status);
            if (res.status === 201) kept.set(c.member, Math.min(c.minutesAgo, kept.get(c.member) ?? Infinity));
          }
          const conversion = await call(
            handlers.conversion,
            apiEvent({ body: { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 10, items: [{ productId: 'P', name: 'P', unitPrice: 10, quantity: 1 }] } }),
          );
          expect(conversion.status).toBe(202);

          // Reference model: live when inside the member's own window; the newest wins; a tie goes to the first listed.
          let expected: number | undefined;
          for (const [member, minutesAgo] of [...kept].sort((a, b) => a[0] - b[0])) {
            if (minutesAgo * MINUTE >= MEMBERS[member]!.days * 1440 * MINUTE) continue;
            if (expected === undefined || minutesAgo < kept.get(expected)!) expected = member;
          }
          expect(conversion.body.groups).toEqual([
            { group: 'affiliates', winner: expected === undefined ? null : MEMBERS[expected]!.id, channel: expected === undefined ? 'direct' : MEMBERS[expected]!.id },
          ]);

          for (const m of MEMBERS) await drainThroughSender(m.id);
          const called = MEMBERS.filter((m) => vendor.callsFor(m.path, orderId).length > 0).map((m) => m.id);
          expect(called).toEqual(expected === undefined ? [] : [MEMBERS[expected]!.id]);
          for (const m of MEMBERS) expect(vendor.callsFor(m.path, orderId).length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 10 },
    );
  });

  it('a redelivered message sends what was decided, even after a newer click of another member', async () => {
    const sessionId = `redeliver-${Date.now()}`;
    const orderId = 'PX-redeliver';
    await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: { awc: 'aw-1' }, occurredAt: new Date(Date.now() - 2 * 86_400_000).toISOString() } }));
    await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: { s1: 'cm-1' }, occurredAt: new Date(Date.now() - 3 * 86_400_000).toISOString() } }));
    const conversion = await call(
      handlers.conversion,
      apiEvent({ body: { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 10, items: [{ productId: 'P', name: 'P', unitPrice: 10, quantity: 1 }] } }),
    );
    expect(conversion.body.groups[0].winner).toBe('awin');
    const [body] = await drainThroughSender('awin');
    // A newer click of clickmeter now, then the same message again (a redrive): no new decision, no second call.
    await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, params: { s1: 'cm-2' } } }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrls.awin, MessageBody: body! }));
    await drainThroughSender('awin');
    await drainThroughSender('clickmeter');
    expect(JSON.parse(body!)).toMatchObject({ version: 2, exclusive: { group: 'affiliates', winner: 'awin', channel: 'awin', won: true } });
    expect(vendor.callsFor('/awin/sale', orderId).map((c) => new URL(c.url, 'http://x').searchParams.get('ch'))).toEqual(['awin']);
    expect(vendor.callsFor('/cm/s2s', orderId)).toEqual([]);
  });
});
