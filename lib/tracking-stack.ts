import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { TrackingConfig } from '../lambdas/config/schema';
import { CostBudget } from './constructs/budget';
import { alertTargetsOf, Monitoring } from './constructs/monitoring';
import { DEFAULT_STAGE, deliveryOutputNames, pascalCase, serviceNameOf } from './constructs/naming';
import { entryPath } from './constructs/paths';
import { tagStack } from './tags';
import { TrackingApi } from './constructs/tracking-api';
import { TableAction, TrackingFunction } from './constructs/tracking-function';
import { TrackingTable } from './constructs/tracking-table';
import { CANCELLATION_SENDER_TABLE_ACTIONS, SENDER_TABLE_ACTIONS, VendorDelivery } from './constructs/vendor-delivery';
import {
  API_FUNCTIONS,
  API_TIMEOUT_SECONDS,
  ApiFunctionName,
  cancelDestinationIds,
  deliveryQueueName,
  deliveryQueueSettingsOf,
  destinationIds,
  UNSETTLED_INDEX,
} from '../lambdas/contract/shape';
import { apiRuntimeConfig, RuntimeConfig, senderRuntimeConfig, serializeRuntimeConfig } from '../lambdas/contract/runtime-config';
import { secretNames } from '../lambdas/config/credentials';
import { routeThrottles } from '../lambdas/contract/throttle';
import { isPaused } from '../lambdas/config/paused';
import { reservedConcurrencyOf } from '../lambdas/config/capacity';

export interface TrackingStackProps extends StackProps {
  /** The validated configuration (`loadConfig` / `parseConfig`): enabled destinations, delivery, alerts. */
  readonly config: TrackingConfig;
  /**
   * The stage this stack deploys (`-c stage=<name>`; its name is `stackNameOf(stage)`): the functions' service name
   * (log lines, metrics), and termination protection for `prod`.
   * @default DEFAULT_STAGE
   */
  readonly stage?: string;
  /**
   * An existing table to use instead of creating one (`-c tableName=<name>`): the one a destroyed stack of this service
   * retained, so that a redeployed stage carries on with its orders, delivery records and click ids. The stack only
   * references it: a later `cdk destroy` leaves it as it is.
   * @default - the stack creates its table
   */
  readonly tableName?: string;
}

/**
 * What each API function may do to the table: exactly the calls its handlers make, on the table ARN only. The
 * artifact tests (test/artifacts) record the calls the bundles make and list any grant none used: identify links and
 * erases with BatchWriteItem and reads with Query, status reads with Query only.
 */
const API_TABLE_ACTIONS: Record<ApiFunctionName, readonly TableAction[]> = {
  // One conditional PutItem per click id (BatchWriteItem cannot carry the newest-capture-wins condition).
  capture: ['dynamodb:PutItem'],
  identify: ['dynamodb:BatchWriteItem', 'dynamodb:Query'],
  // GetItem: whether the order is known (eventually consistent); Query: the clicks, and a known order's status.
  conversion: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
  status: ['dynamodb:Query'],
  // Reads the index of unsettled deliveries only (API_INDEX_ACTIONS), never the table.
  deliveries: [],
  cancellation: ['dynamodb:Query', 'dynamodb:UpdateItem'],
};

/** What each API function may do on the unsettled-deliveries index (UNSETTLED_INDEX), on the index ARN only. */
const API_INDEX_ACTIONS: Partial<Record<ApiFunctionName, readonly TableAction[]>> = {
  deliveries: ['dynamodb:Query'],
};

/**
 * The DynamoDB operations the functions call (every action granted on the table or its index, without its
 * `dynamodb:` prefix): the table's throttled-requests and system-errors alarms sum exactly these, one metric each.
 */
export function tableOperations(): string[] {
  const actions = [...Object.values(API_TABLE_ACTIONS), ...Object.values(API_INDEX_ACTIONS), SENDER_TABLE_ACTIONS, CANCELLATION_SENDER_TABLE_ACTIONS].flat();
  return [...new Set(actions.map((action) => action.replace(/^dynamodb:/, '')))].sort();
}

/**
 * API functions answer a waiting shop backend: more memory buys more CPU and a shorter cold start. Chosen by
 * measurement, per function (docs/PERFORMANCE.md, "Memory sizes", written by `npm run bench` with the figures of its
 * run): the cheapest size, cold starts' init included, whose modelled cold start – the function's init plus its call –
 * stays within 500 ms. Both classes – the functions of one request (capture, identify, status, deliveries) and those
 * that read, write and queue (conversion, cancellation) – come to 512 MB since the bundles map their own stack traces
 * (lambdas/runtime/stack-traces.ts): the conversion class needed 1024 MB while Node parsed every source map at load.
 */
export const API_MEMORY_MB: Readonly<Record<ApiFunctionName, number>> = {
  capture: 512,
  identify: 512,
  status: 512,
  deliveries: 512,
  conversion: 512,
  cancellation: 512,
};

/**
 * The whole service in one stack: table, API keys secret, HTTP API and its functions, one VendorDelivery per
 * enabled destination, and monitoring (alarm topic and its subscribers, the API's, functions', table's and
 * destinations' alarms, dashboard). It only composes constructs; each construct owns its resources.
 */
export class TrackingStack extends Stack {
  readonly trackingTable: TrackingTable;
  readonly stage: string;
  readonly apiKeys: Secret;
  readonly api: TrackingApi;
  readonly apiFunctions: Record<ApiFunctionName, TrackingFunction>;
  readonly deliveries: ReadonlyMap<string, VendorDelivery>;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: TrackingStackProps) {
    const stage = props.stage ?? DEFAULT_STAGE;
    super(scope, id, {
      description: `Merchant-side server-to-server conversion tracking (stage ${stage})`,
      ...props,
      // A production stack cannot be deleted by a stray `cdk destroy`; it is switched off first (README, "Tear down").
      terminationProtection: props.terminationProtection ?? stage === 'prod',
    });
    this.stage = stage;
    const { config } = props;
    const tracing = config.observability?.tracing === true;
    // service, stage and costCentre on every resource: this stage's cost on the bill (lib/tags.ts).
    tagStack(this, { stage, costCentre: config.costCentre });
    const serviceName = serviceNameOf(stage);
    const { table } = (this.trackingTable = new TrackingTable(this, 'Tracking', props.tableName !== undefined ? { existingTableName: props.tableName } : {}));
    this.monitoring = new Monitoring(this, 'Monitoring', {
      serviceName,
      alerts: alertTargetsOf(config),
      minDeliveryRatio: config.delivery.minDeliveryRatio,
      ...(config.delivery.minDeliveryRatioVolume !== undefined ? { minDeliveryRatioVolume: config.delivery.minDeliveryRatioVolume } : {}),
    });
    this.monitoring.monitorTable(table, tableOperations());
    if (config.budget) new CostBudget(this, 'Budget', { monthlyUsd: config.budget.monthlyUsd, stage, topic: this.monitoring.alarmTopic });

    this.apiKeys = new Secret(this, 'ApiKeys', {
      description:
        'API keys of the conversion tracking API as {"primary": "...", "secondary": "..."}; add "secondary" to rotate.',
      // Generated by Secrets Manager at deployment: the value never appears in the template or the configuration.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'primary',
        passwordLength: 40,
        excludePunctuation: true,
      },
      // Keys are worthless without the API; a retained secret would be an orphan holding live credentials.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.apiKeys).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The keys are shared with the shop backend, which must switch keys itself; they are rotated by operators ' +
        'with the primary/secondary procedure in docs/INFRASTRUCTURE.md, which a rotation Lambda cannot perform.',
    });

    // Each function's asset holds the runtime configuration it uses (RUNTIME_CONFIG_FILE), readable by anyone allowed
    // lambda:GetFunction: the API functions every destination with its credentials redacted, and the fixed names of the
    // delivery queues they send to; a sender its own destination with its own credentials (lambdas/contract/runtime-config.ts).
    const queueNamesOf = (ids: readonly string[]) => Object.fromEntries(ids.map((id) => [id, deliveryQueueName(this.stackName, id)]));
    const apiConfigs: Record<ApiFunctionName, RuntimeConfig> = {
      capture: apiRuntimeConfig(config),
      identify: apiRuntimeConfig(config),
      conversion: apiRuntimeConfig(config, queueNamesOf(destinationIds(config))),
      status: apiRuntimeConfig(config),
      deliveries: apiRuntimeConfig(config),
      cancellation: apiRuntimeConfig(config, queueNamesOf(cancelDestinationIds(config).map((c) => c.id))),
    };
    const apiFunctions = {} as Record<ApiFunctionName, TrackingFunction>;
    // `capacity`: reserves for conversion and cancellation, which a capture storm cannot take, and capture's ceiling.
    const reserved: Partial<Record<ApiFunctionName, number>> = reservedConcurrencyOf(config.capacity);
    for (const name of Object.keys(API_FUNCTIONS) as ApiFunctionName[]) {
      const reservedConcurrency = reserved[name];
      const fn = new TrackingFunction(this, `${pascalCase(name)}Function`, {
        entry: entryPath(name),
        description: `Conversion tracking API: ${API_FUNCTIONS[name].join(', ')}`,
        timeout: Duration.seconds(API_TIMEOUT_SECONDS),
        serviceName,
        memorySize: API_MEMORY_MB[name],
        tracing,
        runtimeConfig: serializeRuntimeConfig(apiConfigs[name]),
        ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
      })
        .bindApiKeysSecret(this.apiKeys);
      if (API_TABLE_ACTIONS[name].length) fn.bindTable(table, API_TABLE_ACTIONS[name]);
      const indexActions = API_INDEX_ACTIONS[name];
      if (indexActions) fn.bindTableIndex(table, UNSETTLED_INDEX.indexName, indexActions);
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: 'Invoked synchronously by API Gateway only: a failure is the HTTP response, there is no event to keep.',
      });
      apiFunctions[name] = fn;
    }
    this.apiFunctions = apiFunctions;
    this.api = new TrackingApi(this, 'Api', { functions: apiFunctions, throttles: routeThrottles(config.api) });
    this.monitoring.monitorApi(this.api);
    this.monitoring.monitorFunctions(apiFunctions);

    const cancelIds = new Set(cancelDestinationIds(config).map((c) => c.id));
    const deliveries = new Map<string, VendorDelivery>();
    const claimedNames = new Map<string, string>();
    // Every sale destination, then each postback's cancellation calls: the same construct on a queue of their own.
    const queued = [
      ...destinationIds(config).map((id) => ({
        id,
        queue: `Delivery queue of ${id}`,
        deadLetters: `Dead-letter queue of ${id}; redrive with npm run redrive -- ${id}`,
      })),
      ...cancelDestinationIds(config).map(({ id, of }) => ({
        id,
        queue: `Cancellation queue of ${of}`,
        // "Dead-letter queue of <id>;" is how npm run redrive finds a destination among the outputs.
        deadLetters: `Dead-letter queue of ${id}; the cancellation calls of ${of}; redrive with npm run redrive -- ${id}`,
      })),
    ];
    for (const { id: destinationId, queue, deadLetters } of queued) {
      // Ids are lower-case with hyphens; two that differ only in punctuation (`net-1`, `net1`) would share a
      // construct name, and one of them would silently be lost.
      const constructName = pascalCase(destinationId);
      const clash = claimedNames.get(constructName);
      if (clash) throw new Error(`Destinations ${clash} and ${destinationId} would both be named ${constructName}; rename one`);
      claimedNames.set(constructName, destinationId);

      const senderConfig = senderRuntimeConfig(config, destinationId);
      const delivery = new VendorDelivery(this, `${constructName}Delivery`, {
        destinationId,
        // Each destination's own `concurrency`, `batchSize` and `ratePerSecond`; `<postback>-cancel` has its postback's.
        settings: deliveryQueueSettingsOf(config, destinationId),
        table,
        ...(cancelIds.has(destinationId) ? { senderTableActions: CANCELLATION_SENDER_TABLE_ACTIONS } : {}),
        tracing,
        serviceName,
        runtimeConfig: serializeRuntimeConfig(senderConfig),
        vendorSecrets: secretNames(senderConfig),
        paused: isPaused(config, destinationId),
        ...(config.delivery.backlogAlarmMinutes !== undefined ? { backlogAlarmSeconds: config.delivery.backlogAlarmMinutes * 60 } : {}),
      });
      deliveries.set(destinationId, delivery);
      this.monitoring.monitorDelivery(delivery);
      const outputNames = deliveryOutputNames(destinationId);
      new CfnOutput(this, outputNames.queueUrl, { description: queue, value: delivery.queue.queueUrl });
      new CfnOutput(this, outputNames.deadLetterQueueUrl, { description: deadLetters, value: delivery.deadLetterQueue.queueUrl });
    }
    this.deliveries = deliveries;
    // Sale queues to the conversion function, cancellation queues to the cancellation function: nothing else.
    apiFunctions.conversion.bindDeliveryQueues([...deliveries].filter(([id]) => !cancelIds.has(id)).map(([, d]) => d.queue));
    apiFunctions.cancellation.bindDeliveryQueues([...deliveries].filter(([id]) => cancelIds.has(id)).map(([, d]) => d.queue));
    // And each postback's cancellation queue to its sale sender, for a sale it records sent after the order was cancelled.
    for (const { id, of } of cancelDestinationIds(config)) deliveries.get(of)!.sender.bindCancellationQueue(deliveries.get(id)!.queue);

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the HTTP API', value: this.api.url });
    new CfnOutput(this, 'ApiKeysSecretName', { description: 'Secret holding the API keys', value: this.apiKeys.secretName });
    new CfnOutput(this, 'ApiKeysSecretArn', { value: this.apiKeys.secretArn });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'ServiceName', {
      description: 'The service dimension of the delivery metrics and the service of every log line (npm run report reads it)',
      value: serviceName,
    });
  }
}
