/**
 * `npm run smoke -- --alarm-test` (scripts/alarm-test.ts) against a CloudWatch stand-in speaking CloudWatch's JSON
 * protocol: the alarm is set to ALARM, and the outcome CloudWatch records for each of its actions is read back from
 * the alarm's history – delivered, or refused with CloudWatch's reason. The stand-in decides each publish with the
 * alarm topic's resource policy, judged by the artifact tests' evaluator for the principal CloudWatch publishes as.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ALARM_TEST_ALARM } from '../../lib/constructs/naming';
import { actionOutcome, alarmTest } from '../../scripts/alarm-test';
import { run } from '../../scripts/smoke';
import { cloudWatchPublish } from '../artifacts/alarm-notifications';
import type { Statement } from '../artifacts/cloudformation';
import { evaluateResourcePolicy } from '../artifacts/iam';
import { CloudWatchDouble, DoubleAlarm, startCloudWatchDouble } from '../support/cloudwatch-double';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const ALARM = ALARM_TEST_ALARM('ConversionTracking');
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:ConversionTracking-MonitoringAlarmTopic-AbC123`;
const ON_CALL = `arn:aws:sns:${REGION}:${ACCOUNT}:on-call`;

/** The alarm topic's policy as enforceSSL alone writes it: the Deny of publishing without TLS. */
const DENY_ONLY: Statement[] = [
  { Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
];
/** The same with the stack's Allow for its own alarms (lib/constructs/monitoring.ts), resolved for this account. */
const WITH_CLOUDWATCH: Statement[] = [
  ...DENY_ONLY,
  {
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: 'sns:Publish',
    Resource: TOPIC,
    Condition: {
      StringEquals: { 'aws:SourceAccount': ACCOUNT },
      ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:ConversionTracking-*` },
    },
  },
];

/** SNS's answer to CloudWatch's publish, as CloudWatch records it, when `statements` is the topic's policy. */
function publishUnder(statements: Statement[]) {
  return (alarmArn: string, topicArn: string): string | undefined => {
    const alarmName = alarmArn.split(':alarm:')[1]!;
    const decision = evaluateResourcePolicy(statements, cloudWatchPublish(topicArn, alarmName, { region: REGION, account: ACCOUNT }));
    return decision === 'allowed'
      ? undefined
      : `Resource: ${alarmArn} is not authorized to perform: SNS:Publish on resource: ${topicArn} because no resource-based policy allows the SNS:Publish action`;
  };
}

let double: CloudWatchDouble | undefined;
let client: CloudWatchClient | undefined;

async function withDouble(alarms: DoubleAlarm[], options: { publish?: (alarmArn: string, topicArn: string) => string | undefined; silent?: boolean } = {}) {
  double = await startCloudWatchDouble({ region: REGION, account: ACCOUNT, alarms, ...options });
  client = new CloudWatchClient({ endpoint: double.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return { double, client };
}

const quick = { pollMs: 20, timeoutMs: 3000 };

afterEach(async () => {
  client?.destroy();
  await double?.stop();
  client = undefined;
  double = undefined;
});

describe('npm run smoke -- --alarm-test', () => {
  it('sets the alarm to ALARM and reports the notification delivered when the topic policy lets CloudWatch publish', async () => {
    const { double, client } = await withDouble([{ name: ALARM, alarmActions: [TOPIC], okActions: [TOPIC] }], { publish: publishUnder(WITH_CLOUDWATCH) });
    const results = await alarmTest(client, { alarmName: ALARM, ...quick });
    expect(results).toEqual([{ name: `alarm ${ALARM} notifies ${TOPIC}`, ok: true, detail: `Successfully executed action ${TOPIC}` }]);
    expect(double.stateOf(ALARM)).toBe('ALARM');
    expect(double.operations.slice(0, 2)).toEqual(['DescribeAlarms', 'SetAlarmState']);
    expect(double.operations).toContain('DescribeAlarmHistory');
  });

  it('reports the refusal CloudWatch recorded when the topic policy only denies (enforceSSL alone)', async () => {
    const { client } = await withDouble([{ name: ALARM, alarmActions: [TOPIC] }], { publish: publishUnder(DENY_ONLY) });
    const [result] = await alarmTest(client, { alarmName: ALARM, ...quick });
    expect(result).toMatchObject({ ok: false });
    expect(result!.detail).toMatch(new RegExp(`^Failed to execute action ${TOPIC}\\. Received error: .*is not authorized to perform: SNS:Publish`));
  });

  it('reports each action on its own: the alarm topic delivered, an existing topic refused', async () => {
    const publish = (_alarm: string, topic: string) => (topic === ON_CALL ? 'Access to the KMS key was denied' : undefined);
    const { client } = await withDouble([{ name: ALARM, alarmActions: [TOPIC, ON_CALL] }], { publish });
    const results = await alarmTest(client, { alarmName: ALARM, ...quick });
    expect(results.map((r) => [r.name.split(' notifies ')[1], r.ok])).toEqual([
      [TOPIC, true],
      [ON_CALL, false],
    ]);
    expect(results[1]!.detail).toContain('Access to the KMS key was denied');
  });

  it('fails when CloudWatch records no outcome in time, rather than passing on silence', async () => {
    const { client } = await withDouble([{ name: ALARM, alarmActions: [TOPIC] }], { silent: true });
    const [result] = await alarmTest(client, { alarmName: ALARM, pollMs: 20, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining('recorded no outcome of this action') });
  });

  it('does not touch an alarm that is missing, has no action, has its actions disabled, or is in ALARM for real', async () => {
    const { double, client } = await withDouble([
      { name: 'ConversionTracking-quiet', alarmActions: [] },
      { name: 'ConversionTracking-disabled', alarmActions: [TOPIC], actionsEnabled: false },
      { name: 'ConversionTracking-firing', alarmActions: [TOPIC], state: 'ALARM' },
    ]);
    const detail = async (alarmName: string) => (await alarmTest(client, { alarmName, ...quick })).map((r) => [r.ok, r.detail]);
    expect(await detail(ALARM)).toEqual([[false, expect.stringContaining(`no alarm ${ALARM}`)]]);
    expect(await detail('ConversionTracking-quiet')).toEqual([[false, expect.stringContaining('no alarm action')]]);
    expect(await detail('ConversionTracking-disabled')).toEqual([[false, expect.stringContaining('disabled')]]);
    expect(await detail('ConversionTracking-firing')).toEqual([[false, expect.stringContaining('in ALARM already')]]);
    expect(double.operations).not.toContain('SetAlarmState');
  });

  it('reads an outcome from the history data when the summary says nothing', () => {
    expect(actionOutcome({ HistorySummary: 'Action', HistoryData: '{"actionState":"Succeeded"}' })).toBe('succeeded');
    expect(actionOutcome({ HistorySummary: 'Action', HistoryData: '{"actionState":"Failed"}' })).toBe('failed');
    expect(actionOutcome({ HistorySummary: 'Action', HistoryData: 'not json' })).toBeUndefined();
  });

  it('is refused on the local stack and on any service but the deployed stack, naming why', async () => {
    for (const argv of [['--local', '--alarm-test'], ['--url', 'http://localhost:3000', '--key', 'k', '--alarm-test']]) {
      const err: string[] = [];
      expect(await run(argv, { out: () => undefined, err: (line) => err.push(line) })).toBe(1);
      expect(err.join('\n')).toContain('--alarm-test works on the deployed stack only');
    }
  });
});
