/**
 * What each kind of request does on AWS, counted from the code as it is: the real handlers (capture, identify,
 * conversion, and every bench vendor's sender) run against DynamoDB Local and an SQS server, every AWS request counted
 * by SDK middleware, capacity units as DynamoDB bills them, and the log and EMF lines the handlers print with a
 * Lambda context shaped as the deployed functions get it (so Powertools adds its keys).
 *
 * Deterministic by construction – fixed clock, fixed ids of fixed length, fresh table and queues – so that the
 * fingerprint of the counts (requestCountsHash) is the same on every run and changes only when a code change changes a
 * request, a capacity unit or a log line. `npm run bench` writes the hash into docs/PERFORMANCE.md;
 * test/integration/performance-doc-hash.test.ts recomputes it and fails when the document is older than the code.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, Context, SQSRecord } from 'aws-lambda';
import { StaticApiKeys } from '../lambdas/api/api-keys';
import { createCaptureHandler } from '../lambdas/api/capture';
import { createConversionHandler } from '../lambdas/api/conversion';
import type { ApiHandler } from '../lambdas/api/http';
import { createIdentifyHandler } from '../lambdas/api/visitors';
import { queuedDestinationsOf } from '../lambdas/config/cancellation';
import type { TrackingConfig } from '../lambdas/config/schema';
import { API_TIMEOUT_SECONDS } from '../lambdas/contract/shape';
import { createLogger } from '../lambdas/observability/logger';
import { CloudWatchDeliveryMetrics, METRICS_SERVICE } from '../lambdas/observability/metrics';
import { createSender, SenderHandler } from '../lambdas/sender/create';
import { SqsDeliveryQueues } from '../lambdas/store/delivery-queues';
import { documentClient } from '../lambdas/store/document-client';
import { TrackingStore } from '../lambdas/store/tracking-store';
import type { HttpSender } from '../lambdas/vendors/http-sender';
import { apiGatewayEvent } from '../local/api-gateway-event';
import { LOCAL_AWS } from '../local/services';
import { createTable } from '../local/stack';
import { toSqsRecord } from '../local/poller';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { BENCH_API_KEY } from './setup';

/** The scenarios, each a handler invoked `calls` times with the same shape of request. */
export const SCENARIOS = {
  capture1: 'capture, 1 visitor key × 1 click id',
  capture3: 'capture, 1 visitor key × 3 click ids',
  capture10: 'capture, 2 visitor keys × 5 click ids',
  captureAgain: 'capture arriving again, older (refused conditional writes)',
  conversion1: 'conversion, 1 linked session (3 vendors queued)',
  conversion10: 'conversion, 10 linked sessions',
  conversion100: 'conversion, 100 linked sessions',
  senderBatch1: 'sender message, batches of 1',
  senderBatch10: 'sender message, batches of 10',
} as const;
export type ScenarioId = keyof typeof SCENARIOS;

/** What one scenario did, summed over its calls (per call: divide by `calls`; a sender scenario's call is one message). */
export interface ScenarioCount {
  id: ScenarioId;
  label: string;
  calls: number;
  /** Handler invocations (a sender batch is one invocation). */
  invocations: number;
  dynamo: Record<string, number>;
  sqs: Record<string, number>;
  writeUnits: number;
  readUnits: number;
  /** Reads made with ConsistentRead (billed at 1 RRU per 4 KB instead of 0.5). */
  strongReads: number;
  /** Conditional writes DynamoDB refused: billed all the same. */
  refusedWrites: number;
  logLines: number;
  emfLines: number;
  /** The keys of each distinct shape of log line (names only, sorted): a line format change changes them. */
  logShapes: string[];
  // Not part of the fingerprint: they vary with timings and ids' digits.
  logBytes: number;
  emfBytes: number;
  cpuMs: number;
  wallMs: number;
}

/**
 * `floorBytes`: the same items with only what exactly-once and attribution must keep – each item's key (`pk`, `sk`),
 * its expiry (`ttl`), a click's value and time (`value`, `occurredAt`, which newest-wins compares) and a delivery's
 * `status` – plus the per-item overhead: the storage floor (bench/cost-model.ts).
 */
export const FLOOR_ATTRIBUTES = ['pk', 'sk', 'ttl', 'value', 'occurredAt', 'status'] as const;

export interface StoredBytes {
  /** Items and bytes a capture (1 key × 1 id) leaves, by DynamoDB's size rule plus its 100 bytes of per-item overhead. */
  capture: { items: number; bytes: number; floorBytes: number; retentionDays: number };
  /** The order and its deliveries, after the senders recorded the outcomes. */
  conversion: { items: number; bytes: number; floorBytes: number; retentionDays: number };
}

export interface MeasuredRequests {
  scenarios: Record<ScenarioId, ScenarioCount>;
  stored: StoredBytes;
  /** The custom metrics the run emitted: namespace, metric name and dimension values (each is billed per month). */
  metricSeries: string[];
  vendors: string[];
  /** One log line of each scenario, when MEASURED_REQUESTS_SAMPLE is set (to see what a line carries). */
  samples: string[];
  /** sha256 of the deterministic part of the counts (fingerprintOf). */
  hash: string;
}

/** The fixed instant every handler sees; the counts never depend on the real time. */
export const CLOCK_START = Date.parse('2026-06-01T10:00:00.000Z');
const CAPTURE_CALLS = 3;
/** Two modes' worth of sender messages per vendor (SENDER_MESSAGES each). */
const CONVERSION_CALLS = 40;
const GROWTH_SESSIONS = [10, 100] as const;
const VISIT_EVERY_MS = 6 * 3600 * 1000;
/**
 * What the senders measure in each mode: every vendor gets this many messages per mode – two batches of ten each, so
 * that the CPU of a batch of ten, which sizes the senders' memory (docs/PERFORMANCE.md section 6), is not one sample.
 */
const SENDER_MESSAGES = 20;
/** Orders whose messages warm each sender up before it is measured: half sent one per invocation, half in batches of ten. */
const SENDER_WARMUP_ORDERS = 20;

/** Setting up buyers (not counted) runs this many handler calls side by side. */
const SETUP_PARALLELISM = 8;

async function pool(count: number, parallelism: number, run: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallelism, count) }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

/** DynamoDB's size of an attribute value ("Item sizes and formats"). */
export function attributeBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return value.B.length;
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + attributeBytes(v), 0);
  if (value.M) return 3 + Object.entries(value.M).reduce((sum, [name, v]) => sum + 1 + Buffer.byteLength(name) + attributeBytes(v), 0);
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + attributeBytes({ N: n }), 0);
  return 0;
}

export const dynamoItemBytes = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + attributeBytes(value), 0);

/** DynamoDB adds this much per item to the storage it bills. */
export const ITEM_STORAGE_OVERHEAD_BYTES = 100;

interface Tally {
  dynamo: Record<string, number>;
  sqs: Record<string, number>;
  writeUnits: number;
  readUnits: number;
  strongReads: number;
  refusedWrites: number;
}
const newTally = (): Tally => ({ dynamo: {}, sqs: {}, writeUnits: 0, readUnits: 0, strongReads: 0, refusedWrites: 0 });

const READS = new Set(['GetItem', 'Query', 'BatchGetItem', 'Scan', 'TransactGetItems']);

/**
 * Counts every DynamoDB request and the capacity it is billed. DynamoDB Local's ConsumedCapacity is used for plain
 * reads and writes; three cases are computed by DynamoDB's rules because Local does not report them as AWS bills:
 * transactions (2 WRU per KB of each item), refused conditional writes (billed as if written: the item's KB, at least
 * 1) and, for reads, strong consistency (1 RRU per 4 KB instead of 0.5; Local reports eventual and strong alike).
 */
function watchDynamo(client: DynamoDBClient, tally: () => Tally): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const t = tally();
      const input = args.input as Record<string, any>;
      t.dynamo[name] = (t.dynamo[name] ?? 0) + 1;
      input.ReturnConsumedCapacity = 'TOTAL';
      const strong = READS.has(name) && input.ConsistentRead === true;
      if (strong) t.strongReads += 1;
      try {
        const result = await next(args);
        const output = result.output as Record<string, any>;
        if (name === 'TransactWriteItems') {
          for (const entry of input.TransactItems as Array<Record<string, any>>) {
            const item = entry.Put?.Item as Record<string, AttributeValue> | undefined;
            t.writeUnits += 2 * (item ? Math.max(1, Math.ceil(dynamoItemBytes(item) / 1024)) : 1);
          }
        } else if (name === 'GetItem') {
          const bytes = output.Item ? dynamoItemBytes(output.Item) : 0;
          t.readUnits += Math.max(1, Math.ceil(bytes / 4096)) * (strong ? 1 : 0.5);
        } else if (name === 'Query' || name === 'Scan') {
          const bytes = ((output.Items ?? []) as Array<Record<string, AttributeValue>>).reduce((sum, item) => sum + dynamoItemBytes(item), 0);
          t.readUnits += Math.max(1, Math.ceil(bytes / 4096)) * (strong ? 1 : 0.5);
        } else {
          for (const entry of [output.ConsumedCapacity].flat() as Array<{ CapacityUnits?: number; WriteCapacityUnits?: number; ReadCapacityUnits?: number } | undefined>) {
            if (!entry) continue;
            if (READS.has(name)) t.readUnits += entry.ReadCapacityUnits ?? entry.CapacityUnits ?? 0;
            else t.writeUnits += entry.WriteCapacityUnits ?? entry.CapacityUnits ?? 0;
          }
        }
        return result;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException' || (error as { name?: string }).name === 'TransactionCanceledException') {
          t.refusedWrites += 1;
          const item = input.Item as Record<string, AttributeValue> | undefined;
          t.writeUnits += item ? Math.max(1, Math.ceil(dynamoItemBytes(item) / 1024)) : 1;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'measuredRequests' },
  );
}

function watchSqs(client: SQSClient, tally: () => Tally): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const t = tally();
      // SQS bills each 64 KB chunk of a payload as one request.
      const body = (args.input as { MessageBody?: string }).MessageBody;
      const chunks = body === undefined ? 1 : Math.max(1, Math.ceil(Buffer.byteLength(body) / 65536));
      t.sqs[name] = (t.sqs[name] ?? 0) + chunks;
      return next(args);
    },
    { step: 'initialize', name: 'measuredRequests' },
  );
}

/** What the handlers print, split into log lines and EMF metric records, counted and kept from the real stdout. */
function interceptStdout() {
  const original = process.stdout.write.bind(process.stdout);
  const seen = { logLines: 0, logBytes: 0, emfLines: 0, emfBytes: 0 };
  const emf: string[] = [];
  const samples: string[] = [];
  const shapes = new Set<string>();
  let last = '';
  let pending = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.trim()) continue;
      const bytes = Buffer.byteLength(line) + 1;
      if (line.includes('"_aws"')) {
        seen.emfLines += 1;
        seen.emfBytes += bytes;
        emf.push(line);
      } else {
        seen.logLines += 1;
        seen.logBytes += bytes;
        last = line;
        try {
          shapes.add(Object.keys(JSON.parse(line) as object).sort().join(','));
        } catch {
          shapes.add('(not JSON)');
        }
      }
    }
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    seen,
    emf,
    samples,
    shapes,
    get last() {
      return last;
    },
    restore: () => void (process.stdout.write = original),
  };
}

/** The environment Lambda gives a function that matters to what Powertools prints. */
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'ConversionTracking-prod-Capture0A1B2C3D-Ab1Cd2Ef3Gh4',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_REGION: 'eu-west-1',
  _X_AMZN_TRACE_ID: 'Root=1-6750a1b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0;Lineage=1:0a1b2c3d:0',
} as const;

/** A Lambda context as the runtime passes it to a deployed function: its real name, ARN and a request id. */
export function deployedContext(functionName: string, memoryMb: number, sequence: number): Context {
  const requestId = `0123abcd-4567-89ef-0123-${String(sequence).padStart(12, '0')}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/06/01/[$LATEST]0123456789abcdef0123456789abcdef`,
    getRemainingTimeInMillis: () => API_TIMEOUT_SECONDS * 1000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface MeasureOptions {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  config: TrackingConfig;
  /** A tag for the table and queue names (not part of any item); default derived from the time. */
  tag?: string;
  apiMemoryMb?: number;
  senderMemoryMb?: number;
}

/** Runs every scenario once; see the module's comment. */
export async function measureRequests(options: MeasureOptions): Promise<MeasuredRequests> {
  const tag = options.tag ?? `m${Date.now().toString(36)}${process.pid}`;
  const apiMemory = options.apiMemoryMb ?? 1024;
  const senderMemory = options.senderMemoryMb ?? 256;
  let tally = newTally();
  const dynamo = new DynamoDBClient({ endpoint: options.dynamoEndpoint, ...LOCAL_AWS });
  const sqs = new SQSClient({ endpoint: options.sqsEndpoint, ...LOCAL_AWS });
  const plainSqs = new SQSClient({ endpoint: options.sqsEndpoint, ...LOCAL_AWS });
  watchDynamo(dynamo, () => tally);
  watchSqs(sqs, () => tally);
  const savedEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries({ ...LAMBDA_ENV, POWERTOOLS_DEV: undefined, POWERTOOLS_LOG_LEVEL: 'INFO' })) {
    savedEnv[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const output = interceptStdout();
  try {
    const tableName = `measured-${tag}`;
    await createTable(dynamo, tableName);
    const config = options.config;
    const destinations = queuedDestinationsOf(config).map((d) => d.id);
    const queueUrls: Record<string, string> = {};
    const dlqUrls: Record<string, string> = {};
    for (const id of destinations) {
      queueUrls[id] = (await plainSqs.send(new CreateQueueCommand({ QueueName: `measured-${tag}-${id}` }))).QueueUrl!;
      dlqUrls[id] = (await plainSqs.send(new CreateQueueCommand({ QueueName: `measured-${tag}-${id}-dlq` }))).QueueUrl!;
    }
    let now = CLOCK_START;
    const clock = () => new Date(now);
    const store = new TrackingStore(documentClient(dynamo), tableName);
    const apiKeys = new StaticApiKeys([BENCH_API_KEY]);
    // As the deployed functions build them (lambdas/runtime/lambda.ts): one logger per function, its line format, the
    // service name; the level is POWERTOOLS_LOG_LEVEL's, set to the deployed INFO above.
    const apiLogger = createLogger(METRICS_SERVICE);
    const metrics = new CloudWatchDeliveryMetrics(METRICS_SERVICE);
    const capture = createCaptureHandler({ config, store, apiKeys, logger: apiLogger, clock });
    const identify = createIdentifyHandler({ config, store, apiKeys, logger: apiLogger, clock });
    const conversion = createConversionHandler({ config, store, queues: new SqsDeliveryQueues(sqs, queueUrls), apiKeys, logger: apiLogger, metrics, clock });
    const vendor: HttpSender = { send: async () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'OK' }) };
    const senders: Record<string, { handler: SenderHandler; logger: Logger }> = {};
    for (const id of destinations) {
      const logger = createLogger(METRICS_SERVICE);
      logger.appendKeys({ destination: id });
      senders[id] = {
        logger,
        handler: createSender({ config, destinationId: id, store, sqs, http: vendor, queueUrl: queueUrls[id]!, deadLetterQueueUrl: dlqUrls[id]!, logger, metrics, clock }),
      };
    }

    let sequence = 0;
    const invoke = async (handler: ApiHandler, routeKey: string, body: unknown, expected: number[]): Promise<{ cpuMs: number; wallMs: number }> => {
      const [method, path] = routeKey.split(' ') as [string, string];
      const event: APIGatewayProxyEventV2 = apiGatewayEvent({
        method,
        path,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}`, host: 'track.shop.example', 'user-agent': 'shop-backend/1.0' },
        body: JSON.stringify(body),
        apiId: 'a1b2c3d4e5',
        sourceIp: '198.51.100.20',
      });
      const context = deployedContext(`ConversionTracking-prod-${path.split('/').pop()}0A1B2C3D-Ab1Cd2Ef3Gh4`, apiMemory, sequence++);
      apiLogger.addContext(context);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result = await handler(event, context);
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      if (!expected.includes(result.statusCode ?? 0)) throw new Error(`${routeKey} answered ${result.statusCode}: ${result.body}`);
      return { cpuMs: (used.user + used.system) / 1000, wallMs };
    };

    const scenarios = {} as Record<ScenarioId, ScenarioCount>;
    const phaseStart = Date.now();
    const phase = (what: string) => process.env.MEASURED_REQUESTS_SAMPLE && process.stderr.write(`${what}: ${Date.now() - phaseStart} ms\n`);
    const measure = async (id: ScenarioId, calls: number, run: () => Promise<{ invocations: number; cpuMs: number; wallMs: number }>) => {
      phase(`before ${id}`);
      const mine = newTally();
      tally = mine;
      output.shapes.clear();
      const before = { ...output.seen };
      const done = await run();
      // What runs between scenarios (setting up buyers, the scan) counts nowhere.
      tally = newTally();
      if (process.env.MEASURED_REQUESTS_SAMPLE) output.samples.push(`${id}: ${output.last}`);
      scenarios[id] = {
        id,
        label: SCENARIOS[id],
        calls,
        invocations: done.invocations,
        dynamo: mine.dynamo,
        sqs: mine.sqs,
        writeUnits: mine.writeUnits,
        readUnits: mine.readUnits,
        strongReads: mine.strongReads,
        refusedWrites: mine.refusedWrites,
        logLines: output.seen.logLines - before.logLines,
        emfLines: output.seen.emfLines - before.emfLines,
        logShapes: [...output.shapes].sort(),
        logBytes: output.seen.logBytes - before.logBytes,
        emfBytes: output.seen.emfBytes - before.emfBytes,
        cpuMs: done.cpuMs,
        wallMs: done.wallMs,
      };
    };
    const repeat = async (calls: number, one: (i: number) => Promise<{ cpuMs: number; wallMs: number }>) => {
      let cpuMs = 0;
      let wallMs = 0;
      for (let i = 0; i < calls; i++) {
        const r = await one(i);
        cpuMs += r.cpuMs;
        wallMs += r.wallMs;
      }
      return { invocations: calls, cpuMs, wallMs };
    };
    const id = (prefix: string, i: number) => `${prefix}-${String(i).padStart(4, '0')}`;
    const landing = (ids: Record<string, string>) => `https://www.shop.example/p/137.html?${new URLSearchParams(ids).toString()}`;

    // Warm-up, not counted: the first calls of a process pay for compiling the code paths and opening connections.
    for (let i = 0; i < 2; i++) await invoke(capture, 'POST /v1/clicks', { visitor: { sessionId: id('warm', i) }, landingUrl: landing({ kk: id('kw', i) }) }, [201]);

    // Captures of growing size. Click ids of the three bench vendors: kk, gclid, msclkid (Kelkoo), qc_clickid, s1.
    const fiveIds = (i: number) => ({ kk: id('kk', i), gclid: id('gc', i), msclkid: id('ms', i), qc_clickid: id('qc', i), s1: id('cm', i) });
    await measure('capture1', CAPTURE_CALLS, () =>
      repeat(CAPTURE_CALLS, (i) => invoke(capture, 'POST /v1/clicks', { visitor: { sessionId: id('c1s', i) }, landingUrl: landing({ kk: id('kk', i) }) }, [201])),
    );
    await measure('capture3', CAPTURE_CALLS, () =>
      repeat(CAPTURE_CALLS, (i) =>
        invoke(capture, 'POST /v1/clicks', { visitor: { sessionId: id('c3s', i) }, landingUrl: landing({ kk: id('kk', i), qc_clickid: id('qc', i), s1: id('cm', i) }) }, [201]),
      ),
    );
    await measure('capture10', CAPTURE_CALLS, () =>
      repeat(CAPTURE_CALLS, (i) =>
        invoke(capture, 'POST /v1/clicks', { visitor: { sessionId: id('cXs', i), userId: id('cXu', i) }, landingUrl: landing(fiveIds(i)) }, [201]),
      ),
    );
    // The same captures again, an hour older: the newer click stands, each record's conditional write is refused.
    await measure('captureAgain', CAPTURE_CALLS, () =>
      repeat(CAPTURE_CALLS, (i) =>
        invoke(
          capture,
          'POST /v1/clicks',
          { visitor: { sessionId: id('c1s', i) }, landingUrl: landing({ kk: id('kk', i) }), occurredAt: new Date(CLOCK_START - 3600_000).toISOString() },
          [200, 201],
        ),
      ),
    );

    // Buyers: each visited in `sessions` sessions (6 hours apart), every session carrying the three vendors' click ids
    // and identified with the user; the conversion comes from a fresh session of the user.
    const prepareBuyer = async (user: string, sessions: number) => {
      // The conversion's time; each session's capture carries its own time, so they can run side by side.
      now = CLOCK_START + sessions * VISIT_EVERY_MS;
      await pool(sessions, SETUP_PARALLELISM, async (s) => {
        const session = `${user}-s${String(s).padStart(3, '0')}`;
        const at = new Date(CLOCK_START + s * VISIT_EVERY_MS).toISOString();
        await invoke(capture, 'POST /v1/clicks', { visitor: { sessionId: session }, landingUrl: landing({ kk: `kk-${session}`, qc_clickid: `qc-${session}`, s1: `cm-${session}` }), occurredAt: at }, [201]);
        await invoke(identify, 'POST /v1/identify', { visitor: { sessionId: session, userId: user } }, [200, 201, 204]);
      });
    };
    const order = (i: number, user: string) => ({
      orderId: id('ORD', i),
      visitor: { userId: user, sessionId: `${user}-checkout` },
      currency: 'EUR',
      orderValue: 609.07,
      netValue: 503.36,
      country: 'fr',
      returningUser: false,
      items: [
        { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 },
        { productId: 'P230117', name: 'Microscope binoculaire', unitPrice: 578.57, quantity: 1 },
      ],
      shopper: { ip: '203.0.113.7', country: 'FR' },
    });
    // Each vendor's messages of the conversions, fed to its sender as Lambda's event source would: first one per
    // invocation, then ten per invocation. The event source's own receive and delete requests are not the code's;
    // the cost model adds them per batch.
    const records = async (queueUrl: string, count: number): Promise<SQSRecord[]> => {
      const got: SQSRecord[] = [];
      for (let attempt = 0; got.length < count && attempt < 50; attempt++) {
        const { Messages = [] } = await plainSqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, count - got.length), WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
        );
        got.push(...Messages.map((m) => toSqsRecord(m, `arn:aws:sqs:eu-west-1:123456789012:${queueUrl.split('/').pop()}`, 'eu-west-1')));
      }
      if (got.length < count) throw new Error(`${queueUrl}: ${got.length} of ${count} messages`);
      // The order the queue hands them out in is not the order they were sent in; sort for a deterministic run.
      return got.sort((a, b) => a.body.localeCompare(b.body));
    };
    const backlog: Record<string, SQSRecord[]> = {};
    const runSender = async (dest: string, batch: SQSRecord[]) => {
      const { handler } = senders[dest]!;
      const context = deployedContext(`ConversionTracking-prod-Sender${dest}-Ab1Cd2Ef3Gh4`, senderMemory, sequence++);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const response = await handler({ Records: batch }, context);
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      if (response.batchItemFailures.length) throw new Error(`${dest}: ${response.batchItemFailures.length} of ${batch.length} records failed`);
      return { cpuMs: (used.user + used.system) / 1000, wallMs };
    };
    const senderMode = (size: number, offset: number) => async () => {
      let invocations = 0;
      let cpuMs = 0;
      let wallMs = 0;
      for (const dest of destinations) {
        const mine = backlog[dest]!.slice(offset, offset + SENDER_MESSAGES);
        for (let i = 0; i < mine.length; i += size) {
          const r = await runSender(dest, mine.slice(i, i + size));
          invocations += 1;
          cpuMs += r.cpuMs;
          wallMs += r.wallMs;
        }
      }
      return { invocations, cpuMs, wallMs };
    };
    // Warm-up of the senders, not counted: the first messages a process hands a sender pay for compiling its own code
    // (the adapters, the delivery store's updates, the history's redactor) – half as much CPU again as the steady state
    // the cost model prices, in a run of its own – as the API handlers' first calls would (the warm-up above). Orders
    // of their own (WRM-…), from buyers of their own, sent at batch 1 and at batch 10 as below, then deleted from the
    // queues.
    const warmBuyers = Array.from({ length: SENDER_WARMUP_ORDERS }, (_, i) => id('uw', i));
    await pool(warmBuyers.length, SETUP_PARALLELISM, (i) => prepareBuyer(warmBuyers[i]!, 1));
    for (const [i, user] of warmBuyers.entries()) await invoke(conversion, 'POST /v1/conversions', { ...order(i, user), orderId: id('WRM', i) }, [202]);
    for (const dest of destinations) {
      const warm = await records(queueUrls[dest]!, SENDER_WARMUP_ORDERS);
      const half = SENDER_WARMUP_ORDERS / 2;
      for (let i = 0; i < warm.length; i += i < half ? 1 : 10) await runSender(dest, warm.slice(i, i < half ? i + 1 : i + 10));
      for (let i = 0; i < warm.length; i += 10) {
        await plainSqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrls[dest]!, Entries: warm.slice(i, i + 10).map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })) }));
      }
    }

    const buyers = Array.from({ length: CONVERSION_CALLS }, (_, i) => id('u1', i));
    await pool(buyers.length, SETUP_PARALLELISM, (i) => prepareBuyer(buyers[i]!, 1));
    now = CLOCK_START + VISIT_EVERY_MS;
    await measure('conversion1', CONVERSION_CALLS, () => repeat(CONVERSION_CALLS, (i) => invoke(conversion, 'POST /v1/conversions', order(i, buyers[i]!), [202])));

    for (const dest of destinations) backlog[dest] = await records(queueUrls[dest]!, 2 * SENDER_MESSAGES);
    now += 1000;
    await measure('senderBatch1', SENDER_MESSAGES * destinations.length, senderMode(1, 0));
    await measure('senderBatch10', SENDER_MESSAGES * destinations.length, senderMode(10, SENDER_MESSAGES));

    // Conversions of returning users: every linked session's click ids are candidates.
    for (const sessions of GROWTH_SESSIONS) {
      const user = id(`u${sessions}`, 0);
      await prepareBuyer(user, sessions);
      await measure(sessions === 10 ? 'conversion10' : 'conversion100', 1, () => repeat(1, () => invoke(conversion, 'POST /v1/conversions', order(1000 + sessions, user), [202])));
    }

    const stored = await storedBytes(dynamo, tableName, CLOCK_START, buyers.length);
    const metricSeries = [...new Set(output.emf.flatMap(seriesOf))].sort();
    const result = { scenarios, stored, metricSeries, vendors: destinations, samples: output.samples };
    return { ...result, hash: requestCountsHash(result) };
  } finally {
    output.restore();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    dynamo.destroy();
    sqs.destroy();
    plainSqs.destroy();
  }
}

/** The custom metrics an EMF record publishes: one per metric name and set of dimension values. */
function seriesOf(line: string): string[] {
  const record = JSON.parse(line) as Record<string, any>;
  return (record._aws?.CloudWatchMetrics ?? []).flatMap((m: { Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }) =>
    m.Metrics.flatMap((metric) => m.Dimensions.map((dims) => `${m.Namespace}/${metric.Name}{${dims.map((d) => `${d}=${String(record[d])}`).join(',')}}`)),
  );
}

/** Items and billed bytes a 1 × 1 capture and a 3-vendor conversion leave in the table, from a scan after the run. */
async function storedBytes(dynamo: DynamoDBClient, tableName: string, clockStart: number, conversions: number): Promise<StoredBytes> {
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const billed = (list: typeof items) => list.reduce((sum, item) => sum + dynamoItemBytes(item) + ITEM_STORAGE_OVERHEAD_BYTES, 0);
  const floor = (list: typeof items) =>
    billed(list.map((item) => Object.fromEntries(Object.entries(item).filter(([name]) => (FLOOR_ATTRIBUTES as readonly string[]).includes(name)))));
  const retentionDays = (list: typeof items) => {
    const ttls = list.map((i) => Number(i.ttl?.N)).filter(Number.isFinite);
    return ttls.length ? Math.max(...ttls.map((t) => (t * 1000 - clockStart) / 86_400_000)) : Number.NaN;
  };
  const captureItems = items.filter((i) => i.pk!.S!.startsWith('VIS#s#c1s-'));
  // The measured conversions' orders (ORD-0000 onwards), not the growth scenarios' (ORD-1010, ORD-1100).
  const orderItems = items.filter((i) => {
    const n = /^ORDER#ORD-(\d{4})$/.exec(i.pk!.S!);
    return n !== null && Number(n[1]) < conversions;
  });
  const perCapture = captureItems.length / CAPTURE_CALLS;
  return {
    capture: { items: perCapture, bytes: billed(captureItems) / CAPTURE_CALLS, floorBytes: floor(captureItems) / CAPTURE_CALLS, retentionDays: Math.round(retentionDays(captureItems)) },
    conversion: {
      items: orderItems.length / conversions,
      bytes: billed(orderItems) / conversions,
      floorBytes: floor(orderItems) / conversions,
      retentionDays: Math.round(retentionDays(orderItems)),
    },
  };
}

/**
 * The deterministic part of the counts: per scenario, the request types and counts, capacity units, refused writes,
 * strong reads, log and EMF lines and the keys of its log lines (names, not values) – and what the items a run leaves weigh, rounded to whole KB per 10 items so a
 * timestamp's width cannot move it. Sorted keys, no times, no ids.
 */
export function fingerprintOf(m: Pick<MeasuredRequests, 'scenarios' | 'stored' | 'metricSeries' | 'vendors'>): string {
  const scenarioIds = Object.keys(m.scenarios).sort() as ScenarioId[];
  const sortObject = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({
    vendors: [...m.vendors].sort(),
    scenarios: scenarioIds.map((id) => {
      const s = m.scenarios[id];
      return {
        id,
        calls: s.calls,
        invocations: s.invocations,
        dynamo: sortObject(s.dynamo),
        sqs: sortObject(s.sqs),
        writeUnits: s.writeUnits,
        readUnits: s.readUnits,
        strongReads: s.strongReads,
        refusedWrites: s.refusedWrites,
        logLines: s.logLines,
        emfLines: s.emfLines,
        logShapes: s.logShapes,
      };
    }),
    storedItems: { capture: m.stored.capture.items, conversion: m.stored.conversion.items },
    retentionDays: { capture: m.stored.capture.retentionDays, conversion: m.stored.conversion.retentionDays },
    metricSeries: m.metricSeries.length,
  });
}

export function requestCountsHash(m: Pick<MeasuredRequests, 'scenarios' | 'stored' | 'metricSeries' | 'vendors'>): string {
  return createHash('sha256').update(fingerprintOf(m)).digest('hex').slice(0, 16);
}

/** The line of docs/PERFORMANCE.md that carries the hash; the test reads it back with HASH_PATTERN. */
export const hashLine = (hash: string) => `<!-- request-counts-hash: ${hash} -->`;
export const HASH_PATTERN = /<!-- request-counts-hash: ([0-9a-f]{16}) -->/;

if (require.main === module) {
  // `npx tsx bench/measured-requests.ts`: the counts and their hash, on a DynamoDB Local and SQS server of its own.
  void (async () => {
    const { startDynamoDbLocal, startSqsServer } = await import('../local/services');
    const { benchConfig } = await import('./setup');
    const [d, q] = await Promise.all([startDynamoDbLocal(), startSqsServer()]);
    try {
      const started = Date.now();
      const m = await measureRequests({ dynamoEndpoint: d.endpoint, sqsEndpoint: q.endpoint, config: benchConfig('http://localhost:3000') });
      const perCall = (s: ScenarioCount) =>
        `${s.label}: ${JSON.stringify(s.dynamo)} ${JSON.stringify(s.sqs)} WRU ${s.writeUnits} RRU ${s.readUnits} strong ${s.strongReads} refused ${s.refusedWrites} log ${s.logLines}/${s.logBytes} B emf ${s.emfLines}/${s.emfBytes} B (calls ${s.calls}, invocations ${s.invocations}, wall ${(s.wallMs / s.invocations).toFixed(1)} ms, CPU ${(s.cpuMs / s.invocations).toFixed(2)} ms)`;
      process.stderr.write(`${Object.values(m.scenarios).map(perCall).join('\n')}\n${JSON.stringify(m.stored)}\n${m.metricSeries.join('\n')}\n${m.samples.join('\n')}\nhash ${m.hash} (${Date.now() - started} ms)\n`);
    } finally {
      await Promise.allSettled([d.stop(), q.stop()]);
    }
  })();
}
