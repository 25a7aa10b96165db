/**
 * Throughput of captures and conversions through the local stack over real HTTP, at several concurrency levels,
 * beside raw PutItem throughput into the same DynamoDB Local from the same process at the same concurrency – the
 * ceiling any capture path could reach on this machine. Raw PutItem and captures alternate in rounds, and the ratio
 * is the median of the per-round ratios, so that a noisy moment hits both sides of a ratio alike.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../lambdas/store/document-client';
import { clickSk, visitorPk } from '../lambdas/store/keys';
import type { LocalStack } from '../local/stack';
import type { LoadJob, LoadResult } from './load-worker';
import { dynamoClient } from './services';
import { LIMITS } from './setup';
import { median, percentile } from './stats';

/** One worker thread running load jobs one at a time. */
export class LoadGenerator {
  // The worker loads TypeScript through tsx's require hook, registered first thing in the thread.
  private readonly worker = new Worker(
    `require(${JSON.stringify(require.resolve('tsx/cjs'))});\nrequire(${JSON.stringify(join(__dirname, 'load-worker.ts'))});`,
    { eval: true },
  );

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: { ok: boolean; result?: LoadResult; error?: string }) => {
        this.worker.off('error', onError);
        if (message.ok) resolve(message.result!);
        else reject(new Error(message.error));
      };
      const onError = (error: Error) => {
        this.worker.off('message', onMessage);
        reject(error);
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', onError);
      this.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** PutItem of a click record (the item a capture writes) as fast as `concurrency` lanes allow, bounded. */
async function rawPutItems(endpoint: string, tableName: string, concurrency: number, run: string): Promise<{ completed: number; seconds: number }> {
  const client = dynamoClient(endpoint);
  const db = documentClient(client);
  const started = performance.now();
  const deadline = started + LIMITS.throughputSeconds * 1000;
  let next = 0;
  let completed = 0;
  const lane = async () => {
    while (next < LIMITS.throughputRequests && performance.now() < deadline) {
      const i = next++;
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: visitorPk({ kind: 'sessionId', value: `raw-${run}-${i}` }),
            sk: clickSk('kk'),
            key: 'kk',
            value: `kk-${run}-${i}`,
            occurredAt: new Date().toISOString(),
            ttl: Math.floor(Date.now() / 1000) + 30 * 86_400,
          },
        }),
      );
      completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  return { completed, seconds };
}

export interface LevelFigures {
  concurrency: number;
  rawPerSecond: number;
  capturePerSecond: number;
  /** Median over rounds of capture ÷ raw PutItem in the same round. */
  captureRatio: number;
  captureP50Ms: number;
  captureP99Ms: number;
  conversionPerSecond: number;
  conversionRatio: number;
  conversionP50Ms: number;
  conversionP99Ms: number;
  /** GET /v1/health through the same stack: no auth, no I/O – the ceiling of the HTTP hop alone. */
  healthPerSecond: number;
  /** Responses other than the expected 201/202 (there should be none). */
  unexpected: Record<string, number>;
}

export interface ThroughputReport {
  levels: LevelFigures[];
  buyers: number;
  seconds: number;
}

function unexpectedStatuses(result: LoadResult, expected: number, into: Record<string, number>): void {
  for (const [status, count] of Object.entries(result.statuses)) {
    if (Number(status) !== expected) into[status] = (into[status] ?? 0) + count;
  }
}

/** Captures the visitors whose conversions the later phases report (click ids for all three vendors). */
export async function captureBuyers(stack: LocalStack, load: LoadGenerator, run: string, buyers: number): Promise<void> {
  const result = await load.run({
    baseUrl: stack.baseUrl,
    kind: 'buyer',
    run,
    concurrency: 8,
    maxRequests: buyers,
    maxSeconds: 60,
    timeoutMs: LIMITS.requestTimeoutMs,
  });
  if ((result.statuses['201'] ?? 0) !== buyers) throw new Error(`capturing buyers: ${JSON.stringify(result.statuses)}`);
}

export async function measureThroughput(stack: LocalStack, load: LoadGenerator, buyersRun: string, buyers: number, log: (line: string) => void): Promise<ThroughputReport> {
  const started = Date.now();
  const levels: LevelFigures[] = [];
  for (const concurrency of LIMITS.concurrencies) {
    const raws: number[] = [];
    const captures: number[] = [];
    const ratios: number[] = [];
    const latencies: number[] = [];
    const unexpected: Record<string, number> = {};
    for (let round = 0; round < LIMITS.throughputRounds; round++) {
      const run = randomBytes(3).toString('hex');
      const job: LoadJob = {
        baseUrl: stack.baseUrl,
        kind: 'capture',
        run,
        concurrency,
        maxRequests: LIMITS.throughputRequests,
        maxSeconds: LIMITS.throughputSeconds,
        timeoutMs: LIMITS.requestTimeoutMs,
      };
      // Alternating which side goes first keeps a drift in the machine's load from favouring either.
      let raw: { completed: number; seconds: number };
      let capture: LoadResult;
      if (round % 2 === 0) {
        raw = await rawPutItems(stack.dynamoEndpoint, stack.tableName, concurrency, run);
        capture = await load.run(job);
      } else {
        capture = await load.run(job);
        raw = await rawPutItems(stack.dynamoEndpoint, stack.tableName, concurrency, run);
      }
      const rawRate = raw.completed / raw.seconds;
      const captureRate = (capture.statuses['201'] ?? 0) / capture.seconds;
      raws.push(rawRate);
      captures.push(captureRate);
      ratios.push(captureRate / rawRate);
      latencies.push(...capture.latenciesMs);
      unexpectedStatuses(capture, 201, unexpected);
    }
    const health = await load.run({
      baseUrl: stack.baseUrl,
      kind: 'health',
      run: 'health',
      concurrency,
      maxRequests: LIMITS.throughputRequests,
      maxSeconds: LIMITS.throughputSeconds,
      timeoutMs: LIMITS.requestTimeoutMs,
    });
    unexpectedStatuses(health, 200, unexpected);
    const conversion = await load.run({
      baseUrl: stack.baseUrl,
      kind: 'conversion',
      run: randomBytes(3).toString('hex'),
      concurrency,
      maxRequests: LIMITS.conversionRequests,
      maxSeconds: LIMITS.conversionSeconds,
      timeoutMs: LIMITS.requestTimeoutMs,
      buyers,
      buyersRun,
    });
    unexpectedStatuses(conversion, 202, unexpected);
    const conversionRate = (conversion.statuses['202'] ?? 0) / conversion.seconds;
    const rawMedian = median(raws);
    const level: LevelFigures = {
      concurrency,
      rawPerSecond: rawMedian,
      capturePerSecond: median(captures),
      captureRatio: median(ratios),
      captureP50Ms: median(latencies),
      captureP99Ms: percentile(latencies, 99),
      conversionPerSecond: conversionRate,
      conversionRatio: conversionRate / rawMedian,
      conversionP50Ms: median(conversion.latenciesMs),
      conversionP99Ms: percentile(conversion.latenciesMs, 99),
      healthPerSecond: (health.statuses['200'] ?? 0) / health.seconds,
      unexpected,
    };
    log(
      `  c=${concurrency}: raw PutItem ${level.rawPerSecond.toFixed(0)}/s, captures ${level.capturePerSecond.toFixed(0)}/s ` +
        `(ratio ${level.captureRatio.toFixed(2)}), health ${level.healthPerSecond.toFixed(0)}/s, conversions ${level.conversionPerSecond.toFixed(0)}/s`,
    );
    levels.push(level);
  }
  return { levels, buyers, seconds: (Date.now() - started) / 1000 };
}
