/**
 * Who may win an exclusive group, through the real conversion against DynamoDB Local and the SQS server:
 * - a member wins only through its own click ids (Kelkoo: `kk`; `gclid`/`msclkid` are still sent to Kelkoo when it is
 *   told), unless the group's `winningParams` widens that;
 * - a member that would be skipped for its own reasons (no Kelkoo account for the order's country, an expired Raptor
 *   session, a call over the URL limit) cannot win, so it never blocks another member;
 * - a loser whose click is as new as the winner's is told it lost a tie.
 * The clock is the test's: every click time is exact.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig } from '../../lambdas/config/schema';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { apiEvent, call } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { SPEC_VENDORS } from '../support/config';
import { queuesFor, queueUrlsOf } from '../support/senders';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

const sqs: SQSClient = sqsClient();
let store: TrackingStore;
let seq = 0;

beforeAll(async () => {
  ({ store } = await createTestStore());
});

/** The API handlers for `exclusive`, Kelkoo holding a French account only, and the test's clock. */
async function handlersFor(exclusive: unknown, extra: Record<string, unknown> = {}) {
  const config = parseConfig({
    vendors: {
      kelkoo: { ...SPEC_VENDORS.kelkoo, endpoint: 'https://kelkoo.example/st' },
      raptor: { ...SPEC_VENDORS.raptor, endpoint: 'https://raptor.example' },
      qualityclick: { ...SPEC_VENDORS.qualityclick, endpoint: 'https://qc.example/get_trans.cgi' },
    },
    postbacks: {
      awin: { clickIdParam: 'awc', url: 'https://aw.example/sread.php?ref={order.orderId}&cks={clickId}' },
      // A template that leaves little room: a long click id takes its call over the 8,000-byte URL limit.
      net2: { clickIdParam: 'n2', url: `https://n2.example/pb?ref={order.orderId}&c={clickId}&pad=${'x'.repeat(7700)}` },
    },
    attribution: { exclusive },
    ...extra,
  });
  const queues = await queuesFor(config, sqs, 3);
  const { logger } = recordingLogger();
  return createApiHandlers({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrlsOf(queues)), apiKeys: new StaticApiKeys(['test-key-0123456789']), logger, clock: () => NOW });
}

type Handlers = Awaited<ReturnType<typeof handlersFor>>;

/** One shopper's captures (each `[params or identifiers, how long before NOW]`), then an order; returns the answer. */
async function shopper(
  handlers: Handlers,
  captures: Array<[{ params?: Record<string, string>; identifiers?: Record<string, Record<string, string>> }, number]>,
  order: { country?: string; dryRun?: boolean } = {},
) {
  const sessionId = `elig-${++seq}`;
  for (const [click, before] of captures) {
    const captured = await call(handlers.capture, apiEvent({ body: { visitor: { sessionId }, ...click, occurredAt: ago(before) } }));
    expect(captured.status).toBe(201);
  }
  const answer = await call(
    handlers.conversion,
    apiEvent({
      body: {
        orderId: `ELIG-${seq}`,
        visitor: { sessionId },
        currency: 'EUR',
        orderValue: 20,
        items: [{ productId: 'P1', name: 'Thing', unitPrice: 20, quantity: 1 }],
        ...(order.country ? { country: order.country } : {}),
        ...(order.dryRun ? { dryRun: true } : {}),
      },
    }),
  );
  expect(answer.status).toBe(order.dryRun ? 200 : 202);
  return answer.body;
}

const statusOf = (body: any): Record<string, string> =>
  Object.fromEntries((body.deliveries as any[]).map((d) => [d.vendor, d.reason ? `${d.status}: ${d.reason}` : d.status]));

describe('a member wins only through its own click ids', () => {
  const SEARCH = { search: { members: ['kelkoo', 'awin'] } };

  it('an Awin click of two days ago beats a Google Ads click (gclid) of an hour ago: gclid is not Kelkoo\'s own', async () => {
    const handlers = await handlersFor(SEARCH);
    const body = await shopper(handlers, [[{ params: { awc: 'aw-1' } }, 2 * DAY], [{ params: { gclid: 'g-1' } }, HOUR]]);
    expect(body.groups).toEqual([{ group: 'search', winner: 'awin', channel: 'awin' }]);
    expect(statusOf(body)).toMatchObject({
      awin: 'queued',
      kelkoo: 'skipped: exclusive group search: lost to awin (no live click it wins with: kk)',
    });
  });

  it('a kk click wins as before, and Kelkoo is still sent the gclid it holds', async () => {
    const handlers = await handlersFor(SEARCH);
    const body = await shopper(handlers, [[{ params: { awc: 'aw-2' } }, 2 * DAY], [{ params: { kk: 'kk-2', gclid: 'g-2' } }, HOUR]], { dryRun: true });
    expect(body.groups).toEqual([{ group: 'search', winner: 'kelkoo', channel: 'kelkoo' }]);
    const kelkoo = (body.deliveries as any[]).find((d) => d.vendor === 'kelkoo');
    expect(kelkoo.status).toBe('planned');
    const url = new URL(kelkoo.requests[0].url);
    expect(url.searchParams.get('kelkooId')).toBe('kk-2');
    expect(url.searchParams.get('gclid')).toBe('g-2');
  });

  it('with no member holding a click it wins with, nobody wins and Kelkoo is told with its gclid', async () => {
    const handlers = await handlersFor(SEARCH);
    const body = await shopper(handlers, [[{ params: { gclid: 'g-3' } }, HOUR]], { dryRun: true });
    expect(body.groups).toEqual([{ group: 'search', winner: null, channel: 'direct' }]);
    const kelkoo = (body.deliveries as any[]).find((d) => d.vendor === 'kelkoo');
    expect(new URL(kelkoo.requests[0].url).searchParams.get('gclid')).toBe('g-3');
  });

  it('winningParams {"kelkoo": ["kk", "gclid"]} lets the Google Ads click win for Kelkoo; msclkid still does not', async () => {
    const handlers = await handlersFor({ search: { members: ['kelkoo', 'awin'], winningParams: { kelkoo: ['kk', 'gclid'] } } });
    const gclid = await shopper(handlers, [[{ params: { awc: 'aw-4' } }, 2 * DAY], [{ params: { gclid: 'g-4' } }, HOUR]]);
    expect(gclid.groups).toEqual([{ group: 'search', winner: 'kelkoo', channel: 'kelkoo' }]);
    expect(statusOf(gclid)).toMatchObject({ kelkoo: 'queued', awin: 'skipped: exclusive group search: lost to kelkoo (newer live click)' });
    const msclkid = await shopper(handlers, [[{ params: { awc: 'aw-5' } }, 2 * DAY], [{ params: { msclkid: 'm-5' } }, HOUR]]);
    expect(msclkid.groups[0].winner).toBe('awin');
  });
});

describe('a member that would be skipped for its own reasons cannot win', () => {
  it('Kelkoo without an account for the order\'s country: Awin wins and is told; Kelkoo keeps its own reason', async () => {
    const handlers = await handlersFor({ search: { members: ['kelkoo', 'awin'] } });
    const body = await shopper(handlers, [[{ params: { awc: 'aw-6' } }, 2 * DAY], [{ params: { kk: 'kk-6' } }, HOUR]], { country: 'be' });
    expect(body.groups).toEqual([{ group: 'search', winner: 'awin', channel: 'awin' }]);
    expect(statusOf(body)).toEqual({
      kelkoo: 'skipped: no Kelkoo account for country "be" (configured: fr)',
      raptor: 'skipped: no live raptor.coid and raptor.sid for this visitor: Raptor needs the device cookie id (coid) and the session id (sid, live 20 minutes)',
      qualityclick: 'skipped: no live qc_clickid click identifier for this visitor',
      awin: 'queued',
      net2: 'skipped: no live n2 click identifier for this visitor',
    });
  });

  it('Raptor with an expired session id: its newer device cookie does not win, QUALITYCLICK does', async () => {
    const handlers = await handlersFor({ mixed: { members: ['raptor', 'qualityclick'] } });
    const body = await shopper(handlers, [
      [{ params: { qc_clickid: 'QC7' } }, 3 * DAY],
      // The session id is 30 minutes old: past its 20 minutes, while the device cookie is live for a year.
      [{ identifiers: { raptor: { coid: 'c0c0c0c0-0000-4000-8000-000000000007', sid: '5e55e55e-0000-4000-8000-000000000007' } } }, 30 * 60_000],
    ]);
    expect(body.groups).toEqual([{ group: 'mixed', winner: 'qualityclick', channel: 'qualityclick' }]);
    expect(statusOf(body).qualityclick).toBe('queued');
    expect(statusOf(body).raptor).toMatch(/^skipped: no live raptor\.sid for this visitor/);
  });

  it('a member whose call would be over the URL limit: the other member wins and is told', async () => {
    const handlers = await handlersFor({ affiliates: { members: ['awin', 'net2'] } });
    const body = await shopper(handlers, [[{ params: { awc: 'aw-8' } }, 2 * DAY], [{ params: { n2: 'n'.repeat(500) } }, HOUR]]);
    expect(body.groups).toEqual([{ group: 'affiliates', winner: 'awin', channel: 'awin' }]);
    expect(statusOf(body).awin).toBe('queued');
    expect(statusOf(body).net2).toMatch(/^skipped: the GET request would be \d+ bytes long, over the 8000-byte URL limit/);
  });
});

describe('the reason of a member that lost', () => {
  it('says "tie" when the two clicks are equally new, and names the member listed first as the winner', async () => {
    const handlers = await handlersFor({ affiliates: { members: ['awin', 'qualityclick'] } });
    const body = await shopper(handlers, [[{ params: { awc: 'aw-9', qc_clickid: 'QC9' } }, HOUR]]);
    expect(body.groups).toEqual([{ group: 'affiliates', winner: 'awin', channel: 'awin' }]);
    expect(statusOf(body).qualityclick).toBe('skipped: exclusive group affiliates: lost to awin (tie: equally new live clicks, awin is listed first)');
  });

  it('says "newer live click" when the winner\'s click is newer', async () => {
    const handlers = await handlersFor({ affiliates: { members: ['awin', 'qualityclick'] } });
    const body = await shopper(handlers, [[{ params: { awc: 'aw-10' } }, HOUR], [{ params: { qc_clickid: 'QC10' } }, 2 * HOUR]]);
    expect(statusOf(body).qualityclick).toBe('skipped: exclusive group affiliates: lost to awin (newer live click)');
  });
});
