/**
 * Conversion → vendor delivery latency through the local stack at a steady rate: conversions are posted open-loop
 * (each on schedule, whether or not earlier ones have answered), and each delivery's latency runs from the moment its
 * conversion was accepted (202 received) to the moment its sender recorded the vendor's answer (`sentAt`). Statuses
 * are read once, after the queues have drained, so that reading them adds no load during the run.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { documentClient } from '../lambdas/store/document-client';
import { TrackingStore } from '../lambdas/store/tracking-store';
import type { LocalStack } from '../local/stack';
import { dynamoClient, sqsClient } from './services';
import { LIMITS } from './setup';
import { median, percentile, sleep } from './stats';
import type { LoadGenerator } from './throughput';

export interface LatencyReport {
  rate: number;
  seconds: number;
  conversionsSent: number;
  conversionsAccepted: number;
  deliveries: number;
  delivered: number;
  /** Deliveries not `sent` once the queues drained (or the drain bound passed). */
  notDelivered: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  perVendor: Array<{ vendor: string; p50Ms: number; p99Ms: number }>;
  /** The 202 answer itself, as the shop's backend waits for it. */
  acceptP50Ms: number;
  acceptP99Ms: number;
  drainSeconds: number;
}

async function queuedMessages(stack: LocalStack): Promise<number> {
  const sqs = sqsClient(stack.sqsEndpoint);
  try {
    const counts = await Promise.all(
      Object.values(stack.queueUrls).map(async ({ queue }) => {
        const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ['ApproximateNumberOfMessages'] }));
        return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    sqs.destroy();
  }
}

/** Waits (bounded) until every delivery queue of the stack is empty. Returns the seconds waited. */
export async function drainQueues(stack: LocalStack, maxSeconds: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < maxSeconds * 1000) {
    if ((await queuedMessages(stack)) === 0) break;
    await sleep(250);
  }
  return (Date.now() - started) / 1000;
}

export async function measureDeliveryLatency(stack: LocalStack, load: LoadGenerator, buyersRun: string, buyers: number): Promise<LatencyReport> {
  const total = LIMITS.latencyRate * LIMITS.latencySeconds;
  const result = await load.run({
    baseUrl: stack.baseUrl,
    kind: 'conversion',
    run: `lat${Date.now().toString(36)}`,
    concurrency: 64,
    maxRequests: total,
    maxSeconds: LIMITS.latencySeconds + 5,
    timeoutMs: LIMITS.requestTimeoutMs,
    ratePerSecond: LIMITS.latencyRate,
    buyers,
    buyersRun,
  });
  const drainSeconds = await drainQueues(stack, LIMITS.latencyDrainSeconds);

  const client = dynamoClient(stack.dynamoEndpoint);
  const store = new TrackingStore(documentClient(client), stack.tableName);
  const latencies: number[] = [];
  const byVendor = new Map<string, number[]>();
  const notDelivered: Record<string, number> = {};
  let deliveries = 0;
  try {
    const pending = [...result.accepted];
    const readers = Array.from({ length: 16 }, async () => {
      for (let next = pending.pop(); next; next = pending.pop()) {
        const view = await store.getOrder(next.orderId);
        for (const delivery of view?.deliveries ?? []) {
          if (delivery.status === 'skipped') continue;
          deliveries++;
          if (delivery.status !== 'sent' || !delivery.sentAt) {
            notDelivered[delivery.status] = (notDelivered[delivery.status] ?? 0) + 1;
            continue;
          }
          const ms = Date.parse(delivery.sentAt) - next.at;
          latencies.push(ms);
          byVendor.set(delivery.vendor, [...(byVendor.get(delivery.vendor) ?? []), ms]);
        }
      }
    });
    await Promise.all(readers);
  } finally {
    client.destroy();
  }
  return {
    rate: LIMITS.latencyRate,
    seconds: result.seconds,
    conversionsSent: result.completed,
    conversionsAccepted: result.accepted.length,
    deliveries,
    delivered: latencies.length,
    notDelivered,
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
    perVendor: [...byVendor.entries()].map(([vendor, values]) => ({ vendor, p50Ms: median(values), p99Ms: percentile(values, 99) })),
    acceptP50Ms: median(result.latenciesMs),
    acceptP99Ms: percentile(result.latenciesMs, 99),
    drainSeconds,
  };
}
