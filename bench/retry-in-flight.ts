/**
 * `npx tsx bench/retry-in-flight.ts [sales]` (default 2,000)
 *
 * What a vendor outage holds in flight on the local stack, and how fast the sender retries: `sales` conversions for a
 * vendor (the sandbox's Kelkoo) that answers 503 to every call, then, for a minute, the delivery queue's counts every
 * 200 ms – visible, in flight (received, not deleted), delayed (retries waiting out their backoff) – and the vendor
 * calls made. Waits are capped at 5 s so that every waiting sale is retried several times within the minute. Prints
 * the largest in-flight and delayed counts seen and the attempts per second: the figures behind "Where this design
 * stops working" in docs/RELIABILITY.md. Starts its own DynamoDB Local and SQS server (bench/services.ts) and sends
 * traffic only to 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freePort, LOCAL_AWS } from '../local/services';
import { startLocalStack } from '../local/stack';
import { startBenchServices } from './services';

const API_KEY = 'bench-retry-key-0001';
const SAMPLE_MS = 200;
const WINDOW_MS = 60_000;
const CONCURRENCY = 16;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(sales: number): Promise<void> {
  const services = await startBenchServices();
  const workDir = mkdtempSync(join(tmpdir(), 'retry-in-flight-'));
  const port = await freePort();
  const sandbox = `http://127.0.0.1:${port}/sandbox`;
  const configPath = join(workDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      vendors: { kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example', endpoint: `${sandbox}/kelkoo/st` } },
      delivery: { retryFor: '1h', retryBaseSeconds: 1, maxRetryDelay: '5s', timeoutMs: 5000 },
      local: { apiKeys: [API_KEY] },
    }),
  );
  const stack = await startLocalStack({ configPath, port, quiet: true, dynamoEndpoint: services.dynamo.endpoint, sqsEndpoint: services.sqs.endpoint, lenientSandbox: true });
  const sqs = new SQSClient({ endpoint: services.sqs.endpoint, ...LOCAL_AWS });
  try {
    const api = async (path: string, body: unknown) => {
      const response = await fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await response.text();
      return response.status;
    };
    const behaviour = await fetch(`${sandbox}/kelkoo/_behaviour`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":503}' });
    if (behaviour.status !== 200) throw new Error(`sandbox behaviour: HTTP ${behaviour.status}`);

    log(`Reporting ${sales} sales to a vendor that answers 503 …`);
    let next = 0;
    const worker = async () => {
      while (next < sales) {
        next++;
        const sessionId = `s-${randomUUID()}`;
        await api('/v1/clicks', { visitor: { sessionId }, landingUrl: `https://www.shop.example/p/1.html?kk=kk-${randomUUID()}` });
        const status = await api('/v1/conversions', {
          orderId: `R-${randomUUID()}`,
          visitor: { sessionId },
          currency: 'EUR',
          orderValue: 10,
          items: [{ productId: 'P1', name: 'P', unitPrice: 10, quantity: 1 }],
        });
        if (status !== 202) throw new Error(`conversion answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // The sandbox keeps the last 1,000 calls, numbered in order of arrival: the newest number counts them all.
    const calls = async () => Math.max(0, ...((await (await fetch(`${sandbox}/requests?vendor=kelkoo`)).json()) as Array<{ id: number }>).map((c) => c.id));
    const queueUrl = stack.queueUrls.kelkoo!.queue;
    const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
    const max = { visible: 0, inFlight: 0, delayed: 0 };
    log(`Watching the queue for ${WINDOW_MS / 1000} s …`);
    const callsBefore = await calls();
    const started = Date.now();
    while (Date.now() - started < WINDOW_MS) {
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }));
      const [visible, inFlight, delayed] = names.map((name) => Number(Attributes[name] ?? 0)) as [number, number, number];
      max.visible = Math.max(max.visible, visible);
      max.inFlight = Math.max(max.inFlight, inFlight);
      max.delayed = Math.max(max.delayed, delayed);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
    const seconds = (Date.now() - started) / 1000;
    const attempts = (await calls()) - callsBefore;
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          cores: cpus().length,
          node: process.version,
          sales,
          windowSeconds: Math.round(seconds),
          maxInFlight: max.inFlight,
          maxDelayed: max.delayed,
          maxVisible: max.visible,
          attemptsPerSecond: Math.round(attempts / seconds),
        },
        null,
        2,
      ),
    );
  } finally {
    sqs.destroy();
    await stack.stop();
    await services.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main(Number(process.argv[2] ?? 2000)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
