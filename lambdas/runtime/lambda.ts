/**
 * Wiring shared by the deployed Lambda functions: reads the environment and the bundled configuration once per cold start, creates the AWS SDK
 * clients once per module, and hands them to the same handler factories the local stack uses.
 *
 * Only what every function needs lives here. Each entry point (lambdas/entry/*.ts) imports the handler factories
 * and the clients of its own routes, so that esbuild bundles nothing else: capture, identify and status never load
 * the SQS client, and no API function loads the sender. Every module loaded is paid for at each cold start
 * (docs/PERFORMANCE.md measures it against the SDK clients alone).
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { API_FUNCTIONS, API_ROUTES, ApiFunctionName, ENV } from '../contract/shape';
import { readRuntimeConfig, RuntimeConfig } from '../contract/runtime-config';
import { ApiKeySource, SecretsManagerApiKeys } from '../api/api-keys';
import type { ConversionStoreMethod } from '../api/conversion';
import { ApiHandler, errorResponse } from '../api/http';
import { requireEnv } from './env';
import { lazy } from '../core/lazy';
import { createLogger } from '../observability/logger';
import { CloudWatchDeliveryMetrics, METRICS_SERVICE } from '../observability/metrics';
import { documentClient } from '../store/document-client';
import { DeliveryStore } from '../store/delivery-store';
import { OrderStore } from '../store/order-store';
import { TrackingStore } from '../store/tracking-store';
import { VisitorStore } from '../store/visitor-store';
import { mapStackTraces } from './stack-traces';
import { orderIdOfRequest, tracingOf } from './tracing';

// In a deployed bundle, stack traces name the TypeScript sources (lambdas/runtime/stack-traces.ts); run from source
// (the local stack, the tests), they already do.
if (process.env.TRACKING_STACK_TRACES_BUNDLED === 'true') mapStackTraces(__filename);

/**
 * POWERTOOLS_SERVICE_NAME, one per stage (`serviceNameOf` in lib/constructs/naming.ts): the `service` of every log line
 * and the dimension every delivery count is published under, so that stages sharing an account keep their counts apart.
 */
export const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? METRICS_SERVICE;

/** Lines with the keys an operator reads (CompactLogFormatter), not Powertools' full Lambda context. */
export const logger = createLogger(serviceName);

/** X-Ray subsegments of the SDK and vendor calls when `observability.tracing` is on (lambdas/runtime/tracing.ts). */
export const tracing = tracingOf(process.env, serviceName);

/** The delivery counts, published under the function's service name (CloudWatchDeliveryMetrics). */
export function deliveryMetrics(): CloudWatchDeliveryMetrics {
  return new CloudWatchDeliveryMetrics(serviceName);
}

/**
 * How long one attempt of an AWS SDK call (DynamoDB, SQS, Secrets Manager) may wait for a connection, and for the
 * whole answer, before the SDK abandons it and tries again. Without them a stalled socket holds the call until the
 * function times out: an API function's API_TIMEOUT_SECONDS (10 s) gone on one read, and a 5xx the shop cannot tell
 * from a lost write. Budget: the SDK makes up to AWS_CLIENT_ATTEMPTS attempts, each at most `requestTimeoutMs` (the
 * connection's own limit runs inside it), plus its backoff of well under a second between them – 6.6 s at worst,
 * inside the 10 s. A healthy call takes milliseconds, so 2 s is a stall, not a slow answer.
 */
export const AWS_CLIENT_TIMEOUTS = { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000 } as const;

/** The attempts the SDK makes per call (its standard retry mode's default), which AWS_CLIENT_TIMEOUTS is budgeted for. */
export const AWS_CLIENT_ATTEMPTS = 3;

/** The SDK's worst time for a call that never gets an answer: every attempt timed out, and the backoff between them. */
export function awsCallBudgetMs(): number {
  // The standard retry mode waits a random time below 2^attempt × 100 ms between attempts (at most 20 s, never reached here).
  const backoffMs = Array.from({ length: AWS_CLIENT_ATTEMPTS - 1 }, (_, i) => 2 ** (i + 1) * 100).reduce((a, b) => a + b, 0);
  return AWS_CLIENT_ATTEMPTS * AWS_CLIENT_TIMEOUTS.requestTimeoutMs + backoffMs;
}

/**
 * The configuration of every AWS SDK client of the functions: the timeouts above on its HTTP handler. The SDK's own
 * `requestTimeout` only warns unless `throwOnRequestTimeout` is set; set, it aborts the attempt with a TimeoutError,
 * which the SDK retries like any other transient error.
 */
export function awsClientConfig(): { requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true } } {
  return {
    requestHandler: {
      connectionTimeout: AWS_CLIENT_TIMEOUTS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_TIMEOUTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

/** The function's configuration, read once per cold start from RUNTIME_CONFIG_FILE beside the bundle (readRuntimeConfig). */
export const runtimeConfig = /* @__PURE__ */ lazy((): RuntimeConfig => readRuntimeConfig(__dirname));

/**
 * Destination id → queue URL for the given destinations: ENV.queueUrlBase followed by each queue's fixed name from
 * the bundled configuration (a destination without a queue there is left out).
 */
export function deliveryQueueUrls(config: RuntimeConfig, destinationIds: readonly string[]): Record<string, string> {
  const base = requireEnv(ENV.queueUrlBase);
  return Object.fromEntries(
    destinationIds.flatMap((id) => {
      const name = config.deliveryQueues?.[id];
      return name ? [[id, `${base}${name}`] as const] : [];
    }),
  );
}

/** The data layer over the function's table. */
export function trackingStore(): TrackingStore {
  return tableStore(TrackingStore);
}

/**
 * One store of the data layer over the function's table, for a function whose handlers need only it (capture and
 * identify: visitors; status: orders; deliveries: the unsettled index): the others' code is then not bundled.
 */
export const visitorStore = (): VisitorStore => tableStore(VisitorStore);
export const orderStore = (): OrderStore => tableStore(OrderStore);
export const deliveryStore = (): DeliveryStore => tableStore(DeliveryStore);

/** The visitor and order stores over one client: all the conversion function uses (ConversionStoreMethod). */
export function conversionStore(): Pick<TrackingStore, ConversionStoreMethod> {
  const db = tableClient();
  const tableName = requireEnv(ENV.tableName);
  const visitors = new VisitorStore(db, tableName);
  const orders = new OrderStore(db, tableName);
  return {
    attributionInputs: (...args) => visitors.attributionInputs(...args),
    createOrder: (...args) => orders.createOrder(...args),
    getOrder: (...args) => orders.getOrder(...args),
    orderRecorded: (...args) => orders.orderRecorded(...args),
  };
}

function tableStore<S>(Store: new (db: ReturnType<typeof documentClient>, tableName: string) => S): S {
  return new Store(tableClient(), requireEnv(ENV.tableName));
}

function tableClient(): ReturnType<typeof documentClient> {
  return documentClient(tracing.client(new DynamoDBClient(awsClientConfig())));
}

/** The API keys in the stack's secret, fetched at the first request and cached (see SecretsManagerApiKeys). */
export function apiKeys(): ApiKeySource {
  return new SecretsManagerApiKeys(requireEnv(ENV.apiKeysSecretArn), new SecretsProvider({ clientConfig: awsClientConfig() }));
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
  return tracing.apiHandler(name, dispatch, orderIdOfRequest);

  async function dispatch(event: APIGatewayProxyEventV2, context: Context) {
    const handler = byRouteKey.get(event.routeKey);
    if (!handler) return errorResponse(404, 'route_not_found', `No route ${event.routeKey}`);
    logger.addContext(context);
    return handler(event, context);
  }
}
