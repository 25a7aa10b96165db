/**
 * `npm run replay` (scripts/replay.ts) against DynamoDB Local and the SQS server, with the real conversion, the real
 * senders and a vendor double: a sale refused under a wrong configuration whose dead-letter message is gone (the queue
 * deleted, as SQS does after 14 days) is sent once the configuration is fixed – with the click id, the exclusive
 * group's verdict and the order content decided and reported then – and a second replay sends nothing; what the order
 * record keeps for it (the order without the shopper); the refusals with their reasons; and the confirmation, read
 * from standard input or skipped with --yes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createApiHandlers } from '../../lambdas/api/handlers';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { SqsDeliveryQueues } from '../../lambdas/store/delivery-queues';
import { documentClient } from '../../lambdas/store/document-client';
import type { TrackingStore } from '../../lambdas/store/tracking-store';
import { LOCAL_AWS } from '../../local/services';
import { run } from '../../scripts/replay';
import { API_KEY, apiEvent, call } from '../support/api';
import { createTestStore, recordingLogger, sqsClient } from '../support/aws';
import { pollOnce, queuesFor, senderFor, TestQueue } from '../support/senders';
import { ReceivedCall, VendorDouble } from '../support/vendor-double';

const IP = '203.0.113.77';
const EMAIL = 'jane.doe@shop.example';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const sqs = sqsClient();
let stores: Awaited<ReturnType<typeof createTestStore>>;
let store: TrackingStore;
let vendor: VendorDouble;
let workDir: string;
let seq = 0;

beforeAll(async () => {
  stores = await createTestStore();
  store = stores.store;
  vendor = await VendorDouble.start();
  workDir = mkdtempSync(join(tmpdir(), 'replay-'));
});
afterAll(async () => {
  await vendor.stop();
  rmSync(workDir, { recursive: true, force: true });
  sqs.destroy();
});
beforeEach(() => {
  vendor.calls.length = 0;
});

/** The configuration as written in its file: Kelkoo under `comId`, Klevu, and three postbacks (two in a group). */
function rawConfig(comId: string) {
  return {
    vendors: {
      kelkoo: { country: 'fr', comId, referer: 'https://www.shop.example', endpoint: `${vendor.url}/kelkoo/st` },
      klevu: { apiKey: 'klevu-1234567890', endpoint: `${vendor.url}/klevu/analytics/collect` },
    },
    postbacks: {
      awin: { clickIdParam: 'awc', url: `${vendor.url}/awin/sale?ref={order.orderId}&cks={clickId}&ch={channel}` },
      tradedoubler: { clickIdParam: 'tduid', url: `${vendor.url}/td/sale?ref={order.orderId}&cks={clickId}&ch={channel}` },
      // A network whose own document says it accepts a sale up to a day after the order.
      late: { clickIdParam: 'lid', reportWithinDays: 1, url: `${vendor.url}/late/sale?ref={order.orderId}&cks={clickId}` },
    },
    attribution: { exclusive: { affiliates: { members: ['awin', 'tradedoubler'], onLost: { awin: 'send' } } } },
    delivery: { retryBaseSeconds: 1, timeoutMs: 2000 },
    local: { apiKeys: [API_KEY] },
  };
}

interface Env {
  handlers: ReturnType<typeof createApiHandlers>;
  queues: Record<string, TestQueue>;
  /** The state file of a local stack over this table and these queues, running the fixed configuration. */
  stateFile: string;
  broken: TrackingConfig;
  fixed: TrackingConfig;
}

/**
 * Queues for every destination, the API handlers on the wrong configuration (Kelkoo's comId 111) with `clock`, and
 * the state file the operator commands read: the same table and queues, and the fixed configuration (comId 222).
 */
async function environment(clock: () => Date = () => new Date()): Promise<Env> {
  const broken = parseConfig(rawConfig('111'));
  const fixedFile = join(workDir, `fixed-${++seq}.json`);
  writeFileSync(fixedFile, JSON.stringify(rawConfig('222')));
  const queues = await queuesFor(broken, sqs, 5);
  const handlers = createApiHandlers({
    config: broken,
    store,
    queues: new SqsDeliveryQueues(sqs, Object.fromEntries(Object.entries(queues).map(([id, q]) => [id, q.queueUrl]))),
    apiKeys: new StaticApiKeys([API_KEY]),
    logger: recordingLogger().logger,
    clock,
  });
  const stateFile = join(workDir, `stack-${seq}.json`);
  writeFileSync(
    stateFile,
    JSON.stringify({
      pid: process.pid,
      baseUrl: 'http://127.0.0.1:9',
      configFile: fixedFile,
      region: LOCAL_AWS.region,
      dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT,
      sqsEndpoint: process.env.TEST_SQS_ENDPOINT,
      tableName: stores.tableName,
      queueUrls: Object.fromEntries(Object.entries(queues).map(([id, q]) => [id, { queue: q.queueUrl, deadLetterQueue: q.dlqUrl }])),
    }),
  );
  return { handlers, queues, stateFile, broken, fixed: parseConfig(rawConfig('222')) };
}

async function capture(env: Env, sessionId: string, params: Record<string, string>, occurredAt?: Date): Promise<void> {
  const body = { visitor: { sessionId }, params, ...(occurredAt ? { occurredAt: occurredAt.toISOString() } : {}) };
  expect((await call(env.handlers.capture, apiEvent({ path: '/v1/clicks', body }))).status).toBe(201);
}

/** Reports a two-line order for `sessionId`, with the shopper's IP, e-mail and city; returns its id. */
async function sale(env: Env, sessionId: string): Promise<string> {
  const orderId = `RP-${process.pid}-${++seq}`;
  const reported = await call(
    env.handlers.conversion,
    apiEvent({
      path: '/v1/conversions',
      body: {
        orderId,
        visitor: { sessionId },
        currency: 'EUR',
        orderValue: 609.07,
        netValue: 503.36,
        country: 'fr',
        items: [
          { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 },
          { productId: 'P108530', name: 'Serre joints écarteur', unitPrice: 18.7, quantity: 2 },
        ],
        shopper: { ip: IP, email: EMAIL, city: 'Lyon' },
      },
    }),
  );
  expect(reported.status).toBe(202);
  return orderId;
}

/** Every message on the destination's queue through its sender running `config`, poll after poll. */
async function deliver(env: Env, id: string, config: TrackingConfig): Promise<void> {
  const sender = senderFor(config, id, env.queues[id]!, { store, sqs });
  while ((await pollOnce(sqs, env.queues[id]!.queueUrl, sender)).records.length);
}

async function depth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

/**
 * What SQS does to a message after its retention period (14 days at most): deletes it. (PurgeQueue would do, but the
 * SQS server, like SQS, carries it out only after 60 seconds.)
 */
async function expire(queueUrl: string): Promise<void> {
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages.length) break;
    for (const message of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
  }
  expect(await depth(queueUrl)).toBe(0);
}

async function replay(env: Env, argv: string[], answer?: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...argv, '--local'], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    stateFile: env.stateFile,
    ...(answer !== undefined ? { input: Readable.from(answer ? [answer] : []) } : {}),
  });
  return { code, out, err };
}

const delivery = async (orderId: string, vendorId: string) => (await store.getOrder(orderId))!.deliveries.find((d) => d.vendor === vendorId)!;
const callsTo = (path: string, orderId: string): ReceivedCall[] =>
  vendor.calls.filter((c) => {
    const url = new URL(c.url, vendor.url);
    return url.pathname === path && (url.searchParams.get('orderId') ?? url.searchParams.get('ref')) === orderId;
  });
const query = (c: ReceivedCall): Record<string, string> => Object.fromEntries(new URL(c.url, vendor.url).searchParams);

describe('npm run replay', () => {
  it('sends a sale refused under a wrong configuration once its message has expired and the configuration is fixed; a second replay sends nothing', async () => {
    const env = await environment();
    await capture(env, 's-kk', { kk: 'kk-of-the-sale' });
    const orderId = await sale(env, 's-kk');
    // Kelkoo refuses the sale sent with comId 111: failed, parked in the dead-letter queue.
    vendor.answer({ kind: 'status', status: 400, body: 'unknown comId' });
    await deliver(env, 'kelkoo', env.broken);
    expect(await delivery(orderId, 'kelkoo')).toMatchObject({ status: 'failed', vendorStatus: 400 });
    expect(await depth(env.queues.kelkoo!.dlqUrl)).toBe(1);
    // Three weeks later: the parked message is gone, and the visitor has clicked another Kelkoo offer since.
    await expire(env.queues.kelkoo!.dlqUrl);
    await capture(env, 's-kk', { kk: 'kk-clicked-later' });

    const first = await replay(env, ['kelkoo', '--order', orderId, '--yes']);
    expect(first).toMatchObject({ code: 0, err: [] });
    expect(first.out).toContain(`  ${orderId}  failed (HTTP 400: unknown comId), placed ${(await store.orders.readOrder(orderId))!.order.replay!.order.occurredAt}; will send:`);
    const shown = first.out.filter((line) => line.startsWith('    GET '));
    expect(shown).toHaveLength(1);
    expect(first.out).toContain('      Referer: https://www.shop.example');
    expect(first.out.at(-1)).toMatch(/^Queued 1 message\(s\) on the kelkoo delivery queue\./);
    // Nothing personal is printed: Kelkoo's call carries no shopper data, and the record has none.
    expect(first.out.join('\n')).not.toMatch(/203\.0\.113\.77|jane\.doe|Lyon/);

    await deliver(env, 'kelkoo', env.fixed);
    expect(await delivery(orderId, 'kelkoo')).toMatchObject({ status: 'sent', attempts: 2, vendorStatus: 200 });
    const calls = callsTo('/kelkoo/st', orderId);
    expect(calls.map((c) => [query(c).comId, c.answered])).toEqual([
      ['111', 400],
      ['222', 200],
    ]);
    // What was shown is what Kelkoo received.
    expect(shown[0]).toBe(`    GET ${vendor.url}${calls[1]!.url}`);
    // The current configuration's comId; everything else as the conversion decided and the shop reported it: the
    // click id of the sale (not the later one), the seeded saleId, the basket, the amounts.
    const { comId: _before, ...sentFirst } = query(calls[0]!);
    const { comId: _after, ...sentAgain } = query(calls[1]!);
    expect(sentAgain).toEqual(sentFirst);
    expect(sentAgain.kelkooId).toBe('kk-of-the-sale');

    // Replayed again: sent already, so nothing is queued and Kelkoo hears nothing more.
    const second = await replay(env, ['kelkoo', '--order', orderId, '--yes']);
    expect(second.code).toBe(0);
    expect(second.out).toContain(`  ${orderId}  already sent on ${(await delivery(orderId, 'kelkoo')).sentAt}: never sent twice, nothing to do`);
    expect(second.out.at(-1)).toBe('Nothing to queue.');
    expect(await depth(env.queues.kelkoo!.queueUrl)).toBe(0);
    await deliver(env, 'kelkoo', env.fixed);
    expect(callsTo('/kelkoo/st', orderId)).toHaveLength(2);
  });

  it('keeps the exclusive group verdict and the click id decided then, and an order record without the shopper', async () => {
    const env = await environment();
    const now = Date.now();
    // Awin's click, then Tradedoubler's: Tradedoubler wins, Awin is told anyway with the winner as its channel.
    await capture(env, 's-grp', { awc: 'awc-of-the-sale' }, new Date(now - 10 * MINUTE));
    await capture(env, 's-grp', { tduid: 'td-1' }, new Date(now - 5 * MINUTE));
    const orderId = await sale(env, 's-grp');
    const recordedBefore = await store.recordedPlan(orderId, 'awin');
    vendor.answer({ kind: 'status', status: 403, body: 'unknown merchant' });
    await deliver(env, 'awin', env.broken);
    expect(await delivery(orderId, 'awin')).toMatchObject({ status: 'failed', vendorStatus: 403 });
    await expire(env.queues.awin!.dlqUrl);
    // A newer Awin click, which would win the group if it were decided again.
    await capture(env, 's-grp', { awc: 'awc-clicked-later' });

    // The order record keeps the order as reported and each message's decided values – never the shopper.
    const raw = await documentClient(stores.client).send(new GetCommand({ TableName: stores.tableName, Key: { pk: `ORDER#${orderId}`, sk: 'ORDER' } }));
    const record = raw.Item!;
    expect(JSON.stringify(record)).not.toMatch(/203\.0\.113\.77|jane\.doe|shop\.example|Lyon/);
    expect(record.replay).toEqual({
      order: expect.objectContaining({ orderId, currency: 'EUR', orderValue: 609.07, netValue: 503.36, items: expect.arrayContaining([expect.objectContaining({ productId: 'P108530', quantity: 2 })]) }),
      shopperFields: ['ip', 'email', 'city'],
      destinations: {
        klevu: { context: {} },
        awin: { context: { clickId: 'awc-of-the-sale' }, exclusive: { group: 'affiliates', winner: 'tradedoubler', channel: 'tradedoubler', won: false } },
        tradedoubler: { context: { clickId: 'td-1' }, exclusive: { group: 'affiliates', winner: 'tradedoubler', channel: 'tradedoubler', won: true } },
      },
    });
    expect(record.replay.order).not.toHaveProperty('shopper');

    const replayed = await replay(env, ['awin', '--order', orderId], 'y\n');
    expect(replayed).toMatchObject({ code: 0, err: [] });
    expect(replayed.out.filter((l) => l.startsWith('    GET '))).toEqual([`    GET ${vendor.url}/awin/sale?ref=${orderId}&cks=awc-of-the-sale&ch=tradedoubler`]);
    // The message without the shopper digests differently: the plan now records the replayed message's digest.
    const recordedAfter = await store.recordedPlan(orderId, 'awin');
    expect(recordedAfter).toMatchObject({ recorded: true, status: 'queued', digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(recordedAfter).not.toEqual(recordedBefore);

    await deliver(env, 'awin', env.fixed);
    expect(await delivery(orderId, 'awin')).toMatchObject({ status: 'sent', attempts: 2 });
    const calls = callsTo('/awin/sale', orderId);
    expect(calls.map((c) => c.answered)).toEqual([403, 200]);
    expect(calls[1]!.url).toBe(calls[0]!.url);
  });

  it('refuses, with the reason, a call that needs the shopper IP, an order past the reporting window, a skipped destination, a cancelled order and an unknown one', async () => {
    // Reported two days ago: past the `late` network's one-day window, within lateReportHours at the time.
    const env = await environment(() => new Date(Date.now() - 50 * HOUR));
    await capture(env, 's-ref', { kk: 'kk-ref', lid: 'lid-ref' });
    const orderId = await sale(env, 's-ref');
    const withoutClick = await sale(env, 's-noclick');
    const queued = async () => Promise.all(['kelkoo', 'klevu', 'late'].map((id) => depth(env.queues[id]!.queueUrl)));
    const before = await queued();

    const klevu = await replay(env, ['klevu', '--order', orderId, '--yes']);
    expect(klevu.code).toBe(1);
    expect(klevu.out).toContain(
      `  ${orderId}  refused: klevu's call carries the shopper's IP and city, which the order record does not keep beyond the queues' 14 days ` +
        "(docs/PRIVACY.md); while its message is in the dead-letter queue (14 days at most), npm run redrive sends it as it was",
    );
    expect(klevu.out.join('\n')).not.toContain(IP);

    const late = await replay(env, ['late', '--order', orderId, '--yes']);
    expect(late.code).toBe(1);
    expect(late.out).toContainEqual(expect.stringMatching(new RegExp(`^  ${orderId}  refused: late accepts a sale up to 1 days after the order \\(its reporting window\\); this one was placed on 20\\d\\d-.*, 2 days ago$`)));

    const skipped = await replay(env, ['kelkoo', '--order', withoutClick, '--yes']);
    expect(skipped.code).toBe(1);
    expect(skipped.out).toContainEqual(expect.stringMatching(new RegExp(`^  ${withoutClick}  refused: the conversion skipped kelkoo \\(no live .*\\): a replay sends only what the conversion decided to send$`)));

    const cancelled = await call(env.handlers.cancellation, apiEvent({ path: '/v1/conversions/{orderId}/cancellation', pathParameters: { orderId }, body: { reason: 'returned' } }));
    expect(cancelled.status).toBe(200);
    const afterCancel = await replay(env, ['kelkoo', '--order', orderId, '--yes']);
    expect(afterCancel.code).toBe(1);
    expect(afterCancel.out).toContainEqual(expect.stringMatching(new RegExp(`^  ${orderId}  refused: the order was cancelled on 20\\d\\d-.* \\(returned\\): a cancelled sale is never sent$`)));

    const unknown = await replay(env, ['kelkoo', '--order', 'no-such-order', '--yes']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('  no-such-order  refused: no such order is recorded (never reported, or its records expired after retentionDays)');

    for (const answer of [klevu, late, skipped, afterCancel, unknown]) expect(answer.out.at(-1)).toBe('Nothing to queue.');
    expect(await queued()).toEqual(before);
  });

  it('asks before queuing – no answer or "n" queues nothing, "yes" queues – and --since finds every failed delivery since then', async () => {
    const env = await environment();
    const orders: string[] = [];
    for (const sessionId of ['s-a', 's-b']) {
      await capture(env, sessionId, { kk: `kk-${sessionId}` });
      orders.push(await sale(env, sessionId));
    }
    vendor.answer({ kind: 'status', status: 400 }, { kind: 'status', status: 400 });
    await deliver(env, 'kelkoo', env.broken);
    for (const orderId of orders) expect(await delivery(orderId, 'kelkoo')).toMatchObject({ status: 'failed' });
    await expire(env.queues.kelkoo!.dlqUrl);
    const digests = async () => Promise.all(orders.map((orderId) => store.recordedPlan(orderId, 'kelkoo')));
    const recorded = await digests();

    for (const answer of ['n\n', '']) {
      const declined = await replay(env, ['kelkoo', '--since', '1h'], answer);
      expect(declined.code).toBe(1);
      expect(declined.out.filter((l) => /^ {2}RP-/.test(l)).map((l) => l.split('  ')[1]).sort()).toEqual([...orders].sort());
      expect(declined.out.at(-1)).toMatch(/^Queue 2 message\(s\) on the kelkoo delivery queue of the local stack \(SQS at .*\)\? \[y\/N\]$/);
      expect(declined.err).toEqual(['Not confirmed: nothing queued.']);
    }
    expect(await depth(env.queues.kelkoo!.queueUrl)).toBe(0);
    expect(await digests()).toEqual(recorded);

    const confirmed = await replay(env, ['kelkoo', '--since', '1h'], 'Yes\n');
    expect(confirmed).toMatchObject({ code: 0, err: [] });
    expect(confirmed.out.at(-1)).toMatch(/^Queued 2 message\(s\)/);
    await deliver(env, 'kelkoo', env.fixed);
    for (const orderId of orders) {
      expect(await delivery(orderId, 'kelkoo')).toMatchObject({ status: 'sent' });
      expect(callsTo('/kelkoo/st', orderId).map((c) => query(c).comId)).toEqual(['111', '222']);
    }
    // Sent, they no longer count as unsettled: nothing since then is left to replay.
    const again = await replay(env, ['kelkoo', '--since', '1h', '--yes']);
    expect(again.code).toBe(0);
    expect(again.out).toContainEqual(expect.stringMatching(/^ {2}no failed, dead-lettered or retrying delivery to kelkoo since 20\d\d-/));
  });

  it('names a bad argument, and a destination the configuration does not have', async () => {
    const env = await environment();
    for (const [argv, message] of [
      [['kelkoo'], /^Give either --order or --since\./],
      [['kelkoo', '--order', 'A', '--since', '7d'], /^Give either --order or --since\./],
      [['--order', 'A'], /^Name exactly one destination/],
      [['kelkoo', '--since', 'last week'], /^--since must be like 7d, 24h, 2026-11-01/],
      [['kelkoo', '--since', '2026-02-30'], /^--since must be like/],
      [['kelkoo', '--order', ''], /^--order needs an order id/],
      [['raptor', '--order', 'A', '--yes'], /^"raptor" is not a sale destination of .*fixed-\d+\.json \(kelkoo, klevu, awin, tradedoubler, late\)/],
      [['awin-cancel', '--order', 'A', '--yes'], /a cancellation call is not replayed$/],
    ] as const) {
      const answer = await replay(env, [...argv]);
      expect({ argv, code: answer.code }).toEqual({ argv, code: 1 });
      expect(answer.err[0]).toMatch(message);
    }
  });
});
