import { Validations } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /**
   * Address subscribed to the alarm topic. The subscription stays pending until the recipient confirms it from the
   * e-mail AWS sends after deployment.
   * @default - no subscription; subscribe to the topic by other means
   */
  readonly alarmEmail?: string;
}

/** Where the service's alarms go: one SNS topic, reachable only over TLS, with an optional e-mail subscription. */
export class Monitoring extends Construct {
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps = {}) {
    super(scope, id);
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Conversion tracking alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      const subscription = this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail SNS cannot deliver after its retries has no consumer to redrive to; the alarm stays in ALARM ' +
          'state in CloudWatch and the messages stay in the DLQ, so nothing is lost with the e-mail.',
      });
    }
  }
}
