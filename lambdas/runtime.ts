/**
 * Wiring shared by the deployed Lambda functions: reads the environment and the bundled configuration once per cold start, creates the AWS SDK
 * clients once per module, and hands them to the same handler factories the local stack uses.
 *
 * Only what every function needs lives here. Each entry point (lambdas/entry/*.ts) imports the handler factories
 * and the clients of its own routes, so that esbuild bundles nothing else: capture, identify and status never load
 * the SQS client, and no API function loads the sender. Every module loaded is paid for at each cold start
 * (docs/PERFORMANCE.md measures it against the SDK clients alone).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { API_FUNCTIONS, API_ROUTES, ApiFunctionName, BundledRuntimeConfig, ENV, RUNTIME_CONFIG_FILE } from '../lib/shape';
import { ApiKeySource, SecretsManagerApiKeys } from './api/api-keys';
import { ApiHandler, errorResponse } from './api/http';
import type { TrackingConfig } from './core/config';
import { requireEnv } from './core/env';
import { lazy } from './core/lazy';
import { TrackingStore } from './store/tracking-store';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'conversion-tracking' });

/** The DynamoDB document client as every part of the service uses it. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The function's configuration, read once per cold start from RUNTIME_CONFIG_FILE beside the bundle, where the stack
 * wrote it at synthesis (TrackingFunction's `runtimeConfig`) from a configuration already validated then
 * (`loadConfigFile`), defaults filled in. Not validated with zod again here: that would cost every cold start about
 * 20 ms of CPU (docs/PERFORMANCE.md) to re-check what the stack itself wrote. A missing or mangled file still fails
 * at once, naming the file.
 */
export const runtimeConfig = lazy((): TrackingConfig & Pick<BundledRuntimeConfig, 'deliveryQueues'> => {
  const path = join(__dirname, RUNTIME_CONFIG_FILE);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`The runtime configuration ${path} is missing or not JSON: ${(error as Error).message}`);
  }
  const candidate = value as Partial<Record<keyof TrackingConfig, unknown>> | null;
  const written =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.vendors === 'object' &&
    typeof candidate.postbacks === 'object' &&
    typeof candidate.delivery === 'object' &&
    typeof candidate.retentionDays === 'number';
  if (!written) throw new Error(`${path} is not a configuration written by the stack (runtimeConfig in lib/shape.ts)`);
  return value as TrackingConfig & Pick<BundledRuntimeConfig, 'deliveryQueues'>;
});

/** The data layer over the function's table. */
export function trackingStore(): TrackingStore {
  return new TrackingStore(documentClient(new DynamoDBClient({})), requireEnv(ENV.tableName));
}

/** The API keys in the stack's secret, fetched at the first request and cached (see SecretsManagerApiKeys). */
export function apiKeys(): ApiKeySource {
  return new SecretsManagerApiKeys(requireEnv(ENV.apiKeysSecretArn));
}

/** The handlers an API function must provide: exactly those `API_FUNCTIONS` assigns to it, checked by the compiler. */
export type ServedHandlers<N extends ApiFunctionName> = Record<(typeof API_FUNCTIONS)[N][number], ApiHandler>;

/** The handler of one API function: dispatches on API Gateway's route key to the handlers it serves. */
export function apiFunction<N extends ApiFunctionName>(name: N, handlers: ServedHandlers<N>): ApiHandler {
  const served = handlers as Record<string, ApiHandler>;
  const byRouteKey = new Map<string, ApiHandler>(
    API_ROUTES.filter((r) => served[r.handler] !== undefined).map((r) => [`${r.method} ${r.path}`, served[r.handler]!] as const),
  );
  if (byRouteKey.size !== API_FUNCTIONS[name].length) {
    throw new Error(`The ${name} function must serve exactly ${API_FUNCTIONS[name].join(', ')}`);
  }
  return async (event: APIGatewayProxyEventV2, context: Context) => {
    const handler = byRouteKey.get(event.routeKey);
    if (!handler) return errorResponse(404, 'route_not_found', `No route ${event.routeKey}`);
    logger.addContext(context);
    return handler(event, context);
  };
}
