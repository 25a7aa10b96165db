/**
 * `budget.monthlyUsd`: an AWS Budget of the stage's tagged cost in its region, telling the alarm topic at 80 % and
 * 100 % of the month's amount; the topic lets AWS Budgets publish for this budget only. No key, no budget.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../lambdas/config/load';
import { parseConfig } from '../../lambdas/config/schema';
import { stackNameOf } from '../../lib/constructs/naming';
import { SERVICE_TAG_VALUE } from '../../lib/tags';
import { TrackingStack } from '../../lib/tracking-stack';
import { evaluateResourcePolicy, ResourceCall } from '../artifacts/iam';

type Statement = Parameters<typeof evaluateResourcePolicy>[0][number];

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

const CONFIG = {
  vendors: { kelkoo: { country: 'fr', comId: '31415926', referer: 'https://www.shop-brand.fr' } },
  alerts: { emails: ['oncall@shop-brand.fr'] },
};

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

function synthesise(stage: string, raw: Record<string, unknown>) {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new TrackingStack(app, stackNameOf(stage), { config: parseConfig(raw), stage, env: { account: ACCOUNT, region: REGION } });
  return (Template.fromStack(stack).toJSON() as { Resources: Resources }).Resources;
}

const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** Resolves the intrinsic functions the budget and the topic policy use, with the stack's account and region. */
function resolve(value: unknown, resources: Resources): any {
  if (Array.isArray(value)) return value.map((v) => resolve(v, resources));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const ref = object.Ref as string;
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::AccountId') return ACCOUNT;
    if (ref === 'AWS::Region') return REGION;
    // A topic's Ref is its ARN.
    if (resources[ref]?.Type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${ref}`;
    throw new Error(`unresolved Ref ${ref}`);
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return (resolve(parts, resources) as string[]).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v, resources)]));
}

describe('the monthly budget', () => {
  const resources = synthesise('dev', { ...CONFIG, budget: { monthlyUsd: 50 } });
  const [[, budgetResource]] = ofType(resources, 'AWS::Budgets::Budget') as unknown as [[string, { Properties: Record<string, any> }]];
  const budget = resolve(budgetResource.Properties, resources);
  const [[topicId]] = ofType(resources, 'AWS::SNS::Topic');
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${topicId}`;
  const topicPolicy = ofType(resources, 'AWS::SNS::TopicPolicy').map(([, p]) => resolve(p.Properties, resources));
  const statements = topicPolicy.flatMap((p) => p.PolicyDocument.Statement as Statement[]);

  it('is a monthly cost budget of the configured amount, named after the stack and the region', () => {
    expect(budget.Budget).toMatchObject({
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: 50, Unit: 'USD' },
      BudgetName: `${stackNameOf('dev')}-${REGION}-monthly`,
    });
  });

  it("counts only this stage's tagged resources in this region: service and stage tags and the region, all three", () => {
    expect(budget.Budget.FilterExpression).toEqual({
      And: [
        { Tags: { Key: 'service', Values: [SERVICE_TAG_VALUE], MatchOptions: ['EQUALS'] } },
        { Tags: { Key: 'stage', Values: ['dev'], MatchOptions: ['EQUALS'] } },
        { Dimensions: { Key: 'REGION', Values: [REGION], MatchOptions: ['EQUALS'] } },
      ],
    });
  });

  it('tells the alarm topic when the actual cost passes 80 % and 100 %', () => {
    const notifications = budget.NotificationsWithSubscribers as Array<{ Notification: Record<string, unknown>; Subscribers: unknown[] }>;
    expect(notifications.map((n) => n.Notification)).toEqual([
      { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
      { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
    ]);
    for (const n of notifications) expect(n.Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: topicArn }]);
  });

  it("lets AWS Budgets publish to the topic for this account's budget of this stack, and for nothing else", () => {
    const call = (sourceArn: string, account = ACCOUNT): ResourceCall => ({
      principal: { service: 'budgets.amazonaws.com' },
      action: 'sns:Publish',
      resource: topicArn,
      context: { 'aws:SourceAccount': account, 'aws:SourceArn': sourceArn, 'aws:SecureTransport': 'true' },
    });
    const own = `arn:aws:budgets::${ACCOUNT}:budget/${stackNameOf('dev')}-${REGION}-monthly`;
    expect(evaluateResourcePolicy(statements, call(own))).toBe('allowed');
    expect(evaluateResourcePolicy(statements, call(`arn:aws:budgets::${ACCOUNT}:budget/someone-elses`))).not.toBe('allowed');
    expect(evaluateResourcePolicy(statements, call(own.replace(ACCOUNT, '210987654321'), '210987654321'))).not.toBe('allowed');
    // CloudWatch's own statement is untouched: the stack's alarms still reach the topic.
    const alarm: ResourceCall = {
      principal: { service: 'cloudwatch.amazonaws.com' },
      action: 'sns:Publish',
      resource: topicArn,
      context: {
        'aws:SourceAccount': ACCOUNT,
        'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${stackNameOf('dev')}-api-5xx`,
        'aws:SecureTransport': 'true',
      },
    };
    expect(evaluateResourcePolicy(statements, alarm)).toBe('allowed');
  });

  it('is absent when the configuration sets no budget', () => {
    expect(ofType(synthesise('dev', CONFIG), 'AWS::Budgets::Budget')).toHaveLength(0);
  });

  it.each([[0], [-5], ['50'], [2_000_000]])('refuses monthlyUsd %p, naming budget.monthlyUsd', (monthlyUsd) => {
    expect(() => parseConfig({ ...CONFIG, budget: { monthlyUsd } })).toThrow(/budget\.monthlyUsd/);
  });

  it('refuses an unknown key in budget, naming it', () => {
    expect(() => parseConfig({ ...CONFIG, budget: { monthlyUsd: 5, currency: 'EUR' } })).toThrow(/budget/);
  });
});
