/**
 * Vendor credentials in the synthesised stack: which function's bundled configuration holds which credential, and
 * which function's role may read a credential kept in Secrets Manager. Bundling is skipped; the runtime configuration
 * each function's asset receives is `TrackingFunction.runtimeConfig` (test/artifacts reads the assets themselves).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseConfig } from '../../lambdas/config/schema';
import type { RuntimeConfig } from '../../lambdas/contract/runtime-config';
import { API_FUNCTIONS, ApiFunctionName } from '../../lambdas/contract/shape';
import type { TrackingFunction } from '../../lib/constructs/tracking-function';
import { TrackingStack } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

/** Each credential value, and the destinations whose senders alone may hold it. */
const CREDENTIALS = {
  klevuKey: { value: 'klevu-live-8f3c2a71d9', holders: ['klevu'] },
  awinUrlToken: { value: 'awin-url-token-51e0c7', holders: ['awin'] },
  awinCancelToken: { value: 'awin-cancel-token-9b44de', holders: ['awin-cancel'] },
  awinHeader: { value: 'awin-header-secret-0d7f3b', holders: ['awin', 'awin-cancel'] },
  netUserInfo: { value: 'net-basic-password-6a1e', holders: ['net'] },
} as const;

const CONFIG = parseConfig({
  vendors: {
    kelkoo: { country: 'fr', comId: '200874512', referer: 'https://www.boutique-lyon.fr' },
    klevu: { apiKey: CREDENTIALS.klevuKey.value },
  },
  postbacks: {
    awin: {
      clickIdParam: 'awc',
      url: `https://www.awin1.com/sread.php?tt=ss&token=${CREDENTIALS.awinUrlToken.value}&ref={order.orderId}&cks={clickId}`,
      headers: { 'X-Auth-Token': CREDENTIALS.awinHeader.value },
      cancel: { url: `https://www.awin1.com/cancel.php?token=${CREDENTIALS.awinCancelToken.value}&ref={order.orderId}` },
    },
    net: { clickIdParam: 'nclk', url: `https://shop:${CREDENTIALS.netUserInfo.value}@track.net.example/pb?o={order.orderId}&c={clickId}` },
    vault: { clickIdParam: 'vclk', url: { secret: 'shop/vault-postback-url' }, headers: { Authorization: { secret: 'shop/vault-bearer' } } },
  },
});

/** The same shop with the Klevu key in Secrets Manager. */
const KLEVU_IN_SECRETS_MANAGER = parseConfig({ vendors: { klevu: { apiKey: { secret: 'shop/klevu-api-key' } } } });

interface Synthesised {
  stack: TrackingStack;
  template: Template;
}

function synthesise(config: typeof CONFIG): Synthesised {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new TrackingStack(app, 'ConversionTracking-prod', { config });
  return { stack, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Every function of the stack by a readable name: API function names, and each sender's destination id. */
function functionsOf(s: Synthesised): Map<string, TrackingFunction> {
  return new Map<string, TrackingFunction>([
    ...(Object.entries(s.stack.apiFunctions) as [string, TrackingFunction][]).map(([name, fn]) => [`api:${name}`, fn] as [string, TrackingFunction]),
    ...[...s.stack.deliveries].map(([id, delivery]) => [id, delivery.sender] as [string, TrackingFunction]),
  ]);
}

function statementsOf(s: Synthesised, fn: TrackingFunction): { Action: string | string[]; Resource: unknown }[] {
  const policies = s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: logicalId(s.stack, fn.role!) }]) } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

let s: Synthesised;
let klevuSecret: Synthesised;

beforeAll(() => {
  s = synthesise(CONFIG);
  klevuSecret = synthesise(KLEVU_IN_SECRETS_MANAGER);
});

describe('bundled configurations', () => {
  it('hold each credential in its own sender’s configuration only – never an API function’s', () => {
    const found: Record<string, string[]> = {};
    for (const [name, fn] of functionsOf(s)) {
      for (const [credential, { value }] of Object.entries(CREDENTIALS)) {
        if (fn.runtimeConfig!.includes(value)) (found[credential] ??= []).push(name);
      }
    }
    expect(found).toEqual(Object.fromEntries(Object.entries(CREDENTIALS).map(([credential, { holders }]) => [credential, [...holders]])));
  });

  it('give a sender its own destination alone', () => {
    for (const [name, fn] of functionsOf(s)) {
      if (name.startsWith('api:')) continue;
      const config = JSON.parse(fn.runtimeConfig!) as RuntimeConfig;
      const entry = name.endsWith('-cancel') ? name.slice(0, -'-cancel'.length) : name;
      expect({ name, entries: [...Object.keys(config.vendors), ...Object.keys(config.postbacks)] }).toEqual({ name, entries: [entry] });
      expect(config).not.toHaveProperty('deliveryQueues');
    }
  });

  it('give the API functions every destination with its credentials redacted – a URL keeps its origin and length – and only the queues they send to', () => {
    const conversion = JSON.parse(s.stack.apiFunctions.conversion.runtimeConfig!) as RuntimeConfig;
    expect(Object.keys(conversion.postbacks)).toEqual(['awin', 'net', 'vault']);
    expect(conversion.vendors.klevu!.apiKey).toBe('[redacted]');
    expect(conversion.postbacks.awin!.headers).toEqual({ 'X-Auth-Token': '[redacted]' });
    const url = conversion.postbacks.awin!.url;
    expect(url.startsWith('https://www.awin1.com/')).toBe(true);
    expect(url).toContain('{order.orderId}');
    expect(url).toHaveLength(CONFIG.postbacks.awin!.url.length);
    expect(conversion.postbacks.net!.url.startsWith('https://track.net.example/')).toBe(true);
    expect(conversion.postbacks.vault!.url).toBe('https://secret.invalid/');
    expect(conversion).not.toHaveProperty('secrets');
    expect(Object.keys(conversion.deliveryQueues!).sort()).toEqual(['awin', 'klevu', 'kelkoo', 'net', 'vault'].sort());
    const cancellation = JSON.parse(s.stack.apiFunctions.cancellation.runtimeConfig!) as RuntimeConfig;
    expect(Object.keys(cancellation.deliveryQueues!)).toEqual(['awin-cancel']);
    for (const name of ['capture', 'identify', 'status', 'deliveries'] as ApiFunctionName[]) {
      expect(JSON.parse(s.stack.apiFunctions[name].runtimeConfig!)).not.toHaveProperty('deliveryQueues');
    }
  });

  it('tell a sender where its credentials kept in Secrets Manager go, and no other function', () => {
    const vault = JSON.parse(s.stack.deliveries.get('vault')!.sender.runtimeConfig!) as RuntimeConfig;
    expect(vault.secrets).toEqual([
      { path: ['postbacks', 'vault', 'url'], secret: 'shop/vault-postback-url' },
      { path: ['postbacks', 'vault', 'headers', 'Authorization'], secret: 'shop/vault-bearer' },
    ]);
    for (const [name, fn] of functionsOf(s)) {
      if (name !== 'vault') expect({ name, secrets: (JSON.parse(fn.runtimeConfig!) as RuntimeConfig).secrets }).toEqual({ name, secrets: undefined });
    }
  });
});

describe('Secrets Manager grants', () => {
  const secretArn = (name: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:${name}-??????`]],
  });

  it('let only the sender that uses a credential read its secret, on the secret’s ARN (any random suffix) and nothing else', () => {
    for (const [config, secrets, owner] of [
      [s, ['shop/vault-postback-url', 'shop/vault-bearer'], 'vault'],
      [klevuSecret, ['shop/klevu-api-key'], 'klevu'],
    ] as const) {
      for (const [name, fn] of functionsOf(config)) {
        const statements = statementsOf(config, fn);
        const granted = statements
          .filter((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue'))
          .flatMap((st) => [st.Resource].flat())
          .filter((resource) => JSON.stringify(resource).includes(':secret:'));
        const expected = name === owner ? secrets.map(secretArn) : [];
        expect({ name, granted: granted.map((r) => JSON.stringify(r)).sort() }).toEqual({ name, granted: expected.map((r) => JSON.stringify(r)).sort() });
      }
    }
  });

  it('let the API functions read the API keys secret and no other', () => {
    for (const fn of Object.values(s.stack.apiFunctions)) {
      const resources = statementsOf(s, fn)
        .filter((st) => [st.Action].flat().some((a) => a.startsWith('secretsmanager:')))
        .flatMap((st) => [st.Resource].flat());
      expect(resources).toEqual([{ Ref: logicalId(s.stack, s.stack.apiKeys) }]);
    }
    expect(Object.keys(API_FUNCTIONS)).toHaveLength(Object.keys(s.stack.apiFunctions).length);
  });
});
