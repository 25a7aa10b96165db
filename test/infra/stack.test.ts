/**
 * Infrastructure tests: single properties of the synthesised template (no snapshot), the rejection of
 * contradictory settings, and the AWS Solutions and Serverless cdk-nag packs. Each configuration is synthesised
 * once. Two slow steps of `cdk synth` are left to it: bundling (`aws:cdk:bundling-stacks: []`: these tests look at
 * the template, not the code) and the built-in CloudFormation schema validation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { entryPath } from '../../lib/constructs/paths';
import { TrackingFunction } from '../../lib/constructs/tracking-function';
import { VendorDelivery } from '../../lib/constructs/vendor-delivery';
import {
  API_FUNCTIONS,
  API_ROUTES,
  API_THROTTLE,
  ApiFunctionName,
  deliveryQueueSettings,
  destinationIds,
  ENV,
  functionServing,
  deliveryQueueName,
  TABLE,
  UNSETTLED_INDEX,
} from '../../lambdas/contract/shape';
import { TrackingStack } from '../../lib/tracking-stack';

/** The feature flags `cdk synth` runs with, so that the tests see the same template. */
const FEATURE_FLAGS = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

const LOCAL_API_KEY = 'local-key-that-must-never-reach-the-template';

const KELKOO_ONLY = parseConfig({
  vendors: { kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' } },
  delivery: { maxAttempts: 7, retryBaseSeconds: 30, timeoutMs: 5000 },
  alarmEmail: 'ops@shop.example',
  local: { apiKeys: [LOCAL_API_KEY] },
});

const ALL_VENDORS = parseConfig({
  vendors: {
    kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' },
    klevu: { apiKey: 'klevu-1234567890' },
    qualityclick: { endpoint: 'https://partner.shop.example/get_trans.cgi', cpid: '1', product: 'Sale' },
    clickmeter: { conversionId: 'A531F18FCECC4DEB9B2C3994556FBF41', clickIdParam: 's1', commission: 0, commissionPercent: 10 },
    raptor: { customerId: '1234', purchaseParams: { p1: 'buy', p2: '{item.productId}', p5: '{order.orderId}' } },
  },
  postbacks: {
    'awin-fr': {
      clickIdParam: 'awc',
      url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}&amount={order.netValue}',
    },
  },
});

const NO_VENDORS = parseConfig({ vendors: {} });

/**
 * Alarms per destination: dead-letter depth and age, sender errors and throttles, backlog (VendorDelivery) and the
 * delivery ratio (Monitoring). Per stack: the API's 5xx rate and 429s, the table's throttles and system errors, and
 * one throttles alarm per API function.
 */
const ALARMS_PER_DESTINATION = 6;
const STACK_ALARMS = 2 + 2 + Object.keys(API_FUNCTIONS).length;

interface Synthesised {
  config: TrackingConfig;
  stack: TrackingStack;
  template: Template;
}

function synthesise(config: TrackingConfig): Synthesised {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new TrackingStack(app, 'ConversionTracking', { config });
  return { config, stack, template: Template.fromStack(stack) };
}

/** The logical id of an L2 construct's CloudFormation resource. */
function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The statements of the inline policy attached to the role of `fn`. */
function statementsOf(s: Synthesised, fn: TrackingFunction): { Action: string | string[]; Resource: unknown }[] {
  const roleId = logicalId(s.stack, fn.role!);
  const policies = s.template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** The actions granted on `resource`, whether a statement names it alone or among others (minimizePolicies merges). */
function actionsOn(statements: { Action: string | string[]; Resource: unknown }[], resource: unknown): string[] {
  const wanted = JSON.stringify(resource);
  return statements
    .filter((statement) => [statement.Resource].flat().some((r) => JSON.stringify(r) === wanted))
    .flatMap((statement) => [statement.Action].flat())
    .sort();
}

let kelkooOnly: Synthesised;
let allVendors: Synthesised;
let noVendors: Synthesised;

beforeAll(() => {
  kelkooOnly = synthesise(KELKOO_ONLY);
  allVendors = synthesise(ALL_VENDORS);
  noVendors = synthesise(NO_VENDORS);
});

describe('table', () => {
  it('has string partition and sort keys and the TTL attribute from lambdas/contract/shape.ts', () => {
    kelkooOnly.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    kelkooOnly.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE.sortKey, AttributeType: 'S' },
      ]),
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
    });
  });

  it('is on-demand, point-in-time recoverable, encrypted with the AWS managed key and protected from deletion', () => {
    kelkooOnly.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    kelkooOnly.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });
});

describe('vendor delivery, kelkoo only', () => {
  const settings = () => deliveryQueueSettings(KELKOO_ONLY.delivery);

  it('creates exactly one queue and its dead-letter queue, six alarms (DLQ depth and age, sender errors and throttles, backlog, delivery ratio) and one sender', () => {
    kelkooOnly.template.resourceCountIs('AWS::SQS::Queue', 2);
    kelkooOnly.template.resourceCountIs('AWS::CloudWatch::Alarm', ALARMS_PER_DESTINATION + STACK_ALARMS);
    kelkooOnly.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    kelkooOnly.template.resourceCountIs('AWS::Lambda::Function', Object.keys(API_FUNCTIONS).length + 1);
    expect([...kelkooOnly.stack.deliveries.keys()]).toEqual(['kelkoo']);
  });

  it('consumes the queue in batches and reports failures per message', () => {
    const delivery = kelkooOnly.stack.deliveries.get('kelkoo')!;
    kelkooOnly.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(kelkooOnly.stack, delivery.sender) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(kelkooOnly.stack, delivery.queue), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: settings().batchSize,
      MaximumBatchingWindowInSeconds: settings().maxBatchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: settings().maxConcurrency },
    });
  });

  it('dead-letters a message after delivery.maxAttempts receives', () => {
    const delivery = kelkooOnly.stack.deliveries.get('kelkoo')!;
    kelkooOnly.template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(kelkooOnly.stack, delivery.deadLetterQueue), 'Arn'] },
        maxReceiveCount: KELKOO_ONLY.delivery.maxAttempts,
      },
    });
  });

  it('keeps a message invisible for at least six times the sender timeout', () => {
    const delivery = kelkooOnly.stack.deliveries.get('kelkoo')!;
    const resources = kelkooOnly.template.toJSON().Resources;
    const visibility = resources[logicalId(kelkooOnly.stack, delivery.queue)].Properties.VisibilityTimeout as number;
    const timeout = resources[logicalId(kelkooOnly.stack, delivery.sender)].Properties.Timeout as number;
    expect(timeout).toBe(settings().senderTimeoutSeconds);
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('encrypts both queues with SQS-managed keys and refuses plain HTTP', () => {
    const queues = kelkooOnly.template.findResources('AWS::SQS::Queue');
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    kelkooOnly.template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    kelkooOnly.template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('alarms on the first dead-lettered message and notifies the topic', () => {
    const delivery = kelkooOnly.stack.deliveries.get('kelkoo')!;
    const topic = { Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.monitoring.alarmTopic) };
    kelkooOnly.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(kelkooOnly.stack, delivery.deadLetterQueue), 'QueueName'] } }],
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
    });
  });

  it('gives the sender its destination, its own queue and the configuration of that destination only', () => {
    const delivery = kelkooOnly.stack.deliveries.get('kelkoo')!;
    const variables = kelkooOnly.template.toJSON().Resources[logicalId(kelkooOnly.stack, delivery.sender)].Properties
      .Environment.Variables;
    expect(variables[ENV.destination]).toBe('kelkoo');
    expect(variables[ENV.queueUrl]).toEqual({ Ref: logicalId(kelkooOnly.stack, delivery.queue) });
    // The configuration travels in the bundle, not in the environment (Lambda caps that at 4 KB).
    expect(Object.keys(variables)).not.toContain('TRACKING_RUNTIME_CONFIG');
    expect(Object.keys(JSON.parse(delivery.sender.runtimeConfig!).vendors)).toEqual(['kelkoo']);
  });

  it('carries no runtime configuration in any environment, and no local API key in any bundled configuration', () => {
    for (const s of [kelkooOnly, allVendors]) {
      const functions = s.template.findResources('AWS::Lambda::Function');
      for (const fn of Object.values(functions)) expect(JSON.stringify(fn.Properties.Environment.Variables)).not.toContain('"vendors"');
      const bundled = [...Object.values(s.stack.apiFunctions), ...[...s.stack.deliveries.values()].map((d) => d.sender)].map((f) => f.runtimeConfig);
      for (const text of bundled) {
        expect(text).toBeDefined();
        expect(text).not.toContain(LOCAL_API_KEY);
        expect(JSON.parse(text!)).not.toHaveProperty('local');
      }
    }
  });
});

describe('enabled vendors', () => {
  it('gives each enabled vendor and postback its own queue, dead-letter queue, sender and alarm', () => {
    const ids = destinationIds(ALL_VENDORS);
    expect(ids).toEqual(['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor', 'awin-fr']);
    allVendors.template.resourceCountIs('AWS::SQS::Queue', 2 * ids.length);
    allVendors.template.resourceCountIs('AWS::CloudWatch::Alarm', ALARMS_PER_DESTINATION * ids.length + STACK_ALARMS);
    allVendors.template.resourceCountIs('AWS::Lambda::EventSourceMapping', ids.length);
    expect([...allVendors.stack.deliveries.keys()]).toEqual(ids);
  });

  it('creates nothing for a vendor absent from the configuration', () => {
    noVendors.template.resourceCountIs('AWS::SQS::Queue', 0);
    noVendors.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    // only the API's, the API functions' and the table's alarms
    noVendors.template.resourceCountIs('AWS::CloudWatch::Alarm', STACK_ALARMS);
    const outputs = Object.keys(kelkooOnly.template.toJSON().Outputs);
    expect(outputs.filter((name) => /QueueUrl$/.test(name)).sort()).toEqual(['KelkooDeadLetterQueueUrl', 'KelkooQueueUrl']);
    const senders = kelkooOnly.template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { [ENV.destination]: 'klevu' } } },
    });
    expect(senders).toEqual({});
  });

  it('lets the conversion function derive each queue URL (one base variable, fixed queue names) and send to those queues only', () => {
    const conversion = allVendors.stack.apiFunctions.conversion;
    const variables = allVendors.template.toJSON().Resources[logicalId(allVendors.stack, conversion)].Properties
      .Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).filter((name) => name.startsWith('QUEUE_URL_'))).toEqual([ENV.queueUrlBase]);
    expect(variables[ENV.queueUrlBase]).toEqual({ 'Fn::Sub': 'https://sqs.${AWS::Region}.${AWS::URLSuffix}/${AWS::AccountId}/' });
    const { deliveryQueues } = JSON.parse(conversion.runtimeConfig!) as { deliveryQueues: Record<string, string> };
    expect(Object.keys(deliveryQueues)).toEqual(destinationIds(ALL_VENDORS));
    for (const [id, delivery] of allVendors.stack.deliveries) {
      const queue = allVendors.template.toJSON().Resources[logicalId(allVendors.stack, delivery.queue)];
      expect(queue.Properties.QueueName).toBe(deliveryQueueName('ConversionTracking', id));
      expect(deliveryQueues[id]).toBe(queue.Properties.QueueName);
      const queueArn = { 'Fn::GetAtt': [logicalId(allVendors.stack, delivery.queue), 'Arn'] };
      expect(actionsOn(statementsOf(allVendors, conversion), queueArn)).toEqual(['sqs:SendMessage']);
    }
  });
});

describe('functions', () => {
  it('run Node.js 24 on arm64, tracing only what an upstream service sampled (PassThrough), with an explicit memory size and timeout', () => {
    const functions = Object.values(allVendors.template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBe(Object.keys(API_FUNCTIONS).length + destinationIds(ALL_VENDORS).length);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      // Active tracing is the option observability.tracing (test/infra/tracing.test.ts); no tracer is loaded without it.
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'PassThrough' });
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('POWERTOOLS_TRACE_ENABLED');
      expect(fn.Properties.MemorySize).toEqual(expect.any(Number));
      expect(fn.Properties.Timeout).toEqual(expect.any(Number));
      // Stack traces are mapped to the sources by the bundle itself, on the first trace (lambdas/runtime/stack-traces.ts),
      // not by Node at every cold start.
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
      expect(fn.Properties.LoggingConfig).toEqual({
        LogGroup: { Ref: expect.any(String) },
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        // Lambda's START/END/REPORT lines are INFO: not ingested (and not paid for).
        SystemLogLevel: 'WARN',
      });
    }
  });

  it('log to their own log groups with a retention', () => {
    allVendors.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  const expectedTableActions: Record<ApiFunctionName | 'sender', string[]> = {
    capture: ['dynamodb:PutItem'],
    identify: ['dynamodb:BatchWriteItem', 'dynamodb:Query'],
    conversion: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    status: ['dynamodb:Query'],
    deliveries: [],
    cancellation: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    sender: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  };

  it.each(Object.keys(API_FUNCTIONS) as ApiFunctionName[])(
    '%s may do exactly its table actions on the table ARN, and read the API keys secret',
    (name) => {
      const s = allVendors;
      const statements = statementsOf(s, s.stack.apiFunctions[name]);
      const tableArn = { 'Fn::GetAtt': [logicalId(s.stack, s.stack.trackingTable.table), 'Arn'] };
      expect(actionsOn(statements, tableArn)).toEqual(expectedTableActions[name]);
      expect(actionsOn(statements, { Ref: logicalId(s.stack, s.stack.apiKeys) })).toEqual(['secretsmanager:GetSecretValue']);
      if (name !== 'deliveries') expect(JSON.stringify(statements)).not.toContain('/index/');
      expect(JSON.stringify(statements)).not.toMatch(/"dynamodb:\*"|"sqs:\*"/);
    },
  );

  it('lets the deliveries function query the unsettled index and nothing else of the table', () => {
    const s = allVendors;
    const statements = statementsOf(s, s.stack.apiFunctions.deliveries);
    const onTable = statements.filter((st) => JSON.stringify(st.Resource).includes(logicalId(s.stack, s.stack.trackingTable.table)));
    expect(onTable).toHaveLength(1);
    expect([onTable[0]!.Action].flat()).toEqual(['dynamodb:Query']);
    expect(JSON.stringify(onTable[0]!.Resource)).toContain(`/index/${UNSETTLED_INDEX.indexName}`);
  });

  it('lets a sender park a refused delivery in its own dead-letter queue only', () => {
    const s = allVendors;
    const kelkoo = s.stack.deliveries.get('kelkoo')!;
    const statements = statementsOf(s, kelkoo.sender);
    expect(actionsOn(statements, { 'Fn::GetAtt': [logicalId(s.stack, kelkoo.deadLetterQueue), 'Arn'] })).toEqual(['sqs:SendMessage']);
    const klevuDlqArn = { 'Fn::GetAtt': [logicalId(s.stack, s.stack.deliveries.get('klevu')!.deadLetterQueue), 'Arn'] };
    expect(actionsOn(statements, klevuDlqArn)).toEqual([]);
  });

  it('lets a sender update deliveries, change its own messages’ visibility, and nothing on other queues', () => {
    const s = allVendors;
    const kelkoo = s.stack.deliveries.get('kelkoo')!;
    const statements = statementsOf(s, kelkoo.sender);
    const tableArn = { 'Fn::GetAtt': [logicalId(s.stack, s.stack.trackingTable.table), 'Arn'] };
    expect(actionsOn(statements, tableArn)).toEqual(expectedTableActions.sender);
    expect(actionsOn(statements, { 'Fn::GetAtt': [logicalId(s.stack, kelkoo.queue), 'Arn'] })).toEqual(
      expect.arrayContaining(['sqs:ChangeMessageVisibility', 'sqs:SendMessage']),
    );
    const klevuQueueArn = { 'Fn::GetAtt': [logicalId(s.stack, s.stack.deliveries.get('klevu')!.queue), 'Arn'] };
    expect(actionsOn(statements, klevuQueueArn)).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain('secretsmanager');
  });

  it('give API functions the secret ARN, never a key', () => {
    for (const name of Object.keys(API_FUNCTIONS) as ApiFunctionName[]) {
      const variables = kelkooOnly.template.toJSON().Resources[logicalId(kelkooOnly.stack, kelkooOnly.stack.apiFunctions[name])]
        .Properties.Environment.Variables;
      expect(variables[ENV.apiKeysSecretArn]).toEqual({ Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.apiKeys) });
      expect(variables[ENV.tableName]).toEqual({ Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.trackingTable.table) });
    }
  });
});

describe('HTTP API', () => {
  it('has exactly the routes of API_ROUTES, each sent to the function serving its handler', () => {
    const { stack, template } = kelkooOnly;
    const resources = template.toJSON().Resources;
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      API_ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    for (const apiRoute of API_ROUTES) {
      const route = routes.find((r) => r.Properties.RouteKey === `${apiRoute.method} ${apiRoute.path}`)!;
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
      const functionArn = resources[integrationId].Properties.IntegrationUri;
      expect(functionArn).toEqual({
        'Fn::GetAtt': [logicalId(stack, stack.apiFunctions[functionServing(apiRoute.handler)]), 'Arn'],
      });
    }
  });

  it('logs every request as JSON with its request id and without the caller’s IP address or user agent', () => {
    const stages = Object.values(kelkooOnly.template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const { AccessLogSettings: settings, StageName } = stages[0].Properties;
    expect(StageName).toBe('$default');
    expect(settings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(kelkooOnly.stack, kelkooOnly.stack.api.accessLogGroup), 'Arn'],
    });
    const format = JSON.parse(settings.Format);
    expect(format.requestId).toBe('$context.requestId');
    expect(settings.Format).not.toMatch(/sourceIp|userAgent|\$context\.identity/);
  });

  it('throttles the stage with API_THROTTLE', () => {
    kelkooOnly.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit },
    });
  });
});

describe('API keys secret', () => {
  it('is generated at deployment as {"primary": <40 characters without punctuation>}', () => {
    kelkooOnly.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    kelkooOnly.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: '{}',
        GenerateStringKey: 'primary',
        PasswordLength: 40,
        ExcludePunctuation: true,
      },
      SecretString: Match.absent(),
    });
  });

  it('keeps every key out of the template, including the local stack’s keys', () => {
    expect(JSON.stringify(kelkooOnly.template.toJSON())).not.toContain(LOCAL_API_KEY);
  });
});

describe('monitoring', () => {
  it('subscribes alarmEmail to the alarm topic', () => {
    kelkooOnly.template.resourceCountIs('AWS::SNS::Subscription', 1);
    kelkooOnly.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@shop.example' });
  });

  it('subscribes nobody without alarmEmail', () => {
    expect(ALL_VENDORS.alarmEmail).toBeUndefined();
    allVendors.template.resourceCountIs('AWS::SNS::Topic', 1);
    allVendors.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('refuses publishing to the topic without TLS', () => {
    kelkooOnly.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets CloudWatch publish to the topic for this account’s alarms named after this stack, and nobody else', () => {
    // The topic policy replaces SNS's default one: without this Allow no alarm could notify anybody.
    const topic = { Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.monitoring.alarmTopic) };
    const policies = Object.values(kelkooOnly.template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.Topics).toEqual([topic]);
    const allows = (policies[0]!.Properties.PolicyDocument.Statement as Record<string, unknown>[]).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisStack',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:ConversionTracking-*']],
            },
          },
        },
      },
    ]);
  });

  it('names every alarm after the stack, so that the topic policy’s ConversionTracking-* covers each of them', () => {
    for (const s of [kelkooOnly, allVendors, noVendors]) {
      const names = Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as unknown);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(name).toEqual(expect.stringMatching(/^ConversionTracking-[a-z0-9-]+$/));
      expect(new Set(names).size).toBe(names.length);
    }
  });
});

describe('outputs', () => {
  it('publish the API URL, the secret, the table and every queue', () => {
    const outputs = Object.keys(allVendors.template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'ApiKeysSecretName',
        'ApiKeysSecretArn',
        'TableName',
        'KelkooQueueUrl',
        'RaptorDeadLetterQueueUrl',
        'AwinFrQueueUrl',
      ]),
    );
  });
});

describe('rejected at synth', () => {
  function deliveryStack() {
    const stack = new Stack(new App(), 'Rejections');
    const table = new Table(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    return { stack, table };
  }

  it('a visibility timeout shorter than six times the sender timeout', () => {
    const { stack, table } = deliveryStack();
    const settings = { ...deliveryQueueSettings(KELKOO_ONLY.delivery), senderTimeoutSeconds: 60, visibilityTimeoutSeconds: 300 };
    expect(
      () => new VendorDelivery(stack, 'Kelkoo', { destinationId: 'kelkoo', settings, table, runtimeConfig: '{}' }),
    ).toThrow(/kelkoo.*visibilityTimeoutSeconds \(300\) must be at least 6× senderTimeoutSeconds \(60\)/);
  });

  it('a dead-letter queue that would expire messages before the queue does', () => {
    const { stack, table } = deliveryStack();
    const settings = { ...deliveryQueueSettings(KELKOO_ONLY.delivery), dlqRetentionSeconds: 3600 };
    expect(
      () => new VendorDelivery(stack, 'Kelkoo', { destinationId: 'kelkoo', settings, table, runtimeConfig: '{}' }),
    ).toThrow(/dlqRetentionSeconds/);
  });

  it('two destinations whose ids would share a construct name', () => {
    const postback = { clickIdParam: 'net', url: 'https://net.example/pb?ref={order.orderId}&click={clickId}' };
    const config = parseConfig({ vendors: {}, postbacks: { 'net-1': postback, net1: postback } });
    expect(() => synthesise(config)).toThrow('Destinations net-1 and net1 would both be named Net1; rename one');
  });

  it('a function environment over Lambda’s 4 KB limit, naming the function', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Oversized');
    new TrackingFunction(stack, 'Chatty', {
      entry: entryPath('status'),
      timeout: Duration.seconds(3),
      environment: { HUGE: 'x'.repeat(4096) },
    });
    expect(() => app.synth()).toThrow(/Function Chatty: its environment variables need about \d+ bytes.*largest: HUGE/);
  });
});

describe('cdk-nag', () => {
  it('acknowledges only the reviewed rules, each with a reason', () => {
    const acknowledged = new Map<string, string>();
    for (const construct of kelkooOnly.stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledged.set(id.replace(/^annotation::/i, ''), reason);
        }
      }
    }
    expect([...acknowledged.keys()].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-SMG4',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaEventSourceMappingDestination',
      'Serverless-LambdaTracing',
      'Serverless-SNSRedrivePolicy',
      'Serverless-SQSRedrivePolicy',
    ]);
    for (const reason of acknowledged.values()) expect(reason.length).toBeGreaterThan(40);
  });


  it.each([
    ['kelkoo only', () => kelkooOnly],
    ['all vendors', () => allVendors],
    ['no vendors', () => noVendors],
  ])('AwsSolutions and Serverless find nothing unacknowledged (%s)', (_name, get) => {
    const { stack } = get();
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(stack).violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} ${resource.constructPath}`),
      ),
    );
    expect(findings).toEqual([]);
  });
});
