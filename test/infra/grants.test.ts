/**
 * Grants the functions' code has no use for are not given (the artifact tests fail on any grant no recorded call used,
 * test/artifacts/unused-grants.ts): the capture function writes with PutItem only, a sender of cancellation calls reads
 * no recorded plan.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseConfig } from '../../lambdas/config/schema';
import type { TrackingFunction } from '../../lib/constructs/tracking-function';
import { tableOperations, TrackingStack } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

let stack: TrackingStack;
let template: Template;

beforeAll(() => {
  const config = parseConfig({
    vendors: { kelkoo: { country: 'fr', comId: '200874512', referer: 'https://www.boutique-lyon.fr' } },
    postbacks: { awin: { clickIdParam: 'awc', url: 'https://www.awin1.com/sread.php?ref={order.orderId}&cks={clickId}', cancel: { url: 'https://www.awin1.com/c?ref={order.orderId}' } } },
  });
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new TrackingStack(app, 'ConversionTracking-prod', { config });
  template = Template.fromStack(stack);
});

const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

function actionsOnTable(fn: TrackingFunction): string[] {
  const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.trackingTable.table), 'Arn'] });
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: logicalId(fn.role!) }]) } });
  return Object.values(policies)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
    .filter((st) => [st.Resource].flat().some((r) => JSON.stringify(r) === tableArn))
    .flatMap((st) => [st.Action].flat())
    .sort();
}

describe('table grants', () => {
  it('the capture function writes click records with PutItem alone', () => {
    expect(actionsOnTable(stack.apiFunctions.capture)).toEqual(['dynamodb:PutItem']);
  });

  it('a cancellation sender claims and records, and reads no recorded plan (no GetItem); a sale sender reads it', () => {
    expect(actionsOnTable(stack.deliveries.get('awin-cancel')!.sender)).toEqual(['dynamodb:UpdateItem']);
    expect(actionsOnTable(stack.deliveries.get('awin')!.sender)).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  });

  it('the table alarms still sum every operation some function is granted', () => {
    expect(tableOperations()).toEqual(['BatchWriteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem']);
  });
});
