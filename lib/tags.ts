/**
 * The tags every resource of a stage carries, so that its cost can be told apart on the bill (activate them once as
 * cost allocation tags in the Billing console: README, "Deploy", "Its cost on the bill"): `service`, the same for every
 * stage; `stage`, the stage's name; `costCentre`, the merchant's own code when the configuration gives one.
 */
import { Stack, Tags } from 'aws-cdk-lib';
import { METRICS_SERVICE } from '../lambdas/observability/metrics';

/** The tag keys, as they appear on every resource and in the Billing console's list of cost allocation tags. */
export const TAG_KEYS = { service: 'service', stage: 'stage', costCentre: 'costCentre' } as const;

/**
 * `service`: the service's name, the same for every stage (the `stage` tag tells them apart); the functions log and
 * publish their metrics under the stage's own, `conversion-tracking-<stage>` (`serviceNameOf` in constructs/naming.ts).
 */
export const SERVICE_TAG_VALUE = METRICS_SERVICE;

/**
 * Tags `stack` and, through CDK's tag aspect, every taggable resource in it; the stack's own tags also go to
 * `cdk deploy`, which has CloudFormation put them on every resource that supports tags, modelled by CDK or not.
 */
export function tagStack(stack: Stack, tags: { stage: string; costCentre?: string | undefined }): void {
  Tags.of(stack).add(TAG_KEYS.service, SERVICE_TAG_VALUE);
  Tags.of(stack).add(TAG_KEYS.stage, tags.stage);
  if (tags.costCentre !== undefined) Tags.of(stack).add(TAG_KEYS.costCentre, tags.costCentre);
}
