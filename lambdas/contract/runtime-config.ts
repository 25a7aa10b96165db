/**
 * The runtime configuration: the one shape the stack writes into every function's asset at synthesis, the functions
 * read at cold start, and the local stack hands to the same handlers. Each function's asset holds only what it uses
 * (`apiRuntimeConfig`, `senderRuntimeConfig`): no API function holds a vendor credential, a sender only those of its
 * own destination's calls. API keys are in Secrets Manager and `local` never leaves the machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configForDestination, redactCredentials, SecretField } from '../config/credentials';
import type { TrackingConfig } from '../config/schema';

/**
 * The file, next to each function's bundle (`index.js`), holding its runtime configuration: written into the asset
 * at synthesis, read once per cold start. Not an environment variable: Lambda caps those at 4 KB in total, which five
 * vendors and a score of postbacks exceed.
 */
export const RUNTIME_CONFIG_FILE = 'runtime-config.json';

/**
 * Set to `true` on every function when `observability.tracing` is on (its tracing mode is then Active): the function
 * loads Powertools Tracer (lambdas/runtime/tracing.ts). Powertools' own switch, so that its Tracer agrees.
 */
export const TRACING_ENABLED_VARIABLE = 'POWERTOOLS_TRACE_ENABLED';

/** What a function runs with: the validated configuration's run-time part, defaults filled in. */
export interface RuntimeConfig {
  vendors: TrackingConfig['vendors'];
  postbacks: TrackingConfig['postbacks'];
  delivery: TrackingConfig['delivery'];
  retentionDays: TrackingConfig['retentionDays'];
  lateReportHours: TrackingConfig['lateReportHours'];
  attribution: TrackingConfig['attribution'];
  /** Destination id → deliveryQueueName, from which the functions that queue derive their queue URLs. */
  deliveryQueues?: Record<string, string>;
  /** A sender's credentials read from Secrets Manager at run time (lambdas/runtime/secrets.ts); their fields hold placeholders. */
  secrets?: SecretField[];
}

/** The run-time part of a validated configuration: what the stack bundles and the local stack runs with. */
export function runtimeConfigOf(config: TrackingConfig, deliveryQueues?: Record<string, string>): RuntimeConfig {
  const present = <T>(entries: Record<string, T | undefined>) => Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
  return {
    vendors: present(config.vendors) as RuntimeConfig['vendors'],
    postbacks: present(config.postbacks) as RuntimeConfig['postbacks'],
    delivery: config.delivery,
    retentionDays: config.retentionDays,
    lateReportHours: config.lateReportHours,
    attribution: config.attribution,
    ...(deliveryQueues ? { deliveryQueues } : {}),
    ...(config.secrets?.length ? { secrets: config.secrets } : {}),
  };
}

/**
 * What an API function runs with: every destination, for planning, attribution windows and the status views, with
 * every credential redacted (a URL keeps its origin and length, so a dry run still shows where a call goes and the URL
 * limit is still judged); `deliveryQueues` only the queues it sends to (none for capture, identify, status,
 * deliveries).
 */
export function apiRuntimeConfig(config: TrackingConfig, deliveryQueues?: Record<string, string>): RuntimeConfig {
  return redactCredentials(runtimeConfigOf(config, deliveryQueues));
}

/**
 * What a destination's sender runs with: its own vendor's or postback's entry only, with the credentials its calls
 * carry – inline, or as `secrets` it reads at run time – and any other credential of the entry redacted.
 */
export function senderRuntimeConfig(config: TrackingConfig, destinationId: string): RuntimeConfig {
  const { secrets, ...own } = configForDestination(runtimeConfigOf(config), destinationId);
  // No other destination is known to it, so exclusive groups (decided at conversion time) mean nothing here.
  return { ...own, attribution: { exclusive: {} }, ...(secrets?.length ? { secrets } : {}) };
}

/** The text of RUNTIME_CONFIG_FILE. */
export function serializeRuntimeConfig(config: RuntimeConfig): string {
  return JSON.stringify(config);
}

/**
 * Reads RUNTIME_CONFIG_FILE in `directory`, where the stack wrote it at synthesis from a configuration already
 * validated then, defaults filled in. Not validated with zod again here: that would cost every cold start about 20 ms
 * of CPU (docs/PERFORMANCE.md) to re-check what the stack itself wrote. A missing or mangled file still fails at once,
 * naming the file.
 */
export function readRuntimeConfig(directory: string): RuntimeConfig {
  const path = join(directory, RUNTIME_CONFIG_FILE);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`The runtime configuration ${path} is missing or not JSON: ${(error as Error).message}`);
  }
  const candidate = value as Partial<Record<keyof RuntimeConfig, unknown>> | null;
  const written =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.vendors === 'object' &&
    typeof candidate.postbacks === 'object' &&
    typeof candidate.delivery === 'object' &&
    typeof candidate.retentionDays === 'number';
  if (!written) throw new Error(`${path} is not a configuration written by the stack (serializeRuntimeConfig)`);
  return value as RuntimeConfig;
}
