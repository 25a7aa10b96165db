/**
 * What `cdk deploy` of a changed configuration replaces, as README's "Change the configuration" states it: the
 * template before and after a change of settings keeps every logical id and every property CloudFormation replaces a
 * resource for – nothing that holds data or a name the shop uses (table, queues, API, secret) is replaced – except
 * an alarm e-mail subscription whose address changed. A destination added adds resources and changes none of the
 * others' replacement properties.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../lambdas/config/load';
import { parseConfig } from '../../lambdas/config/schema';
import { STACK_NAME } from '../../lib/constructs/naming';
import { TrackingStack } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/**
 * Properties a change of which makes CloudFormation replace the resource ("Update requires: Replacement" in the
 * CloudFormation resource reference), for the types this stack holds.
 */
const REPLACED_ON_CHANGE: Record<string, string[]> = {
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema', 'LocalSecondaryIndexes'],
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::SQS::QueuePolicy': [],
  'AWS::Lambda::Function': ['FunctionName', 'PackageType'],
  'AWS::Lambda::EventSourceMapping': ['EventSourceArn', 'StartingPosition'],
  'AWS::Lambda::Permission': ['Action', 'FunctionName', 'Principal', 'SourceArn', 'SourceAccount'],
  'AWS::IAM::Role': ['RoleName', 'Path'],
  'AWS::IAM::Policy': [],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::Logs::MetricFilter': ['LogGroupName', 'FilterName'],
  'AWS::SecretsManager::Secret': ['Name'],
  'AWS::ApiGatewayV2::Api': ['ProtocolType'],
  'AWS::ApiGatewayV2::Stage': ['ApiId', 'StageName'],
  'AWS::ApiGatewayV2::Route': ['ApiId'],
  'AWS::ApiGatewayV2::Integration': ['ApiId'],
  'AWS::SNS::Topic': ['TopicName', 'FifoTopic'],
  'AWS::SNS::TopicPolicy': [],
  'AWS::SNS::Subscription': ['Endpoint', 'Protocol', 'TopicArn'],
  'AWS::CloudWatch::Alarm': ['AlarmName'],
  'AWS::CloudWatch::Dashboard': ['DashboardName'],
  'AWS::Chatbot::SlackChannelConfiguration': ['ConfigurationName', 'SlackWorkspaceId'],
};

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const BASE = {
  vendors: {
    kelkoo: { country: 'fr', comId: '31415926', referer: 'https://www.shop-brand.fr' },
    klevu: { apiKey: 'klevu-16180339887' },
    qualityclick: { endpoint: 'https://partner.shop-brand.fr/get_trans.cgi', cpid: '7', product: 'Sale' },
    clickmeter: { conversionId: 'B8E2A0C4D6F84E1A9C3B5D7F9E1A3C5B', clickIdParam: 's1' },
    raptor: { customerId: '5678', purchaseParams: { p1: 'buy', p2: '{item.productId}' } },
  },
  alerts: { emails: ['oncall@shop-brand.fr'], slack: { workspaceId: 'T0SHOPBRAND', channelId: 'C0ALARMS01' } },
};

function resources(raw: Record<string, unknown>): Resources {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  return (Template.fromStack(new TrackingStack(app, STACK_NAME, { config: parseConfig(raw) })).toJSON() as { Resources: Resources }).Resources;
}

/** The resources of `before` that `after` would replace: a logical id gone, or a replacement property changed. */
function replaced(before: Resources, after: Resources): string[] {
  return Object.entries(before).flatMap(([id, resource]) => {
    const next = after[id];
    if (!next) return [`${id} (${resource.Type}: removed)`];
    const properties = REPLACED_ON_CHANGE[resource.Type];
    if (!properties) throw new Error(`No replacement properties listed for ${resource.Type} (${id}): add them to REPLACED_ON_CHANGE`);
    const changed = properties.filter((p) => JSON.stringify(resource.Properties?.[p]) !== JSON.stringify(next.Properties?.[p]));
    return changed.length ? [`${id} (${resource.Type}: ${changed.join(', ')})`] : [];
  });
}

describe('an update', () => {
  let before: Resources;
  beforeAll(() => {
    before = resources(BASE);
  });

  it('of vendor, delivery, retention and alarm settings replaces nothing', () => {
    const after = resources({
      ...BASE,
      vendors: { ...BASE.vendors, kelkoo: { ...BASE.vendors.kelkoo, comId: '27182818' }, klevu: { ...BASE.vendors.klevu, sendEmail: true } },
      delivery: { maxAttempts: 8, timeoutMs: 3000, retryFor: '48h', minDeliveryRatio: 0.9, backlogAlarmMinutes: 30 },
      retentionDays: 200,
      alerts: { ...BASE.alerts, slack: { ...BASE.alerts.slack, channelId: 'C0ALARMS02' } },
    });
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(replaced(before, after)).toEqual([]);
    // And the settings did change something, in place: the queues' maxReceiveCount and the alarms' thresholds.
    const changedTypes = new Set(Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id])).map((id) => before[id]!.Type));
    expect([...changedTypes]).toEqual(expect.arrayContaining(['AWS::SQS::Queue', 'AWS::CloudWatch::Alarm']));
  });

  it('of an alarm address replaces its e-mail subscription only, which must be confirmed again', () => {
    const after = resources({ ...BASE, alerts: { ...BASE.alerts, emails: ['tracking@shop-brand.fr'] } });
    // Its logical id is made from the address: the old subscription is deleted, a new one created.
    expect(replaced(before, after)).toEqual([expect.stringMatching(/ \(AWS::SNS::Subscription: removed\)$/)]);
    const added = Object.keys(after).filter((id) => !before[id]);
    expect(added.map((id) => [after[id]!.Type, after[id]!.Properties?.Endpoint])).toEqual([['AWS::SNS::Subscription', 'tracking@shop-brand.fr']]);
  });

  it('adding a destination adds its own resources and replaces none of the others', () => {
    const after = resources({ ...BASE, postbacks: { awin: { clickIdParam: 'awc', url: 'https://www.awin1.com/sread.php?ref={order.orderId}&cks={clickId}' } } });
    expect(replaced(before, after)).toEqual([]);
    expect(Object.keys(after).length - Object.keys(before).length).toBe(15);
  });
});
