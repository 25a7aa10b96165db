/**
 * Cancellation calls and exclusive groups in the synthesised stack: each postback with a `cancel` template gets the
 * same VendorDelivery construct as a sale destination (queue, DLQ, three alarms, sender), fed only by the cancellation
 * function, which may do exactly what its handler does; cdk-nag stays clean; and an invalid group fails synth.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { parseConfig } from '../../lambdas/config/schema';
import { VendorDelivery } from '../../lib/constructs/vendor-delivery';
import { API_FUNCTIONS, ENV } from '../../lambdas/contract/shape';
import { destinationsFromOutputs } from '../../scripts/redrive';
import { TrackingStack } from '../../lib/tracking-stack';

const PROJECT_ROOT = join(__dirname, '..', '..');
const FEATURE_FLAGS = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: object }).context;

const CONFIG = parseConfig({
  vendors: {
    kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' },
    qualityclick: { endpoint: 'https://partner.shop.example/get_trans.cgi', cpid: '1', product: 'Sale' },
  },
  postbacks: {
    awin: {
      clickIdParam: 'awc',
      url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}&ch={channel}',
      cancel: { url: 'https://www.awin1.com/cancel.php?ref={order.orderId}', method: 'GET' },
    },
    tradedoubler: {
      clickIdParam: 'tduid',
      url: 'https://tbs.tradedoubler.com/report?o={order.orderId}&tduid={clickId}',
      cancel: { url: 'https://tbs.tradedoubler.com/cancel', method: 'POST', body: 'o={order.orderId}&ch={channel}' },
    },
    net2: { clickIdParam: 'n2', url: 'https://net2.example/pb?ref={order.orderId}&c={clickId}' },
  },
  attribution: { exclusive: { affiliates: { members: ['qualityclick', 'awin', 'tradedoubler'], onLost: { awin: 'send' } } } },
});

let stack: TrackingStack;
let template: Template;

beforeAll(() => {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new TrackingStack(app, 'ConversionTracking', { config: CONFIG });
  template = Template.fromStack(stack);
});

const logicalId = (construct: IConstruct) => (Stack.of(construct) as Stack).getLogicalId(construct.node.defaultChild as CfnElement);
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

function statementsOfRole(roleId: string): { Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function actionsOn(statements: { Action: string | string[]; Resource: unknown }[], resource: unknown): string[] {
  const wanted = JSON.stringify(resource);
  return statements
    .filter((s) => [s.Resource].flat().some((r) => JSON.stringify(r) === wanted))
    .flatMap((s) => [s.Action].flat())
    .sort();
}

describe('cancellation queues', () => {
  it('gives each postback with a cancel template its own VendorDelivery, and none to the others', () => {
    expect([...stack.deliveries.keys()]).toEqual(['kelkoo', 'qualityclick', 'awin', 'tradedoubler', 'net2', 'awin-cancel', 'tradedoubler-cancel']);
    for (const id of ['awin-cancel', 'tradedoubler-cancel']) expect(stack.deliveries.get(id)).toBeInstanceOf(VendorDelivery);
    // Seven destinations: a queue and a DLQ each, six alarms each (five of VendorDelivery plus the delivery ratio),
    // plus the stack's: API 5xx and 429, the table's two, one throttles alarm per API function.
    template.resourceCountIs('AWS::SQS::Queue', 14);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7 * 6 + 4 + Object.keys(API_FUNCTIONS).length);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 7);
  });

  it.each(['awin-cancel', 'tradedoubler-cancel'])('%s: queue with DLQ after maxAttempts, sender on it, alarms notifying the topic', (id) => {
    const delivery = stack.deliveries.get(id)!;
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: arnOf(delivery.deadLetterQueue), maxReceiveCount: CONFIG.delivery.maxAttempts },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(delivery.sender) },
      EventSourceArn: arnOf(delivery.queue),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const sender = template.toJSON().Resources[logicalId(delivery.sender)];
    expect(sender.Properties.Environment.Variables[ENV.destination]).toBe(id);
    expect(delivery.alarms).toHaveLength(5);
    for (const alarm of [...delivery.alarms, stack.monitoring.deliveryRatioAlarms.get(id)!]) {
      const props = template.toJSON().Resources[logicalId(alarm)].Properties;
      expect(props.AlarmActions).toEqual([{ Ref: logicalId(stack.monitoring.alarmTopic) }]);
    }
  });

  it('lets only the cancellation function send to the cancellation queues, and it sends nowhere else', () => {
    const cancellation = stack.apiFunctions.cancellation;
    const statements = statementsOfRole(logicalId(cancellation.role!));
    expect(actionsOn(statements, arnOf(stack.trackingTable.table))).toEqual(['dynamodb:Query', 'dynamodb:UpdateItem']);
    for (const [id, delivery] of stack.deliveries) {
      expect(actionsOn(statements, arnOf(delivery.queue))).toEqual(id.endsWith('-cancel') ? ['sqs:SendMessage'] : []);
    }
    const conversion = statementsOfRole(logicalId(stack.apiFunctions.conversion.role!));
    expect(actionsOn(conversion, arnOf(stack.deliveries.get('awin-cancel')!.queue))).toEqual([]);
    expect(actionsOn(conversion, arnOf(stack.deliveries.get('awin')!.queue))).toEqual(['sqs:SendMessage']);
  });

  it('names the cancellation queues in the outputs so that npm run redrive finds them', () => {
    const outputs = Object.entries(template.toJSON().Outputs as Record<string, { Description?: string; Value: unknown }>).map(([OutputKey, o]) => ({
      OutputKey,
      Description: o.Description,
      OutputValue: JSON.stringify(o.Value),
    }));
    const found = destinationsFromOutputs(outputs);
    expect([...found.keys()]).toEqual(expect.arrayContaining(['awin', 'awin-cancel', 'tradedoubler-cancel']));
    expect(found.get('awin-cancel')!.deadLetterQueue).toContain(logicalId(stack.deliveries.get('awin-cancel')!.deadLetterQueue));
  });

  it('routes POST /v1/conversions/{orderId}/cancellation to the cancellation function', () => {
    const route = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).find(
      (r) => r.Properties.RouteKey === 'POST /v1/conversions/{orderId}/cancellation',
    )!;
    const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
    expect(template.toJSON().Resources[integrationId].Properties.IntegrationUri).toEqual(arnOf(stack.apiFunctions.cancellation));
  });

  it('leaves AwsSolutions and Serverless nothing unacknowledged', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });
});

describe('bin/app.ts with an invalid exclusive group', () => {
  it('stops naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracking-exclusive-'));
    try {
      const config = join(dir, 'bad.json');
      writeFileSync(
        config,
        JSON.stringify({
          vendors: { qualityclick: { endpoint: 'https://p.example/get_trans.cgi', cpid: '1', product: 'Sale' } },
          attribution: { exclusive: { affiliates: { members: ['qualityclick', 'awin'] } } },
        }),
      );
      const result = spawnSync(process.execPath, ['--import', 'tsx', join('bin', 'app.ts')], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CDK_OUTDIR: join(dir, 'cdk.out'), CDK_CONTEXT_JSON: JSON.stringify({ config }) },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('attribution.exclusive.affiliates.members.1');
      expect(result.stderr).toContain('unknown member "awin"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
