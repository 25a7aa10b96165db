/**
 * Redrive of a dead-letter queue (scripts/redrive.ts) against the suite's SQS server over the real protocol,
 * including its message move tasks; the command line's choice of target and its one-line errors; and, end to end on
 * a local stack, a sale dead-lettered while its vendor failed and delivered exactly once after the redrive.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { freePort, LOCAL_AWS } from '../../local/services';
import { LocalStack, startLocalStack } from '../../local/stack';
import { destinationsFromOutputs, queueArnOf, redrive, RedriveError, run } from '../../scripts/redrive';
import { createTestQueue, sqsClient } from '../support/aws';

const sqs = sqsClient();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polling of the move task: the local server moves messages once a second. */
const FAST = { pollIntervalMs: 100, timeoutMs: 20_000 };

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'redrive-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
  sqs.destroy();
});

async function counts(client: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** Polls `read` until `done` holds, or fails after `timeoutMs` showing the last value read. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await sleep(100);
    value = await read();
  }
  return value;
}

/** Sends `bodies`, then receives every message `receives` times without deleting it, as a failing consumer would. */
async function failEveryMessage(queue: { queueUrl: string }, bodies: string[], receives: number): Promise<void> {
  for (const body of bodies) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: body,
        MessageAttributes: { origin: { DataType: 'String', StringValue: 'conversion' } },
      }),
    );
  }
  for (let round = 1; round <= receives; round++) {
    // At most one of each per call: the local server hands a message whose visibility timeout is 0 out again within
    // the same call when asked for more messages than the queue holds.
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.queueUrl,
        MaxNumberOfMessages: bodies.length,
        VisibilityTimeout: 0,
        // The local server reads the older AttributeNames only; SQS reads either.
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(Messages.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(bodies.map(() => String(round)));
  }
}

async function receiveAll(queueUrl: string, expected: number): Promise<Message[]> {
  const received: Message[] = [];
  const deadline = Date.now() + 10_000;
  while (received.length < expected && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    received.push(...Messages);
  }
  return received;
}

describe('redrive', () => {
  it('moves every message that exceeded maxReceiveCount back to its queue, bodies and attributes intact', async () => {
    const queue = await createTestQueue(sqs, 2);
    const bodies = [
      JSON.stringify({ version: 1, destination: 'kelkoo', order: { orderId: 'CMD-1' } }),
      JSON.stringify({ version: 1, destination: 'kelkoo', order: { orderId: 'A/B 1?&é#' } }),
      JSON.stringify({ version: 1, destination: 'kelkoo', order: { orderId: 'CMD-3', note: '"quoted" 🙂' } }),
    ];
    await failEveryMessage(queue, bodies, 2);
    await eventually(() => counts(sqs, queue.dlqUrl), (c) => c.visible === bodies.length, 5000);
    expect(await counts(sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });

    const progress: number[] = [];
    const result = await redrive(
      { sqs, deadLetterQueueUrl: queue.dlqUrl, queueArn: await queueArnOf(sqs, queue.queueUrl) },
      { ...FAST, onProgress: (moved) => progress.push(moved) },
    );

    expect(result).toEqual({ outcome: 'completed', moved: bodies.length });
    expect(progress.at(-1)).toBe(bodies.length);
    expect(await counts(sqs, queue.dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
    const back = await receiveAll(queue.queueUrl, bodies.length);
    expect(back.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    expect(back.map((m) => m.MessageAttributes?.origin?.StringValue)).toEqual(bodies.map(() => 'conversion'));
    // A redriven message is a new message: the sender gets its full maxAttempts again.
    expect(back.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(bodies.map(() => '1'));
  });

  it('does nothing to an empty dead-letter queue: no move task is started', async () => {
    const queue = await createTestQueue(sqs, 2);
    const queueArn = await queueArnOf(sqs, queue.queueUrl);
    const result = await redrive({ sqs, deadLetterQueueUrl: queue.dlqUrl, queueArn }, FAST);
    expect(result).toEqual({ outcome: 'empty', inFlight: 0 });
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: await queueArnOf(sqs, queue.dlqUrl) }));
    expect(tasks.Results ?? []).toEqual([]);
  });

  it('refuses to start while another redrive of the same queue runs', async () => {
    const queue = await createTestQueue(sqs, 1);
    await failEveryMessage(queue, ['{"a":1}'], 1);
    await eventually(() => counts(sqs, queue.dlqUrl), (c) => c.visible === 1, 5000);
    const queueArn = await queueArnOf(sqs, queue.queueUrl);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: await queueArnOf(sqs, queue.dlqUrl), DestinationArn: queueArn }));

    await expect(redrive({ sqs, deadLetterQueueUrl: queue.dlqUrl, queueArn }, FAST)).rejects.toThrow(RedriveError);
    await expect(redrive({ sqs, deadLetterQueueUrl: queue.dlqUrl, queueArn }, FAST)).rejects.toThrow(/already running/);
  });
});

describe('npm run redrive', () => {
  /** A state file as `npm start` writes it, for a local stack whose process is `pid`. */
  function stateFile(pid: number, queueUrls: Record<string, unknown>): string {
    const path = join(workDir, `stack-${randomUUID()}.json`);
    writeFileSync(path, JSON.stringify({ pid, sqsEndpoint: process.env.TEST_SQS_ENDPOINT, region: LOCAL_AWS.region, queueUrls }));
    return path;
  }

  async function runCommand(argv: string[], file: string): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l), stateFile: file, options: FAST });
    return { code, out, err };
  }

  it('redrives on the local stack while it runs, and says how many messages moved', async () => {
    const queue = await createTestQueue(sqs, 1);
    await failEveryMessage(queue, ['{"n":1}', '{"n":2}'], 1);
    await eventually(() => counts(sqs, queue.dlqUrl), (c) => c.visible === 2, 5000);
    const file = stateFile(process.pid, { kelkoo: { queue: queue.queueUrl, deadLetterQueue: queue.dlqUrl } });

    const { code, out, err } = await runCommand(['kelkoo'], file);

    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out[0]).toMatch(/^Redriving the dead-letter queue of kelkoo on the local stack/);
    expect(out.at(-1)).toMatch(/^Moved 2 message\(s\) back to the kelkoo delivery queue/);
    expect(await counts(sqs, queue.queueUrl)).toEqual({ visible: 2, inFlight: 0 });
  });

  it('finds the dead-letter queue from the redrive policy when only the queue is known, and says when it is empty', async () => {
    const queue = await createTestQueue(sqs, 1);
    const file = stateFile(process.pid, { 'awin-fr': queue.queueUrl });
    const { code, out } = await runCommand(['awin-fr', '--local'], file);
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('The dead-letter queue of awin-fr is empty: nothing to redrive.');
  });

  it('exits 1 on an unknown destination, naming the known ones', async () => {
    const queue = await createTestQueue(sqs, 1);
    const file = stateFile(process.pid, {
      kelkoo: { queue: queue.queueUrl, deadLetterQueue: queue.dlqUrl },
      'awin-fr': queue.queueUrl,
    });
    const { code, err } = await runCommand(['kelkooo'], file);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^Unknown destination "kelkooo" on the local stack .*Known destinations: kelkoo, awin-fr$/);
  });

  it('refuses --local when the local stack’s process is gone', async () => {
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    const { code, err } = await runCommand(['kelkoo', '--local'], stateFile(exited, {}));
    expect({ code, err }).toEqual({ code: 1, err: ['The local stack is not running: start it with npm start'] });
  });

  it('rejects contradictory or missing arguments in one line plus the usage', async () => {
    const file = stateFile(process.pid, {});
    for (const argv of [['kelkoo', '--local', '--stack', 'Other'], [], ['kelkoo', 'klevu'], ['kelkoo', '--force']]) {
      const { code, err } = await runCommand(argv, file);
      expect(code).toBe(1);
      expect(err).toHaveLength(1);
      expect(err[0]).toContain('Usage: npm run redrive -- <destination>');
    }
  });

  it('reads a deployed stack’s destinations from its outputs, ids as configured', () => {
    const found = destinationsFromOutputs([
      { OutputKey: 'ApiUrl', OutputValue: 'https://api.example/' },
      { OutputKey: 'AwinFrQueueUrl', OutputValue: 'https://sqs/awin', Description: 'Delivery queue of awin-fr' },
      {
        OutputKey: 'AwinFrDeadLetterQueueUrl',
        OutputValue: 'https://sqs/awin-dlq',
        Description: 'Dead-letter queue of awin-fr; redrive with npm run redrive -- awin-fr',
      },
    ]);
    expect([...found]).toEqual([['awin-fr', { queue: 'https://sqs/awin', deadLetterQueue: 'https://sqs/awin-dlq' }]]);
  });
});

describe('redrive on the local stack, end to end', () => {
  const API_KEY = 'redrive-test-key-0123';
  let stack: LocalStack;
  let stackSqs: SQSClient;

  beforeAll(async () => {
    const port = await freePort();
    const configPath = join(workDir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        vendors: {
          kelkoo: {
            country: 'fr',
            comId: '100475501',
            referer: 'https://www.shop.example',
            endpoint: `http://127.0.0.1:${port}/sandbox/kelkoo/st`,
          },
        },
        // Five quick attempts and no horizon: a failing vendor dead-letters the sale within seconds.
        delivery: { maxAttempts: 5, retryFor: '0s', retryBaseSeconds: 0, timeoutMs: 2000 },
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
    stackSqs = new SQSClient({ endpoint: stack.sqsEndpoint, ...LOCAL_AWS });
  });
  afterAll(async () => {
    stackSqs?.destroy();
    await stack?.stop();
  });
  afterEach(() => setKelkoo(null));

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: await response.json() };
  }

  async function setKelkoo(behaviour: { status: number } | null): Promise<void> {
    const response = await fetch(`${stack.sandboxUrl}/kelkoo/_behaviour`, {
      method: behaviour ? 'POST' : 'DELETE',
      ...(behaviour ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(behaviour) } : {}),
    });
    expect(response.status).toBe(200);
  }

  async function kelkooCalls(orderId: string): Promise<Array<{ status: number }>> {
    const response = await fetch(`${stack.sandboxUrl}/requests?vendor=kelkoo`);
    const all = (await response.json()) as Array<{ status: number; query: { orderId?: string } }>;
    return all.filter((r) => r.query.orderId === orderId);
  }

  async function kelkooDelivery(orderId: string): Promise<{ status: string; attempts: number; sentAt?: string }> {
    const { body } = await api('GET', `/v1/conversions/${encodeURIComponent(orderId)}`);
    const deliveries = body.deliveries as Array<{ vendor: string; status: string; attempts: number; sentAt?: string }>;
    return deliveries.find((d) => d.vendor === 'kelkoo')!;
  }

  const queues = () => stack.queueUrls.kelkoo!;
  const redriveKelkoo = async () => {
    const queueArn = await queueArnOf(stackSqs, queues().queue);
    return redrive({ sqs: stackSqs, deadLetterQueueUrl: queues().deadLetterQueue, queueArn }, FAST);
  };

  /** A sale for a visitor with a Kelkoo click, reported while Kelkoo answers 503, until it is in the DLQ. */
  async function deadLetteredSale(): Promise<{ orderId: string; body: string }> {
    await setKelkoo({ status: 503 });
    const sessionId = `s-${randomUUID()}`;
    const landingUrl = `https://www.shop.example/p/1.html?kk=kk-${randomUUID()}`;
    const clicked = await api('POST', '/v1/clicks', { visitor: { sessionId }, landingUrl });
    expect(clicked.status).toBe(201);
    const orderId = `CMD-${randomUUID()}`;
    const items = [{ productId: 'P1', name: 'Lamelles', unitPrice: 30.5, quantity: 1 }];
    const order = { orderId, visitor: { sessionId }, currency: 'EUR', orderValue: 30.5, items };
    expect((await api('POST', '/v1/conversions', order)).status).toBe(202);

    await eventually(() => kelkooDelivery(orderId), (d) => d.status === 'dead-lettered');
    await eventually(() => counts(stackSqs, queues().deadLetterQueue), (c) => c.visible === 1);
    // Read without taking it: visible again at once, still in the DLQ.
    const { Messages = [] } = await stackSqs.send(
      new ReceiveMessageCommand({ QueueUrl: queues().deadLetterQueue, VisibilityTimeout: 0 }),
    );
    expect(Messages).toHaveLength(1);
    expect((await kelkooCalls(orderId)).map((c) => c.status)).toEqual([503, 503, 503, 503, 503]);
    return { orderId, body: Messages[0]!.Body! };
  }

  it('delivers a dead-lettered sale exactly once after the vendor is fixed and the queue redriven', async () => {
    const { orderId } = await deadLetteredSale();
    await setKelkoo(null);

    expect(await redriveKelkoo()).toEqual({ outcome: 'completed', moved: 1 });

    const delivery = await eventually(() => kelkooDelivery(orderId), (d) => d.status === 'sent');
    expect(delivery.attempts).toBe(6);
    expect((await kelkooCalls(orderId)).map((c) => c.status)).toEqual([503, 503, 503, 503, 503, 200]);
  });

  it('makes no second call when a redriven message’s order was already sent', async () => {
    const { orderId, body } = await deadLetteredSale();
    await setKelkoo(null);
    await redriveKelkoo();
    const sent = await eventually(() => kelkooDelivery(orderId), (d) => d.status === 'sent');

    // A second copy of the message in the DLQ (SQS delivers at least once), redriven after the order was sent.
    await stackSqs.send(new SendMessageCommand({ QueueUrl: queues().deadLetterQueue, MessageBody: body }));
    expect(await redriveKelkoo()).toEqual({ outcome: 'completed', moved: 1 });
    // The sender received the copy and acknowledged it (the queue is empty again) …
    await eventually(() => counts(stackSqs, queues().queue), (c) => c.visible === 0 && c.inFlight === 0);
    // … without calling Kelkoo or touching the delivery.
    expect((await kelkooCalls(orderId)).map((c) => c.status)).toEqual([503, 503, 503, 503, 503, 200]);
    expect(await kelkooDelivery(orderId)).toEqual(sent);
  });
});
