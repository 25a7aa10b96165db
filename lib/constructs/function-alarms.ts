import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * Throttled invocations of one function in a 5-minute period. An API function throttled answers the shop 5xx; a
 * throttled sender puts its batch back on the queue, and each throttle spends a receive of every message in it, so
 * throttles alone can dead-letter sales. Neither should ever happen below the account's concurrency limit, so the
 * first one alarms.
 */
export const FUNCTION_THROTTLES_ALARM = { invocations: 1, periodMinutes: 5 } as const;

/** An alarm on the throttled invocations of `fn` (FUNCTION_THROTTLES_ALARM); `what` names the function for people. */
export function throttlesAlarm(scope: Construct, id: string, fn: IFunction, alarmName: string, what: string): Alarm {
  return new Alarm(scope, id, {
    alarmName,
    alarmDescription:
      `Lambda throttled ${what} ${FUNCTION_THROTTLES_ALARM.invocations} or more times in ` +
      `${FUNCTION_THROTTLES_ALARM.periodMinutes} minutes: the account's concurrency is exhausted. An API function ` +
      'throttled answers the shop 5xx; a throttled sender spends an attempt of every message in its batch. See the ' +
      "account's ConcurrentExecutions and ask AWS for a higher limit.",
    metric: fn.metricThrottles({ period: Duration.minutes(FUNCTION_THROTTLES_ALARM.periodMinutes), statistic: 'Sum' }),
    threshold: FUNCTION_THROTTLES_ALARM.invocations,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // No invocations means no throttles.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
