import { Annotations, ArnFormat, Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { LoggingLevel, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import {
  Alarm,
  Color,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { TrackingConfig } from '../../lambdas/config/schema';
import {
  DELIVERY_METRICS,
  DeliveryEvent,
  DESTINATION_DIMENSION,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
} from '../../lambdas/observability/metrics';
import { API_ROUTES } from '../../lambdas/contract/shape';
import { THROTTLE_CLASS } from '../../lambdas/contract/throttle';
import { FUNCTION_THROTTLES_ALARM, throttlesAlarm } from './function-alarms';
import { accountWideNames, alarmNames, pascalCase } from './naming';
import { DEAD_LETTER_AGE_ALARM_SECONDS, SENDER_ERROR_RATE_ALARM, VendorDelivery } from './vendor-delivery';

/**
 * 5xx answers of the HTTP API in percent of its requests, over 5-minute periods. Bad input is a 4xx by contract
 * (SPEC §2), so every 5xx is the service's own failure – a function error or timeout, or DynamoDB or Secrets Manager
 * failing – and the shop backend has to report that click or order again. 1 % for three periods in a row is a
 * sustained failure rather than one cold-start timeout among a few dozen requests.
 */
export const API_SERVER_ERROR_RATE_ALARM = { percent: 1, periodMinutes: 5, periods: 3 } as const;

/**
 * Requests the HTTP API answered 429 (its throttles), counted from the access log, in a 5-minute period; captures
 * excepted, whose route is throttled below the others by design. API Gateway answers them without invoking a function,
 * so no function metric shows them. A conversion refused so is a sale lost unless the shop backend retries it, so the
 * first one alarms.
 */
export const API_THROTTLED_ALARM = { requests: 1, periodMinutes: 5 } as const;

/** The metric the access log's 429 lines become (metric filter), per API (`ApiId`). */
export const API_THROTTLED_METRIC = { name: 'ApiThrottledRequests', dimension: 'ApiId' } as const;

/**
 * DynamoDB requests of the service's operations that were throttled, or failed inside DynamoDB (`SystemErrors`, an
 * HTTP 500), in a 5-minute period. An on-demand table is not throttled below its account and partition limits, and
 * DynamoDB fails a request itself only rarely: the SDK retries both, but every one is a request that may have reached
 * a shop or a sender as an error, so the first one alarms.
 */
export const TABLE_ERRORS_ALARM = { requests: 1, periodMinutes: 5 } as const;

/**
 * The paths of the capture routes, which the 429 count leaves out. The access log carries the path, not the route
 * key: each route's path is its own (no two routes share one), and a capture route's path has no parameter, so a
 * capture's 429 is told apart by its path alone.
 */
export function captureRoutePaths(): string[] {
  const paths = API_ROUTES.map((route) => route.path);
  if (new Set(paths).size !== paths.length) throw new Error('two API routes share a path: the access log must carry the route key again');
  const captures = API_ROUTES.filter((route) => THROTTLE_CLASS[route.handler] === 'capture').map((route) => route.path);
  const parameterised = captures.filter((path) => path.includes('{'));
  if (parameterised.length) throw new Error(`capture route ${parameterised.join(', ')} has a path parameter: its 429s cannot be told apart by path`);
  return captures;
}

/**
 * The delivery ratio of a destination – sales sent ÷ sales queued for it, summed over one day – below
 * `delivery.minDeliveryRatio` alarms: a silent drop (a sender that acknowledges without calling, messages that
 * expire, a vendor refusing sales) shows here even when nothing reaches a dead-letter queue. Sales still being
 * retried at the end of the window count as not sent, so on a quiet destination one slow sale would be a large
 * share: below `delivery.minDeliveryRatioVolume` sales queued in the window the alarm does not judge. The default
 * volume, 20, is the smallest at which one unsent sale cannot take the ratio under the default 0.95 (19 ÷ 20 = 0.95);
 * the backlog and dead-letter alarms watch quieter destinations.
 */
export const DELIVERY_RATIO_ALARM = { periodHours: 24, defaultMinRatio: 0.95, defaultMinVolume: 20 } as const;

/** The dimension Powertools Metrics adds to every metric, holding the service name (METRICS_SERVICE). */
const POWERTOOLS_SERVICE_DIMENSION = 'service';

/** The period of every dashboard graph: fine enough to see a vendor outage start, coarse enough to read a day. */
const GRAPH_PERIOD = Duration.minutes(5);

/** The most a Slack channel's members may do through AWS Chatbot: read CloudWatch (its role itself is given nothing). */
const CHATBOT_GUARDRAIL = 'CloudWatchReadOnlyAccess';

const DELIVERY_COLOURS = {
  queued: Color.BLUE,
  skipped: Color.GREY,
  sent: Color.GREEN,
  failed: Color.RED,
  retrying: Color.ORANGE,
  'dead-lettered': Color.PURPLE,
  dropped: Color.BROWN,
  cancelled: Color.PINK,
} as const satisfies Record<DeliveryEvent, string>;

/** What the dashboard shows of a destination and which alarms it notifies: VendorDelivery provides it. */
export type MonitoredDelivery = Pick<
  VendorDelivery,
  'destinationId' | 'queue' | 'deadLetterQueue' | 'sender' | 'alarms' | 'senderErrorRateAlarm' | 'backlogAlarm' | 'backlogAlarmSeconds'
>;

/** The API as monitoring needs it: its metrics, and the access log its 429s are counted from. */
export interface MonitoredApi {
  readonly httpApi: IHttpApi;
  readonly accessLogGroup: ILogGroup;
}

/** Where the alarms are sent besides the alarm topic (the configuration's `alerts`, with `alarmEmail` folded in). */
export interface AlertTargets {
  /** Subscribed to the alarm topic by e-mail. */
  readonly emails?: readonly string[];
  /** A Slack channel, notified through AWS Chatbot subscribed to the alarm topic. */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /** Existing SNS topics, notified by every alarm as further alarm actions. */
  readonly topicArns?: readonly string[];
}

/** `alerts` of the configuration, with `alarmEmail` as the shorthand for one more address; duplicates dropped. */
export function alertTargetsOf(config: Pick<TrackingConfig, 'alarmEmail' | 'alerts'>): AlertTargets {
  const emails = [...new Set([...(config.alarmEmail ? [config.alarmEmail] : []), ...(config.alerts?.emails ?? [])])];
  return {
    ...(emails.length ? { emails } : {}),
    ...(config.alerts?.slack ? { slack: config.alerts.slack } : {}),
    ...(config.alerts?.topicArns?.length ? { topicArns: [...new Set(config.alerts.topicArns)] } : {}),
  };
}

export interface MonitoringProps {
  /**
   * Who hears of the alarms. E-mail subscriptions stay pending until the recipient confirms them from the e-mail AWS
   * sends after deployment; a Slack workspace must have been authorised once in the AWS Chatbot console.
   * @default - nobody: a warning at synthesis names the `alerts` key
   */
  readonly alerts?: AlertTargets;
  /**
   * Sent ÷ queued per destination over 24 hours below which its delivery-ratio alarm fires.
   * @default DELIVERY_RATIO_ALARM.defaultMinRatio (0.95)
   */
  readonly minDeliveryRatio?: number;
  /**
   * Sales queued for a destination over 24 hours below which its delivery-ratio alarm does not judge.
   * @default DELIVERY_RATIO_ALARM.defaultMinVolume (20)
   */
  readonly minDeliveryRatioVolume?: number;
  /**
   * The `service` dimension the functions publish their delivery counts under (their `POWERTOOLS_SERVICE_NAME`), which
   * the dashboard and the delivery-ratio alarms query: one per stage (`serviceNameOf`), so that stages sharing an
   * account and region never count each other's deliveries.
   * @default METRICS_SERVICE
   */
  readonly serviceName?: string;
}

/**
 * Where the service's alarms go and where operators look: one SNS topic, reachable only over TLS and published to
 * only by this stack's alarms, with its subscribers (e-mail, Slack through AWS Chatbot) and any existing topics
 * every alarm also notifies; the API's, the functions' and the table's alarms; and one CloudWatch dashboard with rows
 * for the API, the table and each destination. The stack hands it each part as it creates it (`monitorApi`,
 * `monitorFunctions`, `monitorTable`, `monitorDelivery`); `notify` wires any alarm to every target.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  /** The existing topics of `alerts.topicArns`, notified by every alarm besides `alarmTopic`. */
  readonly alertTopics: readonly ITopic[];
  /** The Slack channel of `alerts.slack`, if any. */
  readonly slackChannel?: SlackChannelConfiguration;
  readonly dashboard: Dashboard;
  /** Per destination: its delivery-ratio alarm (DELIVERY_RATIO_ALARM), created by `monitorDelivery`. */
  readonly deliveryRatioAlarms = new Map<string, Alarm>();
  /** Per API function name: its throttles alarm, created by `monitorFunctions`. */
  readonly functionThrottlesAlarms = new Map<string, Alarm>();
  private apiAlarm?: Alarm;
  private apiThrottled?: Alarm;
  private tableAlarmPair?: { throttled: Alarm; systemErrors: Alarm };
  private readonly minDeliveryRatio: number;
  private readonly minDeliveryRatioVolume: number;
  /** The delivery metrics' `service` dimension (MonitoringProps.serviceName). */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: MonitoringProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.minDeliveryRatio = props.minDeliveryRatio ?? DELIVERY_RATIO_ALARM.defaultMinRatio;
    this.minDeliveryRatioVolume = props.minDeliveryRatioVolume ?? DELIVERY_RATIO_ALARM.defaultMinVolume;
    this.serviceName = props.serviceName ?? METRICS_SERVICE;
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Conversion tracking alarms',
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default access policy, which was what let CloudWatch publish: without this
    // statement every alarm's action fails ("…is not authorized to perform: SNS:Publish…") and nobody hears of it.
    // Only this account's alarms, and of those only this stack's (alarmNames.prefix), may publish.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisStack',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${alarmNames.prefix(stack.stackName)}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    const alerts = props.alerts ?? {};
    for (const email of alerts.emails ?? []) {
      const subscription = this.alarmTopic.addSubscription(new EmailSubscription(email));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail SNS cannot deliver after its retries has no consumer to redrive to; the alarm stays in ALARM ' +
          'state in CloudWatch and the messages stay in the DLQ, so nothing is lost with the e-mail.',
      });
    }
    if (alerts.slack) {
      this.slackChannel = new SlackChannelConfiguration(this, 'SlackChannel', {
        // AWS Chatbot keeps configurations per account: the region in the name lets the stage deploy to a second one.
        slackChannelConfigurationName: accountWideNames.slackChannel(stack.stackName, Aws.REGION),
        slackWorkspaceId: alerts.slack.workspaceId,
        slackChannelId: alerts.slack.channelId,
        notificationTopics: [this.alarmTopic],
        loggingLevel: LoggingLevel.ERROR,
        // Notifications only: the channel's role is given no permission, and the guardrail – without one, Chatbot
        // applies AdministratorAccess – caps anything added to it later at reading CloudWatch.
        guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName(CHATBOT_GUARDRAIL)],
      });
    }
    this.alertTopics = (alerts.topicArns ?? []).map((arn, index) => Topic.fromTopicArn(this, `AlertTopic${index}`, arn));
    if (!alerts.emails?.length && !alerts.slack && !alerts.topicArns?.length) {
      Annotations.of(this).addWarningV2(
        'tracking:no-alarm-subscriber',
        'Nobody is notified of the alarms: set alerts (emails, slack or topicArns) or alarmEmail in the configuration. ' +
          'Until then the alarms only change state in CloudWatch and the alarm topic has no subscriber.',
      );
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Named after the stack and the region, so that operators find it and no two stacks of one account collide:
      // dashboard names are per account, not per region.
      dashboardName: accountWideNames.dashboard(stack.stackName, Aws.REGION),
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Conversion tracking\n' +
          `Delivery counts are published by the functions (namespace \`${METRICS_NAMESPACE}\`, one count per event, ` +
          `summed per ${GRAPH_PERIOD.toMinutes()} minutes). A dead-lettered sale stays in its destination's ` +
          'dead-letter queue until an operator runs `npm run redrive -- <destination>`.',
        width: 24,
        height: 2,
      }),
    );
  }

  /** The API's 5xx-rate alarm, once `monitorApi` has been called. */
  get apiServerErrorRateAlarm(): Alarm | undefined {
    return this.apiAlarm;
  }

  /** The API's 429 alarm, once `monitorApi` has been called. */
  get apiThrottledAlarm(): Alarm | undefined {
    return this.apiThrottled;
  }

  /** The table's throttled-requests and system-errors alarms, once `monitorTable` has been called. */
  get tableAlarms(): { throttled: Alarm; systemErrors: Alarm } | undefined {
    return this.tableAlarmPair;
  }

  /** Notifies the alarm topic and every topic of `alerts.topicArns` on entering ALARM and on returning to OK. */
  notify(alarm: Alarm): void {
    for (const topic of [this.alarmTopic, ...this.alertTopics]) {
      const action = new SnsAction(topic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /**
   * Alarms on the API's 5xx rate and on its 429s (counted from the access log), and adds its row to the dashboard:
   * requests, 4xx and 5xx, the 5xx rate, latency, then 429s.
   */
  monitorApi(api: MonitoredApi): Alarm {
    if (this.apiAlarm) throw new Error('Monitoring: monitorApi was already called; the service has one API');
    const stackName = Stack.of(this).stackName;
    const { httpApi } = api;
    const period = Duration.minutes(API_SERVER_ERROR_RATE_ALARM.periodMinutes);
    const requests = httpApi.metricCount({ period: GRAPH_PERIOD, statistic: 'Sum', label: 'requests' });
    const clientErrors = httpApi.metricClientError({ period: GRAPH_PERIOD, statistic: 'Sum', label: '4xx', color: Color.ORANGE });
    const serverErrors = httpApi.metricServerError({ period: GRAPH_PERIOD, statistic: 'Sum', label: '5xx', color: Color.RED });

    this.apiAlarm = new Alarm(this, 'ApiServerErrorRateAlarm', {
      alarmName: alarmNames.api(stackName, 'server-errors'),
      alarmDescription:
        `Over ${API_SERVER_ERROR_RATE_ALARM.percent} % of API requests answered 5xx for ` +
        `${API_SERVER_ERROR_RATE_ALARM.periods * API_SERVER_ERROR_RATE_ALARM.periodMinutes} minutes: the shop backend's ` +
        "clicks or orders are failing. See the API's access logs (error) and the functions' logs.",
      metric: new MathExpression({
        expression: '100 * serverErrors / requests',
        usingMetrics: {
          serverErrors: httpApi.metricServerError({ period, statistic: 'Sum' }),
          requests: httpApi.metricCount({ period, statistic: 'Sum' }),
        },
        label: 'API 5xx (% of requests)',
        period,
      }),
      threshold: API_SERVER_ERROR_RATE_ALARM.percent,
      evaluationPeriods: API_SERVER_ERROR_RATE_ALARM.periods,
      datapointsToAlarm: API_SERVER_ERROR_RATE_ALARM.periods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No requests means a quiet shop, not a failing API.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.notify(this.apiAlarm);

    // The stage's throttle answers 429 before any function runs: only the access log knows. Captures are left out:
    // their route is capped below the others on purpose (lambdas/contract/throttle.ts), so their 429s are the
    // throttle doing its job, and a burst of landings must not page anybody. Every other 429 is a request the shop
    // has to send again – an order among them.
    const throttledFilter = new MetricFilter(this, 'ApiThrottledFilter', {
      logGroup: api.accessLogGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.status', '=', '429'),
        // By path, which the access log carries and which names one route each (captureRoutePaths checks it).
        ...captureRoutePaths().map((path) => FilterPattern.stringValue('$.path', '!=', path)),
      ),
      metricNamespace: METRICS_NAMESPACE,
      metricName: API_THROTTLED_METRIC.name,
      metricValue: '1',
      // Per API, so that two stacks in one account count apart (the access log carries `apiId`).
      dimensions: { [API_THROTTLED_METRIC.dimension]: '$.apiId' },
    });
    const throttledPeriod = Duration.minutes(API_THROTTLED_ALARM.periodMinutes);
    const throttled = (periodOf: Duration) =>
      throttledFilter.metric({ period: periodOf, statistic: 'Sum', dimensionsMap: { [API_THROTTLED_METRIC.dimension]: httpApi.apiId } });
    this.apiThrottled = new Alarm(this, 'ApiThrottledAlarm', {
      alarmName: alarmNames.api(stackName, 'throttled'),
      alarmDescription:
        `The API answered 429 (throttled) to ${API_THROTTLED_ALARM.requests} or more requests other than captures in ` +
        `${API_THROTTLED_ALARM.periodMinutes} minutes: an order or other call refused so is lost unless the shop backend ` +
        'retries it. See the access logs (status 429, path) for which route; raise api.throttle or smooth the bursts.',
      metric: throttled(throttledPeriod),
      threshold: API_THROTTLED_ALARM.requests,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.notify(this.apiThrottled);

    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API: requests', left: [requests], width: 6 }),
      new GraphWidget({ title: 'API: 4xx and 5xx answers', left: [clientErrors, serverErrors], width: 6 }),
      alarmGraph('API: 5xx (% of requests)', this.apiAlarm, API_SERVER_ERROR_RATE_ALARM.percent),
      new GraphWidget({
        title: 'API: latency (ms)',
        left: ['p50', 'p90', 'p99'].map((statistic) => httpApi.metricLatency({ period: GRAPH_PERIOD, statistic, label: statistic })),
        width: 6,
      }),
      new GraphWidget({
        title: 'API: 429 answers (throttled)',
        left: [throttled(GRAPH_PERIOD).with({ label: '429', color: Color.RED })],
        leftAnnotations: [{ value: API_THROTTLED_ALARM.requests, label: 'alarm threshold', color: Color.RED }],
        leftYAxis: { min: 0 },
        width: 6,
      }),
    );
    return this.apiAlarm;
  }

  /** A throttles alarm per function (FUNCTION_THROTTLES_ALARM), and one graph of them all on the dashboard. */
  monitorFunctions(functions: Readonly<Record<string, IFunction>>): void {
    const stackName = Stack.of(this).stackName;
    const lines: IMetric[] = [];
    for (const [name, fn] of Object.entries(functions)) {
      if (this.functionThrottlesAlarms.has(name)) throw new Error(`Monitoring: function ${name} is already monitored`);
      const alarm = throttlesAlarm(this, `${pascalCase(name)}FunctionThrottlesAlarm`, fn, alarmNames.functionThrottles(stackName, name), `the ${name} function (API)`);
      this.notify(alarm);
      this.functionThrottlesAlarms.set(name, alarm);
      lines.push(fn.metricThrottles({ period: GRAPH_PERIOD, statistic: 'Sum', label: name }));
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API functions: throttles',
        left: lines,
        leftAnnotations: [{ value: FUNCTION_THROTTLES_ALARM.invocations, label: 'alarm threshold', color: Color.RED }],
        leftYAxis: { min: 0 },
        width: 6,
      }),
    );
  }

  /**
   * Alarms on the table's throttled requests and system errors, summed over `operations` – the calls the functions
   * are granted, each a metric of its own (dimension `Operation`) – and graphs both.
   */
  monitorTable(table: ITable, operations: readonly string[]): void {
    if (this.tableAlarmPair) throw new Error('Monitoring: monitorTable was already called; the service has one table');
    if (operations.length === 0) throw new Error('Monitoring: monitorTable needs the operations the functions call');
    const stackName = Stack.of(this).stackName;
    const period = Duration.minutes(TABLE_ERRORS_ALARM.periodMinutes);
    const sumOf = (metricName: 'ThrottledRequests' | 'SystemErrors', periodOf: Duration, label: string) => {
      // Ids distinct per metric name: the dashboard graphs both sums in one widget.
      const idOf = (operation: string) => `${metricName === 'ThrottledRequests' ? 'throttled' : 'errors'}${operation}`;
      return new MathExpression({
        // SUM of the array: one series, a point wherever any operation has one.
        expression: `SUM([${operations.map(idOf).join(', ')}])`,
        usingMetrics: Object.fromEntries(
          operations.map((operation) => [
            idOf(operation),
            new Metric({
              namespace: 'AWS/DynamoDB',
              metricName,
              dimensionsMap: { TableName: table.tableName, Operation: operation },
              statistic: 'Sum',
              period: periodOf,
            }),
          ]),
        ),
        label,
        period: periodOf,
      });
    };
    const alarmOn = (id: string, what: 'throttled' | 'system-errors', metricName: 'ThrottledRequests' | 'SystemErrors', description: string) => {
      const alarm = new Alarm(this, id, {
        alarmName: alarmNames.table(stackName, what),
        alarmDescription: description,
        metric: sumOf(metricName, period, `table: ${metricName}`),
        threshold: TABLE_ERRORS_ALARM.requests,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.notify(alarm);
      return alarm;
    };
    this.tableAlarmPair = {
      throttled: alarmOn(
        'TableThrottledAlarm',
        'throttled',
        'ThrottledRequests',
        `DynamoDB throttled requests of the tracking table (${operations.join(', ')}): a hot partition or the ` +
          "account's table limits. Clicks, orders or delivery records may have failed; see the API's 5xx and the senders' logs.",
      ),
      systemErrors: alarmOn(
        'TableSystemErrorsAlarm',
        'system-errors',
        'SystemErrors',
        `DynamoDB failed requests of the tracking table itself (SystemErrors; ${operations.join(', ')}). The SDK retries ` +
          "them; see the API's 5xx and the senders' logs, and the AWS Health Dashboard.",
      ),
    };
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Table: throttled requests and system errors',
        left: [
          sumOf('ThrottledRequests', GRAPH_PERIOD, 'throttled requests').with({ color: Color.ORANGE }),
          sumOf('SystemErrors', GRAPH_PERIOD, 'system errors').with({ color: Color.RED }),
        ],
        leftAnnotations: [{ value: TABLE_ERRORS_ALARM.requests, label: 'alarm threshold', color: Color.RED }],
        leftYAxis: { min: 0 },
        width: 12,
      }),
    );
  }

  /**
   * Notifies every alarm of a destination and adds its rows to the dashboard: its delivery counts as the functions
   * publish them, its dead-letter queue's depth and oldest age, its sender's error rate; then its delivery ratio,
   * its queue's backlog and its sender's throttles. The alarms except the ratio belong to VendorDelivery.
   */
  monitorDelivery(delivery: MonitoredDelivery): void {
    const { destinationId, deadLetterQueue, queue } = delivery;
    for (const alarm of delivery.alarms) this.notify(alarm);
    const counts = (Object.keys(DELIVERY_METRICS) as DeliveryEvent[]).map((event) =>
      deliveryMetric(destinationId, event, this.serviceName).with({ label: event, color: DELIVERY_COLOURS[event] }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: `${destinationId}: deliveries`, left: counts, width: 12 }),
      new GraphWidget({
        title: `${destinationId}: dead-letter queue`,
        left: [
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: GRAPH_PERIOD,
            statistic: 'Maximum',
            label: 'messages',
          }),
        ],
        right: [
          deadLetterQueue.metricApproximateAgeOfOldestMessage({
            period: GRAPH_PERIOD,
            statistic: 'Maximum',
            label: 'oldest (s)',
            color: Color.PURPLE,
          }),
        ],
        rightAnnotations: [{ value: DEAD_LETTER_AGE_ALARM_SECONDS, label: 'age alarm', color: Color.RED }],
        width: 6,
      }),
      alarmGraph(
        `${destinationId}: sender errors (% of invocations)`,
        delivery.senderErrorRateAlarm,
        SENDER_ERROR_RATE_ALARM.percent,
      ),
    );
    const ratioAlarm = this.deliveryRatioAlarm(destinationId);
    this.dashboard.addWidgets(
      new GraphWidget({
        title: `${destinationId}: delivery ratio (sent ÷ queued, 24 h)`,
        left: [ratioAlarm.metric],
        leftAnnotations: [{ value: this.minDeliveryRatio, label: 'alarm threshold', color: Color.RED }],
        leftYAxis: { min: 0 },
        width: 12,
        height: 4,
      }),
      new GraphWidget({
        title: `${destinationId}: delivery queue`,
        left: [
          queue.metricApproximateNumberOfMessagesVisible({ period: GRAPH_PERIOD, statistic: 'Maximum', label: 'waiting' }),
        ],
        right: [
          queue.metricApproximateAgeOfOldestMessage({ period: GRAPH_PERIOD, statistic: 'Maximum', label: 'oldest (s)', color: Color.ORANGE }),
        ],
        rightAnnotations: [{ value: delivery.backlogAlarmSeconds, label: 'backlog alarm', color: Color.RED }],
        width: 6,
        height: 4,
      }),
      new GraphWidget({
        title: `${destinationId}: sender throttles`,
        left: [delivery.sender.metricThrottles({ period: GRAPH_PERIOD, statistic: 'Sum', label: 'throttles', color: Color.RED })],
        leftAnnotations: [{ value: FUNCTION_THROTTLES_ALARM.invocations, label: 'alarm threshold', color: Color.RED }],
        leftYAxis: { min: 0 },
        width: 6,
        height: 4,
      }),
    );
  }

  /**
   * Sent ÷ queued of one destination over DELIVERY_RATIO_ALARM.periodHours, below `minDeliveryRatio`: ALARM – once at
   * least `minDeliveryRatioVolume` sales were queued in the window.
   */
  private deliveryRatioAlarm(destinationId: string): Alarm {
    const period = Duration.hours(DELIVERY_RATIO_ALARM.periodHours);
    const alarm = new Alarm(this, `${pascalCase(destinationId)}DeliveryRatioAlarm`, {
      alarmName: alarmNames.delivery(Stack.of(this).stackName, destinationId, 'delivery-ratio'),
      alarmDescription:
        `Under ${this.minDeliveryRatio * 100} % of the sales queued for ${destinationId} in the last 24 hours were sent ` +
        `(judged from ${this.minDeliveryRatioVolume} sales queued). ` +
        `List them with GET /v1/deliveries?vendor=${destinationId} or npm run report -- --vendor ${destinationId}; ` +
        'see README, "Operating it".',
      metric: new MathExpression({
        // No sale queued: no data (a quiet day is not a failure). Too few to judge: 1. Sales queued, none sent: 0.
        expression: `IF(queued >= ${this.minDeliveryRatioVolume}, FILL(sent, 0) / queued, 1)`,
        usingMetrics: {
          queued: deliveryMetric(destinationId, 'queued', this.serviceName).with({ period }),
          sent: deliveryMetric(destinationId, 'sent', this.serviceName).with({ period }),
        },
        label: `${destinationId}: sent ÷ queued`,
        period,
      }),
      threshold: this.minDeliveryRatio,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.notify(alarm);
    this.deliveryRatioAlarms.set(destinationId, alarm);
    return alarm;
  }
}

/** The rate a rate alarm computes (its math expression), with the alarm's threshold drawn in. */
function alarmGraph(title: string, alarm: Alarm, threshold: number): GraphWidget {
  return new GraphWidget({
    title,
    left: [alarm.metric],
    leftAnnotations: [{ value: threshold, label: 'alarm threshold', color: Color.RED }],
    leftYAxis: { min: 0 },
    width: 6,
  });
}

/**
 * One delivery count of one destination, exactly as the functions publish it (lambdas/observability/metrics.ts): Powertools
 * writes every metric with the dimensions `service` and `destination` together, and CloudWatch only matches a query
 * that names that same set.
 */
export function deliveryMetric(destinationId: string, event: DeliveryEvent, serviceName: string = METRICS_SERVICE): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: DELIVERY_METRICS[event],
    dimensionsMap: { [POWERTOOLS_SERVICE_DIMENSION]: serviceName, [DESTINATION_DIMENSION]: destinationId },
    statistic: 'Sum',
    period: GRAPH_PERIOD,
  });
}
