/**
 * Monitoring infrastructure: the alarms per destination, on the API, its functions and the table (kind, count,
 * threshold, period, actions), where they are sent (e-mail, Slack through AWS Chatbot, existing topics, and the
 * warning when nobody is), the operations dashboard (the metrics it queries are exactly those the functions publish),
 * and cdk-nag. Single properties of templates synthesised once per configuration, as in stack.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { EXAMPLE_CONFIG_PATH } from '../../lambdas/config/load';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { CloudWatchDeliveryMetrics, DELIVERY_METRICS, DeliveryEvent } from '../../lambdas/observability/metrics';
import { API_FUNCTIONS, API_ROUTES, destinationIds } from '../../lambdas/contract/shape';
import { TrackingStack } from '../../lib/tracking-stack';
import { captureRoutePaths } from '../../lib/constructs/monitoring';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

const KELKOO_ONLY = parseConfig({
  vendors: { kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' } },
  alarmEmail: 'ops@shop.example',
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
    'awin-fr': { clickIdParam: 'awc', url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}' },
  },
});

const NO_VENDORS = parseConfig({ vendors: {} });

/** Alarms per destination (DLQ depth and age, sender errors and throttles, backlog, delivery ratio) and per stack. */
const ALARMS_PER_DESTINATION = 6;
const STACK_ALARMS = 2 + 2 + Object.keys(API_FUNCTIONS).length;

/** The calls the functions are granted on the table (and its index), each one a metric of the table's alarms. */
const TABLE_OPERATIONS = ['BatchWriteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'];

interface Synthesised {
  stack: TrackingStack;
  template: Template;
  alarms: Alarm[];
  dashboard: Widget[];
}

interface Alarm {
  id: string;
  AlarmName?: string;
  MetricName?: string;
  Namespace?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Statistic?: string;
  Period?: number;
  Metrics?: Array<{ Id: string; Expression?: string; MetricStat?: MetricStat; ReturnData?: boolean }>;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  TreatMissingData?: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
}

interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> };
  Period: number;
  Stat: string;
}

interface Widget {
  type: string;
  properties: { title?: string; metrics?: unknown[][]; annotations?: { horizontal?: Array<{ value: number }> } };
}

/** A metric line of a dashboard graph: `[namespace, name, dimension, value, …, options]`. */
interface GraphMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  options: { stat?: string; expression?: string };
}

function synthesise(config: TrackingConfig): Synthesised {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new TrackingStack(app, 'ConversionTracking', { config });
  const template = Template.fromStack(stack);
  const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(
    ([id, resource]) => ({ id, ...resource.Properties }) as Alarm,
  );
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = JSON.parse(renderTokens(dashboards[0]!.Properties.DashboardBody)) as { widgets: Widget[] };
  return { stack, template, alarms, dashboard: body.widgets };
}

/**
 * The dashboard body is a `Fn::Join` of JSON text and CloudFormation references; references become readable
 * placeholders (`{Ref:ApiHttpApi…}`, `{GetAtt:Queue….QueueName}`) so that the body parses as JSON.
 */
function renderTokens(value: unknown): string {
  if (typeof value === 'string') return value;
  const token = value as Record<string, unknown>;
  if ('Fn::Join' in token) {
    const [separator, parts] = token['Fn::Join'] as [string, unknown[]];
    return parts.map(renderTokens).join(separator);
  }
  if ('Ref' in token) return `{Ref:${token.Ref as string}}`;
  if ('Fn::GetAtt' in token) return `{GetAtt:${(token['Fn::GetAtt'] as string[]).join('.')}}`;
  throw new Error(`Unexpected token in the dashboard body: ${JSON.stringify(value)}`);
}

function graphMetrics(widget: Widget): GraphMetric[] {
  return (widget.properties.metrics ?? []).map((line) => {
    const options = (typeof line[line.length - 1] === 'object' ? line[line.length - 1] : {}) as GraphMetric['options'];
    const [namespace, metricName, ...rest] = line.filter((part) => typeof part === 'string') as string[];
    const dimensions: Record<string, string> = {};
    for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i]!] = rest[i + 1]!;
    return { namespace: namespace ?? '', metricName: metricName ?? '', dimensions, options };
  });
}

function widgetTitled(s: Synthesised, title: string): Widget {
  const found = s.dashboard.filter((w) => w.properties.title === title);
  expect(found.map((w) => w.properties.title)).toEqual([title]);
  return found[0]!;
}

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Alarms on one metric of one dead-letter queue. */
function deadLetterAlarms(s: Synthesised, destinationId: string, metricName: string): Alarm[] {
  const queue = s.stack.deliveries.get(destinationId)!.deadLetterQueue;
  const dimensions = JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(s.stack, queue), 'QueueName'] } }]);
  return s.alarms.filter(
    (a) => a.Namespace === 'AWS/SQS' && a.MetricName === metricName && JSON.stringify(a.Dimensions) === dimensions,
  );
}

/** Alarms whose math expression reads `metricName` of `namespace` with the given dimension. */
function expressionAlarms(
  s: Synthesised,
  namespace: string,
  metricName: string,
  dimension: { Name: string; Value: unknown },
): Alarm[] {
  return s.alarms.filter((a) =>
    (a.Metrics ?? []).some(
      (m) =>
        m.MetricStat?.Metric.Namespace === namespace &&
        m.MetricStat.Metric.MetricName === metricName &&
        JSON.stringify(m.MetricStat.Metric.Dimensions) === JSON.stringify([dimension]),
    ),
  );
}

/** Alarms on the age of the oldest message of a destination's delivery queue (not its dead-letter queue). */
function backlogAlarms(s: Synthesised, destinationId: string): Alarm[] {
  const queue = s.stack.deliveries.get(destinationId)!.queue;
  const dimensions = JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(s.stack, queue), 'QueueName'] } }]);
  return s.alarms.filter(
    (a) => a.Namespace === 'AWS/SQS' && a.MetricName === 'ApproximateAgeOfOldestMessage' && JSON.stringify(a.Dimensions) === dimensions,
  );
}

function senderThrottlesAlarms(s: Synthesised, destinationId: string): Alarm[] {
  const sender = s.stack.deliveries.get(destinationId)!.sender;
  const dimensions = JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalId(s.stack, sender) } }]);
  return s.alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Throttles' && JSON.stringify(a.Dimensions) === dimensions);
}

function senderErrorAlarms(s: Synthesised, destinationId: string): Alarm[] {
  const sender = s.stack.deliveries.get(destinationId)!.sender;
  return expressionAlarms(s, 'AWS/Lambda', 'Errors', { Name: 'FunctionName', Value: { Ref: logicalId(s.stack, sender) } });
}

function apiErrorAlarms(s: Synthesised): Alarm[] {
  return expressionAlarms(s, 'AWS/ApiGateway', '5xx', { Name: 'ApiId', Value: { Ref: logicalId(s.stack, s.stack.api.httpApi) } });
}

function statOf(alarm: Alarm, id: string): MetricStat {
  const stat = alarm.Metrics?.find((m) => m.Id === id)?.MetricStat;
  if (!stat) throw new Error(`Alarm ${alarm.id} has no metric ${id}`);
  return stat;
}

/** The delivery-ratio alarm of a destination: metric math over its published queued and sent counts. */
function ratioAlarms(s: Synthesised, destinationId: string): Alarm[] {
  return s.alarms.filter((a) =>
    (a.Metrics ?? []).some(
      (m) =>
        m.MetricStat?.Metric.MetricName === DELIVERY_METRICS.queued &&
        m.MetricStat.Metric.Dimensions.some((d) => d.Name === 'destination' && d.Value === destinationId),
    ),
  );
}

let kelkooOnly: Synthesised;
let allVendors: Synthesised;
let noVendors: Synthesised;

beforeAll(() => {
  kelkooOnly = synthesise(KELKOO_ONLY);
  allVendors = synthesise(ALL_VENDORS);
  noVendors = synthesise(NO_VENDORS);
});

describe('alarms per destination', () => {
  it('one dead-letter depth, dead-letter age, sender error-rate, sender throttles, backlog and ratio alarm per destination', () => {
    const ids = destinationIds(ALL_VENDORS);
    for (const id of ids) {
      expect([
        deadLetterAlarms(allVendors, id, 'ApproximateNumberOfMessagesVisible').length,
        deadLetterAlarms(allVendors, id, 'ApproximateAgeOfOldestMessage').length,
        senderErrorAlarms(allVendors, id).length,
        senderThrottlesAlarms(allVendors, id).length,
        backlogAlarms(allVendors, id).length,
        ratioAlarms(allVendors, id).length,
      ]).toEqual([1, 1, 1, 1, 1, 1]);
    }
    expect(apiErrorAlarms(allVendors)).toHaveLength(1);
    expect(allVendors.alarms).toHaveLength(ALARMS_PER_DESTINATION * ids.length + STACK_ALARMS);
  });

  it('alarms when a sale has waited on the delivery queue over 15 minutes (maximum age over 5 minutes)', () => {
    const [alarm] = backlogAlarms(kelkooOnly, 'kelkoo');
    expect(alarm).toMatchObject({
      AlarmName: 'ConversionTracking-delivery-kelkoo-backlog',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('takes the backlog threshold from delivery.backlogAlarmMinutes, and refuses one beyond SQS’s 14 days', () => {
    const patient = synthesise(parseConfig({ ...KELKOO_ONLY, delivery: { ...KELKOO_ONLY.delivery, backlogAlarmMinutes: 60 } }));
    expect(backlogAlarms(patient, 'kelkoo').map((a) => a.Threshold)).toEqual([3600]);
    expect(widgetTitled(patient, 'kelkoo: delivery queue').properties.annotations?.horizontal?.map((a) => a.value)).toEqual([3600]);
    for (const backlogAlarmMinutes of [0, 1.5, 14 * 24 * 60 + 1]) {
      expect(() => parseConfig({ ...KELKOO_ONLY, delivery: { ...KELKOO_ONLY.delivery, backlogAlarmMinutes } })).toThrow(/delivery\.backlogAlarmMinutes/);
    }
  });

  it('alarms on the first throttled invocation of each sender', () => {
    for (const id of destinationIds(ALL_VENDORS)) {
      const [alarm] = senderThrottlesAlarms(allVendors, id);
      expect(alarm).toMatchObject({
        AlarmName: `ConversionTracking-delivery-${id}-sender-throttles`,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarms when a dead-lettered message has waited an hour (maximum age over 5 minutes)', () => {
    const [alarm] = deadLetterAlarms(kelkooOnly, 'kelkoo', 'ApproximateAgeOfOldestMessage');
    expect(alarm).toMatchObject({
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when over 5 % of sender invocations fail, in 3 consecutive 5-minute periods', () => {
    const [alarm] = senderErrorAlarms(kelkooOnly, 'kelkoo');
    const returned = alarm!.Metrics!.filter((m) => m.ReturnData !== false);
    expect(returned.map((m) => m.Expression)).toEqual(['100 * errors / invocations']);
    const senderFunction = kelkooOnly.stack.deliveries.get('kelkoo')!.sender;
    const sender = { Name: 'FunctionName', Value: { Ref: logicalId(kelkooOnly.stack, senderFunction) } };
    expect(statOf(alarm!, 'errors')).toEqual({
      Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [sender] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(statOf(alarm!, 'invocations')).toEqual({
      Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [sender] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(alarm).toMatchObject({
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('notifies the alarm topic on ALARM and on OK, from every alarm', () => {
    const topic = { Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.monitoring.alarmTopic) };
    expect(kelkooOnly.alarms).toHaveLength(ALARMS_PER_DESTINATION + STACK_ALARMS);
    for (const alarm of kelkooOnly.alarms) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
  });
});

describe('API alarm', () => {
  it('alarms when over 1 % of requests answer 5xx, in 3 consecutive 5-minute periods', () => {
    const [alarm] = apiErrorAlarms(kelkooOnly);
    const api = { Name: 'ApiId', Value: { Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.api.httpApi) } };
    const returned = alarm!.Metrics!.filter((m) => m.ReturnData !== false);
    expect(returned.map((m) => m.Expression)).toEqual(['100 * serverErrors / requests']);
    expect(statOf(alarm!, 'serverErrors')).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [api] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(statOf(alarm!, 'requests')).toEqual({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: [api] },
      Period: 300,
      Stat: 'Sum',
    });
    expect(alarm).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on the first 429 in 5 minutes, counted from the access log by a metric filter per API', () => {
    const apiId = { Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.api.httpApi) };
    const filters = Object.values(kelkooOnly.template.findResources('AWS::Logs::MetricFilter'));
    expect(filters).toHaveLength(1);
    expect(filters[0]!.Properties).toEqual({
      LogGroupName: { Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.api.accessLogGroup) },
      FilterPattern: '{ ($.status = "429") && ($.path != "/v1/clicks") }',
      MetricTransformations: [
        { MetricNamespace: 'ConversionTracking', MetricName: 'ApiThrottledRequests', MetricValue: '1', Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }] },
      ],
    });
    // The field the filter's dimension reads is in every access log line.
    const stage = Object.values(kelkooOnly.template.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({ apiId: '$context.apiId', status: '$context.status' });
    const alarms = kelkooOnly.alarms.filter((a) => a.MetricName === 'ApiThrottledRequests');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      AlarmName: 'ConversionTracking-api-throttled',
      Namespace: 'ConversionTracking',
      Dimensions: [{ Name: 'ApiId', Value: apiId }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('a stack without destinations has the stack’s alarms only: the API’s, the API functions’ and the table’s', () => {
    expect(noVendors.alarms).toHaveLength(STACK_ALARMS);
    expect(apiErrorAlarms(noVendors)).toHaveLength(1);
  });
});

describe('function and table alarms', () => {
  it('alarms on the first throttled invocation of each API function', () => {
    for (const [name, fn] of Object.entries(kelkooOnly.stack.apiFunctions)) {
      const alarms = kelkooOnly.alarms.filter(
        (a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Throttles' && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: logicalId(kelkooOnly.stack, fn) } }]),
      );
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({
        AlarmName: `ConversionTracking-function-${name}-throttles`,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
    expect(Object.keys(kelkooOnly.stack.apiFunctions).sort()).toEqual(Object.keys(API_FUNCTIONS).sort());
  });

  it.each([
    ['ThrottledRequests', 'ConversionTracking-table-throttled', 'throttled'],
    ['SystemErrors', 'ConversionTracking-table-system-errors', 'errors'],
  ])('alarms on the first DynamoDB %s of any operation the functions call, summed per 5 minutes', (metricName, alarmName, prefix) => {
    const table = { Name: 'TableName', Value: { Ref: logicalId(kelkooOnly.stack, kelkooOnly.stack.trackingTable.table) } };
    const alarm = kelkooOnly.alarms.find((a) => a.AlarmName === alarmName)!;
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    const returned = alarm.Metrics!.filter((m) => m.ReturnData !== false);
    expect(returned.map((m) => m.Expression)).toEqual([`SUM([${TABLE_OPERATIONS.map((op) => `${prefix}${op}`).join(', ')}])`]);
    for (const operation of TABLE_OPERATIONS) {
      expect(statOf(alarm, `${prefix}${operation}`)).toEqual({
        Metric: { Namespace: 'AWS/DynamoDB', MetricName: metricName, Dimensions: [{ Name: 'Operation', Value: operation }, table] },
        Period: 300,
        Stat: 'Sum',
      });
    }
    // One metric per operation and nothing else: each is billed.
    expect(alarm.Metrics!.filter((m) => m.MetricStat)).toHaveLength(TABLE_OPERATIONS.length);
  });

  it('sums exactly the operations the functions are granted on the table', () => {
    const granted = new Set<string>();
    for (const policy of Object.values(kelkooOnly.template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]) {
        for (const action of [statement.Action].flat()) if (action.startsWith('dynamodb:')) granted.add(action.slice('dynamodb:'.length));
      }
    }
    expect([...granted].sort()).toEqual(TABLE_OPERATIONS);
  });
});

describe('operations dashboard', () => {
  /** The service name the stack's functions run with (POWERTOOLS_SERVICE_NAME): the stage's, the same for every one. */
  function functionsServiceName(s: Synthesised): string {
    const names = new Set(
      Object.values(s.template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME as string),
    );
    expect(names.size).toBe(1);
    return [...names][0]!;
  }

  /** The EMF record the sender and conversion functions write for one delivery event, with their environment's service name. */
  function publishedRecord(destination: string, event: DeliveryEvent, value?: number): Omit<GraphMetric, 'options'> & { value: unknown } {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(chunk.toString());
      return true;
    });
    try {
      new CloudWatchDeliveryMetrics(functionsServiceName(allVendors)).count(destination, event, value);
    } finally {
      spy.mockRestore();
    }
    const record = JSON.parse(written.join('').trim()) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    };
    const [directive] = record._aws.CloudWatchMetrics;
    const [dimensionSet] = directive!.Dimensions;
    return {
      namespace: directive!.Namespace,
      metricName: directive!.Metrics[0]!.Name,
      dimensions: Object.fromEntries(dimensionSet!.map((name) => [name, record[name] as string])),
      value: record[directive!.Metrics[0]!.Name],
    };
  }

  it('publishes the count a sender gives for a whole batch in one record', () => {
    expect(publishedRecord('kelkoo', 'sent', 7)).toMatchObject({ metricName: 'DeliveriesSent', value: 7 });
    expect(publishedRecord('kelkoo', 'sent')).toMatchObject({ value: 1 });
  });

  it('is one dashboard named after the stack and the region (dashboard names are per account)', () => {
    kelkooOnly.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    kelkooOnly.template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['ConversionTracking-', { Ref: 'AWS::Region' }, '-operations']] },
    });
  });

  it.each(destinationIds(ALL_VENDORS))('graphs the eight delivery counts of %s exactly as the functions publish them', (id) => {
    const metrics = graphMetrics(widgetTitled(allVendors, `${id}: deliveries`));
    expect(metrics.map((m) => m.metricName).sort()).toEqual(
      [
        'DeliveriesSent',
        'DeliveriesFailed',
        'DeliveriesSkipped',
        'DeliveriesDeadLettered',
        'DeliveryRetries',
        'DeliveriesQueued',
        'MessagesDropped',
        'DeliveriesCancelled',
      ].sort(),
    );
    for (const event of Object.keys(DELIVERY_METRICS) as DeliveryEvent[]) {
      const { value: _value, ...published } = publishedRecord(id, event);
      const graphed = metrics.find((m) => m.metricName === published.metricName);
      expect(graphed).toEqual({ ...published, options: expect.objectContaining({ stat: 'Sum' }) });
    }
    expect(metrics[0]).toMatchObject({ namespace: 'ConversionTracking', dimensions: { service: 'conversion-tracking-prod', destination: id } });
  });

  it('graphs each dead-letter queue’s depth and oldest age, with the age alarm’s threshold', () => {
    for (const [id, delivery] of allVendors.stack.deliveries) {
      const widget = widgetTitled(allVendors, `${id}: dead-letter queue`);
      const queueName = `{GetAtt:${logicalId(allVendors.stack, delivery.deadLetterQueue)}.QueueName}`;
      expect(graphMetrics(widget).map((m) => [m.namespace, m.metricName, m.dimensions.QueueName, m.options.stat])).toEqual([
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName, 'Maximum'],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', queueName, 'Maximum'],
      ]);
      expect(widget.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([3600]);
    }
  });

  it('graphs each sender’s error rate with the alarm’s threshold', () => {
    const widget = widgetTitled(kelkooOnly, 'kelkoo: sender errors (% of invocations)');
    const metrics = graphMetrics(widget);
    expect(metrics.map((m) => m.options.expression ?? m.metricName)).toEqual(['100 * errors / invocations', 'Errors', 'Invocations']);
    expect(widget.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([5]);
  });

  it('graphs the API’s requests, 4xx, 5xx, 5xx rate and latency, by ApiId', () => {
    const apiId = `{Ref:${logicalId(noVendors.stack, noVendors.stack.api.httpApi)}}`;
    const byTitle = (title: string) => graphMetrics(widgetTitled(noVendors, title));
    expect(byTitle('API: requests').map((m) => [m.namespace, m.metricName, m.dimensions, m.options.stat])).toEqual([
      ['AWS/ApiGateway', 'Count', { ApiId: apiId }, 'Sum'],
    ]);
    expect(byTitle('API: 4xx and 5xx answers').map((m) => m.metricName)).toEqual(['4xx', '5xx']);
    expect(byTitle('API: 5xx (% of requests)').map((m) => m.options.expression ?? m.metricName)).toEqual([
      '100 * serverErrors / requests',
      '5xx',
      'Count',
    ]);
    const latency = byTitle('API: latency (ms)');
    expect(latency.map((m) => [m.metricName, m.dimensions.ApiId, m.options.stat])).toEqual([
      ['Latency', apiId, 'p50'],
      ['Latency', apiId, 'p90'],
      ['Latency', apiId, 'p99'],
    ]);
  });

  it('graphs each delivery queue’s waiting messages and oldest age with the backlog alarm’s threshold, and each sender’s throttles', () => {
    for (const [id, delivery] of allVendors.stack.deliveries) {
      const queueName = `{GetAtt:${logicalId(allVendors.stack, delivery.queue)}.QueueName}`;
      const queue = widgetTitled(allVendors, `${id}: delivery queue`);
      expect(graphMetrics(queue).map((m) => [m.namespace, m.metricName, m.dimensions.QueueName, m.options.stat])).toEqual([
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName, 'Maximum'],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', queueName, 'Maximum'],
      ]);
      expect(queue.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([900]);
      const throttles = graphMetrics(widgetTitled(allVendors, `${id}: sender throttles`));
      expect(throttles.map((m) => [m.namespace, m.metricName, m.dimensions.FunctionName, m.options.stat])).toEqual([
        ['AWS/Lambda', 'Throttles', `{Ref:${logicalId(allVendors.stack, delivery.sender)}}`, 'Sum'],
      ]);
    }
  });

  it('graphs the API’s 429s, the API functions’ throttles and the table’s throttled requests and system errors', () => {
    const apiId = `{Ref:${logicalId(noVendors.stack, noVendors.stack.api.httpApi)}}`;
    const throttled = widgetTitled(noVendors, 'API: 429 answers (throttled)');
    expect(graphMetrics(throttled).map((m) => [m.namespace, m.metricName, m.dimensions, m.options.stat])).toEqual([
      ['ConversionTracking', 'ApiThrottledRequests', { ApiId: apiId }, 'Sum'],
    ]);
    expect(throttled.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([1]);
    const functions = graphMetrics(widgetTitled(noVendors, 'API functions: throttles'));
    expect(functions.map((m) => [m.metricName, m.dimensions.FunctionName])).toEqual(
      Object.values(noVendors.stack.apiFunctions).map((fn) => ['Throttles', `{Ref:${logicalId(noVendors.stack, fn)}}`]),
    );
    const table = graphMetrics(widgetTitled(noVendors, 'Table: throttled requests and system errors'));
    expect(table.filter((m) => m.options.expression).map((m) => m.options.expression)).toEqual([
      `SUM([${TABLE_OPERATIONS.map((op) => `throttled${op}`).join(', ')}])`,
      `SUM([${TABLE_OPERATIONS.map((op) => `errors${op}`).join(', ')}])`,
    ]);
    expect(table.filter((m) => !m.options.expression).map((m) => `${m.metricName} ${m.dimensions.Operation}`).sort()).toEqual(
      [...TABLE_OPERATIONS.map((op) => `ThrottledRequests ${op}`), ...TABLE_OPERATIONS.map((op) => `SystemErrors ${op}`)].sort(),
    );
  });

  it('has a row per destination and none for a destination that is not configured', () => {
    const deliveryWidgets = (s: Synthesised) =>
      s.dashboard.filter((w) => w.properties.title?.endsWith(': deliveries')).map((w) => w.properties.title);
    expect(deliveryWidgets(allVendors)).toEqual(destinationIds(ALL_VENDORS).map((id) => `${id}: deliveries`));
    expect(deliveryWidgets(kelkooOnly)).toEqual(['kelkoo: deliveries']);
    expect(deliveryWidgets(noVendors)).toEqual([]);
  });
});

describe('cdk-nag', () => {
  it.each([
    ['kelkoo only', () => kelkooOnly],
    ['all vendors', () => allVendors],
    ['no vendors', () => noVendors],
  ])('AwsSolutions and Serverless find nothing unacknowledged with the alarms and dashboard (%s)', (_name, get) => {
    const { stack } = get();
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(stack).violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} ${resource.constructPath}`),
      ),
    );
    expect(findings).toEqual([]);
  });
});

describe('delivery ratio', () => {
  it('one alarm per destination: sent ÷ queued over 24 hours below delivery.minDeliveryRatio (default 0.95), from 20 sales queued, notifying the topic', () => {
    for (const id of destinationIds(ALL_VENDORS)) {
      const alarms = ratioAlarms(allVendors, id);
      expect(alarms).toHaveLength(1);
      const alarm = alarms[0]!;
      expect(alarm).toMatchObject({
        AlarmName: `ConversionTracking-delivery-${id}-delivery-ratio`,
        Threshold: 0.95,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      const expression = alarm.Metrics!.find((m) => m.Expression)!;
      expect(expression).toMatchObject({ Expression: 'IF(queued >= 20, FILL(sent, 0) / queued, 1)', ReturnData: true });
      for (const [metricId, event] of [
        ['queued', 'queued'],
        ['sent', 'sent'],
      ] as const) {
        const stat = statOf(alarm, metricId);
        expect(stat).toMatchObject({ Period: 86_400, Stat: 'Sum' });
        expect(stat.Metric.MetricName).toBe(DELIVERY_METRICS[event]);
        expect(stat.Metric.Namespace).toBe('ConversionTracking');
        // Exactly the dimensions the functions publish with, or CloudWatch would match nothing.
        expect(stat.Metric.Dimensions).toEqual([
          { Name: 'destination', Value: id },
          { Name: 'service', Value: 'conversion-tracking-prod' },
        ]);
      }
      const topic = { Ref: logicalId(allVendors.stack, allVendors.stack.monitoring.alarmTopic) };
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
  });

  it('takes its threshold from the configuration', () => {
    const strict = synthesise(parseConfig({ ...KELKOO_ONLY, delivery: { ...KELKOO_ONLY.delivery, minDeliveryRatio: 0.99 } }));
    expect(ratioAlarms(strict, 'kelkoo').map((a) => a.Threshold)).toEqual([0.99]);
    expect(() => parseConfig({ ...KELKOO_ONLY, delivery: { ...KELKOO_ONLY.delivery, minDeliveryRatio: 1.5 } })).toThrow(/delivery\.minDeliveryRatio/);
  });

  it('does not judge below delivery.minDeliveryRatioVolume sales queued: one slow sale of a quiet shop is no alarm', () => {
    // What CloudWatch computes for one 24-hour datapoint, by the expression as synthesised.
    const ratio = (alarm: Alarm, queued: number, sent: number) => {
      const expression = alarm.Metrics!.find((m) => m.Expression)!.Expression!;
      const parsed = /^IF\(queued (>=?) (\d+), FILL\(sent, 0\) \/ queued, 1\)$/.exec(expression);
      if (!parsed) throw new Error(`Unexpected ratio expression ${expression}`);
      const judged = parsed[1] === '>=' ? queued >= Number(parsed[2]) : queued > Number(parsed[2]);
      return judged ? sent / queued : 1;
    };
    const [alarm] = ratioAlarms(kelkooOnly, 'kelkoo');
    const breaches = (queued: number, sent: number) => ratio(alarm!, queued, sent) < alarm!.Threshold;
    expect(breaches(10, 9)).toBe(false); // a quiet day, one sale still retrying: 0.9 but too few to judge
    expect(breaches(19, 0)).toBe(false);
    expect(breaches(20, 19)).toBe(false); // one unsent sale among the minimum volume stays at the default 0.95
    expect(breaches(20, 18)).toBe(true);
    expect(breaches(200, 150)).toBe(true);

    const strict = synthesise(parseConfig({ ...KELKOO_ONLY, delivery: { ...KELKOO_ONLY.delivery, minDeliveryRatioVolume: 1 } }));
    expect(ratioAlarms(strict, 'kelkoo')[0]!.Metrics!.find((m) => m.Expression)!.Expression).toBe('IF(queued >= 1, FILL(sent, 0) / queued, 1)');
    for (const minDeliveryRatioVolume of [0, 2.5]) {
      expect(() => parseConfig({ ...KELKOO_ONLY, delivery: { ...KELKOO_ONLY.delivery, minDeliveryRatioVolume } })).toThrow(/delivery\.minDeliveryRatioVolume/);
    }
  });

  it('is drawn on the dashboard per destination with its threshold', () => {
    for (const id of destinationIds(ALL_VENDORS)) {
      const widget = widgetTitled(allVendors, `${id}: delivery ratio (sent ÷ queued, 24 h)`);
      expect(graphMetrics(widget).some((m) => m.options.expression === 'IF(queued >= 20, FILL(sent, 0) / queued, 1)')).toBe(true);
      expect(widget.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([0.95]);
    }
  });
});

describe('parking and the unsettled index', () => {
  it('keeps dead-letter messages for the 14 days SQS allows: the window to fix and redrive', () => {
    for (const delivery of allVendors.stack.deliveries.values()) {
      const queue = allVendors.template.toJSON().Resources[logicalId(allVendors.stack, delivery.deadLetterQueue)];
      expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    }
  });

  it('gives the table the sparse index of unsettled deliveries, projecting only what the listing shows', () => {
    allVendors.template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'unsettled',
          KeySchema: [
            { AttributeName: 'unsettledStatus', KeyType: 'HASH' },
            { AttributeName: 'unsettledAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['destination', 'attempts', 'lastError', 'vendorStatus'] },
        },
      ],
    });
  });
});

describe('what the alarms cost', () => {
  /** CloudWatch bills a standard alarm per metric it reads: a metric-math alarm counts each metric it uses. */
  const alarmMetrics = (s: Synthesised) => s.alarms.reduce((sum, a) => sum + (a.Metrics ? a.Metrics.filter((m) => m.MetricStat).length : 1), 0);

  it('reads 8 metrics per destination and 19 per stack: 75 for the example configuration (docs/RELIABILITY.md, "Alarms")', () => {
    for (const s of [kelkooOnly, allVendors, noVendors]) expect(alarmMetrics(s)).toBe(8 * s.stack.deliveries.size + 19);
    const example = synthesise(parseConfig(JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8'))));
    expect([example.stack.deliveries.size, example.alarms.length, alarmMetrics(example)]).toEqual([7, 52, 75]);
  });
});

describe('where the alarms go', () => {
  const TOPICS = ['arn:aws:sns:eu-west-1:123456789012:on-call', 'arn:aws:sns:eu-west-1:123456789012:shop-ops'];
  const EVERYWHERE = parseConfig({
    ...KELKOO_ONLY,
    alarmEmail: 'ops@shop.example',
    alerts: {
      emails: ['ops@shop.example', 'owner@shop.example'],
      slack: { workspaceId: 'T07ABCDEF12', channelId: 'C07ABCDEF12' },
      topicArns: TOPICS,
    },
  });
  let everywhere: Synthesised;
  beforeAll(() => {
    everywhere = synthesise(EVERYWHERE);
  });

  it('subscribes alarmEmail and every alerts.emails address once each', () => {
    const endpoints = Object.values(everywhere.template.findResources('AWS::SNS::Subscription')).map((r) => [r.Properties.Protocol, r.Properties.Endpoint]);
    expect(endpoints.sort()).toEqual([
      ['email', 'ops@shop.example'],
      ['email', 'owner@shop.example'],
    ]);
    const emailsOnly = synthesise(parseConfig({ ...KELKOO_ONLY, alarmEmail: undefined, alerts: { emails: ['owner@shop.example'] } }));
    emailsOnly.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'owner@shop.example' });
    emailsOnly.template.resourceCountIs('AWS::SNS::Subscription', 1);
  });

  it('notifies the Slack channel through AWS Chatbot subscribed to the alarm topic, with a role that may do nothing', () => {
    const topic = { Ref: logicalId(everywhere.stack, everywhere.stack.monitoring.alarmTopic) };
    const channels = Object.values(everywhere.template.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    expect(channels).toHaveLength(1);
    expect(channels[0]!.Properties).toMatchObject({
      ConfigurationName: { 'Fn::Join': ['', ['ConversionTracking-', { Ref: 'AWS::Region' }, '-alarms']] },
      SlackWorkspaceId: 'T07ABCDEF12',
      SlackChannelId: 'C07ABCDEF12',
      SnsTopicArns: [topic],
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchReadOnlyAccess']] }],
    });
    const roleId = (channels[0]!.Properties.IamRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = everywhere.template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'chatbot.amazonaws.com' });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(Object.values(everywhere.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }))).toEqual([]);
    kelkooOnly.template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  it('notifies every existing topic of alerts.topicArns from every alarm, on ALARM and on OK, after the alarm topic', () => {
    const topic = { Ref: logicalId(everywhere.stack, everywhere.stack.monitoring.alarmTopic) };
    expect(everywhere.alarms).toHaveLength(ALARMS_PER_DESTINATION + STACK_ALARMS);
    for (const alarm of everywhere.alarms) {
      expect(alarm.AlarmActions).toEqual([topic, ...TOPICS]);
      expect(alarm.OKActions).toEqual([topic, ...TOPICS]);
    }
  });

  it('refuses more existing topics than an alarm can notify besides its own, and what is not a topic ARN or a Slack id', () => {
    const many = Array.from({ length: 5 }, (_, i) => `arn:aws:sns:eu-west-1:123456789012:t${i}`);
    expect(() => parseConfig({ vendors: {}, alerts: { topicArns: many } })).toThrow(/alerts\.topicArns: at most 4/);
    expect(() => parseConfig({ vendors: {}, alerts: { topicArns: ['arn:aws:sqs:eu-west-1:123456789012:q'] } })).toThrow(/alerts\.topicArns\.0/);
    expect(() => parseConfig({ vendors: {}, alerts: { slack: { workspaceId: 'my workspace', channelId: 'C1' } } })).toThrow(/alerts\.slack\.workspaceId/);
    expect(() => parseConfig({ vendors: {}, alerts: { emails: ['ops'] } })).toThrow(/alerts\.emails\.0/);
    expect(() => parseConfig({ vendors: {}, alerts: { pager: 'x' } })).toThrow(/alerts/);
  });

  it('warns at synthesis, naming the alerts key, when nobody would hear of an alarm; not otherwise', () => {
    const message = Match.stringLikeRegexp('set alerts \\(emails, slack or topicArns\\) or alarmEmail');
    Annotations.fromStack(noVendors.stack).hasWarning('/ConversionTracking/Monitoring', message);
    for (const heard of [kelkooOnly, everywhere]) Annotations.fromStack(heard.stack).hasNoWarning('*', message);
    for (const alerts of [{ slack: { workspaceId: 'T07ABCDEF12', channelId: 'C07ABCDEF12' } }, { topicArns: TOPICS.slice(0, 1) }]) {
      const s = synthesise(parseConfig({ vendors: {}, alerts }));
      Annotations.fromStack(s.stack).hasNoWarning('*', message);
    }
  });

  it('leaves AwsSolutions and Serverless nothing unacknowledged with every kind of alert', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(everywhere.stack).violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} ${resource.constructPath}`),
      ),
    );
    expect(findings).toEqual([]);
  });
});

describe('the 429 count', () => {
  it("tells a capture's 429 apart by its path: every route has a path of its own, and the capture's has no parameter", () => {
    expect(captureRoutePaths()).toEqual(['/v1/clicks']);
    const paths = API_ROUTES.map((route) => route.path);
    expect(new Set(paths).size).toBe(paths.length);
  });
});
