import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  Color,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  DELIVERY_METRICS,
  DeliveryEvent,
  DESTINATION_DIMENSION,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
} from '../../lambdas/observability/metrics';
import { pascalCase } from './naming';
import { DEAD_LETTER_AGE_ALARM_SECONDS, SENDER_ERROR_RATE_ALARM, VendorDelivery } from './vendor-delivery';

/**
 * 5xx answers of the HTTP API in percent of its requests, over 5-minute periods. Bad input is a 4xx by contract
 * (SPEC §2), so every 5xx is the service's own failure – a function error or timeout, or DynamoDB or Secrets Manager
 * failing – and the shop backend has to report that click or order again. 1 % for three periods in a row is a
 * sustained failure rather than one cold-start timeout among a few dozen requests.
 */
export const API_SERVER_ERROR_RATE_ALARM = { percent: 1, periodMinutes: 5, periods: 3 } as const;

/**
 * The delivery ratio of a destination – sales sent ÷ sales queued for it, summed over one day – below
 * `delivery.minDeliveryRatio` alarms: a silent drop (a sender that acknowledges without calling, messages that
 * expire, a vendor refusing sales) shows here even when nothing reaches a dead-letter queue. Sales still being
 * retried at the end of the window count as not sent, so a very quiet shop may see it fire on one slow sale.
 */
export const DELIVERY_RATIO_ALARM = { periodHours: 24, defaultMinRatio: 0.95 } as const;

/** The dimension Powertools Metrics adds to every metric, holding the service name (METRICS_SERVICE). */
const POWERTOOLS_SERVICE_DIMENSION = 'service';

/** The period of every dashboard graph: fine enough to see a vendor outage start, coarse enough to read a day. */
const GRAPH_PERIOD = Duration.minutes(5);

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

/** What the dashboard shows of a destination: VendorDelivery provides it. */
export type MonitoredDelivery = Pick<VendorDelivery, 'destinationId' | 'deadLetterQueue' | 'senderErrorRateAlarm'>;

export interface MonitoringProps {
  /**
   * Address subscribed to the alarm topic. The subscription stays pending until the recipient confirms it from the
   * e-mail AWS sends after deployment.
   * @default - no subscription; subscribe to the topic by other means
   */
  readonly alarmEmail?: string;
  /**
   * Sent ÷ queued per destination over 24 hours below which its delivery-ratio alarm fires.
   * @default DELIVERY_RATIO_ALARM.defaultMinRatio (0.95)
   */
  readonly minDeliveryRatio?: number;
}

/**
 * Where the service's alarms go and where operators look: one SNS topic, reachable only over TLS, with an optional
 * e-mail subscription; the API's 5xx-rate alarm; and one CloudWatch dashboard with a row for the API and a row per
 * destination. The stack hands it the API (`monitorApi`) and each destination (`monitorDelivery`) as it creates them.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  /** Per destination: its delivery-ratio alarm (DELIVERY_RATIO_ALARM), created by `monitorDelivery`. */
  readonly deliveryRatioAlarms = new Map<string, Alarm>();
  private apiAlarm?: Alarm;
  private readonly minDeliveryRatio: number;

  constructor(scope: Construct, id: string, props: MonitoringProps = {}) {
    super(scope, id);
    this.minDeliveryRatio = props.minDeliveryRatio ?? DELIVERY_RATIO_ALARM.defaultMinRatio;
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Conversion tracking alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      const subscription = this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail SNS cannot deliver after its retries has no consumer to redrive to; the alarm stays in ALARM ' +
          'state in CloudWatch and the messages stay in the DLQ, so nothing is lost with the e-mail.',
      });
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Named after the stack, so that operators find it and two stacks in one account do not collide.
      dashboardName: `${Stack.of(this).stackName}-operations`,
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

  /** Alarms on the API's 5xx rate and adds its row to the dashboard: requests, 4xx and 5xx, latency. */
  monitorApi(api: IHttpApi): Alarm {
    if (this.apiAlarm) throw new Error('Monitoring: monitorApi was already called; the service has one API');
    const period = Duration.minutes(API_SERVER_ERROR_RATE_ALARM.periodMinutes);
    const requests = api.metricCount({ period: GRAPH_PERIOD, statistic: 'Sum', label: 'requests' });
    const clientErrors = api.metricClientError({ period: GRAPH_PERIOD, statistic: 'Sum', label: '4xx', color: Color.ORANGE });
    const serverErrors = api.metricServerError({ period: GRAPH_PERIOD, statistic: 'Sum', label: '5xx', color: Color.RED });

    this.apiAlarm = new Alarm(this, 'ApiServerErrorRateAlarm', {
      alarmDescription:
        `Over ${API_SERVER_ERROR_RATE_ALARM.percent} % of API requests answered 5xx for ` +
        `${API_SERVER_ERROR_RATE_ALARM.periods * API_SERVER_ERROR_RATE_ALARM.periodMinutes} minutes: the shop backend's ` +
        "clicks or orders are failing. See the API's access logs (integrationError) and the functions' logs.",
      metric: new MathExpression({
        expression: '100 * serverErrors / requests',
        usingMetrics: {
          serverErrors: api.metricServerError({ period, statistic: 'Sum' }),
          requests: api.metricCount({ period, statistic: 'Sum' }),
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

    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API: requests', left: [requests], width: 6 }),
      new GraphWidget({ title: 'API: 4xx and 5xx answers', left: [clientErrors, serverErrors], width: 6 }),
      alarmGraph('API: 5xx (% of requests)', this.apiAlarm, API_SERVER_ERROR_RATE_ALARM.percent),
      new GraphWidget({
        title: 'API: latency (ms)',
        left: ['p50', 'p90', 'p99'].map((statistic) => api.metricLatency({ period: GRAPH_PERIOD, statistic, label: statistic })),
        width: 6,
      }),
    );
    return this.apiAlarm;
  }

  /**
   * Adds a destination's row to the dashboard: its delivery counts as the functions publish them, its dead-letter
   * queue's depth and oldest age, and its sender's error rate. The alarms themselves belong to VendorDelivery.
   */
  monitorDelivery(delivery: MonitoredDelivery): void {
    const { destinationId, deadLetterQueue } = delivery;
    const counts = (Object.keys(DELIVERY_METRICS) as DeliveryEvent[]).map((event) =>
      deliveryMetric(destinationId, event).with({ label: event, color: DELIVERY_COLOURS[event] }),
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
        width: 24,
        height: 4,
      }),
    );
  }

  /** Sent ÷ queued of one destination over DELIVERY_RATIO_ALARM.periodHours, below `minDeliveryRatio`: ALARM. */
  private deliveryRatioAlarm(destinationId: string): Alarm {
    const period = Duration.hours(DELIVERY_RATIO_ALARM.periodHours);
    const alarm = new Alarm(this, `${pascalCase(destinationId)}DeliveryRatioAlarm`, {
      alarmDescription:
        `Under ${this.minDeliveryRatio * 100} % of the sales queued for ${destinationId} in the last 24 hours were sent. ` +
        `List them with GET /v1/deliveries?vendor=${destinationId} or npm run report -- --vendor ${destinationId}; ` +
        'see README, "Operating it".',
      metric: new MathExpression({
        // No sale queued: no data (a quiet day is not a failure). Sales queued but none sent: 0.
        expression: 'IF(queued > 0, FILL(sent, 0) / queued, 1)',
        usingMetrics: {
          queued: deliveryMetric(destinationId, 'queued').with({ period }),
          sent: deliveryMetric(destinationId, 'sent').with({ period }),
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

  /** Notifies the topic on entering ALARM and on returning to OK. */
  private notify(alarm: Alarm): void {
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
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
export function deliveryMetric(destinationId: string, event: DeliveryEvent): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: DELIVERY_METRICS[event],
    dimensionsMap: { [POWERTOOLS_SERVICE_DIMENSION]: METRICS_SERVICE, [DESTINATION_DIMENSION]: destinationId },
    statistic: 'Sum',
    period: GRAPH_PERIOD,
  });
}
