/**
 * The calls CloudWatch makes when an alarm of the template changes state: for each alarm action (and OK action)
 * naming a topic, `sns:Publish` on that topic by the service principal `cloudwatch.amazonaws.com`, with the request
 * context CloudWatch sends – `aws:SourceAccount` the alarm's account, `aws:SourceArn` the alarm's ARN – over TLS. Each
 * is judged by the topic's resource policy (`AWS::SNS::TopicPolicy`), which replaces SNS's default policy.
 */
import { ACCOUNT, Resolver, Statement, Template } from './cloudformation';
import { Decision, evaluateResourcePolicy, ResourceCall } from './iam';

export const CLOUDWATCH_PRINCIPAL = 'cloudwatch.amazonaws.com';

export interface AlarmNotification {
  /** Logical id of the alarm. */
  alarm: string;
  alarmName: string;
  /** ARN of the topic the action names. */
  topicArn: string;
  /** The call CloudWatch makes for this action. */
  call: ResourceCall;
  /** What the topic's policy decides on it; undefined for a topic outside the template, whose policy is not here. */
  decision?: Decision;
}

/** The call CloudWatch makes to publish the notification of alarm `alarmName` to `topicArn`. */
export function cloudWatchPublish(topicArn: string, alarmName: string, where: { region: string; account?: string }): ResourceCall {
  const account = where.account ?? ACCOUNT;
  return {
    principal: { service: CLOUDWATCH_PRINCIPAL },
    action: 'sns:Publish',
    resource: topicArn,
    context: {
      'aws:SourceAccount': account,
      'aws:SourceArn': `arn:aws:cloudwatch:${where.region}:${account}:alarm:${alarmName}`,
      'aws:SecureTransport': 'true',
    },
  };
}

/** The statements of every topic policy of the template attached to the topic with logical id `topicId`. */
export function topicPolicyStatements(template: Template, topicId: string): Statement[] | undefined {
  const policies = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::SNS::TopicPolicy' && (r.Properties.Topics ?? []).some((t: { Ref?: string }) => t?.Ref === topicId),
  );
  if (policies.length === 0) return undefined;
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/**
 * Every notification the template's alarms would send, with the decision of its topic's policy. An alarm without a
 * name, or a topic of the template without a policy, throws: the first has no ARN before it is deployed to judge by,
 * the second falls back to SNS's default policy, which this check does not model.
 */
export function alarmNotifications(template: Template, resolver: Resolver, region: string): AlarmNotification[] {
  const notifications: AlarmNotification[] = [];
  for (const [alarm, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::CloudWatch::Alarm') continue;
    const alarmName = resolver.resolve(resource.Properties.AlarmName);
    if (typeof alarmName !== 'string') throw new Error(`Alarm ${alarm} has no AlarmName: its ARN, which the topic policy judges, is unknown`);
    const actions = [...(resource.Properties.AlarmActions ?? []), ...(resource.Properties.OKActions ?? [])] as unknown[];
    for (const action of actions) {
      const topicId = (action as { Ref?: string })?.Ref;
      const inTemplate = topicId !== undefined && template.Resources[topicId]?.Type === 'AWS::SNS::Topic';
      const topicArn = resolver.resolve(action) as string;
      const call = cloudWatchPublish(topicArn, alarmName, { region });
      if (!inTemplate) {
        notifications.push({ alarm, alarmName, topicArn, call });
        continue;
      }
      const statements = topicPolicyStatements(template, topicId);
      if (!statements) throw new Error(`Topic ${topicId} has no AWS::SNS::TopicPolicy; SNS's default policy is not modelled`);
      notifications.push({ alarm, alarmName, topicArn, call, decision: evaluateResourcePolicy(resolver.resolve(statements) as Statement[], call) });
    }
  }
  return notifications;
}
