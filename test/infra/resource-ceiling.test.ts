/**
 * The resource ceiling: CloudFormation takes at most 500 resources in one stack, and CDK enforces that at synthesis
 * with a dump of every resource type ("… is greater than allowed maximum of 500: AWS::…"). bin/app.ts counts the
 * stack first and refuses with one sentence giving the limit, the count and what fits. Measured here with every
 * option on, and stated in docs/INFRASTRUCTURE.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../lambdas/config/load';
import { parseConfig } from '../../lambdas/config/schema';
import { STACK_NAME } from '../../lib/constructs/naming';
import { CLOUDFORMATION_RESOURCE_LIMIT, destinationCount, measureResourceCeiling, resourceCeilingProblem, resourceCount } from '../../lib/deploy-guards';
import { TrackingStack, TrackingStackProps } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/**
 * A configuration with every option that adds to the stack: the five vendors, postbacks with and without a
 * cancellation call (two destinations each), credentials read from Secrets Manager, a paused destination, an
 * exclusive group, the API's throttles, every alert channel (an e-mail, the shorthand address, Slack, four existing
 * topics), the alarm settings and a cost centre. `destinations` counts the cancellation destinations too.
 */
function everyOption(destinations: number): Record<string, unknown> {
  const postbacks: Record<string, unknown> = {};
  let left = destinations - 5;
  for (let i = 0; left > 0; i++) {
    const cancel = left >= 2 && i % 2 === 0;
    postbacks[`net${i}`] = {
      clickIdParam: `n${i}`,
      url: `https://postback${i}.network-partner.com/sale?ref={order.orderId}&click={clickId}`,
      ...(i === 0 ? { headers: { Authorization: { secret: 'shop/network-token' } } } : {}),
      ...(cancel ? { cancel: { url: `https://postback${i}.network-partner.com/cancel?ref={order.orderId}` } } : {}),
    };
    left -= cancel ? 2 : 1;
  }
  return {
    vendors: {
      kelkoo: { country: 'fr', comId: '31415926', referer: 'https://www.shop-brand.fr' },
      klevu: { apiKey: { secret: 'shop/klevu-api-key' }, sendEmail: true },
      qualityclick: { endpoint: 'https://partner.shop-brand.fr/get_trans.cgi', cpid: '7', product: 'Sale' },
      clickmeter: { conversionId: 'B8E2A0C4D6F84E1A9C3B5D7F9E1A3C5B', clickIdParam: 's1' },
      raptor: { customerId: '5678', purchaseParams: { p1: 'buy', p2: '{item.productId}' }, paused: true },
    },
    postbacks,
    api: { throttle: { capture: { rateLimit: 50, burstLimit: 100 }, conversion: { rateLimit: 20, burstLimit: 40 }, default: { rateLimit: 10, burstLimit: 20 } } },
    attribution: { exclusive: { search: { members: ['kelkoo', 'net0'] } } },
    delivery: { maxAttempts: 5, retryBaseSeconds: 30, timeoutMs: 5000, minDeliveryRatioVolume: 50, backlogAlarmMinutes: 30 },
    alarmEmail: 'oncall@shop-brand.fr',
    costCentre: 'CC-4711',
    alerts: {
      emails: ['tracking@shop-brand.fr'],
      slack: { workspaceId: 'T0SHOPBRAND', channelId: 'C0ALARMS01' },
      topicArns: [1, 2, 3, 4].map((n) => `arn:aws:sns:eu-west-1:210987654321:on-call-${n}`),
    },
  };
}

function build(raw: Record<string, unknown>): { stack: TrackingStack; props: TrackingStackProps } {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const props: TrackingStackProps = { config: parseConfig(raw) };
  return { stack: new TrackingStack(app, STACK_NAME, props), props };
}

/** What docs/INFRASTRUCTURE.md states under "Resource ceiling". */
function documented(): { perDestination: number; base: number; fit: number } {
  const docs = readFileSync(join(REPO_ROOT, 'docs', 'INFRASTRUCTURE.md'), 'utf8');
  const match = /each destination\s+costs\s+\*\*(\d+)\*\*\s+resources[^*]*\*\*(\d+)\*\*\s+for\s+the\s+rest\s+of\s+the\s+stack[^*]*at\s+most\s+\*\*(\d+)\*\*\s+destinations/.exec(docs);
  if (!match) throw new Error('docs/INFRASTRUCTURE.md states no resource ceiling');
  return { perDestination: Number(match[1]), base: Number(match[2]), fit: Number(match[3]) };
}

describe('the resource ceiling with every option on', () => {
  let measured: ReturnType<typeof measureResourceCeiling>;
  let atLimit: ReturnType<typeof build>;

  beforeAll(() => {
    measured = measureResourceCeiling(...(Object.values(build(everyOption(7))) as [TrackingStack, TrackingStackProps]));
    atLimit = build(everyOption(measured.fit));
  });

  it('is what docs/INFRASTRUCTURE.md states: the cost of a destination, of the rest, and how many fit', () => {
    expect(measured.destinations).toBe(7);
    expect({ perDestination: measured.perDestination, base: measured.base, fit: measured.fit }).toEqual(documented());
  });

  it('counts what CloudFormation receives: the synthesised template at the most destinations that fit', () => {
    expect(destinationCount(atLimit.props.config)).toBe(measured.fit);
    const template = Template.fromStack(atLimit.stack).toJSON() as { Resources: Record<string, unknown> };
    expect(Object.keys(template.Resources)).toHaveLength(resourceCount(atLimit.stack));
    expect(resourceCount(atLimit.stack)).toBe(measured.base + measured.fit * measured.perDestination);
    expect(resourceCount(atLimit.stack)).toBeLessThanOrEqual(CLOUDFORMATION_RESOURCE_LIMIT);
    expect(resourceCeilingProblem(atLimit.stack, atLimit.props)).toBeUndefined();
  });

  it('refuses one destination more with a sentence giving the limit and the count, where CDK would die with a dump', () => {
    const over = build(everyOption(measured.fit + 1));
    const count = measured.base + (measured.fit + 1) * measured.perDestination;
    expect(resourceCeilingProblem(over.stack, over.props)).toBe(
      `Refusing to synthesise: the configuration's ${measured.fit + 1} destinations (vendors, postbacks and their cancellation calls) ` +
        `make ${count} CloudFormation resources, over the limit of 500 resources in one stack; each destination costs ` +
        `${measured.perDestination} and the rest of the stack ${measured.base}, so at most ${measured.fit} destinations fit. ` +
        'Remove 1 destination (a postback with a cancel template counts as two), or deploy the rest as another stage (-c stage=<name>) from a second configuration.',
    );
    expect(() => Template.fromStack(over.stack)).toThrow(`${count} is greater than allowed maximum of 500`);
  });
});

describe('bin/app.ts over the ceiling', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'resource-ceiling-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops before synthesis with the sentence, not CDK\'s dump of resource types', () => {
    const { fit } = documented();
    const config = join(dir, 'many.json');
    writeFileSync(config, JSON.stringify(everyOption(fit + 6)));
    const result = spawnSync(process.execPath, ['--import', 'tsx', join('bin', 'app.ts')], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_OUTDIR: join(dir, 'cdk.out'), CDK_CONTEXT_JSON: JSON.stringify({ ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [], config }) },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^Refusing to synthesise: the configuration's ${fit + 6} destinations .* make \\d+ CloudFormation resources, over the limit of 500 resources in one stack; .* so at most ${fit} destinations fit\\. Remove 6 destinations`, 'm'),
    );
    expect(result.stderr).not.toContain('greater than allowed maximum');
  });
});
