/**
 * Exclusive groups and cancellations on the local stack, over real HTTP, through the vendor sandbox: the winner of
 * a group, a loser told anyway (`onLost: "send"`) with `{channel}` naming the winner, a loser skipped, a destination
 * in no group left alone, and a cancellation call after the sale.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { eventually, sleep, StackClient } from '../support/local-stack';

const API_KEY = 'e2e-exclusive-key-0123';
const DAY = 86_400_000;
let workDir: string;
let stack: LocalStack;
let client: StackClient;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'exclusive-e2e-'));
  const port = await freePort();
  const sandbox = `http://127.0.0.1:${port}/sandbox`;
  const configPath = join(workDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: {
        kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `${sandbox}/kelkoo/st` },
        qualityclick: { endpoint: `${sandbox}/qualityclick/get_trans.cgi`, cpid: '1', product: 'Sale' },
      },
      postbacks: {
        awin: {
          clickIdParam: 'awc',
          url: `${sandbox}/awin/sread.php?tt=ss&ref={order.orderId}&cks={clickId}&amount={order.netValue}&ch={channel}`,
          cancel: { url: `${sandbox}/awin/cancel.php?ref={order.orderId}&cks={clickId}&ch={channel}` },
        },
        net2: { clickIdParam: 'n2', url: `${sandbox}/net2/pb?ref={order.orderId}&c={clickId}&ch={channel}` },
      },
      attribution: { exclusive: { affiliates: { members: ['qualityclick', 'awin', 'net2'], onLost: { awin: 'send' }, noClickChannel: 'direct' } } },
      delivery: { maxAttempts: 5, retryBaseSeconds: 1, timeoutMs: 2000 },
      local: { apiKeys: [API_KEY] },
    }),
  );
  stack = await startLocalStack({ configPath, port, quiet: true, dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT, sqsEndpoint: process.env.TEST_SQS_ENDPOINT });
  client = new StackClient(stack, API_KEY);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

/** One shopper's clicks, each `daysAgo` before now, then an order; returns the order id and the 202 body. */
async function shopper(clicks: Array<[param: string, daysAgo: number]>): Promise<{ orderId: string; body: any }> {
  const sessionId = `s-${randomUUID()}`;
  for (const [param, daysAgo] of clicks) {
    const occurredAt = new Date(Date.now() - daysAgo * DAY).toISOString();
    const captured = await client.api('POST', '/v1/clicks', { visitor: { sessionId }, params: { [param]: `${param}-${sessionId}` }, occurredAt });
    // 200 when nothing was stored: a click already older than every window.
    expect([200, 201]).toContain(captured.status);
  }
  const orderId = `EX-${randomUUID()}`;
  const { status, body } = await client.api('POST', '/v1/conversions', {
    orderId,
    visitor: { sessionId },
    currency: 'EUR',
    orderValue: 60,
    netValue: 50,
    items: [{ productId: 'P1', name: 'Thing', unitPrice: 60, quantity: 1 }],
  });
  expect(status).toBe(202);
  return { orderId, body };
}

const callsFor = async (vendor: string, orderId: string) =>
  (await client.sandboxCalls(vendor)).filter((c) => c.query.ref === orderId || c.query.tid === orderId || c.query.orderId === orderId);

const statusOf = (body: any) => Object.fromEntries((body.deliveries as any[]).map((d) => [d.vendor, d.reason ? `${d.status}: ${d.reason}` : d.status]));

describe('exclusive group on the local stack', () => {
  it('Awin Monday, net2 Tuesday, QUALITYCLICK Wednesday, Kelkoo today: QUALITYCLICK wins, Awin told anyway with ch=qualityclick, net2 skipped', async () => {
    const { orderId, body } = await shopper([['awc', 3], ['n2', 2], ['qc_clickid', 1], ['kk', 0]]);
    expect(statusOf(body)).toEqual({
      kelkoo: 'queued',
      qualityclick: 'queued',
      awin: 'queued',
      net2: 'skipped: exclusive group affiliates: lost to qualityclick (newer live click)',
    });
    expect(body.groups).toEqual([{ group: 'affiliates', winner: 'qualityclick', channel: 'qualityclick' }]);

    const [awin] = await eventually(() => callsFor('awin', orderId), (c) => c.length > 0);
    expect(awin!.query).toMatchObject({ ref: orderId, ch: 'qualityclick', amount: '50.00' });
    expect(awin!.violations).toEqual([]);
    await eventually(() => callsFor('qualityclick', orderId), (c) => c.length === 1);
    await eventually(() => callsFor('kelkoo', orderId), (c) => c.length === 1);
    const view = await eventually(
      () => client.api('GET', `/v1/conversions/${orderId}`),
      (r) => r.body.deliveries.filter((d: any) => d.status === 'sent').length === 3,
    );
    expect(view.body.groups).toEqual([{ group: 'affiliates', winner: 'qualityclick', channel: 'qualityclick' }]);
    await sleep(300);
    expect(await callsFor('net2', orderId)).toEqual([]);
  });

  it('a dry run shows, byte for byte, what each vendor then receives – {channel} filled and the groups decided', async () => {
    const sessionId = `s-${randomUUID()}`;
    for (const [param, daysAgo] of [['awc', 2], ['qc_clickid', 1], ['kk', 0]] as const) {
      const occurredAt = new Date(Date.now() - daysAgo * DAY).toISOString();
      expect((await client.api('POST', '/v1/clicks', { visitor: { sessionId }, params: { [param]: `${param}-${sessionId}` }, occurredAt })).status).toBe(201);
    }
    const orderId = `DRY-${randomUUID()}`;
    const order = { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 60, netValue: 50, items: [{ productId: 'P1', name: 'Thing', unitPrice: 60, quantity: 1 }] };
    const dry = await client.api('POST', '/v1/conversions', { ...order, dryRun: true });
    expect(dry.status).toBe(200);
    const real = await client.api('POST', '/v1/conversions', order);
    expect(real.status).toBe(202);
    expect(dry.body.groups).toEqual(real.body.groups);
    expect(dry.body.groups).toEqual([{ group: 'affiliates', winner: 'qualityclick', channel: 'qualityclick' }]);

    const planned = (dry.body.deliveries as any[]).filter((d) => d.status === 'planned');
    expect(planned.map((d) => d.vendor).sort()).toEqual(['awin', 'kelkoo', 'qualityclick']);
    for (const delivery of planned) {
      const received = await eventually(() => client.sandboxCalls(delivery.vendor), (calls) => calls.some((c) => c.url.includes(encodeURIComponent(orderId)) || c.body.includes(orderId)));
      const calls = received.filter((c) => c.url.includes(encodeURIComponent(orderId)) || c.body.includes(orderId));
      expect(calls.map((c) => ({ method: c.method, target: c.url, body: c.body }))).toEqual(
        (delivery.requests as any[]).map((r) => {
          const url = new URL(r.url);
          return { method: r.method, target: `${url.pathname}${url.search}`, body: r.body ?? '' };
        }),
      );
    }
    expect((planned.find((d) => d.vendor === 'awin').requests as any[])[0].url).toContain('&ch=qualityclick');
  });

  it('the newest click is a postback: it wins with ch=<its id>, the skip-on-loss members are not told', async () => {
    const { orderId, body } = await shopper([['qc_clickid', 2], ['n2', 1]]);
    expect(statusOf(body)).toMatchObject({
      qualityclick: 'skipped: exclusive group affiliates: lost to net2 (newer live click)',
      net2: 'queued',
      awin: 'skipped: no live awc click identifier for this visitor',
    });
    const [net2] = await eventually(() => callsFor('net2', orderId), (c) => c.length > 0);
    expect(net2!.query).toMatchObject({ ref: orderId, c: expect.stringMatching(/^n2-/), ch: 'net2' });
    await sleep(500);
    expect(await callsFor('qualityclick', orderId)).toEqual([]);
  });

  it('no member holds a live click: nobody wins, the channel is noClickChannel, Kelkoo is unaffected', async () => {
    const { orderId, body } = await shopper([['kk', 1], ['awc', 45]]);
    expect(body.groups).toEqual([{ group: 'affiliates', winner: null, channel: 'direct' }]);
    expect(statusOf(body).kelkoo).toBe('queued');
    await eventually(() => callsFor('kelkoo', orderId), (c) => c.length === 1);
  });

  it('cancelled after the sale: Awin gets its cancellation call with the channel of the sale; QUALITYCLICK records unsupported', async () => {
    const { orderId } = await shopper([['awc', 2], ['qc_clickid', 1]]);
    await eventually(
      () => client.api('GET', `/v1/conversions/${orderId}`),
      (r) => r.body.deliveries.filter((d: any) => d.status === 'sent').length === 2,
    );
    const cancelled = await client.api('POST', `/v1/conversions/${encodeURIComponent(orderId)}/cancellation`, { reason: 'returned' });
    expect(cancelled.status).toBe(200);
    const [call] = await eventually(() => callsFor('awin', orderId).then((c) => c.filter((r) => r.url.includes('/cancel.php'))), (c) => c.length > 0);
    expect(call!.query).toMatchObject({ ref: orderId, ch: 'qualityclick' });
    const view = await eventually(
      () => client.api('GET', `/v1/conversions/${orderId}`),
      (r) => r.body.deliveries.find((d: any) => d.vendor === 'awin').cancellation?.status === 'sent',
    );
    expect(view.body.cancellation).toMatchObject({ reason: 'returned' });
    expect(view.body.deliveries.find((d: any) => d.vendor === 'qualityclick')).toMatchObject({ status: 'sent', cancellation: 'unsupported' });
  });
});
