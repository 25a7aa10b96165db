/**
 * Stages: `cdk synth -c stage=<name>` of the real app (bin/app.ts, cdk-nag's packs included), twice – dev and prod –
 * as two deployments sharing an account and a region would be. Bundling is skipped (`aws:cdk:bundling-stacks: []`):
 * names, not code, are under test here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountWideNames, alarmNames, parseStage, serviceNameOf, stackNameOf, STAGE_PATTERN } from '../../lib/constructs/naming';
import { resourceMatches } from '../artifacts/iam';

const PROJECT_ROOT = join(__dirname, '..', '..');
const FEATURE_FLAGS = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: object }).context;
const REGION = 'eu-west-1';

/** A production-shaped configuration with every kind of named resource: destinations, a cancellation queue, Slack. */
const CONFIG = {
  vendors: {
    kelkoo: { country: 'fr', comId: '200874512', referer: 'https://www.boutique-lyon.fr' },
    klevu: { apiKey: 'klevu-58d3a0c7e1' },
  },
  postbacks: {
    awin: {
      clickIdParam: 'awc',
      url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}&amount={order.netValue}',
      cancel: { url: 'https://www.awin1.com/cancel.php?ref={order.orderId}' },
    },
  },
  alerts: { emails: ['ops@boutique-lyon.fr'], slack: { workspaceId: 'T02QW8LKP7M', channelId: 'C05RT2UVX9Z' } },
};

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

interface Synthesis {
  status: number | null;
  stderr: string;
  template?: Template;
  manifest?: { artifacts: Record<string, { type: string; properties?: { terminationProtection?: boolean; stackName?: string } }> };
}

let dir: string;

/** bin/app.ts as `cdk synth` runs it, with the context given; the template of the stack the context names. */
function synth(context: Record<string, unknown>): Promise<Synthesis> {
  const outDir = join(dir, `cdk.out-${Math.random().toString(36).slice(2)}`);
  const config = join(dir, 'shop.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('bin', 'app.ts')], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outDir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [], config, ...context }),
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return resolve({ status, stderr });
      const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Synthesis['manifest'];
      const stack = Object.entries(manifest!.artifacts).find(([, a]) => a.type === 'aws:cloudformation:stack')![0];
      resolve({ status, stderr, manifest, template: JSON.parse(readFileSync(join(outDir, `${stack}.template.json`), 'utf8')) as Template });
    });
  });
}

/**
 * The property holding the physical name of each resource type the stack creates, where the stack may set one. A
 * type absent from both lists fails the test: a new kind of resource needs a decision about its name.
 */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::Chatbot::SlackChannelConfiguration': 'ConfigurationName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Logs::MetricFilter': 'FilterName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::ApiGatewayV2::Api': 'Name',
  'AWS::ApiGatewayV2::Stage': 'StageName',
};
/** Types without a name of their own (attached to a named resource, or identified by a generated id). */
const UNNAMED = new Set([
  'AWS::IAM::Policy', // inline, scoped to its role
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Permission',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
]);

/** A name as CloudFormation would resolve it in REGION; undefined when the stack leaves it to CloudFormation. */
function resolveName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const pseudo: Record<string, string> = { 'AWS::Region': REGION, 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012' };
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : (pseudo[(part as { Ref?: string }).Ref ?? ''] ?? `<${JSON.stringify(part)}>`))).join(join[0]);
  return `<${JSON.stringify(value)}>`;
}

/** Every physical name the template sets, by type and logical id. */
function physicalNames(template: Template): { names: Map<string, string>; undecided: string[] } {
  const names = new Map<string, string>();
  const undecided = new Set<string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('AWS::CDK::') || UNNAMED.has(resource.Type)) continue;
    const property = NAME_PROPERTY[resource.Type];
    if (!property) {
      undecided.add(resource.Type);
      continue;
    }
    const name = resolveName(resource.Properties?.[property]);
    // The $default stage is API Gateway's own name, scoped to its API.
    if (name !== undefined && !(resource.Type === 'AWS::ApiGatewayV2::Stage' && name === '$default')) names.set(`${resource.Type} ${id}`, name);
  }
  return { names, undecided: [...undecided] };
}

let dev: Synthesis;
let prod: Synthesis;
const INVALID_STAGES = ['Prod', 'pre-prod', '1dev', 'averyverylongname'];
const RETAINED_TABLE = 'ConversionTracking-dev-TrackingTable0A1B2C3D-7XYZ9ABC';
/**
 * The synths the later tests check, started with dev and prod: each is a process of its own, and two cores finish
 * them sooner together than one after the other. Each test awaits its own.
 */
let refusedStages: Promise<Synthesis[]>;
let withTable: Promise<Synthesis>;
let refusedTable: Promise<Synthesis>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stages-'));
  writeFileSync(join(dir, 'shop.json'), JSON.stringify(CONFIG));
  refusedStages = Promise.all(INVALID_STAGES.map((stage) => synth({ stage })));
  withTable = synth({ stage: 'dev', tableName: RETAINED_TABLE });
  refusedTable = synth({ tableName: 'no spaces allowed' });
  // Awaited by their tests; one failing before its test is reached is reported there, not as unhandled.
  for (const started of [refusedStages, withTable, refusedTable]) started.catch(() => undefined);
  [dev, prod] = await Promise.all([synth({ stage: 'dev' }), synth({})]);
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('-c stage', () => {
  it('synthesises dev and prod (the default) with cdk-nag finding nothing, each as a stack of its own name', () => {
    expect({ status: dev.status, stderr: dev.status === 0 ? '' : dev.stderr }).toEqual({ status: 0, stderr: '' });
    expect({ status: prod.status, stderr: prod.status === 0 ? '' : prod.stderr }).toEqual({ status: 0, stderr: '' });
    const stacksOf = (s: Synthesis) => Object.entries(s.manifest!.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([id, a]) => a.properties?.stackName ?? id);
    expect(stacksOf(dev)).toEqual(['ConversionTracking-dev']);
    expect(stacksOf(prod)).toEqual(['ConversionTracking-prod']);
  });

  it('gives the two stages no physical name in common, every one starting with the stage’s stack name', () => {
    const devNames = physicalNames(dev.template!);
    const prodNames = physicalNames(prod.template!);
    expect([...devNames.undecided, ...prodNames.undecided]).toEqual([]);
    // Not vacuous: queues, alarms, the dashboard, the Slack configuration and the API are named by the stack.
    for (const type of ['AWS::SQS::Queue', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard', 'AWS::Chatbot::SlackChannelConfiguration', 'AWS::ApiGatewayV2::Api']) {
      expect({ type, named: [...devNames.names.keys()].some((k) => k.startsWith(`${type} `)) }).toEqual({ type, named: true });
    }
    const shared = [...devNames.names.values()].filter((name) => [...prodNames.names.values()].includes(name));
    expect(shared).toEqual([]);
    for (const [stage, { names }] of [['dev', devNames], ['prod', prodNames]] as const) {
      const foreign = [...names].filter(([, name]) => !name.startsWith(`ConversionTracking-${stage}-`)).map(([key, name]) => `${key}: ${name}`);
      expect({ stage, foreign }).toEqual({ stage, foreign: [] });
    }
  });

  it('names the account-wide dashboard and Slack configuration after the region too, so a stage deploys to a second region', () => {
    const dashboard = Object.values(prod.template!.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!;
    expect(resolveName(dashboard.Properties!.DashboardName)).toBe(accountWideNames.dashboard('ConversionTracking-prod', REGION));
    expect(JSON.stringify(dashboard.Properties!.DashboardName)).toContain('AWS::Region');
    const slack = Object.values(prod.template!.Resources).find((r) => r.Type === 'AWS::Chatbot::SlackChannelConfiguration')!;
    expect(JSON.stringify(slack.Properties!.ConfigurationName)).toContain('AWS::Region');
  });

  it('lets each stage’s alarms – and no other stage’s – publish to its alarm topic', () => {
    const sourceArnPattern = (template: Template) => {
      const policy = Object.values(template.Resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy')!;
      const statement = (policy.Properties!.PolicyDocument as { Statement: Array<{ Effect: string; Condition?: { ArnLike?: Record<string, unknown> } }> }).Statement.find(
        (s) => s.Effect === 'Allow',
      )!;
      return resolveName(statement.Condition!.ArnLike!['aws:SourceArn'])!;
    };
    const alarmArn = (stackName: string) => `arn:aws:cloudwatch:${REGION}:123456789012:alarm:${alarmNames.api(stackName, 'server-errors')}`;
    const devPattern = sourceArnPattern(dev.template!);
    const prodPattern = sourceArnPattern(prod.template!);
    expect(resourceMatches(devPattern, alarmArn('ConversionTracking-dev'))).toBe(true);
    expect(resourceMatches(devPattern, alarmArn('ConversionTracking-prod'))).toBe(false);
    expect(resourceMatches(prodPattern, alarmArn('ConversionTracking-prod'))).toBe(true);
    expect(resourceMatches(prodPattern, alarmArn('ConversionTracking-dev'))).toBe(false);
  });

  it('gives each stage’s functions the stage’s service name, under which the dashboard and the ratio alarms count deliveries', () => {
    for (const [stage, s] of [['dev', dev], ['prod', prod]] as const) {
      const functions = Object.values(s.template!.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      const services = new Set(functions.map((f) => (f.Properties!.Environment as { Variables: Record<string, string> }).Variables.POWERTOOLS_SERVICE_NAME));
      expect([...services]).toEqual([serviceNameOf(stage)]);
      const ratioAlarms = Object.values(s.template!.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties!.AlarmName).endsWith('-delivery-ratio'));
      expect(ratioAlarms.length).toBeGreaterThan(0);
      for (const alarm of ratioAlarms) {
        const dimensions = (alarm.Properties!.Metrics as Array<{ MetricStat?: { Metric: { Dimensions: Array<{ Name: string; Value: string }> } } }>)
          .filter((m) => m.MetricStat)
          .flatMap((m) => m.MetricStat!.Metric.Dimensions.filter((d) => d.Name === 'service').map((d) => d.Value));
        expect(new Set(dimensions)).toEqual(new Set([serviceNameOf(stage)]));
      }
    }
  });

  it('protects prod from termination, and only prod', () => {
    const protectionOf = (s: Synthesis) => Object.values(s.manifest!.artifacts).find((a) => a.type === 'aws:cloudformation:stack')!.properties?.terminationProtection;
    expect(protectionOf(prod)).toBe(true);
    expect(protectionOf(dev)).toBeFalsy();
  });

  it('refuses a stage that is not a lower-case letter followed by up to 11 lower-case letters or digits, before anything is built', async () => {
    const stages = INVALID_STAGES;
    const refusals = await refusedStages;
    stages.forEach((stage, i) => {
      expect({ stage, status: refusals[i]!.status }).toEqual({ stage, status: 1 });
      expect(refusals[i]!.stderr).toContain(`Invalid stage "${stage}"`);
    });
    expect(parseStage(undefined)).toBe('prod');
    expect(parseStage('staging2')).toBe('staging2');
    expect(STAGE_PATTERN.test('abcdefghijkl')).toBe(true);
    expect(stackNameOf('dev')).toBe('ConversionTracking-dev');
  }, 120_000);
});

describe('-c tableName', () => {
  it('uses the named table instead of creating one, with the grants and alarms on that table', async () => {
    const s = await withTable;
    expect({ status: s.status, stderr: s.status === 0 ? '' : s.stderr }).toEqual({ status: 0, stderr: '' });
    const resources = Object.values(s.template!.Resources);
    expect(resources.filter((r) => r.Type === 'AWS::DynamoDB::Table')).toEqual([]);
    const text = JSON.stringify(s.template);
    expect(text).toContain(`:table/${RETAINED_TABLE}`);
    expect(text).toContain(`:table/${RETAINED_TABLE}/index/unsettled`);
    const tableAlarm = resources.find((r) => r.Type === 'AWS::CloudWatch::Alarm' && String(r.Properties!.AlarmName).endsWith('-table-throttled'))!;
    expect(JSON.stringify(tableAlarm)).toContain(`"Value":"${RETAINED_TABLE}"`);
    const refused = await refusedTable;
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Invalid tableName "no spaces allowed"');
  }, 120_000);
});
