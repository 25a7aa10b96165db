/**
 * The sender settings (batch size, batching window, concurrency cap) chosen by measurement: for each candidate, one
 * vendor's pipeline – the real conversion handler, a queue of its own, the local Lambda-like poller with those
 * settings, the real sender – runs at a steady conversion rate against a sandbox vendor that takes a realistic time to
 * answer. Measured per candidate: delivery latency, sender invocations per message and their billed time (what Lambda
 * charges), SQS requests per message, and the most calls the vendor ever had open at once (what "flooded" means).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { StaticApiKeys } from '../lambdas/api/api-keys';
import { createConversionHandler } from '../lambdas/api/conversion';
import { CloudWatchDeliveryMetrics, noDeliveryMetrics } from '../lambdas/observability/metrics';
import { documentClient } from '../lambdas/store/document-client';
import { createSender } from '../lambdas/sender/create';
import { SqsDeliveryQueues } from '../lambdas/store/delivery-queues';
import { TrackingStore } from '../lambdas/store/tracking-store';
import { fetchHttpSender, HttpSender } from '../lambdas/vendors/http-sender';
import { API_TIMEOUT_SECONDS, DeliveryQueueSettings, deliveryQueueSettings } from '../lambdas/contract/shape';
import { consoleLogger } from '../local/console-logger';
import { lambdaContext } from '../local/lambda-context';
import { QueuePoller } from '../local/poller';
import type { LocalStack } from '../local/stack';
import { LOCAL_AWS } from '../local/services';
import { conversionBody } from './bodies';
import { postEvent } from './cpu';
import { createBenchQueue, dynamoClient, sqsClient } from './services';
import { BENCH_API_KEY, LIMITS } from './setup';
import { mean, median, percentile, sleep } from './stats';

export interface SenderCandidate {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  maxConcurrency: number;
}

export interface SenderFigures extends SenderCandidate {
  messages: number;
  delivered: number;
  p50Ms: number;
  p99Ms: number;
  invocationsPerMessage: number;
  /** Sender run time per message (sum of invocation durations ÷ messages): what Lambda bills, times memory. */
  billedMsPerMessage: number;
  meanInvocationMs: number;
  /** ReceiveMessage + DeleteMessageBatch + ChangeMessageVisibility per message (SendMessage is the producer's). */
  sqsRequestsPerMessage: number;
  maxOpenVendorCalls: number;
  /** Log bytes the sender writes per message (JSON lines and EMF metrics). */
  logBytesPerMessage: number;
}

export interface SenderReport {
  vendorDelayMs: number;
  rate: number;
  candidates: SenderFigures[];
  deployed: SenderCandidate;
  seconds: number;
}

export const SENDER_CANDIDATES: readonly SenderCandidate[] = [
  { batchSize: 1, maxBatchingWindowSeconds: 1, maxConcurrency: 5 },
  { batchSize: 5, maxBatchingWindowSeconds: 1, maxConcurrency: 2 },
  { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 2 },
  { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 3 },
  { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 5 },
];

/** A JSON logger (as in Lambda) whose lines are counted, not printed. */
class CountingLogger extends Logger {
  static bytes = 0;
  protected override printLog(_level: number, log: Parameters<Logger['printLog']>[1]): void {
    CountingLogger.bytes += Buffer.byteLength(JSON.stringify(log.getAttributes()), 'utf8') + 1;
  }
}

async function runCandidate(stack: LocalStack, candidate: SenderCandidate, buyersRun: string, buyers: number): Promise<SenderFigures> {
  const run = randomBytes(3).toString('hex');
  const vendor = 'kelkoo';
  const sqs = sqsClient(stack.sqsEndpoint);
  const requests = { receive: 0, delete: 0, visibility: 0 };
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      if (name.startsWith('ReceiveMessage')) requests.receive++;
      else if (name.startsWith('DeleteMessage')) requests.delete++;
      else if (name.startsWith('ChangeMessageVisibility')) requests.visibility++;
      return next(args);
    },
    { step: 'initialize', name: 'benchCounting' },
  );
  const dynamo = dynamoClient(stack.dynamoEndpoint);
  const store = new TrackingStore(documentClient(dynamo), stack.tableName);
  const queueUrl = await createBenchQueue(sqs, `bench-sender-${run}`, { VisibilityTimeout: '360' });
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

  // The vendor: a sandbox path of its own that answers after LIMITS.senderVendorDelayMs.
  const sandboxVendor = `bench-${run}`;
  const behaviour = await fetch(`${stack.sandboxUrl}/${sandboxVendor}/_behaviour`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 200, delayMs: LIMITS.senderVendorDelayMs }),
  });
  if (behaviour.status !== 200) throw new Error(`sandbox behaviour: HTTP ${behaviour.status}`);
  const kelkoo = { ...stack.config.vendors.kelkoo!, endpoint: `${stack.sandboxUrl}/${sandboxVendor}/st` };
  const config = { vendors: { kelkoo }, postbacks: {}, delivery: stack.config.delivery, retentionDays: stack.config.retentionDays };

  let open = 0;
  let maxOpen = 0;
  const countingHttp: HttpSender = {
    async send(request, timeoutMs) {
      open++;
      maxOpen = Math.max(maxOpen, open);
      try {
        return await fetchHttpSender.send(request, timeoutMs);
      } finally {
        open--;
      }
    },
  };
  const senderLogger = new CountingLogger({ serviceName: 'conversion-tracking' });
  const sender = createSender({
    config,
    destinationId: vendor,
    store,
    sqs,
    queueUrl,
    deadLetterQueueUrl: await createBenchQueue(sqs, `bench-sender-${run}-dlq`),
    http: countingHttp,
    logger: senderLogger,
    metrics: new CloudWatchDeliveryMetrics(),
  });
  const invocations: number[] = [];
  const settings: DeliveryQueueSettings = { ...deliveryQueueSettings(stack.config.delivery), ...candidate };
  const poller = new QueuePoller({
    sqs,
    queueUrl,
    queueArn,
    region: LOCAL_AWS.region,
    functionName: 'bench-sender',
    settings,
    logger: consoleLogger('bench-sender', true),
    handler: async (event, context) => {
      const started = performance.now();
      try {
        return (await sender(event, context)) as SQSBatchResponse;
      } finally {
        invocations.push(performance.now() - started);
      }
    },
  });

  const conversion = createConversionHandler({
    config,
    store,
    queues: new SqsDeliveryQueues(sqs, { [vendor]: queueUrl }),
    apiKeys: new StaticApiKeys([BENCH_API_KEY]),
    logger: consoleLogger('bench-conversion', true),
    metrics: noDeliveryMetrics,
  });
  const accepted: Array<{ orderId: string; at: number }> = [];
  // The metrics of the sender are EMF lines on stdout: counted while the experiment runs, printed never.
  const originalWrite = process.stdout.write.bind(process.stdout);
  let metricBytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    metricBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  CountingLogger.bytes = 0;
  poller.start();
  try {
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < LIMITS.senderMessages; i++) {
      const wait = started + (i * 1000) / LIMITS.senderRate - performance.now();
      if (wait > 0) await sleep(wait);
      const body = conversionBody(i, run, i % buyers, buyersRun);
      const p: Promise<void> = conversion(postEvent('POST /v1/conversions', body), lambdaContext('bench-conversion', API_TIMEOUT_SECONDS)).then((result) => {
        if (result.statusCode === 202) accepted.push({ orderId: body.orderId, at: Date.now() });
      });
      inFlight.add(p.finally(() => inFlight.delete(p)));
    }
    await Promise.all(inFlight);
    // Drain: until the queue is empty, bounded.
    const drainStart = Date.now();
    while (Date.now() - drainStart < LIMITS.senderDrainSeconds * 1000) {
      const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      if (Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) === 0) break;
      await sleep(200);
    }
  } finally {
    await poller.stop();
    process.stdout.write = originalWrite;
  }

  const latencies: number[] = [];
  for (const { orderId, at } of accepted) {
    const delivery = (await store.getOrder(orderId))?.deliveries.find((d) => d.vendor === vendor);
    if (delivery?.status === 'sent' && delivery.sentAt) latencies.push(Date.parse(delivery.sentAt) - at);
  }
  await fetch(`${stack.sandboxUrl}/${sandboxVendor}/_behaviour`, { method: 'DELETE' });
  sqs.destroy();
  dynamo.destroy();
  const messages = accepted.length;
  return {
    ...candidate,
    messages,
    delivered: latencies.length,
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 99),
    invocationsPerMessage: invocations.length / messages,
    billedMsPerMessage: invocations.reduce((a, b) => a + Math.ceil(b), 0) / messages,
    meanInvocationMs: mean(invocations),
    sqsRequestsPerMessage: (requests.receive + requests.delete + requests.visibility) / messages,
    maxOpenVendorCalls: maxOpen,
    logBytesPerMessage: (CountingLogger.bytes + metricBytes) / messages,
  };
}

export async function measureSenderSettings(stack: LocalStack, buyersRun: string, buyers: number, log: (line: string) => void): Promise<SenderReport> {
  const started = Date.now();
  const candidates: SenderFigures[] = [];
  for (const candidate of SENDER_CANDIDATES) {
    const figures = await runCandidate(stack, candidate, buyersRun, buyers);
    log(
      `  batch ${candidate.batchSize}, window ${candidate.maxBatchingWindowSeconds} s, cap ${candidate.maxConcurrency}: ` +
        `p99 ${figures.p99Ms.toFixed(0)} ms, ${figures.invocationsPerMessage.toFixed(2)} invocations/msg, ` +
        `${figures.billedMsPerMessage.toFixed(0)} billed ms/msg, ≤ ${figures.maxOpenVendorCalls} open vendor calls`,
    );
    candidates.push(figures);
  }
  const deployed = deliveryQueueSettings(stack.config.delivery);
  return {
    vendorDelayMs: LIMITS.senderVendorDelayMs,
    rate: LIMITS.senderRate,
    candidates,
    deployed: { batchSize: deployed.batchSize, maxBatchingWindowSeconds: deployed.maxBatchingWindowSeconds, maxConcurrency: deployed.maxConcurrency },
    seconds: (Date.now() - started) / 1000,
  };
}
