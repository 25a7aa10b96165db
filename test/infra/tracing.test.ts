/**
 * `observability.tracing`: off by default (PassThrough, no tracer loaded: test/infra/stack.test.ts), on it makes every
 * function's tracing mode Active and tells the code to load Powertools Tracer. What the traced bundles send is checked
 * in test/artifacts/artifacts.test.ts ("X-Ray, with observability.tracing").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { esbuildOptions } from '../../bench/bundles';
import { entryPath } from '../../lib/constructs/paths';
import { TRACKING_BUNDLING, trackingBundling } from '../../lib/constructs/tracking-function';
import { parseConfig } from '../../lambdas/config/schema';
import { TRACING_ENABLED_VARIABLE } from '../../lambdas/contract/runtime-config';
import { NO_TRACING, orderIdOfRecord, orderIdOfRequest, tracingOf } from '../../lambdas/runtime/tracing';
import { TrackingStack } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

function synthesise(observability?: { tracing: boolean }) {
  const config = parseConfig({
    vendors: { kelkoo: { country: 'fr', comId: '200874512', referer: 'https://www.boutique-lyon.fr' } },
    postbacks: { awin: { clickIdParam: 'awc', url: 'https://www.awin1.com/sread.php?ref={order.orderId}&cks={clickId}', cancel: { url: 'https://www.awin1.com/c?ref={order.orderId}' } } },
    ...(observability ? { observability } : {}),
  });
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new TrackingStack(app, 'ConversionTracking-prod', { config });
  return { stack, template: Template.fromStack(stack) };
}

describe('observability.tracing', () => {
  it('is off unless set', () => {
    expect(parseConfig({ vendors: {} }).observability).toEqual({ tracing: false });
    expect(() => parseConfig({ vendors: {}, observability: { tracing: 'yes' } })).toThrow(/observability\.tracing/);
  });

  it('off: every function passes through, without the tracer’s switch, acknowledged in cdk-nag with the reason', () => {
    const { stack, template } = synthesise();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'PassThrough' });
      expect(fn.Properties.Environment.Variables).not.toHaveProperty(TRACING_ENABLED_VARIABLE);
    }
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.keys(m.data as Record<string, string>));
    expect(acknowledged.filter((id) => id.includes('Serverless-LambdaTracing')).length).toBe(Object.keys(template.findResources('AWS::Lambda::Function')).length);
  });

  it('on: every function – API, sale and cancellation senders – traces actively and loads the tracer, and cdk-nag needs no acknowledgement for it', () => {
    const { stack, template } = synthesise({ tracing: true });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBe(6 + 3);
    for (const fn of functions) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables[TRACING_ENABLED_VARIABLE]).toBe('true');
    }
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.keys(m.data as Record<string, string>));
    expect(acknowledged.filter((id) => id.includes('Serverless-LambdaTracing'))).toEqual([]);
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });
});

describe('the bundles', () => {
  /** The node_modules packages a function's bundle holds, built as CDK builds it. */
  async function bundledPackages(tracing: boolean): Promise<string[]> {
    const result = await build({ ...esbuildOptions(trackingBundling(tracing)), entryPoints: [entryPath('sender')], write: false, outdir: 'out', metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs).filter((path) => path.includes('node_modules/'));
    return [...new Set(inputs.map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)![1]!))];
  }

  it('hold neither Powertools Tracer nor the X-Ray SDK without the option, and both with it', async () => {
    expect(trackingBundling(false)).toBe(TRACKING_BUNDLING);
    const untraced = await bundledPackages(false);
    expect(untraced).toContain('@aws-lambda-powertools/logger');
    expect(untraced.filter((p) => p.includes('xray') || p.includes('tracer'))).toEqual([]);
    const traced = await bundledPackages(true);
    expect(traced).toEqual(expect.arrayContaining(['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core']));
  }, 60_000);
});

describe('the runtime side of the switch', () => {
  it('is no tracing at all without the variable: the tracer is not even loaded', () => {
    expect(tracingOf({}, 'conversion-tracking-prod')).toBe(NO_TRACING);
    expect(tracingOf({ [TRACING_ENABLED_VARIABLE]: 'false' }, 'conversion-tracking-prod')).toBe(NO_TRACING);
    const client = {};
    expect(NO_TRACING.client(client)).toBe(client);
  });

  it('annotates with the order an API request or a delivery message concerns', () => {
    expect(orderIdOfRequest({ pathParameters: { orderId: 'CMD/1' } })).toBe('CMD/1');
    expect(orderIdOfRequest({ body: JSON.stringify({ orderId: 'CMD0572084' }) })).toBe('CMD0572084');
    expect(orderIdOfRequest({ body: Buffer.from(JSON.stringify({ orderId: 'B64' })).toString('base64'), isBase64Encoded: true })).toBe('B64');
    expect(orderIdOfRequest({ body: 'not json' })).toBeUndefined();
    expect(orderIdOfRequest({ body: JSON.stringify({ visitor: {} }) })).toBeUndefined();
    expect(orderIdOfRecord({ body: JSON.stringify({ destination: 'kelkoo', order: { orderId: 'CMD9' } }) })).toBe('CMD9');
    expect(orderIdOfRecord({ body: '{' })).toBeUndefined();
  });
});
