/**
 * What the benchmark runs against: the shipped example configuration reduced to the three vendors the figures are
 * quoted for (Kelkoo, QUALITYCLICK, ClickMeter) on the local vendor sandbox, and the bounds of every load loop.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, TrackingConfig } from '../lambdas/config/schema';
import { EXAMPLE_BASE_URL, EXAMPLE_CONFIG_PATH } from '../lambdas/config/load';

export const BENCH_VENDORS = ['kelkoo', 'qualityclick', 'clickmeter'] as const;

export const BENCH_API_KEY = 'bench-api-key-0001';

/** Every loop of the benchmark is bounded by these counts and durations; `npm run bench` stays within minutes. */
export const LIMITS = {
  /**
   * Fresh processes per bundle for the module-init medians. 11: with 7, one busy stretch of a shared machine moved a
   * function's median by a quarter, and the API memory choice reads the slowest of four such medians.
   */
  initRounds: 11,
  /** Warm in-process invocations per handler for the CPU medians (after `cpuWarmup` discarded ones). */
  cpuCalls: 300,
  cpuWarmup: 50,
  /** Concurrency levels of the throughput runs. */
  concurrencies: [1, 8, 32] as const,
  /** Interleaved rounds per concurrency level (raw PutItem, then captures): the ratio is the median over rounds. */
  throughputRounds: 2,
  /** Each throughput round stops at whichever comes first. */
  throughputRequests: 1500,
  throughputSeconds: 2.5,
  /** Conversions: one round per level, bounded the same way. */
  conversionRequests: 600,
  conversionSeconds: 4,
  /** Steady conversion rate and duration of the delivery-latency run; deliveries still owed after the drain count as late. */
  latencyRate: 50,
  latencySeconds: 10,
  latencyDrainSeconds: 15,
  /** Sender settings experiment: messages per setting, rate, and the vendor's simulated response time. */
  senderMessages: 200,
  senderRate: 50,
  senderVendorDelayMs: 150,
  senderDrainSeconds: 20,
  /** Any single HTTP request of the load generator gives up after this. */
  requestTimeoutMs: 10_000,
} as const;

/**
 * The example configuration with only BENCH_VENDORS, every endpoint re-based onto `baseUrl` (the local stack's
 * sandbox), and the benchmark's API key.
 */
export function benchConfigObject(baseUrl: string): Record<string, unknown> {
  const text = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').split(EXAMPLE_BASE_URL).join(baseUrl);
  const example = JSON.parse(text) as { vendors: Record<string, unknown>; delivery: unknown; retentionDays: number };
  return {
    vendors: Object.fromEntries(BENCH_VENDORS.map((id) => [id, example.vendors[id]])),
    postbacks: {},
    delivery: example.delivery,
    retentionDays: example.retentionDays,
    local: { apiKeys: [BENCH_API_KEY] },
  };
}

export function benchConfig(baseUrl: string): TrackingConfig {
  return parseConfig(benchConfigObject(baseUrl));
}

/** Writes the configuration to `dir` for startLocalStack, which reads a file. */
export function writeBenchConfig(dir: string, baseUrl: string): string {
  const path = join(dir, 'tracking.bench.json');
  writeFileSync(path, JSON.stringify(benchConfigObject(baseUrl), null, 2));
  return path;
}
