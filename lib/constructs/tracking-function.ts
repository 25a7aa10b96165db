import { ArnFormat, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, CfnFunction, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { BundlingOptions, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract/shape';
import { RUNTIME_CONFIG_FILE, TRACING_ENABLED_VARIABLE } from '../../lambdas/contract/runtime-config';
import { PROJECT_ROOT } from './paths';

/** The DynamoDB actions a function may be granted; anything else the handlers do not call. */
export type TableAction =
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:Query'
  | 'dynamodb:UpdateItem';

/**
 * What Lambda grants a function whose tracing mode is Active or PassThrough, on "*" because X-Ray has no
 * resource-level permissions. Lambda's own X-Ray daemon sends the segments with them, never the function's code.
 */
const TRACING_ACTIONS: readonly string[] = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/**
 * How every function is bundled. Exported so that `npm run bench` bundles exactly as CDK does (docs/PERFORMANCE.md
 * holds the measurements behind each choice).
 */
export const TRACKING_BUNDLING: Readonly<BundlingOptions> = {
  minify: true,
  sourceMap: true,
  // Source maps carry line mappings only; the sources themselves would double the bundle for nothing.
  sourcesContent: false,
  target: 'node24',
  // ES module builds first: esbuild tree-shakes them, while the CommonJS builds the AWS SDK and others list under
  // `main` are bundled whole. Measured (docs/PERFORMANCE.md): a fifth less code and a quarter less module init.
  mainFields: ['module', 'main'],
  // The AWS SDK is bundled rather than taken from the runtime: the project pins exact SDK versions and its tests run
  // against them, while the runtime's copy changes without notice; and a minified bundle of the few clients a
  // function uses initialises faster than the runtime's unminified SDK (measured in docs/PERFORMANCE.md).
  externalModules: [],
  // Without observability.tracing the tracer is never loaded, so it is not bundled either: its X-Ray SDK is a fifth of
  // a bundle's bytes (lambdas/runtime/tracing.ts, loadTracer). `trackingBundling(true)` bundles it.
  // No function inspects requests as the local vendor sandbox does: the adapters' sandbox checks are left out
  // (lambdas/vendors/sandbox-inspect.ts). Nor does a function read vendor credentials from Secrets Manager unless its
  // configuration names some (`trackingBundling(…, true)`; lambdas/entry/sender.ts).
  define: {
    'process.env.TRACKING_TRACER_BUNDLED': JSON.stringify('false'),
    'process.env.TRACKING_SANDBOX_BUNDLED': JSON.stringify('false'),
    'process.env.TRACKING_VENDOR_SECRETS_BUNDLED': JSON.stringify('false'),
    // Stack traces point into the TypeScript sources, from the source map beside the bundle, read by the first trace
    // that is formatted (lambdas/runtime/stack-traces.ts) – not by Node at every cold start, as --enable-source-maps
    // would (a quarter of a function's module init, docs/PERFORMANCE.md).
    'process.env.TRACKING_STACK_TRACES_BUNDLED': JSON.stringify('true'),
  },
};

/**
 * How a function is bundled: TRACKING_BUNDLING, with Powertools Tracer and the X-Ray SDK only for a traced one, and
 * the Secrets Manager reader of vendor credentials only for a function whose configuration names secrets.
 */
export function trackingBundling(tracing: boolean, vendorSecrets = false): Readonly<BundlingOptions> {
  if (!tracing && !vendorSecrets) return TRACKING_BUNDLING;
  return {
    ...TRACKING_BUNDLING,
    define: {
      ...TRACKING_BUNDLING.define,
      'process.env.TRACKING_TRACER_BUNDLED': JSON.stringify(String(tracing)),
      'process.env.TRACKING_VENDOR_SECRETS_BUNDLED': JSON.stringify(String(vendorSecrets)),
    },
  };
}

/** Whether a function's bundled configuration (RUNTIME_CONFIG_FILE's JSON) names secrets its code reads at run time. */
export function readsVendorSecrets(runtimeConfig: string | undefined): boolean {
  if (runtimeConfig === undefined) return false;
  const secrets = (JSON.parse(runtimeConfig) as { secrets?: unknown[] }).secrets;
  return Array.isArray(secrets) && secrets.length > 0;
}

/** Memory of a function that does not choose its own: enough for the bundle and the SDK with room to spare. */
export const DEFAULT_MEMORY_MB = 256;

/** Lambda refuses a function whose environment variables (names and values) exceed 4 KB in total. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4 * 1024;

/**
 * Bytes counted for a value only known at deployment. The longest is a queue URL,
 * `https://sqs.<region>.amazonaws.com[.cn]/<account>/<generated name, at most 80 characters>`: at most 137 bytes.
 * The secret's ARN stays under 110 and the generated table name, prefixed by the stack name, under 70.
 */
const DEPLOY_TIME_VALUE_BYTES = 150;

export interface TrackingFunctionProps {
  /** Absolute path of the entry point; it must export `handler`. */
  readonly entry: string;
  /** Maximum run time. Required: API functions and senders have very different budgets. */
  readonly timeout: Duration;
  /**
   * Memory, which also sets the CPU share.
   * @default DEFAULT_MEMORY_MB
   */
  readonly memorySize?: number;
  /** @default - no description */
  readonly description?: string;
  /**
   * Value of `POWERTOOLS_SERVICE_NAME`, the `service` key of every log line and metric.
   * @default 'conversion-tracking'
   */
  readonly serviceName?: string;
  /**
   * The function's runtime configuration (`serializeRuntimeConfig` in lambdas/contract/runtime-config.ts), written into the asset as
   * RUNTIME_CONFIG_FILE next to the bundle: not an environment variable, whose 4 KB cap a configuration of five vendors
   * and a score of postbacks exceeds. It holds only what the function uses (`apiRuntimeConfig`, `senderRuntimeConfig`):
   * anyone allowed `lambda:GetFunction` can read it. API keys live in Secrets Manager.
   * @default - no file; the function reads no configuration
   */
  readonly runtimeConfig?: string;
  /**
   * Active X-Ray tracing, with Powertools Tracer instrumenting the AWS SDK and vendor calls (lambdas/runtime/tracing.ts;
   * `observability.tracing` in the configuration). Off, the function's tracing mode is PassThrough and no tracer is
   * loaded.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Variables beyond those the `bind*` methods set.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the log group when the function is removed. Logs are operational data already bounded by
   * `logRetention`, so by default they go with the function instead of lingering as orphans.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Concurrency reserved for the function, and so its ceiling too (`capacity` in the configuration): taken from the
   * account's unreserved pool, of which Lambda keeps at least 100 (docs/INFRASTRUCTURE.md, "Capacity").
   * @default - none reserved: the function shares the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
}

/**
 * A Node.js function with every default of this service in one place: Node.js 24 on Graviton, minified bundle with
 * source maps, its own log group with a retention, X-Ray tracing on request, and a role holding only what the `bind*` methods
 * grant. Each `bind*` method sets an environment variable and grants the matching permission together, so a
 * function never knows a resource it may not use, nor may use one it does not know.
 */
export class TrackingFunction extends NodejsFunction {
  /** What the bundle's RUNTIME_CONFIG_FILE holds, if the function has one. */
  readonly runtimeConfig?: string;
  private readonly executionRole: Role;
  /** The role's inline policy, holding every statement: the bind methods', tracing's and the event sources'. */
  private readonly rolePolicy: Policy;

  constructor(scope: Construct, id: string, props: TrackingFunctionProps) {
    // The role and log group are created first so that the function is created with them; they are siblings of
    // the function, named after it.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${id} function`,
    });
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      role,
      logGroup,
      // JSON logs, so Lambda filters by level: the functions' own lines (JSON with a level; EMF metrics count as INFO)
      // from INFO, Lambda's platform lines (START/END/REPORT, INFO) only from WARN – they are most of the log bytes of
      // a capture, and Lambda's Duration, Errors and Throttles metrics carry what they say.
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      // PassThrough unless asked for: active tracing of uninstrumented code shows nothing but the invocation, and X-Ray
      // bills every trace – below about 20 requests a second, more than the capture it traces.
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.PASS_THROUGH,
      projectRoot: PROJECT_ROOT.dir,
      depsLockFilePath: PROJECT_ROOT.lockFile,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'conversion-tracking',
        ...(props.tracing ? { [TRACING_ENABLED_VARIABLE]: 'true' } : {}),
        ...props.environment,
      },
      bundling:
        props.runtimeConfig === undefined
          ? trackingBundling(props.tracing === true)
          : withRuntimeConfigFile(props.runtimeConfig, trackingBundling(props.tracing === true, readsVendorSecrets(props.runtimeConfig))),
    });
    this.executionRole = role;
    this.runtimeConfig = props.runtimeConfig;

    // The role is created here rather than by Lambda so that it carries no AWS managed policy: writing to its own
    // log group is the only logging permission it needs.
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    // Tracing (Active, and PassThrough for a request an upstream service sampled) adds xray:PutTraceSegments and
    // xray:PutTelemetryRecords on "*": X-Ray has no resource-level permissions, so "*" is the only resource those actions
    // accept. validateWildcards keeps this acknowledgement from ever covering anything else.
    this.rolePolicy = role.node.findChild('DefaultPolicy') as Policy;
    Validations.of(this.rolePolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the X-Ray actions Lambda adds for its tracing modes use "*": X-Ray supports no resource-level permissions.',
    });
    if (!props.tracing) {
      Validations.of(this).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason:
          'Active tracing is an option (observability.tracing), off by default: X-Ray bills every trace, below about 20 ' +
          'requests a second more than the capture it traces, and is worth it only with the Tracer instrumentation on.',
      });
    }

    this.node.addValidation({ validate: () => [...this.validateEnvironmentSize(), ...this.validateWildcards()] });
  }

  /**
   * Sets `TABLE_NAME` and allows exactly `actions` on the table itself. No index ARN: the table has none, and a
   * wildcard on indexes would outlive that fact.
   */
  bindTable(table: ITable, actions: readonly TableAction[]): this {
    if (actions.length === 0) throw new Error(`${this.node.path}: bindTable needs at least one action`);
    this.addEnvironment(ENV.tableName, table.tableName);
    this.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
    return this;
  }

  /**
   * Sets `TABLE_NAME` and allows exactly `actions` on one index of the table (`<table ARN>/index/<name>`) and on
   * nothing else: for a function that only lists from an index.
   */
  bindTableIndex(table: ITable, indexName: string, actions: readonly TableAction[]): this {
    if (actions.length === 0) throw new Error(`${this.node.path}: bindTableIndex needs at least one action`);
    this.addEnvironment(ENV.tableName, table.tableName);
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...actions], resources: [`${table.tableArn}/index/${indexName}`] }),
    );
    return this;
  }

  /**
   * Sets `QUEUE_URL_BASE` (`https://sqs.<region>.<suffix>/<account>/`) and allows sending to each queue. The function
   * derives a queue's URL from the base and the queue's fixed name (deliveryQueueName, bundled in its runtime
   * configuration): one variable however many destinations there are. The queues use SQS-managed keys: no KMS grant.
   */
  bindDeliveryQueues(queues: readonly IQueue[]): this {
    this.addEnvironment(ENV.queueUrlBase, Fn.sub('https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/'));
    if (queues.length > 0) {
      this.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: queues.map((q) => q.queueArn) }));
    }
    return this;
  }

  /** Sets `API_KEYS_SECRET_ARN` – the secret's ARN, never its value – and allows reading the secret's value. */
  bindApiKeysSecret(secret: ISecret): this {
    this.addEnvironment(ENV.apiKeysSecretArn, secret.secretArn);
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    return this;
  }

  /**
   * Allows reading the value of each Secrets Manager secret a vendor credential of this function's configuration is
   * kept in (`secrets` of its runtime configuration): a secret given by name on every ARN Secrets Manager can give it
   * (`<name>-??????`, its random suffix), one given by ARN on that ARN. Nothing else of Secrets Manager, no other secret.
   */
  bindVendorSecrets(secrets: readonly string[]): this {
    const unique = [...new Set(secrets)];
    if (unique.length === 0) return this;
    const stack = Stack.of(this);
    const arnOf = (secret: string) =>
      secret.startsWith('arn:')
        ? secret
        : stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${secret}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: unique.map(arnOf) }));
    return this;
  }

  /**
   * Sets `QUEUE_URL` to the queue this function consumes and allows sending to it, with which the sender schedules a
   * retry (a delayed copy of the message), and changing a message's visibility (a delivery stopped for time).
   * Receiving and deleting are granted by the SQS event source.
   */
  bindConsumedQueue(queue: IQueue): this {
    this.addEnvironment(ENV.queueUrl, queue.queueUrl);
    this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:ChangeMessageVisibility', 'sqs:SendMessage'], resources: [queue.queueArn] }),
    );
    return this;
  }

  /**
   * Sets `DEAD_LETTER_QUEUE_URL` and allows sending to that queue only: the sender parks a delivery the vendor
   * refused there, for a redrive once the cause is fixed.
   */
  bindDeadLetterQueue(queue: IQueue): this {
    this.addEnvironment(ENV.deadLetterQueueUrl, queue.queueUrl);
    this.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return this;
  }

  /**
   * Sets `CANCELLATION_QUEUE_URL` and allows sending to that queue only: a sale sender queues there the cancellation
   * call of a sale it records `sent` after its order was cancelled (the postback's `<name>-cancel` queue).
   */
  bindCancellationQueue(queue: IQueue): this {
    this.addEnvironment(ENV.cancellationQueueUrl, queue.queueUrl);
    this.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return this;
  }

  /** The role's only statement on "*" may be active tracing's: anything else would hide behind the IAM5 acknowledgement. */
  private validateWildcards(): string[] {
    const document = Stack.of(this).resolve(this.rolePolicy.document) as {
      Statement?: { Action: string | string[]; Resource: unknown }[];
    };
    const offending = (document.Statement ?? [])
      .filter((statement) => [statement.Resource].flat().includes('*'))
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => !TRACING_ACTIONS.includes(action));
    return offending.length === 0
      ? []
      : [`Function ${this.node.id}: ${offending.join(', ')} granted on "*"; grant it on the resource's ARN instead.`];
  }

  /**
   * Lambda would reject the deployment; failing at synth names the function and the variable to look at. The
   * variables are measured serialised as JSON, escapes included – the stricter of the ways the limit is read.
   */
  private validateEnvironmentSize(): string[] {
    const cfn = this.node.defaultChild as CfnFunction;
    const resolved = Stack.of(this).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
    // A value CloudFormation fills in at deployment (a Ref, a GetAtt) is counted at its longest plausible size.
    const variables = Object.fromEntries(
      Object.entries(resolved?.variables ?? {}).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : 'x'.repeat(DEPLOY_TIME_VALUE_BYTES),
      ]),
    );
    const total = Buffer.byteLength(JSON.stringify(variables), 'utf8');
    if (total <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
    const [largest, largestBytes] = Object.entries(variables)
      .map(([name, value]) => [name, Buffer.byteLength(JSON.stringify({ [name]: value }), 'utf8')] as const)
      .sort((a, b) => b[1] - a[1])[0];
    return [
      `Function ${this.node.id}: its environment variables need about ${total} bytes, over Lambda's limit of ` +
        `${LAMBDA_ENVIRONMENT_LIMIT_BYTES} bytes (largest: ${largest}, ${largestBytes} bytes). ` +
        'Shorten the configuration or enable fewer destinations.',
    ];
  }
}

/**
 * `bundling` (TRACKING_BUNDLING) plus a step after esbuild writing `runtimeConfig` as RUNTIME_CONFIG_FILE into the asset. The
 * content travels Base64-encoded on the command line, so no shell (bash locally, the bundling image's otherwise)
 * reinterprets a character of it; `node` is present wherever the function is bundled. The asset hash covers the
 * output, so a changed configuration is a changed asset and `cdk deploy` updates the function.
 */
export function withRuntimeConfigFile(runtimeConfig: string, bundling: Readonly<BundlingOptions> = TRACKING_BUNDLING): BundlingOptions {
  const encoded = Buffer.from(runtimeConfig, 'utf8').toString('base64');
  const write = `node -e "require('fs').writeFileSync(process.argv[1], Buffer.from(process.argv[2], 'base64'))"`;
  return {
    ...bundling,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [`${write} "${outputDir}/${RUNTIME_CONFIG_FILE}" "${encoded}"`],
    },
  };
}
