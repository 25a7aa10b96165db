/**
 * Operating the local stack, end to end over real HTTP and the operator commands: a vendor rejecting sales (parked,
 * alarm-worthy DLQ depth, fixed, redriven, sent exactly once), the attempt history with the shopper's data redacted,
 * the listing of unsettled deliveries page by page, `npm run status`, and `npm run report` on a known set of orders.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort, LOCAL_AWS } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { run as redrive } from '../../scripts/redrive';
import { run as report } from '../../scripts/report';
import { run as status } from '../../scripts/status';
import { eventually, StackClient } from '../support/local-stack';

const API_KEY = 'operate-test-key-0123';
const IP = '203.0.113.77';
const EMAIL = 'Jane.Doe+vip@shop.example';

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'operate-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function startStack(): Promise<{ stack: LocalStack; client: StackClient; stateFile: string; sqs: SQSClient }> {
  const port = await freePort();
  const sandbox = `http://127.0.0.1:${port}/sandbox`;
  const configPath = join(workDir, `config-${port}.json`);
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: {
        kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `${sandbox}/kelkoo/st` },
        klevu: { apiKey: 'klevu-1234567890', sendEmail: true, endpoint: `${sandbox}/klevu/analytics/collect` },
      },
      delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 2000 },
      local: { apiKeys: [API_KEY] },
    }),
  );
  const stack = await startLocalStack({ configPath, port, quiet: true, dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT, sqsEndpoint: process.env.TEST_SQS_ENDPOINT });
  // The state file `npm start` writes, pointing the operator commands at this stack.
  const stateFile = join(workDir, `stack-${port}.json`);
  writeFileSync(
    stateFile,
    JSON.stringify({
      pid: process.pid,
      baseUrl: stack.baseUrl,
      configFile: configPath,
      region: LOCAL_AWS.region,
      dynamoEndpoint: stack.dynamoEndpoint,
      sqsEndpoint: stack.sqsEndpoint,
      tableName: stack.tableName,
      queueUrls: stack.queueUrls,
    }),
  );
  return { stack, client: new StackClient(stack, API_KEY), stateFile, sqs: new SQSClient({ endpoint: stack.sqsEndpoint, ...LOCAL_AWS }) };
}

async function command(fn: typeof redrive, argv: string[], stateFile: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await fn(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stateFile });
  return { code, out, err };
}

/** Reports a sale: with a Kelkoo click unless `click` is false, with the shopper's IP and e-mail unless `shopper` is false. */
async function sale(client: StackClient, options: { click?: boolean; shopper?: boolean } = {}): Promise<string> {
  const sessionId = `s-${randomUUID()}`;
  if (options.click !== false) {
    const clicked = await client.api('POST', '/v1/clicks', { visitor: { sessionId }, landingUrl: `https://www.shop.example/p/1.html?kk=kk-${randomUUID()}` });
    expect(clicked.status).toBe(201);
  }
  const orderId = `OP-${randomUUID()}`;
  const reported = await client.api('POST', '/v1/conversions', {
    orderId,
    visitor: { sessionId },
    currency: 'EUR',
    orderValue: 30.5,
    items: [{ productId: 'P1', name: 'Lamelles', unitPrice: 30.5, quantity: 1 }],
    ...(options.shopper !== false ? { shopper: { ip: IP, email: EMAIL } } : {}),
  });
  expect(reported.status).toBe(202);
  return orderId;
}

const settled = (statuses: string[]) => (deliveries: Array<{ status: string }>) => deliveries.every((d) => statuses.includes(d.status));
const FINAL = ['sent', 'failed', 'dead-lettered', 'skipped'];

describe('a vendor rejecting sales, on the local stack', () => {
  let env: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    env = await startStack();
  });
  afterAll(async () => {
    env.sqs.destroy();
    await env.stack.stop();
  });
  afterEach(async () => {
    await env.client.setBehaviour('kelkoo', null);
    await env.client.setBehaviour('klevu', null);
  });

  const kelkooCalls = async (orderId: string) => (await env.client.sandboxCalls('kelkoo')).filter((c) => c.query.orderId === orderId).map((c) => c.status);
  const delivery = async (orderId: string, vendor: string) => (await env.client.deliveries(orderId)).find((d) => d.vendor === vendor)! as any;
  const dlqDepth = async () =>
    Number(
      (await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.stack.queueUrls.kelkoo!.deadLetterQueue, AttributeNames: ['ApproximateNumberOfMessages'] })))
        .Attributes?.ApproximateNumberOfMessages,
    );

  it('parks the refused sale, redrives it once fixed, sends it exactly once, and never sends a sent one again', async () => {
    const before = await dlqDepth();
    const sent = await sale(env.client);
    await eventually(() => env.client.deliveries(sent), settled(FINAL));
    expect(await kelkooCalls(sent)).toEqual([200]);

    // Kelkoo refuses sales (say, a wrong comId) for a while.
    await env.client.setBehaviour('kelkoo', { status: 400, body: 'unknown comId' });
    const refused = await sale(env.client);
    await eventually(() => delivery(refused, 'kelkoo'), (d) => d.status === 'failed');
    // Parked in the DLQ: the depth the dead-letter alarm watches (threshold 1) has grown by one.
    await eventually(dlqDepth, (depth) => depth === before + 1);
    expect(await kelkooCalls(refused)).toEqual([400]);
    const listed = await env.client.api('GET', '/v1/deliveries?status=failed&vendor=kelkoo');
    expect(listed.body.deliveries.map((d: { orderId: string }) => d.orderId)).toContain(refused);

    // While refused, `npm run status` shows the vendor's answer.
    expect((await command(status, [refused, '--local'], env.stateFile)).out).toContain('  #1 answer: unknown comId');

    // Fixed; the operator redrives the refused ones only.
    await env.client.setBehaviour('kelkoo', null);
    const moved = await command(redrive, ['kelkoo', '--only', 'failed', '--local'], env.stateFile);
    expect(moved).toMatchObject({ code: 0, err: [] });
    expect(moved.out.at(-1)).toMatch(/^Moved 1 message\(s\) back to the kelkoo delivery queue; 0 other message\(s\) stay/);

    const done = await eventually(() => delivery(refused, 'kelkoo'), (d) => d.status === 'sent');
    expect(done.attempts).toBe(2);
    expect(await kelkooCalls(refused)).toEqual([400, 200]);
    expect(await dlqDepth()).toBe(before);
    // Redriving again (nothing left) and an order sent from the start: no second call for either.
    expect((await command(redrive, ['kelkoo', '--order', sent, '--local'], env.stateFile)).out.at(-1)).toMatch(/^Moved 0 message/);
    expect(await kelkooCalls(sent)).toEqual([200]);
    expect(await kelkooCalls(refused)).toEqual([400, 200]);
    // No longer listed once sent.
    const after = await env.client.api('GET', '/v1/deliveries?vendor=kelkoo&limit=100');
    expect(after.body.deliveries.map((d: { orderId: string }) => d.orderId)).not.toContain(refused);

    // `npm run status` counts both attempts and, once sent, keeps the one that sent it (without its answer).
    const shown = await command(status, [refused, '--local'], env.stateFile);
    expect(shown.code).toBe(0);
    expect(shown.out.find((l) => l.startsWith('kelkoo '))).toMatch(/^kelkoo\s+sent\s+2\s+200\s+sent 20/);
    expect(shown.out).toContain('kelkoo: last 1 attempt(s), oldest first');
    expect(shown.out.filter((l) => /^\s+20\d\d-.*\bsent\s+200\s+\d+\s+GET http/.test(l))).toHaveLength(1);
    expect(shown.out.some((l) => l.includes('answer:'))).toBe(false);
    expect((await command(status, ['no-such-order', '--local'], env.stateFile)).code).toBe(1);
  });

  it('keeps each attempt with the shopper IP and e-mail redacted wherever the vendor echoes them', async () => {
    // Klevu refuses, echoing the shopper's data back (as JSON and URL-encoded).
    const echo = JSON.stringify({ error: `invalid user_profile ip_address=${IP} email=${EMAIL} (${encodeURIComponent(EMAIL)})` });
    await env.client.setBehaviour('klevu', { status: 400, body: echo });
    const orderId = await sale(env.client);
    const failed = await eventually(() => delivery(orderId, 'klevu'), (d) => d.status === 'failed');

    expect(failed.history).toHaveLength(1);
    expect(failed.history[0]).toMatchObject({ outcome: 'failed', httpStatus: 400, request: expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:\d+\/sandbox\/klevu\//) });
    expect(failed.history[0].response).toContain('[redacted]');
    expect(failed.lastError).toContain('[redacted]');
    // Neither in the API's answer nor anywhere in the table's items of the order.
    const answer = JSON.stringify(await env.client.api('GET', `/v1/conversions/${orderId}`));
    const items = await DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: env.stack.dynamoEndpoint, ...LOCAL_AWS })).send(
      new QueryCommand({ TableName: env.stack.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ORDER#${orderId}` } }),
    );
    for (const text of [answer, JSON.stringify(items.Items)]) {
      for (const value of [IP, EMAIL, encodeURIComponent(EMAIL), EMAIL.toLowerCase()]) expect(text).not.toContain(value);
    }
    // The call itself did carry them: the vendor got what it needs.
    const sent = (await env.client.sandboxCalls('klevu')).filter((c) => c.body.includes(orderId));
    expect(sent[0]!.body).toContain(IP);
  });

  it('lists unsettled deliveries newest first, page by page, and names every bad parameter', async () => {
    await env.client.setBehaviour('kelkoo', { status: 400 });
    await env.client.setBehaviour('klevu', { status: 422 });
    const orders: string[] = [];
    for (let i = 0; i < 4; i++) orders.push(await sale(env.client));
    for (const orderId of orders) await eventually(() => env.client.deliveries(orderId), settled(['failed']));

    const seen: Array<{ orderId: string; vendor: string; updatedAt: string; status: string }> = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await env.client.api('GET', `/v1/deliveries?status=failed&limit=3${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.deliveries.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.deliveries);
      next = page.body.next;
      pages++;
    } while (next && pages < 20);
    expect(next).toBeUndefined();
    const mine = seen.filter((d) => orders.includes(d.orderId));
    expect(mine.map((d) => `${d.orderId}/${d.vendor}`).sort()).toEqual(orders.flatMap((o) => [`${o}/kelkoo`, `${o}/klevu`]).sort());
    expect(new Set(seen.map((d) => `${d.orderId}/${d.vendor}`)).size).toBe(seen.length);
    expect(seen.every((d) => d.status === 'failed')).toBe(true);
    expect(seen.map((d) => d.updatedAt)).toEqual(seen.map((d) => d.updatedAt).sort().reverse());
    expect(pages).toBeGreaterThanOrEqual(3);

    const klevuOnly = await env.client.api('GET', '/v1/deliveries?vendor=klevu&status=failed,dead-lettered&limit=100');
    expect(klevuOnly.body.deliveries.every((d: { vendor: string }) => d.vendor === 'klevu')).toBe(true);
    expect(klevuOnly.body.deliveries.filter((d: { orderId: string }) => orders.includes(d.orderId))).toHaveLength(4);
    expect((await env.client.api('GET', '/v1/deliveries?since=2099-01-01')).body).toEqual({ deliveries: [] });

    const otherFilter = (await env.client.api('GET', '/v1/deliveries?status=failed&limit=1')).body.next;
    for (const [query, field] of [
      ['status=sent', 'status'],
      ['vendor=kelkooo', 'vendor'],
      ['since=last-week', 'since'],
      ['since=2026-13-45', 'since'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['next=not-a-cursor', 'next'],
      [`status=retrying&next=${encodeURIComponent(otherFilter)}`, 'next'],
      ['vendors=kelkoo', 'vendors'],
    ] as const) {
      const bad = await env.client.api('GET', `/v1/deliveries?${query}`);
      expect({ query, status: bad.status, fields: bad.body.error.details.map((d: { field: string }) => d.field) }).toEqual({ query, status: 400, fields: [field] });
    }
    expect((await env.client.api('GET', '/v1/deliveries', undefined, { auth: false })).status).toBe(401);
  });
});

describe('npm run report on the local stack', () => {
  it('counts a known set of orders per vendor and day', async () => {
    const env = await startStack();
    try {
      const wait = (orderId: string) => eventually(() => env.client.deliveries(orderId), settled(FINAL));
      // Two sales to both vendors.
      await wait(await sale(env.client));
      await wait(await sale(env.client));
      // No Kelkoo click: Kelkoo skipped, Klevu sent.
      await wait(await sale(env.client, { click: false }));
      // No shopper IP: Klevu skipped; Kelkoo refuses it.
      await env.client.setBehaviour('kelkoo', { status: 400, times: 1 });
      await wait(await sale(env.client, { shopper: false }));
      // No shopper IP; Kelkoo down for all five attempts: dead-lettered.
      await env.client.setBehaviour('kelkoo', { status: 503, times: 5 });
      await wait(await sale(env.client, { shopper: false }));

      const { code, out, err } = await command(report, ['--local', '--since', '1d'], env.stateFile);
      expect({ code, err }).toEqual({ code: 0, err: [] });
      const day = new Date().toISOString().slice(0, 10);
      const row = (vendor: string) => out.find((l) => l.startsWith(`${day}  ${vendor} `))?.split(/\s+/).slice(2).map(Number);
      // reported, queued, sent, skipped, failed, dead-lettered, cancelled, pending
      expect(row('kelkoo')).toEqual([5, 4, 2, 1, 1, 1, 0, 0]);
      expect(row('klevu')).toEqual([5, 3, 3, 2, 0, 0, 0, 0]);
      expect(out).toContain('Skipped, by reason:');
      expect(out.filter((l) => l.startsWith(`  ${day}  klevu  2 × `))).toHaveLength(1);
      expect(out.filter((l) => l.startsWith(`  ${day}  kelkoo  1 × `))).toHaveLength(1);

      const kelkooOnly = await command(report, ['--local', '--vendor', 'kelkoo'], env.stateFile);
      expect(kelkooOnly.out.filter((l) => l.startsWith(day)).map((l) => l.split(/\s+/)[1])).toEqual(['kelkoo']);
      expect((await command(report, ['--local', '--vendor', 'nope'], env.stateFile)).code).toBe(1);
      expect((await command(report, ['--since', 'yesterday', '--local'], env.stateFile)).err[0]).toMatch(/^--since must be like 7d/);
    } finally {
      env.sqs.destroy();
      await env.stack.stop();
    }
  });
});
