/**
 * Warm per-invocation CPU time of the capture and conversion handlers: the same handler factories the Lambda entries
 * use, called in process against DynamoDB Local and the SQS server (both in other processes, so their work is not
 * counted), with the production JSON logger and metrics. process.cpuUsage() around each call separates our CPU from
 * the time spent waiting on I/O.
 *
 * A second, shorter pass counts what each call costs on AWS: DynamoDB round trips and capacity units (as DynamoDB
 * Local reports them), SQS requests and message sizes, and the bytes of log output.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiGatewayEvent } from '../local/api-gateway-event';
import { StaticApiKeys } from '../lambdas/api/api-keys';
import { createCaptureHandler } from '../lambdas/api/capture';
import { createConversionHandler } from '../lambdas/api/conversion';
import type { ApiHandler } from '../lambdas/api/http';
import type { TrackingConfig } from '../lambdas/config/schema';
import { destinationsOf } from '../lambdas/config/destinations';
import { CloudWatchDeliveryMetrics } from '../lambdas/observability/metrics';
import { documentClient } from '../lambdas/store/document-client';
import { SqsDeliveryQueues } from '../lambdas/store/delivery-queues';
import { clickSk, visitorPk } from '../lambdas/store/keys';
import { TrackingStore } from '../lambdas/store/tracking-store';
import { API_TIMEOUT_SECONDS } from '../lambdas/contract/shape';
import { lambdaContext } from '../local/lambda-context';
import { createBenchQueue, createBenchTable, dynamoClient, sqsClient } from './services';
import { buyerCaptureBody, captureBody, conversionBody } from './bodies';
import { BENCH_API_KEY, LIMITS } from './setup';
import { mean, median, percentile } from './stats';

/** What one kind of request costs per call. */
export interface CallAccount {
  label: string;
  /** DynamoDB requests by operation, per call. */
  dynamoCalls: Record<string, number>;
  dynamoRoundTrips: number;
  writeUnits: number;
  readUnits: number;
  sqsRequests: number;
  /** SQS billing counts each 64 KB chunk of a message as one request. */
  sqsChunks: number;
  sqsMessageBytes: number;
  logLines: number;
  logBytes: number;
}

export interface HandlerCpu {
  name: 'capture' | 'conversion' | 'bare PutItem';
  calls: number;
  cpuMs: { p50: number; p90: number; mean: number };
  wallMs: { p50: number; p90: number; mean: number };
  /** Wall minus CPU, per call: waiting on DynamoDB and SQS. */
  ioWaitMsP50: number;
}

export interface CpuReport {
  handlers: HandlerCpu[];
  /** A bare PutItem of a click record through the same SDK client: the share of a call that is the SDK and the socket. */
  bareWrite: HandlerCpu;
  accounts: CallAccount[];
  seconds: number;
}

/** The event API Gateway's HTTP API (payload 2.0) hands a function for a JSON POST on `routeKey`. */
export function postEvent(routeKey: string, body: unknown): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ') as [string, string];
  return apiGatewayEvent({
    method,
    path,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}`, host: 'bench.local', 'user-agent': 'bench' },
    body: JSON.stringify(body),
    apiId: 'bench',
    sourceIp: '127.0.0.1',
  });
}

/** An item's size as DynamoDB bills it: attribute names plus values (numbers approximated from their digits). */
export function itemBytes(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 1 + Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2);
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, v) => sum + 1 + itemBytes(v), 0);
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .reduce((sum, [k, v]) => sum + Buffer.byteLength(k, 'utf8') + itemBytes(v), 0);
}

/** Counts requests, and – while `capacity` is on – asks DynamoDB for the capacity each one consumed. */
class Accounting {
  capacity = false;
  dynamoCalls: Record<string, number> = {};
  writeUnits = 0;
  readUnits = 0;
  sqsRequests = 0;
  sqsChunks = 0;
  sqsBytes = 0;

  reset(): void {
    this.dynamoCalls = {};
    this.writeUnits = this.readUnits = this.sqsRequests = this.sqsChunks = this.sqsBytes = 0;
  }

  watchDynamo(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        this.dynamoCalls[name] = (this.dynamoCalls[name] ?? 0) + 1;
        if (this.capacity) (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        if (this.capacity && name === 'TransactWriteItems') {
          // DynamoDB Local under-reports transactions; AWS bills each item's size in 1 KB units, twice.
          const items = ((args.input as { TransactItems?: Array<{ Put?: { Item?: unknown } }> }).TransactItems ?? []).map((t) => t.Put?.Item);
          this.writeUnits += 2 * items.reduce<number>((sum, item) => sum + Math.max(1, Math.ceil(itemBytes(item) / 1024)), 0);
        } else if (this.capacity) {
          const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
          for (const entry of [consumed].flat() as Array<{ WriteCapacityUnits?: number; ReadCapacityUnits?: number; CapacityUnits?: number } | undefined>) {
            if (!entry) continue;
            const write = entry.WriteCapacityUnits ?? 0;
            const read = entry.ReadCapacityUnits ?? 0;
            // Some operations report only a total; a Query reads, everything else here writes.
            const total = entry.CapacityUnits ?? 0;
            this.writeUnits += write || (name === 'Query' || name === 'GetItem' ? 0 : total - read);
            this.readUnits += read || (name === 'Query' || name === 'GetItem' ? total : 0);
          }
        }
        return result;
      },
      { step: 'initialize', name: 'benchAccounting' },
    );
  }

  watchSqs(client: SQSClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        this.sqsRequests += 1;
        const body = (args.input as { MessageBody?: string }).MessageBody;
        if (body !== undefined) {
          const bytes = Buffer.byteLength(body, 'utf8');
          this.sqsBytes += bytes;
          this.sqsChunks += Math.max(1, Math.ceil(bytes / (64 * 1024)));
        } else {
          this.sqsChunks += 1;
        }
        return next(args);
      },
      { step: 'initialize', name: 'benchAccounting' },
    );
  }
}

/** Swallows what the handlers print (their JSON logs and EMF metrics) while counting it. */
function interceptStdout() {
  const original = process.stdout.write.bind(process.stdout);
  const counter = { bytes: 0, lines: 0 };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    counter.bytes += Buffer.byteLength(text, 'utf8');
    counter.lines += text.split('\n').length - 1;
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return { counter, restore: () => void (process.stdout.write = original) };
}

async function timed(handler: ApiHandler, event: APIGatewayProxyEventV2, expected: number): Promise<{ cpuMs: number; wallMs: number }> {
  const context = lambdaContext('bench', API_TIMEOUT_SECONDS);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await handler(event, context);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (result.statusCode !== expected) throw new Error(`${event.routeKey} answered ${result.statusCode}, expected ${expected}: ${result.body}`);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

function summarise(name: HandlerCpu['name'], runs: Array<{ cpuMs: number; wallMs: number }>): HandlerCpu {
  const cpu = runs.map((r) => r.cpuMs);
  const wall = runs.map((r) => r.wallMs);
  return {
    name,
    calls: runs.length,
    cpuMs: { p50: median(cpu), p90: percentile(cpu, 90), mean: mean(cpu) },
    wallMs: { p50: median(wall), p90: percentile(wall, 90), mean: mean(wall) },
    ioWaitMsP50: median(runs.map((r) => r.wallMs - r.cpuMs)),
  };
}

export async function measureHandlerCpu(endpoints: { dynamo: string; sqs: string }, config: TrackingConfig): Promise<CpuReport> {
  const started = Date.now();
  const run = randomBytes(3).toString('hex');
  const dynamo = dynamoClient(endpoints.dynamo);
  const sqs = sqsClient(endpoints.sqs);
  const accounting = new Accounting();
  accounting.watchDynamo(dynamo);
  accounting.watchSqs(sqs);
  const tableName = `bench-cpu-${run}`;
  await createBenchTable(dynamo, tableName);
  const destinations = destinationsOf(config);
  const queueUrls = Object.fromEntries(
    await Promise.all(destinations.map(async (d) => [d.id, await createBenchQueue(sqs, `bench-cpu-${d.id}-${run}`)] as const)),
  );

  // The production logger and metrics: JSON lines and EMF records on stdout, as Lambda ships them to CloudWatch.
  const logger = new Logger({ serviceName: 'conversion-tracking' });
  const store = new TrackingStore(documentClient(dynamo), tableName);
  const apiKeys = new StaticApiKeys([BENCH_API_KEY]);
  const capture = createCaptureHandler({ config, store, apiKeys, logger });
  const conversion = createConversionHandler({
    config,
    store,
    queues: new SqsDeliveryQueues(sqs, queueUrls),
    apiKeys,
    logger,
    metrics: new CloudWatchDeliveryMetrics(),
  });

  const accountedCalls = 20;
  const total = LIMITS.cpuWarmup + LIMITS.cpuCalls;
  const output = interceptStdout();
  try {
    // Buyers first (not measured): every conversion below finds click ids for all three vendors.
    for (let i = 0; i < total + accountedCalls; i++) await timed(capture, postEvent('POST /v1/clicks', buyerCaptureBody(i, run)), 201);

    // Interleaved call by call – a capture, a bare PutItem, a conversion – so that the machine's noise falls on all
    // three alike: the cost model prices the handlers' CPU against the bare request's (the floor's) from these runs.
    const captureRuns: Array<{ cpuMs: number; wallMs: number }> = [];
    const bareRuns: Array<{ cpuMs: number; wallMs: number }> = [];
    const conversionRuns: Array<{ cpuMs: number; wallMs: number }> = [];
    const db = documentClient(dynamo);
    for (let i = 0; i < total; i++) {
      const captured = await timed(capture, postEvent('POST /v1/clicks', captureBody(i, run)), 201);
      const cpuBefore = process.cpuUsage();
      const startedAt = performance.now();
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: visitorPk({ kind: 'sessionId', value: `bare-${run}-${i}` }), sk: clickSk('kk'), key: 'kk', value: `kk-${i}`, occurredAt: new Date().toISOString(), ttl: 2_000_000_000 },
        }),
      );
      const wallMs = performance.now() - startedAt;
      const cpu = process.cpuUsage(cpuBefore);
      const converted = await timed(conversion, postEvent('POST /v1/conversions', conversionBody(i, run, i)), 202);
      if (i < LIMITS.cpuWarmup) continue;
      captureRuns.push(captured);
      bareRuns.push({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs });
      conversionRuns.push(converted);
    }

    // The accounting pass: capacity reporting on, a few calls of each kind.
    accounting.capacity = true;
    const account = async (label: string, call: (i: number) => Promise<unknown>): Promise<CallAccount> => {
      accounting.reset();
      const before = { ...output.counter };
      for (let i = 0; i < accountedCalls; i++) await call(i);
      const per = (n: number) => n / accountedCalls;
      const dynamoCalls = Object.fromEntries(Object.entries(accounting.dynamoCalls).map(([k, v]) => [k, per(v)]));
      return {
        label,
        dynamoCalls,
        dynamoRoundTrips: Object.values(dynamoCalls).reduce((a, b) => a + b, 0),
        writeUnits: per(accounting.writeUnits),
        readUnits: per(accounting.readUnits),
        sqsRequests: per(accounting.sqsRequests),
        sqsChunks: per(accounting.sqsChunks),
        sqsMessageBytes: accounting.sqsRequests ? accounting.sqsBytes / accounting.sqsRequests : 0,
        logLines: per(output.counter.lines - before.lines),
        logBytes: per(output.counter.bytes - before.bytes),
      };
    };
    const accounts = [
      await account('capture: 1 visitor key, 1 click id', (i) => timed(capture, postEvent('POST /v1/clicks', captureBody(total + i, run)), 201)),
      await account('capture: 3 visitor keys, 3 click ids (9 records)', (i) =>
        timed(
          capture,
          postEvent('POST /v1/clicks', {
            visitor: { sessionId: `big-s-${run}-${i}`, userId: `big-u-${run}-${i}`, basketId: `big-b-${run}-${i}` },
            landingUrl: `https://www.shop.example/?kk=kk-big-${i}&qc_clickid=qc-big-${i}&s1=cm-big-${i}`,
          }),
          201,
        ),
      ),
      await account('conversion: 1 visitor key, 3 vendors queued', (i) =>
        timed(conversion, postEvent('POST /v1/conversions', conversionBody(total + i, run, total + i)), 202),
      ),
    ];
    return {
      handlers: [summarise('capture', captureRuns), summarise('conversion', conversionRuns)],
      bareWrite: summarise('bare PutItem', bareRuns),
      accounts,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    output.restore();
    dynamo.destroy();
    sqs.destroy();
  }
}

export interface CaptureCpuRatio {
  capture: HandlerCpu;
  bareWrite: HandlerCpu;
  /** Median over rounds of (capture CPU p50 ÷ bare PutItem CPU p50) measured in the same round. */
  ratio: number;
  rounds: number;
}

/**
 * Warm CPU per capture against a bare PutItem of a click record through the same document client, in process: the
 * quick measure of `npm run bench:init`. Captures and bare writes alternate in rounds of `perRound` calls each, so that
 * the machine's noise and the client's warm-up fall on both alike; the ratio is the median of the per-round ratios.
 * 21 rounds: with 7, the reported median moved between 1.19 and 1.27 from one run to the next on this machine, wider
 * than the distance to the target it is judged against.
 */
export async function measureCaptureCpu(
  endpoints: { dynamo: string },
  config: TrackingConfig,
  options: { rounds?: number; perRound?: number; warmup?: number } = {},
): Promise<CaptureCpuRatio> {
  const { rounds = 21, perRound = 60, warmup = LIMITS.cpuWarmup } = options;
  const run = randomBytes(3).toString('hex');
  const dynamo = dynamoClient(endpoints.dynamo);
  const tableName = `bench-capture-cpu-${run}`;
  await createBenchTable(dynamo, tableName);
  const logger = new Logger({ serviceName: 'conversion-tracking' });
  const db = documentClient(dynamo);
  const capture = createCaptureHandler({ config, store: new TrackingStore(db, tableName), apiKeys: new StaticApiKeys([BENCH_API_KEY]), logger });
  let n = 0;
  const bare = async (): Promise<{ cpuMs: number; wallMs: number }> => {
    const i = n++;
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: visitorPk({ kind: 'sessionId', value: `bare-${run}-${i}` }), sk: clickSk('kk'), key: 'kk', value: `kk-${i}`, occurredAt: new Date().toISOString(), ttl: 2_000_000_000 },
      }),
    );
    const wallMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
  };
  const captured = () => timed(capture, postEvent('POST /v1/clicks', captureBody(n++, run)), 201);
  const output = interceptStdout();
  try {
    for (let i = 0; i < warmup; i++) {
      await captured();
      await bare();
    }
    const captureRuns: Array<{ cpuMs: number; wallMs: number }> = [];
    const bareRuns: Array<{ cpuMs: number; wallMs: number }> = [];
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const c: Array<{ cpuMs: number; wallMs: number }> = [];
      const b: Array<{ cpuMs: number; wallMs: number }> = [];
      // Alternating call by call: neither side gets the quieter half of a round.
      for (let i = 0; i < perRound; i++) {
        c.push(await captured());
        b.push(await bare());
      }
      ratios.push(median(c.map((r) => r.cpuMs)) / median(b.map((r) => r.cpuMs)));
      captureRuns.push(...c);
      bareRuns.push(...b);
    }
    return { capture: summarise('capture', captureRuns), bareWrite: summarise('bare PutItem', bareRuns), ratio: median(ratios), rounds };
  } finally {
    output.restore();
    dynamo.destroy();
  }
}
