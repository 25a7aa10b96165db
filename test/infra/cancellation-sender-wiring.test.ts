/**
 * A sale sender whose postback has a cancellation call may queue that call itself – for a sale it records `sent` after
 * its order was cancelled – so the synthesised stack gives it its postback's cancellation queue: the queue's URL in
 * CANCELLATION_QUEUE_URL and sqs:SendMessage on that queue. No other sender gets either, and no sender may send to
 * another postback's cancellation queue (a cancellation sender sends to its own, for its retries).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseConfig } from '../../lambdas/config/schema';
import { ENV } from '../../lambdas/contract/shape';
import { TrackingStack } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

const CONFIG = parseConfig({
  vendors: { kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' } },
  postbacks: {
    awin: {
      clickIdParam: 'awc',
      url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}',
      cancel: { url: 'https://www.awin1.com/cancel.php?ref={order.orderId}' },
    },
    tradedoubler: {
      clickIdParam: 'tduid',
      url: 'https://tbs.tradedoubler.com/report?o={order.orderId}&tduid={clickId}',
      cancel: { url: 'https://tbs.tradedoubler.com/cancel?o={order.orderId}' },
    },
    net2: { clickIdParam: 'n2', url: 'https://net2.example/pb?ref={order.orderId}&c={clickId}' },
  },
});

let stack: TrackingStack;
let template: Template;

beforeAll(() => {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new TrackingStack(app, 'ConversionTracking', { config: CONFIG });
  template = Template.fromStack(stack);
});

const logicalId = (construct: IConstruct) => (Stack.of(construct) as Stack).getLogicalId(construct.node.defaultChild as CfnElement);
const senderOf = (id: string) => stack.deliveries.get(id)!.sender;
const queueOf = (id: string) => stack.deliveries.get(id)!.queue;

function variablesOf(id: string): Record<string, unknown> {
  return template.toJSON().Resources[logicalId(senderOf(id))].Properties.Environment.Variables;
}

/** The actions the sender's role may take on the queue. */
function actionsOn(id: string, queue: IConstruct): string[] {
  const wanted = JSON.stringify({ 'Fn::GetAtt': [logicalId(queue), 'Arn'] });
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: logicalId(senderOf(id).role!) }]) } });
  return Object.values(policies)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
    .filter((s) => [s.Resource].flat().some((r) => JSON.stringify(r) === wanted))
    .flatMap((s) => [s.Action].flat())
    .sort();
}

describe('a sale sender and its cancellation queue', () => {
  it.each(['awin', 'tradedoubler'])('%s: CANCELLATION_QUEUE_URL names its own cancellation queue, and it may send there', (id) => {
    expect(variablesOf(id)[ENV.cancellationQueueUrl]).toEqual({ Ref: logicalId(queueOf(`${id}-cancel`)) });
    expect(actionsOn(id, queueOf(`${id}-cancel`))).toEqual(['sqs:SendMessage']);
  });

  it('no sender may send to another postback\'s cancellation queue', () => {
    expect(actionsOn('awin', queueOf('tradedoubler-cancel'))).toEqual([]);
    expect(actionsOn('tradedoubler', queueOf('awin-cancel'))).toEqual([]);
  });

  it.each(['kelkoo', 'net2', 'awin-cancel', 'tradedoubler-cancel'])('%s: no cancellation queue, and may send to none but its own queue', (id) => {
    expect(variablesOf(id)[ENV.cancellationQueueUrl]).toBeUndefined();
    // A cancellation sender sends to its own queue only: a retry is a delayed copy of its message.
    for (const queue of ['awin-cancel', 'tradedoubler-cancel']) {
      expect({ queue, sends: actionsOn(id, queueOf(queue)).includes('sqs:SendMessage') }).toEqual({ queue, sends: queue === id });
    }
  });
});
