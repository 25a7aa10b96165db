/**
 * Stages: one deployment of the service each (`-c stage=<name>`, default `prod`), side by side in one account and
 * region. The stage names the stack, `ConversionTracking-<stage>`, and through it every physical name the stack sets
 * (delivery queues, alarms, dashboard, Slack channel configuration) and every name CloudFormation generates (functions,
 * log groups, the table, the dead-letter queues). Free of CDK imports: the scripts (`--stage`) name the same stack.
 */
export const APP_NAME = 'ConversionTracking';

/** The stage `cdk deploy` and every script use when none is given. */
export const DEFAULT_STAGE = 'prod';

/**
 * A stage name: a lower-case letter, then up to 11 lower-case letters or digits. No hyphen, so that no stage's names
 * start with another stage's prefix (a stage `prod-eu` would name its alarms `ConversionTracking-prod-eu-…`, inside the
 * `ConversionTracking-prod-*` that the prod alarm topic's `aws:SourceArn` admits); 12 characters at most, so that the
 * longest delivery queue name (a 31-character postback's cancellation queue) stays within SQS's 80.
 */
export const STAGE_PATTERN = /^[a-z][a-z0-9]{0,11}$/;

/** The stage named by `value` (a context value or an option), DEFAULT_STAGE when absent; throws saying what a stage is. */
export function parseStage(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_STAGE;
  if (typeof value === 'string' && STAGE_PATTERN.test(value)) return value;
  throw new Error(
    `Invalid stage ${JSON.stringify(value)}: a stage is a lower-case letter followed by up to 11 lower-case letters or digits, e.g. prod, dev, staging2`,
  );
}

/**
 * The table named by `-c tableName=<name>` (a table retained by a destroyed stack, to carry on with), undefined when
 * absent; throws when it is not a DynamoDB table name.
 */
export function parseTableName(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && /^[A-Za-z0-9_.-]{3,255}$/.test(value)) return value;
  throw new Error(`Invalid tableName ${JSON.stringify(value)}: a DynamoDB table name is 3 to 255 letters, digits, _, - or .`);
}

/** The stack of a stage: `ConversionTracking-prod`, `ConversionTracking-dev`. */
export function stackNameOf(stage: string): string {
  return `${APP_NAME}-${stage}`;
}

/** Name of the default stage's stack, which the scripts work on without `--stage` or `--stack`. */
export const STACK_NAME = stackNameOf(DEFAULT_STAGE);

/**
 * The `service` of every log line and dimension of every delivery metric of a stage (`POWERTOOLS_SERVICE_NAME`):
 * metrics are per account and region, so two stages publishing under one service would count each other's deliveries
 * in their dashboards and delivery-ratio alarms.
 */
export function serviceNameOf(stage: string): string {
  return `conversion-tracking-${stage}`;
}

/**
 * Names of resources CloudWatch, AWS Chatbot or AWS Budgets keep per account rather than per region: the stack's name and the
 * region, so that the same stage deploys to a second region of the account (`region` is a token at synthesis).
 */
export const accountWideNames = {
  dashboard: (stackName: string, region: string): string => `${stackName}-${region}-operations`,
  slackChannel: (stackName: string, region: string): string => `${stackName}-${region}-alarms`,
  budget: (stackName: string, region: string): string => `${stackName}-${region}-monthly`,
} as const;

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
 * publish for (`aws:SourceArn` …`:alarm:<stack>-*`), and says what it watches: `ConversionTracking-prod-api-server-errors`,
 * `ConversionTracking-prod-delivery-kelkoo-dead-letters`. Free of CDK imports, so that `npm run smoke -- --alarm-test`
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
