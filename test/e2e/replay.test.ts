/**
 * `npm run replay` on the local stack, as the README's walk-through runs it: Kelkoo refuses a sale, the parked message
 * is gone from the dead-letter queue (as after SQS's 14 days), Kelkoo is fixed, and the operator replays the order,
 * answering the confirmation on standard input. Kelkoo then receives it once; a second replay sends nothing; Klevu's
 * call, which needs the shopper's IP, is refused with the reason.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort, LOCAL_AWS } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { run as replay } from '../../scripts/replay';
import { eventually, StackClient } from '../support/local-stack';

const API_KEY = 'replay-e2e-key-0123';
const IP = '203.0.113.78';

let workDir: string;
let stack: LocalStack;
let client: StackClient;
let stateFile: string;
let sqs: SQSClient;
/** The vendors' endpoints of the configuration: the stack's sandbox. */
let sandbox: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'replay-e2e-'));
  const port = await freePort();
  sandbox = `http://127.0.0.1:${port}/sandbox`;
  const configPath = join(workDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: {
        kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `${sandbox}/kelkoo/st` },
        klevu: { apiKey: 'klevu-1234567890', endpoint: `${sandbox}/klevu/analytics/collect` },
      },
      delivery: { retryBaseSeconds: 1, timeoutMs: 2000 },
      local: { apiKeys: [API_KEY] },
    }),
  );
  stack = await startLocalStack({ configPath, port, quiet: true, dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT, sqsEndpoint: process.env.TEST_SQS_ENDPOINT });
  client = new StackClient(stack, API_KEY);
  sqs = new SQSClient({ endpoint: stack.sqsEndpoint, ...LOCAL_AWS });
  // The state file `npm start` writes, pointing the operator commands at this stack.
  stateFile = join(workDir, 'stack.json');
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
});
afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

async function command(argv: string[], answer?: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const input = answer === undefined ? {} : { input: Readable.from([answer]) };
  const code = await replay([...argv, '--local'], { out: (l) => out.push(l), err: (l) => err.push(l), stateFile, ...input });
  return { code, out, err };
}

async function depth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

/** The dead-letter queue after SQS's retention: its messages deleted. */
async function expire(queueUrl: string): Promise<void> {
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages.length) return;
    for (const message of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
  }
}

const kelkooCalls = async (orderId: string) => (await client.sandboxCalls('kelkoo')).filter((c) => c.query.orderId === orderId).map((c) => c.status);
const delivery = async (orderId: string, vendor: string) => (await client.deliveries(orderId)).find((d) => d.vendor === vendor)!;

it('replays a refused sale after its dead-letter message expired: Kelkoo receives it once, a second replay sends nothing, Klevu is refused', async () => {
  const sessionId = `s-${randomUUID()}`;
  expect((await client.api('POST', '/v1/clicks', { visitor: { sessionId }, landingUrl: 'https://www.shop.example/p/1.html?kk=kk-replay-e2e' })).status).toBe(201);
  // Kelkoo and Klevu refuse sales for a while (a wrong account on their side, say).
  await client.setBehaviour('kelkoo', { status: 400, body: 'unknown comId' });
  await client.setBehaviour('klevu', { status: 400, body: 'unknown apiKey' });
  const orderId = `RE-${randomUUID()}`;
  const reported = await client.api('POST', '/v1/conversions', {
    orderId,
    visitor: { sessionId },
    currency: 'EUR',
    orderValue: 30.5,
    items: [{ productId: 'P1', name: 'Lamelles', unitPrice: 30.5, quantity: 1 }],
    shopper: { ip: IP },
  });
  expect(reported.status).toBe(202);
  await eventually(() => delivery(orderId, 'kelkoo'), (d) => d.status === 'failed');
  await eventually(() => delivery(orderId, 'klevu'), (d) => d.status === 'failed');
  const deadLetters = stack.queueUrls.kelkoo!.deadLetterQueue;
  await eventually(() => depth(deadLetters), (n) => n === 1);
  // Weeks later: the parked message is gone; Kelkoo accepts sales again.
  await expire(deadLetters);
  expect(await depth(deadLetters)).toBe(0);
  await client.setBehaviour('kelkoo', null);
  await client.setBehaviour('klevu', null);

  const replayed = await command(['kelkoo', '--order', orderId], 'y\n');
  expect(replayed).toMatchObject({ code: 0, err: [] });
  expect(replayed.out[0]).toMatch(/^Replay to kelkoo on the local stack \(SQS at .*\), requests shown with .*config\.json:$/);
  expect(replayed.out).toContainEqual(expect.stringMatching(new RegExp(`^ {4}GET ${sandbox}/kelkoo/st\\?country=fr&orderId=${orderId}&comId=100475501&`)));
  expect(replayed.out).toContainEqual(expect.stringMatching(/^Queue 1 message\(s\) on the kelkoo delivery queue of the local stack .*\? \[y\/N\]$/));
  const sent = await eventually(() => delivery(orderId, 'kelkoo'), (d) => d.status === 'sent');
  expect(sent.attempts).toBe(2);
  expect(await kelkooCalls(orderId)).toEqual([400, 200]);

  const again = await command(['kelkoo', '--order', orderId, '--yes']);
  expect(again.code).toBe(0);
  expect(again.out.at(-1)).toBe('Nothing to queue.');
  expect(await depth(stack.queueUrls.kelkoo!.queue)).toBe(0);
  expect(await kelkooCalls(orderId)).toEqual([400, 200]);

  // Klevu's call carries the shopper's IP, which the order record does not keep: refused, with the reason.
  const klevu = await command(['klevu', '--order', orderId, '--yes']);
  expect(klevu.code).toBe(1);
  expect(klevu.out).toContainEqual(expect.stringMatching(new RegExp(`^  ${orderId}  refused: klevu's call carries the shopper's IP, which the order record does not keep .*npm run redrive`)));
  expect(klevu.out.join('\n')).not.toContain(IP);
  expect(await depth(stack.queueUrls.klevu!.queue)).toBe(0);
  expect((await delivery(orderId, 'klevu')).status).toBe('failed');
});
