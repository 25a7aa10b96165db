/**
 * A local stack playing a deployed one, for the console's pictures and its page benchmark: orders made through its
 * API (a visitor landing with every click id, logging in and ordering), a vendor's sandbox told how to answer, and
 * the outputs a deployed stack of the stage would have, for the CloudFormation stand-in.
 */
import { catalogueOf, destinationsOf } from '../lambdas/config/destinations';
import { deliveryOutputNames } from '../lib/constructs/naming';
import { KELKOO_EXAMPLE_BASKET, tryItSample } from '../local/console/sample';
import type { LocalStack } from '../local/stack';
import type { StackOutput } from './console-stand-in';

/** POSTs to the local stack's API with its key; fails on an unexpected status. */
export async function post(stack: LocalStack, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKeys[0]}` },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
}

/**
 * A visitor landing with every click id, logging in and ordering the first three lines of the sample's basket (what
 * the history keeps whole); resolves once no delivery is queued any more.
 */
export async function order(stack: LocalStack, token: string): Promise<string> {
  const sample = tryItSample(catalogueOf(destinationsOf(stack.config)), token);
  await post(stack, '/v1/clicks', sample.capture);
  await post(stack, '/v1/identify', sample.identify);
  await post(stack, '/v1/conversions', { ...sample.conversion, items: KELKOO_EXAMPLE_BASKET.slice(0, 3), orderValue: 70.66, netValue: 58.88 });
  const orderId = String(sample.conversion.orderId);
  for (const started = Date.now(); Date.now() - started < 60_000; await new Promise((r) => setTimeout(r, 200))) {
    const response = await fetch(`${stack.baseUrl}/v1/conversions/${encodeURIComponent(encodeURIComponent(orderId))}`, { headers: { authorization: `Bearer ${stack.apiKeys[0]}` } });
    const body = (await response.json()) as { deliveries?: Array<{ status: string }> };
    if (body.deliveries?.every((d) => ['sent', 'failed', 'skipped'].includes(d.status))) return orderId;
  }
  throw new Error(`order ${orderId} was not delivered within a minute`);
}

/** Tells a vendor's sandbox how to answer from now on (null: as the vendor would). */
export async function behaviour(stack: LocalStack, vendor: string, answer: Record<string, unknown> | null): Promise<void> {
  await fetch(`${stack.sandboxUrl}/${vendor}/_behaviour`, {
    method: answer ? 'POST' : 'DELETE',
    ...(answer ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) } : {}),
  });
}

/**
 * The outputs `cdk deploy` would give stage `stage` – its API, key secret, table, service name and every destination's
 * queues – pointing at the local stack; `queueUrl` is the stand-in's form of a queue URL.
 */
export function standInOutputs(stack: LocalStack, stage: string, secretArn: string, queueUrl: (sqsServerUrl: string) => string): StackOutput[] {
  return [
    { key: 'ApiUrl', value: `${stack.baseUrl}/` },
    { key: 'ApiKeysSecretArn', value: secretArn },
    { key: 'TableName', value: stack.tableName },
    { key: 'ServiceName', value: `conversion-tracking-${stage}` },
    ...Object.entries(stack.queueUrls).flatMap(([id, urls]) => [
      { key: deliveryOutputNames(id).queueUrl, value: queueUrl(urls.queue) },
      { key: deliveryOutputNames(id).deadLetterQueueUrl, value: queueUrl(urls.deadLetterQueue), description: `Dead-letter queue of ${id}; redrive with npm run redrive -- ${id}` },
    ]),
  ];
}
