/**
 * Grants of the template that no call recorded by the artifact tests used, and why each may stay. Any other unused
 * grant fails the tests: a permission no bundle exercises is one to take away (as `dynamodb:BatchWriteItem` was from
 * the capture function, and `dynamodb:GetItem` from the cancellation senders).
 *
 * A grant is judged by what it is to its function – `<own queue>`, `<own log group>` – so that the senders, one per
 * destination and built by the same VendorDelivery, are judged together: a sender's grant on its own queue or
 * dead-letter queue counts as used when any sender used its own copy of it (the journey makes one retry and one
 * parking, not one per destination). Grants on the table are judged per kind of sender (sale, cancellation), whose
 * code paths differ there.
 */

/** What a function is, for judging its grants. */
export type FunctionKind = 'api' | 'sale sender' | 'cancellation sender';

/** A grant as its function sees it: the action, and the resource relative to the function. */
export interface RelativeGrant {
  action: string;
  /** `<own log group>`, `<own queue>`, `<own dead-letter queue>`, `<own cancellation queue>`, `<table>`, `*`, or an ARN. */
  resource: string;
}

/** The ARNs that are a function's own. */
export interface OwnResources {
  logGroup?: string;
  queue?: string;
  deadLetterQueue?: string;
  /** A sale sender's postback's cancellation queue (CANCELLATION_QUEUE_URL). */
  cancellationQueue?: string;
  table?: string;
}

export function relativeGrant(action: string, resource: string, own: OwnResources): RelativeGrant {
  const names: Array<[string | undefined, string]> = [
    [own.logGroup, '<own log group>'],
    [own.queue, '<own queue>'],
    [own.deadLetterQueue, '<own dead-letter queue>'],
    [own.cancellationQueue, '<own cancellation queue>'],
    [own.table, '<table>'],
  ];
  const named = names.find(([arn]) => arn !== undefined && arn === resource);
  return { action, resource: named ? named[1] : resource };
}

/**
 * With whose grants a function's are judged: an API function's alone (each has its own code), the senders' together
 * for their SQS grants and per kind for the rest.
 */
export function judgedWith(kind: FunctionKind, grant: RelativeGrant, functionId: string): string {
  if (kind === 'api') return functionId;
  return grant.action.startsWith('sqs:') ? 'sender' : kind;
}

export interface AllowedUnusedGrant {
  kinds: readonly FunctionKind[];
  actions: readonly string[];
  resource: string;
  /** Why no recorded call uses it, and where it is used or tested instead. */
  reason: string;
}

const EVERY: readonly FunctionKind[] = ['api', 'sale sender', 'cancellation sender'];
const SENDERS: readonly FunctionKind[] = ['sale sender', 'cancellation sender'];

/** The grants the artifact tests cannot exercise. Adding one is a reviewed change: say why, and where it is tested. */
export const ALLOWED_UNUSED_GRANTS: readonly AllowedUnusedGrant[] = [
  {
    kinds: EVERY,
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resource: '<own log group>',
    reason: "Lambda's own log delivery writes the function's output with its role; the code never calls CloudWatch Logs.",
  },
  {
    kinds: EVERY,
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    resource: '*',
    reason:
      "Lambda's X-Ray daemon sends a traced request's segments with the role (Active tracing, or PassThrough for a request " +
      "an upstream service sampled); the tracer hands them to the daemon over UDP, never to an AWS endpoint these tests " +
      'record. What the traced bundles send is checked against a daemon stand-in ("X-Ray, with observability.tracing").',
  },
  {
    kinds: SENDERS,
    actions: ['sqs:GetQueueUrl'],
    resource: '<own queue>',
    reason:
      "Granted by CDK's SqsEventSource together with what the event source mapping needs (Queue.grantConsumeMessages); " +
      'neither the mapping nor the sender calls it, and the event source offers no way to leave it out.',
  },
  {
    kinds: SENDERS,
    actions: ['sqs:ChangeMessageVisibility'],
    resource: '<own queue>',
    reason:
      "A delivery of several calls stopped because the function's time runs out gives its message back at once " +
      '(Sender.stopForTime); that needs a sender at its timeout: test/integration/sender-progress.test.ts. The event ' +
      'source mapping is granted it too.',
  },
  {
    kinds: ['sale sender'],
    actions: ['sqs:SendMessage'],
    resource: '<own cancellation queue>',
    reason:
      "A sale recorded sent after its order's cancellation arrived gets its cancellation call queued by the sale's " +
      'sender: a race the journey does not stage; test/integration/cancellation-in-flight.test.ts does.',
  },
];

/** The allow-list entry covering a function's unused grant, if any. */
export function allowance(kind: FunctionKind, grant: RelativeGrant): AllowedUnusedGrant | undefined {
  return ALLOWED_UNUSED_GRANTS.find((a) => a.kinds.includes(kind) && a.actions.includes(grant.action) && a.resource === grant.resource);
}
