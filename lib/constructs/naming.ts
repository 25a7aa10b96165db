/** Name of the deployed stack, for scripts that work against it (redrive) as well as for bin/app.ts. */
export const STACK_NAME = 'ConversionTracking';

/** `kelkoo` → `Kelkoo`, `google-ads` → `GoogleAds`: construct ids and output names derived from ids in the config. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Names of the stack outputs carrying a destination's queue URLs, e.g. `KelkooDeadLetterQueueUrl`: what a script
 * working against the deployed stack (redrive) looks up with `describe-stacks`. Free of CDK imports on purpose.
 */
export function deliveryOutputNames(destinationId: string): { queueUrl: string; deadLetterQueueUrl: string } {
  const name = pascalCase(destinationId);
  return { queueUrl: `${name}QueueUrl`, deadLetterQueueUrl: `${name}DeadLetterQueueUrl` };
}

/**
 * Names of the stack's alarms: every one starts with `<stack>-`, the prefix the alarm topic's policy lets CloudWatch
 * publish for (`aws:SourceArn` …`:alarm:<stack>-*`), and says what it watches: `ConversionTracking-api-server-errors`,
 * `ConversionTracking-delivery-kelkoo-dead-letters`. Free of CDK imports, so that `npm run smoke -- --alarm-test`
 * finds the alarm it tests by name.
 */
export const alarmNames = {
  /** What the topic policy's `aws:SourceArn` matches: every alarm of the stack. */
  prefix: (stackName: string): string => `${stackName}-`,
  api: (stackName: string, what: 'server-errors' | 'throttled'): string => `${stackName}-api-${what}`,
  table: (stackName: string, what: 'throttled' | 'system-errors'): string => `${stackName}-table-${what}`,
  functionThrottles: (stackName: string, functionName: string): string => `${stackName}-function-${functionName}-throttles`,
  delivery: (
    stackName: string,
    destinationId: string,
    what: 'dead-letters' | 'dead-letter-age' | 'sender-errors' | 'sender-throttles' | 'backlog' | 'delivery-ratio',
  ): string => `${stackName}-delivery-${destinationId}-${what}`,
} as const;

/** The alarm `npm run smoke -- --alarm-test` sets to ALARM: the API's, which every stack has, destinations or not. */
export const ALARM_TEST_ALARM = (stackName: string): string => alarmNames.api(stackName, 'server-errors');
