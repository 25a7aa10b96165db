/**
 * Dry-run conversions and `npm run smoke` against the local stack: a dry run shows exactly the requests the senders
 * then make for the same order (compared with what the vendor sandbox receives), and records, queues and sends
 * nothing; smoke passes against a healthy stack, touches no vendor, and reports each failed check on its own line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { destinationsOf } from '../../lambdas/config/destinations';
import { EXAMPLE_CONFIG_PATH } from '../../lambdas/config/load';
import type { LocalStack } from '../../local/stack';
import { run } from '../../scripts/smoke';
import { sqsClient } from '../support/aws';
import { eventually, StackClient, startExampleStack } from '../support/local-stack';

let stack: LocalStack;
let client: StackClient;
let dir: string;
const sqs = sqsClient();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smoke-'));
  stack = await startExampleStack();
  client = new StackClient(stack, 'local-dev-key');
});
afterAll(async () => {
  await stack?.stop();
  sqs.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const order = (orderId: string, extra: Record<string, unknown> = {}) => ({
  orderId,
  visitor: { userId: 'dry-u1' },
  currency: 'EUR',
  orderValue: 609.07,
  netValue: 503.36,
  country: 'fr',
  items: [
    { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 },
    { productId: 'P108530', name: 'Serre joints écarteur', unitPrice: 18.7, quantity: 2 },
  ],
  shopper: { ip: '203.0.113.7', country: 'FR', city: 'Lyon' },
  ...extra,
});

async function waiting(): Promise<number> {
  let total = 0;
  for (const { queue } of Object.values(stack.queueUrls)) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    total += Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return total;
}

describe('dry-run conversion', () => {
  it('answers with the exact requests the senders then make, and records, queues and sends nothing', async () => {
    const landing = 'https://www.shop.example/p/1.html?kk=kk-dry-1&qc_clickid=QC-dry-1&s1=cm-dry-1&reaid=REA-dry&awc=aw-dry-1';
    expect((await client.api('POST', '/v1/clicks', { visitor: { sessionId: 'dry-s1', userId: 'dry-u1' }, landingUrl: landing })).status).toBe(201);
    const identifiers = { raptor: { coid: '6f1c1f9e-8d6a-4f1e-9b4e-2f0d3c1a7b55', sid: '0b8e7c55-3f0e-4d6b-9a55-1e2f3a4b5c6d' } };
    const orderId = 'DRY-1/é & co';
    const before = (await client.sandboxCalls()).length;

    const planned = await client.api('POST', '/v1/conversions', order(orderId, { identifiers, dryRun: true }));
    expect(planned.status).toBe(200);
    expect(planned.body.dryRun).toBe(true);
    // Every sale destination (not the cancellation queues: a dry run plans the sale).
    const vendors = destinationsOf(stack.config).map((d) => d.id);
    expect(planned.body.deliveries.map((d: { vendor: string }) => d.vendor)).toEqual(vendors);
    for (const d of planned.body.deliveries) expect({ vendor: d.vendor, status: d.status }).toEqual({ vendor: d.vendor, status: 'planned' });
    // Nothing recorded, queued or sent.
    expect((await client.api('GET', `/v1/conversions/${encodeURIComponent(orderId)}`)).status).toBe(404);
    expect(await waiting()).toBe(0);
    expect((await client.sandboxCalls()).length).toBe(before);

    // The same order for real: every vendor receives what the dry run showed.
    expect((await client.api('POST', '/v1/conversions', order(orderId, { identifiers }))).status).toBe(202);
    await eventually(
      () => client.deliveries(orderId),
      (ds) => ds.every((d) => d.status === 'sent'),
    );
    const received = (await client.sandboxCalls()).slice(before);
    // Klevu's event carries the time the order was reported: the dry run's own moment, not the later real report's.
    const untimed = (body: string | undefined) => (body ?? '').replace(/"event_timestamp_ms":\d+/g, '"event_timestamp_ms":0');
    for (const delivery of planned.body.deliveries as { vendor: string; requests: { method: string; url: string; headers: Record<string, string>; body?: string }[] }[]) {
      const calls = received.filter((c) => c.vendor === delivery.vendor);
      // The same requests, in any order: a vendor's several calls for one order (Raptor's lines) go out in parallel.
      const inAnyOrder = (requests: Array<{ method: string; url: string; body: string }>) => requests.map((r) => JSON.stringify(r)).sort();
      expect(inAnyOrder(calls.map((c) => ({ method: c.method, url: `${stack.sandboxUrl.replace(/\/sandbox$/, '')}${c.url}`, body: untimed(c.body) })))).toEqual(
        inAnyOrder(delivery.requests.map((r) => ({ method: r.method, url: r.url, body: untimed(r.body) }))),
      );
      for (const call of calls) {
        for (const [name, value] of Object.entries(delivery.requests[0]!.headers)) expect(call.headers[name.toLowerCase()]).toBe(value);
      }
    }
  });

  it('shows why a destination would be skipped, and refuses a dryRun that is not a boolean', async () => {
    const planned = await client.api('POST', '/v1/conversions', order('DRY-2', { visitor: { userId: 'nobody' }, shopper: undefined, dryRun: true }));
    expect(planned.status).toBe(200);
    expect(planned.body.deliveries.every((d: { status: string; reason?: string }) => d.status === 'skipped' && typeof d.reason === 'string')).toBe(true);
    const refused = await client.api('POST', '/v1/conversions', order('DRY-3', { dryRun: 'yes' }));
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'dryRun' })]);
    expect((await client.api('GET', '/v1/conversions/DRY-3')).status).toBe(404);
  });
});

describe('npm run smoke', () => {
  it('passes every check against the local stack (--url/--key) without calling any vendor or queueing anything', async () => {
    const before = (await client.sandboxCalls()).length;
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['--url', stack.baseUrl, '--key', 'local-dev-key'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.filter((l) => l.startsWith('ok  '))).toHaveLength(7);
    expect((await client.sandboxCalls()).length).toBe(before);
    expect(await waiting()).toBe(0);
  });

  it('finds the local stack through the state file npm start writes (--local)', async () => {
    const stateFile = join(dir, 'stack.json');
    writeFileSync(stateFile, JSON.stringify({ pid: process.pid, baseUrl: stack.baseUrl, configFile: EXAMPLE_CONFIG_PATH }));
    const out: string[] = [];
    expect(await run(['--local'], { out: (l) => out.push(l), err: (l) => out.push(l), stateFile })).toBe(0);
    expect(out[0]).toContain(stack.baseUrl);
  });

  it('exits non-zero with one line per failed check', async () => {
    const err: string[] = [];
    const code = await run(['--url', stack.baseUrl, '--key', 'not-the-key-at-all'], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(1);
    // Health and the 401 check pass without a key; the four checks that need one fail, each on its own line.
    expect(err).toHaveLength(4);
    for (const line of err) expect(line).toMatch(/^FAIL {2}.+: expected HTTP \d+, got 401/);
  });

  it('refuses contradictory targets with one line', async () => {
    const err: string[] = [];
    expect(await run(['--local', '--url', 'http://x'], { out: () => undefined, err: (l) => err.push(l) })).toBe(1);
    expect(err[0]).toMatch(/Choose one target/);
  });
});

describe('npm run smoke against a deployed stack', () => {
  /**
   * The deployed path end to end, without AWS: CloudFormation's DescribeStacks (query protocol) and Secrets Manager's
   * GetSecretValue stand-ins reached through AWS_ENDPOINT_URL, the stack's ApiUrl output pointing at the local stack.
   */
  it('reads ApiUrl and the key from the stack outputs, and names a missing stack', async () => {
    const { startSecretsStandIn, credentialScope } = await import('../artifacts/aws-doubles');
    const { createServer } = await import('node:http');
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:ApiKeys3BB3983D-a1b2c3d4e5f6-AbCdEf';
    const secrets = await startSecretsStandIn({ [secretArn]: JSON.stringify({ primary: 'local-dev-key' }) });
    const outputs = { ApiUrl: `${stack.baseUrl}/`, ApiKeysSecretArn: secretArn, ApiKeysSecretName: 'ApiKeys3BB3983D-a1b2c3d4e5f6' };
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        if (credentialScope(request.headers.authorization)?.service === 'secretsmanager') return secrets.handle(request, body, response);
        const params = new URLSearchParams(body.toString('utf8'));
        if (params.get('StackName') !== 'ShopTracking') {
          response.writeHead(400, { 'content-type': 'text/xml' });
          return response.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${params.get('StackName')} does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
          );
        }
        const members = Object.entries(outputs).map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`).join('');
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>' +
            '<StackName>ShopTracking</StackName><StackId>arn:aws:cloudformation:eu-west-1:000000000000:stack/ShopTracking/1</StackId>' +
            `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs>` +
            '</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`,
      AWS_ACCESS_KEY_ID: 'smoke-test',
      AWS_SECRET_ACCESS_KEY: 'smoke-test',
    });
    try {
      const out: string[] = [];
      const err: string[] = [];
      // The local stack behind these outputs calls its own sandbox: as a deployed stack, a test deployment's.
      expect(await run(['--stack', 'ShopTracking', '--region', 'eu-west-1', '--allow-sandbox'], { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(0);
      expect(err).toEqual([]);
      expect(out[0]).toContain('stack ShopTracking in eu-west-1');
      expect(out.join('\n')).not.toContain('local-dev-key');

      const missing: string[] = [];
      expect(await run(['--stack', 'Nope', '--region', 'eu-west-1'], { out: () => undefined, err: (l) => missing.push(l) })).toBe(1);
      expect(missing).toEqual(['Stack Nope does not exist in eu-west-1. Pass --stage (or --stack) and --region, or use --local while npm start runs']);
    } finally {
      process.env = saved;
      server.close();
      server.closeAllConnections();
      await secrets.stop();
    }
  });
});
