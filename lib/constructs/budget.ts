/**
 * The stage's monthly budget (`budget.monthlyUsd`): an AWS Budget of the cost of every resource carrying this stage's
 * `service` and `stage` tags (lib/tags.ts) in the stack's region, which tells the alarm topic – and through it the
 * e-mail addresses and the Slack channel of `alerts` – when the month's actual cost passes 80 % and 100 % of it.
 *
 * Why: unauthenticated requests are billed too (API Gateway's request and the authorising invocation come before the
 * key check refuses them); the stage's throttles cap that at a few hundred dollars a month at worst, and this is how
 * somebody hears of it before the invoice does.
 *
 * Cost Explorer sees a tag only once it is activated as a cost allocation tag in the Billing console (README,
 * "Its cost on the bill"); until then the budget counts nothing and never fires.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { SERVICE_TAG_VALUE, TAG_KEYS } from '../tags';
import { accountWideNames } from './naming';

/** The shares of the monthly amount at which the subscribers hear of the month's actual cost. */
export const BUDGET_THRESHOLDS_PERCENT = [80, 100] as const;

export interface CostBudgetProps {
  /** The monthly amount, in US dollars. */
  readonly monthlyUsd: number;
  /** The stage whose tagged resources are counted. */
  readonly stage: string;
  /** Where the notifications go: the stack's alarm topic, which the alert subscribers already follow. */
  readonly topic: Topic;
}

export class CostBudget extends Construct {
  readonly budget: CfnBudget;
  /** The budget's name: per account, like a dashboard's, so the stack's name and the region. */
  readonly budgetName: string;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.budgetName = accountWideNames.budget(stack.stackName, Aws.REGION);
    this.budget = new CfnBudget(this, 'Budget', {
      budget: {
        budgetName: this.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyUsd, unit: 'USD' },
        // This stage of this service in this region: both tags (another service may tag its own resources with the
        // same stage name), and the region (the same stage may be deployed to a second region, with its own budget).
        filterExpression: {
          and: [
            { tags: { key: TAG_KEYS.service, values: [SERVICE_TAG_VALUE], matchOptions: ['EQUALS'] } },
            { tags: { key: TAG_KEYS.stage, values: [props.stage], matchOptions: ['EQUALS'] } },
            { dimensions: { key: 'REGION', values: [Aws.REGION], matchOptions: ['EQUALS'] } },
          ],
        },
      },
      // A notification takes one SNS subscriber: the alarm topic, so that e-mail and Slack subscribers hear of the
      // budget as they hear of the alarms, confirmed once for both.
      notificationsWithSubscribers: BUDGET_THRESHOLDS_PERCENT.map((threshold) => ({
        notification: { notificationType: 'ACTUAL', comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
        subscribers: [{ subscriptionType: 'SNS', address: props.topic.topicArn }],
      })),
    });
    // AWS Budgets publishes with its service principal; only this account's budget of this stack may.
    props.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'BudgetOfThisStack',
        principals: [new ServicePrincipal('budgets.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:budgets::${Aws.ACCOUNT_ID}:budget/${this.budgetName}` },
        },
      }),
    );
  }
}
