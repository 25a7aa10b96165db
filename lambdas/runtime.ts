/**
 * Wiring for the deployed Lambda functions: reads the environment once per cold start, creates the AWS SDK
 * clients once per module, and hands them to the same handler factories the local stack uses.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { API_FUNCTIONS, API_ROUTES, ApiFunctionName, deliveryQueueSettings, ENV, queueUrlEnvName } from '../lib/shape';
import { SecretsManagerApiKeys } from './api/api-keys';
import { createApiHandlers } from './api/handlers';
import { ApiHandler, errorResponse } from './api/http';
import { parseConfig, TrackingConfig } from './core/config';
import { destinationsOf } from './core/destinations';
import { CloudWatchDeliveryMetrics } from './core/metrics';
import { requireEnv } from './core/env';
import { createSenderHandler } from './sender/sender';
import { SqsDeliveryQueues, SqsRetryScheduler } from './store/delivery-queues';
import { TrackingStore } from './store/tracking-store';
import { fetchHttpSender } from './vendors/http-sender';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'conversion-tracking' });

/** The DynamoDB document client as every part of the service uses it. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

function runtimeConfig(): TrackingConfig {
  return parseConfig(JSON.parse(requireEnv(ENV.runtimeConfig)));
}

function store(): TrackingStore {
  return new TrackingStore(documentClient(new DynamoDBClient({})), requireEnv(ENV.tableName));
}

/** The handler of one API function: dispatches on API Gateway's route key to the handlers it serves. */
export function apiFunctionHandler(name: ApiFunctionName): ApiHandler {
  const config = runtimeConfig();
  const sqs = new SQSClient({});
  const queueUrls = Object.fromEntries(
    destinationsOf(config)
      .map((d) => [d.id, process.env[queueUrlEnvName(d.id)]] as const)
      .filter((entry): entry is readonly [string, string] => !!entry[1]),
  );
  const handlers = createApiHandlers({
    config,
    store: store(),
    queues: new SqsDeliveryQueues(sqs, queueUrls),
    apiKeys: new SecretsManagerApiKeys(requireEnv(ENV.apiKeysSecretArn)),
    logger,
    metrics: new CloudWatchDeliveryMetrics(),
  });
  const served = new Set<string>(API_FUNCTIONS[name]);
  const byRouteKey = new Map<string, ApiHandler>(
    API_ROUTES.filter((r) => served.has(r.handler)).map((r) => [`${r.method} ${r.path}`, handlers[r.handler]] as const),
  );
  return async (event: APIGatewayProxyEventV2, context: Context) => {
    const handler = byRouteKey.get(event.routeKey);
    if (!handler) return errorResponse(404, 'route_not_found', `No route ${event.routeKey}`);
    logger.addContext(context);
    return handler(event, context);
  };
}

/** The handler of a destination's sender function. */
export function senderFunctionHandler() {
  const config = runtimeConfig();
  const destinationId = requireEnv(ENV.destination);
  const destination = destinationsOf(config).find((d) => d.id === destinationId);
  if (!destination) throw new Error(`${ENV.destination}=${destinationId} is not an enabled destination`);
  const sqs = new SQSClient({});
  logger.appendKeys({ destination: destinationId });
  return createSenderHandler({
    destination,
    delivery: config.delivery,
    store: store(),
    retries: new SqsRetryScheduler(sqs, requireEnv(ENV.queueUrl)),
    http: fetchHttpSender,
    logger,
    claimLeaseSeconds: deliveryQueueSettings(config.delivery).claimLeaseSeconds,
    metrics: new CloudWatchDeliveryMetrics(),
  });
}
