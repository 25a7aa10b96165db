/**
 * `npm run smoke` against the real handlers: a local stack running the shipped example, reached as if it were a
 * deployed stack (its outputs from a CloudFormation stand-in) – what a stack deployed from a copy of the example
 * would be. The dry run plans every destination once smoke has captured the click ids the first one named, and the
 * check fails on each sandbox host; the vendors receive nothing and the synthetic visitor is erased.
 */
import { destinationsOf } from '../../lambdas/config/destinations';
import type { LocalStack } from '../../local/stack';
import { run } from '../../scripts/smoke';
import { StackClient, startExampleStack } from '../support/local-stack';
import { SecretsManagerDouble, startSecretsManagerDouble } from '../support/secrets-manager-double';

let stack: LocalStack;
let client: StackClient;
let aws: SecretsManagerDouble;
const saved = { ...process.env };

beforeAll(async () => {
  stack = await startExampleStack();
  client = new StackClient(stack, 'local-dev-key');
  aws = await startSecretsManagerDouble({
    region: 'eu-west-1',
    account: '000000000000',
    secrets: { ApiKeys: JSON.stringify({ primary: 'local-dev-key' }) },
    stacks: { 'ConversionTracking-prod': { ApiUrl: `${stack.baseUrl}/`, ApiKeysSecretArn: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:ApiKeys-AbCdEf' } },
  });
  Object.assign(process.env, { AWS_ENDPOINT_URL: aws.endpoint, AWS_ACCESS_KEY_ID: 'operator', AWS_SECRET_ACCESS_KEY: 'operator' });
});
afterAll(async () => {
  process.env = saved;
  await aws?.stop();
  await stack?.stop();
});

it('prints the host of every destination of a stack deployed from the example, fails on each, and sends nothing', async () => {
  const before = (await client.sandboxCalls()).length;
  const out: string[] = [];
  const err: string[] = [];
  expect(await run(['--region', 'eu-west-1'], { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(1);

  const destinations = destinationsOf(stack.config).map((d) => d.id);
  expect(destinations).toEqual(['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor', 'awin']);
  const origin = new URL(stack.baseUrl).origin;
  const hosts = out.filter((l) => l.startsWith('        ')).map((l) => l.trim().split(/\s+/).slice(0, 2));
  // Every destination planned – the first dry run knew only kk and gclid – each on the local sandbox.
  expect(hosts).toEqual(destinations.map((id) => [id, origin]));
  expect(err).toHaveLength(1);
  for (const id of destinations) expect(err[0]).toContain(`${id} on ${origin}: on localhost, a /sandbox/ path, plain http://`);
  // Only that check failed; the dry runs recorded, queued and sent nothing, and the synthetic visitor is gone.
  expect(out.filter((l) => l.startsWith('ok  '))).toHaveLength(6);
  expect((await client.sandboxCalls()).length).toBe(before);
});
