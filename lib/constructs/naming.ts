/** Name of the deployed stack, for scripts that work against it (redrive) as well as for bin/app.ts. */
export const STACK_NAME = 'ConversionTracking';

/** `kelkoo` → `Kelkoo`, `google-ads` → `GoogleAds`: construct ids and output names derived from ids in the config. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Names of the stack outputs carrying a destination's queue URLs, e.g. `KelkooDeadLetterQueueUrl`: what a script
 * working against the deployed stack (redrive) looks up with `describe-stacks`. Free of CDK imports on purpose.
 */
export function deliveryOutputNames(destinationId: string): { queueUrl: string; deadLetterQueueUrl: string } {
  const name = pascalCase(destinationId);
  return { queueUrl: `${name}QueueUrl`, deadLetterQueueUrl: `${name}DeadLetterQueueUrl` };
}
