/**
 * Pausing a destination loses no sale, on the local stack: with `vendors.kelkoo.paused` its poller does not receive
 * (the deployed event source mapping is disabled), 20 sales wait on its queue – none sent, none dead-lettered, each
 * shown `paused` by the status route – while Klevu, not paused, gets all 20. Unpausing (what deploying the
 * configuration without the flag does: LocalStack.setPaused) sends each of the 20 to Kelkoo exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort, LOCAL_AWS } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { eventually, StackClient } from '../support/local-stack';

const API_KEY = 'e2e-pause-key-0123';
const SALES = 20;

let workDir: string;
let stack: LocalStack;
let client: StackClient;
let sqs: SQSClient;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'pause-'));
  const port = await freePort();
  const sandbox = `http://127.0.0.1:${port}/sandbox`;
  const configPath = join(workDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: {
        kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `${sandbox}/kelkoo/st`, paused: true },
        klevu: { apiKey: 'klevu-1234567890', endpoint: `${sandbox}/klevu/analytics/collect` },
      },
      local: { apiKeys: [API_KEY] },
    }),
  );
  stack = await startLocalStack({
    configPath,
    port,
    quiet: true,
    dynamoEndpoint: process.env.TEST_DYNAMODB_ENDPOINT,
    sqsEndpoint: process.env.TEST_SQS_ENDPOINT,
  });
  client = new StackClient(stack, API_KEY);
  sqs = new SQSClient({ endpoint: stack.sqsEndpoint, ...LOCAL_AWS });
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

async function messagesOn(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

const statusesOf = async (orderIds: string[], vendor: string) =>
  Promise.all(orderIds.map(async (orderId) => (await client.deliveries(orderId)).find((d) => d.vendor === vendor)!.status));

const kelkooCalls = async () => (await client.sandboxCalls('kelkoo')).map((call) => call.query.orderId);

describe('a paused destination', () => {
  it('keeps 20 sales on its queue, sends none, then sends each once when unpaused', async () => {
    const run = Date.now().toString(36);
    const orderIds = Array.from({ length: SALES }, (_, i) => `PAUSE-${run}-${i}`);
    for (const [i, orderId] of orderIds.entries()) {
      const visitor = { sessionId: `pause-${run}-${i}` };
      expect((await client.api('POST', '/v1/clicks', { visitor, landingUrl: `https://www.shop.example/p/1.html?kk=kk-${run}-${i}` })).status).toBe(201);
      const accepted = await client.api('POST', '/v1/conversions', {
        orderId,
        visitor,
        currency: 'EUR',
        orderValue: 20 + i,
        items: [{ productId: 'P1', name: 'Gloves', unitPrice: 20 + i, quantity: 1 }],
        shopper: { ip: '203.0.113.7' },
      });
      expect(accepted.status).toBe(202);
      expect(accepted.body.deliveries).toEqual([
        { vendor: 'kelkoo', status: 'queued' },
        { vendor: 'klevu', status: 'queued' },
      ]);
    }

    // The pipeline runs: Klevu, not paused, has been sent every sale …
    await eventually(() => statusesOf(orderIds, 'klevu'), (statuses) => statuses.every((s) => s === 'sent'), 30_000);
    // … and Kelkoo none: its sales wait on its queue, received by nobody, and the status route says why.
    expect(await kelkooCalls()).toEqual([]);
    expect(await statusesOf(orderIds, 'kelkoo')).toEqual(orderIds.map(() => 'paused'));
    const kelkooQueues = stack.queueUrls.kelkoo!;
    expect(await messagesOn(kelkooQueues.queue)).toEqual({ visible: SALES, inFlight: 0 });
    expect(await messagesOn(kelkooQueues.deadLetterQueue)).toEqual({ visible: 0, inFlight: 0 });

    await stack.setPaused('kelkoo', false);
    expect(stack.config.vendors.kelkoo).not.toHaveProperty('paused');

    const sent = await eventually(() => statusesOf(orderIds, 'kelkoo'), (statuses) => statuses.every((s) => s === 'sent'), 30_000);
    expect(sent).toEqual(orderIds.map(() => 'sent'));
    // The poller deletes a batch once its handler has returned: then nothing is left that could call Kelkoo again.
    await eventually(() => messagesOn(kelkooQueues.queue), (counts) => counts.visible === 0 && counts.inFlight === 0);
    expect((await kelkooCalls()).sort()).toEqual([...orderIds].sort());
    expect(await messagesOn(kelkooQueues.deadLetterQueue)).toEqual({ visible: 0, inFlight: 0 });
  }, 90_000);
});
