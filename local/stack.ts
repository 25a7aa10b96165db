/**
 * The whole pipeline on one machine: the real API and sender handlers behind one HTTP server, DynamoDB Local,
 * the local SQS server, one poller per destination, and the vendor sandbox. Tables, queues, dead-letter queues,
 * redrive policies and poller batching all come from lambdas/contract/shape.ts, the definitions the CDK stack is built from.
 */
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { runtimeConfigOf } from '../lambdas/contract/runtime-config';
import { deliveryQueueSettings, queueNames, TABLE, UNSETTLED_INDEX } from '../lambdas/contract/shape';
import { StaticApiKeys } from '../lambdas/api/api-keys';
import { createApiHandlers } from '../lambdas/api/handlers';
import type { TrackingConfig } from '../lambdas/config/schema';
import { cancelDestinationId, queuedDestinationsOf } from '../lambdas/config/cancellation';
import { destinationsOf } from '../lambdas/config/destinations';
import { pausedDestinationIds } from '../lambdas/config/paused';
import { routeThrottles } from '../lambdas/contract/throttle';
import type { VendorId } from '../lambdas/vendors/registry';
import { documentClient } from '../lambdas/store/document-client';
import { createSender } from '../lambdas/sender/create';
import { SqsDeliveryQueues } from '../lambdas/store/delivery-queues';
import { TrackingStore } from '../lambdas/store/tracking-store';
import { ConfigChoice, chooseConfig, loadConfig } from '../lambdas/config/load';
import { consoleLogger, consoleMetrics } from './console-logger';
import { LocalConsole } from './console/server';
import { createApiGateway, sendError } from './http-api';
import { QueuePoller } from './poller';
import { SANDBOX_PREFIX, SANDBOX_SECURITY_HEADERS, VendorSandbox } from './sandbox';
import { withLocalSecrets } from './secrets';
import { LOCAL_AWS, RunningService, startDynamoDbLocal, startSqsServer } from './services';

export interface LocalStackOptions {
  /** Configuration file; default: TRACKING_CONFIG, else tracking.config.json at the repo root, else the shipped example. */
  configPath?: string;
  /** Port to listen on; 0 picks a free one. Default 3000. */
  port?: number;
  /** No console output (tests). */
  quiet?: boolean;
  /** A running DynamoDB Local to use instead of starting one (it is left running on stop). */
  dynamoEndpoint?: string;
  /** A running SQS server to use instead of starting one (it is left running on stop). */
  sqsEndpoint?: string;
  /** The sandbox answers 200 even to calls that break their vendor's rules (default: 400 with the violations). */
  lenientSandbox?: boolean;
}

export interface DestinationQueues {
  queue: string;
  deadLetterQueue: string;
}

export interface LocalStack {
  /** The API's base URL, e.g. http://localhost:3000 (routes start with /v1). */
  baseUrl: string;
  /** The vendor sandbox's base URL: vendors under `<sandboxUrl>/<vendor>/`, recorded calls at `<sandboxUrl>/requests`. */
  sandboxUrl: string;
  config: TrackingConfig;
  /** The configuration file in use and why it was chosen. */
  configFile: ConfigChoice;
  /** API keys the local API accepts. */
  apiKeys: readonly string[];
  tableName: string;
  /** Per destination id: its delivery queue and dead-letter queue. */
  queueUrls: Record<string, DestinationQueues>;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  /**
   * Pauses or unpauses a vendor or postback (`destination`), as deploying the configuration with its `paused` flag set
   * or removed does: its poller (a postback's cancellation poller too) stops or starts receiving – the event source
   * mapping disabled or enabled – and every handler runs with the changed configuration from then on, so the status
   * route shows or stops showing `paused`. Messages on the queue stay there meanwhile.
   */
  setPaused(destination: string, paused: boolean): Promise<void>;
  /** Stops pollers, the HTTP server and the services this stack started itself. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Keys used when the configuration has no `local.apiKeys`. */
export const DEFAULT_LOCAL_API_KEYS = ['local-dev-key'] as const;

/** Loopback only: the local stack has a well-known key and no TLS, so it is not offered to the network. */
export const LISTEN_HOST = '127.0.0.1';

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LISTEN_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The table as TrackingTable defines it: generic keys, on-demand billing, TTL on TABLE.timeToLiveAttribute. */
export async function createTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE.sortKey, AttributeType: 'S' },
        { AttributeName: UNSETTLED_INDEX.partitionKey, AttributeType: 'S' },
        { AttributeName: UNSETTLED_INDEX.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: UNSETTLED_INDEX.indexName,
          KeySchema: [
            { AttributeName: UNSETTLED_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: UNSETTLED_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...UNSETTLED_INDEX.nonKeyAttributes] },
        },
      ],
    }),
  );
  await dynamo.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true } }),
  );
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error(`The SQS server returned no ARN for ${queueUrl}`);
  return arn;
}

/** A destination's queue pair as VendorDelivery defines it: DLQ, redrive after maxReceiveCount, visibility and retention. */
async function createDestinationQueues(
  sqs: SQSClient,
  destinationId: string,
  suffix: string,
  config: TrackingConfig,
): Promise<DestinationQueues & { queueArn: string }> {
  const settings = deliveryQueueSettings(config.delivery);
  const names = queueNames(destinationId);
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${names.deadLetterQueue}-${suffix}`,
      Attributes: { MessageRetentionPeriod: String(settings.dlqRetentionSeconds) },
    }),
  );
  const deadLetterQueue = dlq.QueueUrl!;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${names.queue}-${suffix}`,
      Attributes: {
        VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(settings.retentionSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(sqs, deadLetterQueue), maxReceiveCount: settings.maxReceiveCount }),
      },
    }),
  );
  return { queue: queue.QueueUrl!, deadLetterQueue, queueArn: await queueArn(sqs, queue.QueueUrl!) };
}

/** `config` with the `paused` flag of a vendor or postback set or removed. */
export function withPaused(config: TrackingConfig, destination: string, paused: boolean): TrackingConfig {
  const flagged = <T extends object>(entry: T): T => {
    const { paused: _was, ...rest } = entry as T & { paused?: boolean };
    return (paused ? { ...rest, paused: true } : rest) as T;
  };
  const vendor = config.vendors[destination as VendorId];
  if (vendor) return { ...config, vendors: { ...config.vendors, [destination]: flagged(vendor) } };
  const postback = config.postbacks[destination];
  if (postback) return { ...config, postbacks: { ...config.postbacks, [destination]: flagged(postback) } };
  throw new Error(`${destination} is neither a vendor nor a postback of this configuration`);
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const quiet = options.quiet ?? false;
  const log = consoleLogger('local-stack', quiet);

  // Validated before anything is started, so a bad file costs no Java start-up.
  const configFile = chooseConfig({ explicit: options.configPath });
  // Credentials written as {"secret": "<name>"} come from the local secrets file (local/secrets.ts).
  let config = withLocalSecrets(loadConfig(configFile), configFile.path);

  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      await step().catch((error: unknown) => log.warn('Clean-up step failed', { error: error as Error }));
    }
  };

  const sandbox = new VendorSandbox(consoleLogger('sandbox', quiet), new Map(destinationsOf(config).map((d) => [d.id, d.adapter])), {
    lenient: options.lenientSandbox === true,
  });
  const localConsole = new LocalConsole(sandbox);
  let serveApi: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
  // Room for request lines well past the 8,000-byte URL limit, so that the sandbox (not Node's 16 KiB default, with
  // a 431) is what refuses an over-long vendor URL – with the 414 a vendor's server would answer.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const toSandbox = path === SANDBOX_PREFIX || path.startsWith(`${SANDBOX_PREFIX}/`);
    const serve = toSandbox ? sandbox.handle.bind(sandbox) : localConsole.serves(path) ? localConsole.handle : serveApi;
    if (!serve) {
      request.resume();
      return sendError(response, 503, 'starting', 'The local stack is still starting; try again in a moment', { 'retry-after': '1' });
    }
    serve(request, response).catch((error: unknown) => {
      log.error('Request failed in the local server', { error: error as Error });
      if (!response.headersSent) sendError(response, 500, 'internal_error', 'Internal error in the local server', toSandbox ? SANDBOX_SECURITY_HEADERS : {});
      else response.destroy();
    });
  });
  cleanups.push(async () => {
    sandbox.close();
    await closeServer(server);
  });

  try {
    // Listening first: a busy port fails before services start, and the example's URLs can follow the real port.
    const port = await listen(server, options.port ?? 3000);
    const baseUrl = `http://localhost:${port}`;
    if (configFile.isExample) config = withLocalSecrets(loadConfig(configFile, { baseUrl }), configFile.path);

    // Given endpoints are used as they are; what this stack starts, it stops – even when the other one fails to start.
    const service = async (endpoint: string | undefined, launch: () => Promise<RunningService>): Promise<RunningService> => {
      if (endpoint) return { endpoint, stop: async () => undefined };
      const started = await launch();
      cleanups.push(() => started.stop());
      return started;
    };
    const [dynamoStart, sqsStart] = await Promise.allSettled([
      service(options.dynamoEndpoint, () => startDynamoDbLocal()),
      service(options.sqsEndpoint, () => startSqsServer()),
    ]);
    if (dynamoStart.status === 'rejected') throw dynamoStart.reason;
    if (sqsStart.status === 'rejected') throw sqsStart.reason;
    const [dynamoService, sqsService] = [dynamoStart.value, sqsStart.value];

    const dynamo = new DynamoDBClient({ endpoint: dynamoService.endpoint, ...LOCAL_AWS });
    const sqs = new SQSClient({ endpoint: sqsService.endpoint, ...LOCAL_AWS });
    cleanups.push(async () => {
      dynamo.destroy();
      sqs.destroy();
    });

    // Unique per stack, so that several stacks (tests) can share one DynamoDB Local and one SQS server.
    const suffix = randomBytes(3).toString('hex');
    const tableName = `conversion-tracking-${suffix}`;
    await createTable(dynamo, tableName);
    // Sale destinations and postbacks' cancellation calls alike: a queue pair and a poller each.
    const destinations = queuedDestinationsOf(config);
    const queues = await Promise.all(destinations.map((d) => createDestinationQueues(sqs, d.id, suffix, config)));
    const queueUrls = Object.fromEntries(destinations.map((d, i) => [d.id, { queue: queues[i]!.queue, deadLetterQueue: queues[i]!.deadLetterQueue }]));
    if (options.dynamoEndpoint || options.sqsEndpoint) {
      // Shared services outlive this stack: leave them as they were found.
      cleanups.push(async () => {
        if (options.sqsEndpoint) {
          await Promise.allSettled(queues.flatMap((q) => [q.queue, q.deadLetterQueue]).map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl }))));
        }
        if (options.dynamoEndpoint) await dynamo.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      });
    }

    const store = new TrackingStore(documentClient(dynamo), tableName);
    const apiKeys = config.local?.apiKeys ?? [...DEFAULT_LOCAL_API_KEYS];
    const apiLogger = consoleLogger('api', quiet);
    const deliveryQueues = localConsole.journal.recordQueued(new SqsDeliveryQueues(sqs, Object.fromEntries(destinations.map((d) => [d.id, queueUrls[d.id]!.queue]))));
    // The configured throttles, one bucket per route as API Gateway keeps them. Without `api.throttle` in the
    // configuration nothing is throttled: a laptop has no account quota to protect, and the suites poll hard.
    const throttles = config.api?.throttle ? routeThrottles(config.api) : undefined;
    // The API as the deployed functions serve it: the handlers built on the configuration as the stack bundles it.
    // Built again when the configuration changes (setPaused), as a deploy replaces the functions.
    const deploy = (current: TrackingConfig) => {
      const handlers = createApiHandlers({
        config: runtimeConfigOf(current),
        store,
        queues: deliveryQueues,
        apiKeys: new StaticApiKeys(apiKeys),
        logger: apiLogger,
        metrics: consoleMetrics(apiLogger),
      });
      serveApi = createApiGateway(localConsole.observe(handlers), apiLogger, throttles ? { throttles } : {});
    };

    const settings = deliveryQueueSettings(config.delivery);
    /** A sale sender queues the cancellation call of a sale it sends after its order was cancelled (the console notes it). */
    const cancellationQueueOf = (id: string) => {
      const queue = queueUrls[cancelDestinationId(id)]?.queue;
      return queue ? { cancellations: localConsole.journal.recordQueued(new SqsDeliveryQueues(sqs, { [cancelDestinationId(id)]: queue })) } : {};
    };
    // One poller per destination that is not paused: a paused destination's event source mapping is disabled.
    const pollers = new Map<string, QueuePoller>();
    const startPoller = (i: number) => {
      const destination = destinations[i]!;
      const logger = consoleLogger(`sender/${destination.id}`, quiet);
      const { queue, queueArn: arn } = queues[i]!;
      const poller = new QueuePoller({
        sqs,
        queueUrl: queue,
        queueArn: arn,
        region: LOCAL_AWS.region,
        functionName: `sender-${destination.id}`,
        settings,
        logger,
        handler: createSender({
          config: runtimeConfigOf(config),
          destinationId: destination.id,
          store,
          sqs,
          queueUrl: queue,
          deadLetterQueueUrl: queues[i]!.deadLetterQueue,
          logger,
          metrics: consoleMetrics(logger),
          ...cancellationQueueOf(destination.id),
        }),
      });
      pollers.set(destination.id, poller);
      poller.start();
    };
    /** Starts the pollers of the destinations not paused and stops those of the paused ones, after `config`. */
    const applyPauses = async () => {
      const paused = pausedDestinationIds(config);
      for (const [i, destination] of destinations.entries()) {
        const running = pollers.get(destination.id);
        if (paused.has(destination.id) && running) {
          pollers.delete(destination.id);
          await running.stop();
        } else if (!paused.has(destination.id) && !running) {
          startPoller(i);
        }
      }
    };
    const stopPollers = async () => {
      const running = [...pollers.values()];
      pollers.clear();
      await Promise.all(running.map((p) => p.stop()));
    };
    cleanups.push(stopPollers);
    for (const id of pausedDestinationIds(config)) log.warn('Paused: its sales wait on its queue until the flag is removed', { destination: id });
    await applyPauses();
    localConsole.attach({ config, db: documentClient(dynamo), tableName, apiKeys });
    deploy(config);

    const setPaused = async (destination: string, paused: boolean) => {
      config = withPaused(config, destination, paused);
      deploy(config);
      await applyPauses();
    };

    let stopping: Promise<void> | undefined;
    // Pollers first (none may still call SQS or DynamoDB when they go), then the server (no request may reach a
    // stopped service), then everything else in reverse order of creation.
    const stop = async () => {
      await stopPollers();
      sandbox.close();
      await closeServer(server);
      await cleanUp();
    };
    return {
      baseUrl,
      sandboxUrl: `${baseUrl}${SANDBOX_PREFIX}`,
      get config() {
        return config;
      },
      configFile,
      apiKeys,
      tableName,
      queueUrls,
      dynamoEndpoint: dynamoService.endpoint,
      sqsEndpoint: sqsService.endpoint,
      setPaused,
      stop: () => (stopping ??= stop()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
