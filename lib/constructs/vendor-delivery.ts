import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeliveryQueueSettings, deliveryQueueName, ENV, MAX_QUEUE_NAME_LENGTH, queueNames } from '../../lambdas/contract/shape';
import { throttlesAlarm } from './function-alarms';
import { alarmNames } from './naming';
import { entryPath } from './paths';
import { TableAction, TrackingFunction } from './tracking-function';

/** AWS asks for a visibility timeout of at least six times the function timeout on an SQS event source. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/** Lambda's bounds for `maxConcurrency` on an SQS event source. */
const MAX_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

/**
 * Age of the oldest dead-lettered message that escalates: the depth alarm already fired on the first one, so an
 * hour later the message is still there only because nobody has redriven it. For a standard queue SQS measures this
 * age from the move to the dead-letter queue, not from the original send, so the retries before it do not count.
 * An hour leaves time to read the logs and fix a vendor's configuration, and is nothing against the fourteen days
 * the message is kept.
 */
export const DEAD_LETTER_AGE_ALARM_SECONDS = 3600;

/**
 * Sender invocations that fail as a whole (timeout, crash, an error escaping the batch processor), in percent of
 * invocations, over 5-minute periods. Vendor errors do not count: they fail single records through the partial batch
 * response. A failed invocation returns its whole batch to the queue and spends one of `maxAttempts` receives of
 * every message in it, so a sustained rate dead-letters sales that no vendor refused. Three periods in a row keep one
 * timeout in a quiet hour (one invocation of two is 50 %) from paging anybody.
 */
export const SENDER_ERROR_RATE_ALARM = { percent: 5, periodMinutes: 5, periods: 3 } as const;

/**
 * Age of the oldest message on a delivery queue above which its backlog alarm fires, unless
 * `delivery.backlogAlarmMinutes` says otherwise: a disabled event source, a throttled or failing sender, or a vendor
 * that has stopped answering leaves sales waiting, which otherwise shows only a day later through the delivery ratio.
 * 15 minutes is twice the default retry window (7½ minutes at most), so a sale merely being retried does not trip
 * it; the age is the maximum over 5-minute periods, and one period above alarms.
 */
export const BACKLOG_ALARM = { defaultMinutes: 15, periodMinutes: 5 } as const;

/**
 * The backlog alarm's threshold while the destination is paused: its sales wait on purpose, so the usual threshold
 * would fire for as long as the pause lasts. Two days before SQS's 14-day retention would delete the oldest of them,
 * the alarm says that the pause must end (or the sales be moved elsewhere) before sales are lost.
 */
export const PAUSED_BACKLOG_ALARM_SECONDS = 12 * 86_400;

/** The DynamoDB actions every sender is granted: claims, progress and outcomes (UpdateItem), the order's plan (GetItem). */
export const SENDER_TABLE_ACTIONS: readonly TableAction[] = ['dynamodb:UpdateItem', 'dynamodb:GetItem'];

/**
 * What a sender of cancellation calls (`<postback>-cancel`) is granted on the table: claims and outcomes only. It reads
 * no recorded plan – its messages are queued by the cancellation route from a delivery already recorded as sent.
 */
export const CANCELLATION_SENDER_TABLE_ACTIONS: readonly TableAction[] = ['dynamodb:UpdateItem'];

/**
 * The senders' memory (see `senderMemorySize`): 256 MB, a seventh of a vCPU. The rule puts it at 192 MB on this
 * benchmark machine's faster runs and at 256 MB on its slower ones; a sender starved of CPU lets a vendor call run out
 * its timeout and be sent again, so the larger is kept.
 */
export const SENDER_MEMORY_MB = 256;

export interface VendorDeliveryProps {
  /** The destination this delivery serves, e.g. `kelkoo`: one of `destinationIds(config)`. */
  readonly destinationId: string;
  /**
   * Queue, retry, batching and concurrency settings: `deliveryQueueSettingsOf(config, destinationId)` from
   * lambdas/contract/shape.ts, with the destination's own `concurrency` and `batchSize`.
   */
  readonly settings: DeliveryQueueSettings;
  /** The table holding orders and delivery records; the sender reads the order and updates its delivery status. */
  readonly table: ITable;
  /** The sender's bundled runtime configuration (`serializeRuntimeConfig`); it must hold this destination. */
  readonly runtimeConfig: string;
  /**
   * Age in seconds of the oldest message on the queue above which the backlog alarm fires.
   * @default BACKLOG_ALARM.defaultMinutes × 60
   */
  readonly backlogAlarmSeconds?: number;
  /**
   * The sender takes nothing off the queue (`paused` in the configuration): its event source mapping is created
   * disabled, sales wait on the queue within its 14-day retention without using up an attempt, and the backlog alarm
   * waits for PAUSED_BACKLOG_ALARM_SECONDS. Deploying without the flag enables the mapping, which drains the queue.
   * @default false
   */
  readonly paused?: boolean;
  /**
   * Entry point of the sender; the same code serves every destination.
   * @default lambdas/entry/sender.ts
   */
  readonly senderEntry?: string;
  /**
   * Memory of the sender: sized so that a batch of ten's CPU, TLS handshakes included, stays within 15 % of the vendor
   * call's timeout (docs/PERFORMANCE.md, "Memory sizes", measured by `npm run bench`).
   * @default SENDER_MEMORY_MB
   */
  readonly senderMemorySize?: number;
  /**
   * What the sender may do on the table.
   * @default SENDER_TABLE_ACTIONS
   */
  readonly senderTableActions?: readonly TableAction[];
  /**
   * `POWERTOOLS_SERVICE_NAME` of the sender: its log lines' `service` and its metrics' dimension.
   * @default TrackingFunction's default
   */
  readonly serviceName?: string;
  /**
   * Active X-Ray tracing with Powertools Tracer (TrackingFunctionProps.tracing).
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * The Secrets Manager secrets (names or ARNs) the sender reads its credentials from (`secrets` of its runtime
   * configuration); only this sender is allowed to read them.
   * @default - none
   */
  readonly vendorSecrets?: readonly string[];
}

/**
 * Delivery of conversions to one destination: its queue, a dead-letter queue after `maxReceiveCount` vendor calls,
 * the sender function consuming the queue with partial batch failures, and five alarms: as soon as anything is
 * dead-lettered, when a dead-lettered message has waited an hour, when the sender itself keeps failing, when Lambda
 * throttles the sender, and when sales wait on the queue too long (backlog). The alarms notify nobody by themselves:
 * Monitoring.monitorDelivery wires `alarms` to the alarm topic. Settings that contradict each other are rejected when
 * the stack is synthesised.
 */
export class VendorDelivery extends Construct {
  readonly destinationId: string;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly sender: TrackingFunction;
  /** Any message in the dead-letter queue. */
  readonly alarm: Alarm;
  /** A dead-lettered message older than DEAD_LETTER_AGE_ALARM_SECONDS. */
  readonly deadLetterAgeAlarm: Alarm;
  /** Failed sender invocations above SENDER_ERROR_RATE_ALARM. */
  readonly senderErrorRateAlarm: Alarm;
  /** Any throttled invocation of the sender (FUNCTION_THROTTLES_ALARM). */
  readonly senderThrottlesAlarm: Alarm;
  /** A message on the queue older than `backlogAlarmSeconds`. */
  readonly backlogAlarm: Alarm;
  /** Whether the sender's event source mapping is disabled (`paused`). */
  readonly paused: boolean;
  /** The backlog alarm's threshold, in seconds. */
  readonly backlogAlarmSeconds: number;
  /** Every alarm above, for whoever notifies people of them. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: VendorDeliveryProps) {
    super(scope, id);
    assertConsistent(props.destinationId, props.settings);
    const { settings, destinationId } = props;
    this.destinationId = destinationId;
    const stackName = Stack.of(this).stackName;
    this.paused = props.paused === true;
    this.backlogAlarmSeconds = this.paused ? PAUSED_BACKLOG_ALARM_SECONDS : (props.backlogAlarmSeconds ?? BACKLOG_ALARM.defaultMinutes * 60);
    if (!(this.backlogAlarmSeconds > 0)) throw new Error(`VendorDelivery ${destinationId}: backlogAlarmSeconds must be positive`);
    const names = queueNames(destinationId);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(settings.dlqRetentionSeconds),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: `This is the dead-letter queue of ${names.queue}; operators redrive it back to that queue.`,
    });

    // A fixed name: the conversion function derives the queue's URL from it (deliveryQueueName in lambdas/contract/shape.ts).
    const queueName = deliveryQueueName(Stack.of(this).stackName, destinationId);
    if (queueName.length > MAX_QUEUE_NAME_LENGTH) {
      throw new Error(`VendorDelivery ${destinationId}: queue name ${queueName} exceeds SQS's ${MAX_QUEUE_NAME_LENGTH} characters; shorten the stack name or the destination id`);
    }
    this.queue = new Queue(this, 'Queue', {
      queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(settings.retentionSeconds),
      // The receives one copy of a message may take unsettled (crashed or timed-out invocations, throttled batches)
      // before SQS dead-letters it: delivery.maxAttempts, at least the 5 AWS advises. Retries are new, delayed copies.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });

    this.sender = new TrackingFunction(this, 'Sender', {
      entry: props.senderEntry ?? entryPath('sender'),
      description: `Delivers conversions to ${destinationId}`,
      timeout: Duration.seconds(settings.senderTimeoutSeconds),
      memorySize: props.senderMemorySize ?? SENDER_MEMORY_MB,
      environment: { [ENV.destination]: destinationId },
      runtimeConfig: props.runtimeConfig,
      ...(props.serviceName !== undefined ? { serviceName: props.serviceName } : {}),
      ...(props.tracing ? { tracing: true } : {}),
    })
      // UpdateItem: claims, progress and outcomes; GetItem: the order's recorded plan (the message digests it checks).
      .bindTable(props.table, props.senderTableActions ?? SENDER_TABLE_ACTIONS)
      .bindVendorSecrets(props.vendorSecrets ?? [])
      .bindConsumedQueue(this.queue)
      .bindDeadLetterQueue(this.deadLetterQueue);

    this.sender.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: settings.batchSize,
        maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
        // A failed delivery returns only its own message to the queue; the rest of the batch is done.
        reportBatchItemFailures: true,
        maxConcurrency: settings.maxConcurrency,
        // Paused: no receive at all, so no message uses up a receive toward maxReceiveCount while it waits.
        enabled: !this.paused,
      }),
    );
    const eventSourceMapping = this.sender.node.children.find((child) => child instanceof EventSourceMapping);
    if (!eventSourceMapping) throw new Error(`VendorDelivery ${destinationId}: the SQS event source created no mapping`);
    Validations.of(eventSourceMapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'Lambda offers no on-failure destination for SQS event sources; failed messages reach the dead-letter queue ' +
        "through the source queue's redrive policy instead.",
    });
    Validations.of(this.sender).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked only through its SQS event source, never asynchronously; the source queue has the dead-letter queue.',
    });

    // Threshold 1 over a single period: every dead-lettered message is a sale the vendor was never told about after
    // all retries, which no amount of waiting repairs, so the first one alarms. Missing data means an idle (empty)
    // queue, hence not breaching.
    this.alarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmName: alarmNames.delivery(stackName, destinationId, 'dead-letters'),
      alarmDescription:
        `Conversions for ${destinationId} were dead-lettered after ${settings.maxReceiveCount} attempts. ` +
        `Inspect the messages and the sender's logs, then redrive with: npm run redrive -- ${destinationId}`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.deadLetterAgeAlarm = new Alarm(this, 'DeadLetterAgeAlarm', {
      alarmName: alarmNames.delivery(stackName, destinationId, 'dead-letter-age'),
      alarmDescription:
        `A conversion for ${destinationId} has waited in the dead-letter queue for over ` +
        `${DEAD_LETTER_AGE_ALARM_SECONDS / 3600} h: the vendor was never told about this sale. ` +
        `Fix the cause, then redrive with: npm run redrive -- ${destinationId}`,
      metric: this.deadLetterQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: DEAD_LETTER_AGE_ALARM_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const period = Duration.minutes(SENDER_ERROR_RATE_ALARM.periodMinutes);
    this.senderErrorRateAlarm = new Alarm(this, 'SenderErrorRateAlarm', {
      alarmName: alarmNames.delivery(stackName, destinationId, 'sender-errors'),
      alarmDescription:
        `Over ${SENDER_ERROR_RATE_ALARM.percent} % of the ${destinationId} sender's invocations failed as a whole ` +
        `for ${SENDER_ERROR_RATE_ALARM.periods * SENDER_ERROR_RATE_ALARM.periodMinutes} minutes (timeouts or crashes, ` +
        "not vendor errors); each failure spends an attempt of every message in its batch. See the sender's logs.",
      metric: new MathExpression({
        expression: '100 * errors / invocations',
        usingMetrics: {
          errors: this.sender.metricErrors({ period, statistic: 'Sum' }),
          invocations: this.sender.metricInvocations({ period, statistic: 'Sum' }),
        },
        label: `${destinationId} sender errors (% of invocations)`,
        period,
      }),
      threshold: SENDER_ERROR_RATE_ALARM.percent,
      evaluationPeriods: SENDER_ERROR_RATE_ALARM.periods,
      datapointsToAlarm: SENDER_ERROR_RATE_ALARM.periods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No invocations means an idle queue, not a failing sender.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.senderThrottlesAlarm = throttlesAlarm(
      this,
      'SenderThrottlesAlarm',
      this.sender,
      alarmNames.delivery(stackName, destinationId, 'sender-throttles'),
      `the ${destinationId} sender`,
    );

    // The queue's own age, not the dead-letter queue's: sales that wait because nothing takes them off the queue.
    this.backlogAlarm = new Alarm(this, 'BacklogAlarm', {
      alarmName: alarmNames.delivery(stackName, destinationId, 'backlog'),
      alarmDescription: this.paused
        ? `${destinationId} is paused and a conversion for it has waited on its delivery queue for over ` +
          `${formatSeconds(this.backlogAlarmSeconds)}; SQS deletes a message 14 days after it was queued. Remove ` +
          `"paused" from its configuration and deploy, so that the queue drains before sales are lost.`
        : `A conversion for ${destinationId} has waited on its delivery queue for over ${formatSeconds(this.backlogAlarmSeconds)}: ` +
          "the sender's event source may be disabled, the sender throttled or failing, or the vendor not answering. " +
          `Check the sender's logs and its event source mapping, and npm run report -- --vendor ${destinationId}.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(BACKLOG_ALARM.periodMinutes),
        statistic: 'Maximum',
      }),
      threshold: this.backlogAlarmSeconds,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // An empty queue publishes nothing after a while: a quiet shop, not a stalled one.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.alarms = [this.alarm, this.deadLetterAgeAlarm, this.senderErrorRateAlarm, this.senderThrottlesAlarm, this.backlogAlarm];
  }
}

/** `900` → `15 minutes`, `5400` → `90 minutes`, `7200` → `2 hours`. */
function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}

/** Rejects settings under which SQS and Lambda would misbehave silently (duplicate calls, lost retries). */
function assertConsistent(destinationId: string, settings: DeliveryQueueSettings): void {
  const problems: string[] = [];
  const minimumVisibility = VISIBILITY_TO_TIMEOUT_RATIO * settings.senderTimeoutSeconds;
  if (settings.visibilityTimeoutSeconds < minimumVisibility) {
    problems.push(
      `visibilityTimeoutSeconds (${settings.visibilityTimeoutSeconds}) must be at least ${VISIBILITY_TO_TIMEOUT_RATIO}× ` +
        `senderTimeoutSeconds (${settings.senderTimeoutSeconds}), i.e. ${minimumVisibility}: otherwise a message ` +
        'still being delivered becomes visible again and is sent twice',
    );
  }
  if (!Number.isInteger(settings.maxReceiveCount) || settings.maxReceiveCount < 1) {
    problems.push(`maxReceiveCount (${settings.maxReceiveCount}) must be a positive integer`);
  }
  if (settings.claimLeaseSeconds <= settings.senderTimeoutSeconds) {
    problems.push(
      `claimLeaseSeconds (${settings.claimLeaseSeconds}) must exceed senderTimeoutSeconds (${settings.senderTimeoutSeconds}): ` +
        'a claim must outlive the invocation holding it',
    );
  }
  if (settings.maxConcurrency < MAX_CONCURRENCY_RANGE.min || settings.maxConcurrency > MAX_CONCURRENCY_RANGE.max) {
    problems.push(
      `maxConcurrency (${settings.maxConcurrency}) must be between ${MAX_CONCURRENCY_RANGE.min} and ${MAX_CONCURRENCY_RANGE.max}`,
    );
  }
  if (settings.batchSize > 10 && settings.maxBatchingWindowSeconds <= 0) {
    problems.push(`batchSize (${settings.batchSize}) above 10 needs a maxBatchingWindowSeconds above 0`);
  }
  if (settings.dlqRetentionSeconds < settings.retentionSeconds) {
    problems.push(
      `dlqRetentionSeconds (${settings.dlqRetentionSeconds}) must be at least retentionSeconds (${settings.retentionSeconds}): ` +
        'a dead-lettered message keeps its original enqueue time and would otherwise expire early',
    );
  }
  if (problems.length > 0) {
    throw new Error(`VendorDelivery ${destinationId}: contradictory delivery settings: ${problems.join('; ')}`);
  }
}
