/**
 * The deployed console's AWS stand-in (scripts/console-stand-in.ts), recording every call as IAM judges it: the action
 * and the resource ARN (test/artifacts/aws-doubles.ts's describeCall; the stack's ARN for DescribeStacks, `*` for
 * CloudWatch's GetMetricData, which has no resource-level permissions).
 */
import { ConsoleStandIn, ConsoleStandInOptions, startConsoleStandIn } from '../../scripts/console-stand-in';
import { describeCall } from '../artifacts/aws-doubles';
import { ACCOUNT } from '../artifacts/cloudformation';

export interface StandInCall {
  /** The IAM action, e.g. `dynamodb:Query`, `cloudwatch:GetMetricData`. */
  action: string;
  resource: string;
}

export interface DeployedStandIn extends ConsoleStandIn {
  calls: StandInCall[];
}

/** A secret's ARN as Secrets Manager gives it, with its random suffix. */
export const secretArn = (region: string, name: string): string => `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-AbCdEf`;

export async function startDeployedStandIn(options: Omit<ConsoleStandInOptions, 'observe'>): Promise<DeployedStandIn> {
  const calls: StandInCall[] = [];
  const standIn = await startConsoleStandIn({
    ...options,
    observe: (service, region, headers, body) => {
      if (service === 'monitoring') {
        calls.push({ action: `cloudwatch:${String(headers['x-amz-target'] ?? '').split('.').pop()}`, resource: '*' });
        return;
      }
      const { action, resources } = describeCall(service, region, headers, body);
      if (service === 'cloudformation') {
        const stackName = new URLSearchParams(body.toString('utf8')).get('StackName') ?? '';
        calls.push({ action, resource: `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stackName}/00000000-0000-4000-8000-000000000001` });
        return;
      }
      for (const resource of resources.length ? resources : ['*']) calls.push({ action, resource });
    },
  });
  return { ...standIn, calls };
}
