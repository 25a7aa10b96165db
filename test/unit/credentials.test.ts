/**
 * Vendor credentials (lambdas/config/credentials.ts): `{"secret": "<name>"}` in place of a credential, what each kind
 * of function is given of them, how a sender reads them at run time (lambdas/runtime/secrets.ts) and how the local
 * stack does (local/secrets.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import {
  configForDestination,
  redactCredentials,
  redactUrlTemplate,
  resolveSecretFields,
  SECRET_PLACEHOLDER,
  SECRET_URL_PLACEHOLDER,
} from '../../lambdas/config/credentials';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { apiRuntimeConfig, RuntimeConfig, runtimeConfigOf, senderRuntimeConfig } from '../../lambdas/contract/runtime-config';
import { ConfigurationError } from '../../lambdas/core/errors';
import { withVendorSecrets } from '../../lambdas/runtime/secrets';
import { localSecretsFile, withLocalSecrets } from '../../local/secrets';
import { vendorHostsCheck } from '../../scripts/smoke';

const AWIN_URL = 'https://www.awin1.com/sread.php?tt=ss&token=URLTOKEN123&ref={order.orderId}&cks={clickId}';

function shop(): TrackingConfig {
  return parseConfig({
    vendors: { klevu: { apiKey: { secret: 'shop/klevu' } }, kelkoo: { country: 'fr', comId: '200874512', referer: 'https://www.boutique-lyon.fr' } },
    postbacks: {
      awin: {
        clickIdParam: 'awc',
        url: AWIN_URL,
        headers: { 'X-Token': 'HEADERTOKEN456' },
        cancel: { url: { secret: 'shop/awin-cancel-url' } },
      },
    },
  });
}

const issuesOf = (raw: unknown): string[] => {
  try {
    parseConfig(raw);
  } catch (error) {
    return (error as ConfigurationError).details.map((d) => `${d.field}: ${d.message}`);
  }
  throw new Error('expected a ConfigurationError');
};

describe('{"secret": …} in the configuration file', () => {
  it('validates the rest of the entry with a placeholder in the field, and lists where each secret goes', () => {
    const config = shop();
    expect(config.vendors.klevu!.apiKey).toBe(SECRET_PLACEHOLDER);
    expect(config.postbacks.awin!.cancel!.url).toBe(SECRET_URL_PLACEHOLDER);
    expect(config.secrets).toEqual([
      { path: ['vendors', 'klevu', 'apiKey'], secret: 'shop/klevu' },
      { path: ['postbacks', 'awin', 'cancel', 'url'], secret: 'shop/awin-cancel-url' },
    ]);
    // A configuration parsed before parses again to itself (tests and tools do).
    expect(parseConfig(config)).toEqual(config);
  });

  it('is refused where no credential is, malformed, or as a `secrets` list written by hand', () => {
    expect(issuesOf({ vendors: { kelkoo: { country: 'fr', comId: { secret: 'x' }, referer: 'https://www.boutique-lyon.fr' } } })).toEqual([
      "vendors.kelkoo.comId: only a credential may be read from Secrets Manager: vendors.klevu.apiKey, and a postback's url, cancel.url and headers",
    ]);
    expect(issuesOf({ vendors: { klevu: { apiKey: { secret: 'has spaces' } } } })).toEqual([
      'vendors.klevu.apiKey: must be {"secret": "<Secrets Manager secret name or ARN>"} with nothing else, or the value itself',
    ]);
    expect(issuesOf({ vendors: { klevu: { apiKey: { secret: 'ok', version: 2 } } } })).toHaveLength(1);
    expect(issuesOf({ vendors: { klevu: { apiKey: 'k' } }, secrets: [{ path: ['vendors', 'klevu', 'endpoint'], secret: 'x' }] })).toEqual([
      'secrets: is not for writing: put {"secret": "<name>"} in place of the credential instead',
    ]);
  });

  it('accepts a secret by name or by its full ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/klevu-AbCdEf';
    expect(parseConfig({ vendors: { klevu: { apiKey: { secret: arn } } } }).secrets).toEqual([{ path: ['vendors', 'klevu', 'apiKey'], secret: arn }]);
  });
});

describe('what each function is given', () => {
  it('an API function: every credential redacted, a URL keeping its origin, its separators, its macros and its length in bytes', () => {
    const api = apiRuntimeConfig(shop());
    expect(api.vendors.klevu!.apiKey).toBe('[redacted]');
    expect(api.postbacks.awin!.headers).toEqual({ 'X-Token': '[redacted]' });
    expect(api.postbacks.awin!.url).toBe('https://www.awin1.com/*********?**=**&*****=***********&***={order.orderId}&***={clickId}');
    expect(api).not.toHaveProperty('secrets');
    expect(JSON.stringify(api)).not.toMatch(/URLTOKEN123|HEADERTOKEN456/);
  });

  it('redacts a URL’s user name and password too, and counts a character by its UTF-8 bytes', () => {
    expect(redactUrlTemplate('https://user:pass@h.example:8443/ä/x?k={clickId}#f')).toBe('https://h.example:8443/**/*?*={clickId}#*');
    expect(Buffer.byteLength(redactUrlTemplate('https://h.example/ä'))).toBe(Buffer.byteLength('https://h.example/ä'));
  });

  it('a sale sender: its own entry, its credentials, not its cancellation URL', () => {
    const sender = senderRuntimeConfig(shop(), 'awin');
    expect(Object.keys(sender.vendors)).toEqual([]);
    expect(sender.postbacks.awin!.url).toBe(AWIN_URL);
    expect(sender.postbacks.awin!.headers).toEqual({ 'X-Token': 'HEADERTOKEN456' });
    expect(sender.postbacks.awin!.cancel!.url).toBe(SECRET_URL_PLACEHOLDER);
    expect(sender).not.toHaveProperty('secrets');
  });

  it('a cancellation sender: its cancellation URL (here a secret), the sale’s headers, not the sale URL', () => {
    const sender = senderRuntimeConfig(shop(), 'awin-cancel');
    expect(sender.postbacks.awin!.url).not.toContain('URLTOKEN123');
    expect(sender.postbacks.awin!.headers).toEqual({ 'X-Token': 'HEADERTOKEN456' });
    expect(sender.secrets).toEqual([{ path: ['postbacks', 'awin', 'cancel', 'url'], secret: 'shop/awin-cancel-url' }]);
  });

  it('a vendor’s sender: its own vendor alone, with the secret of its key', () => {
    const sender = senderRuntimeConfig(shop(), 'klevu');
    expect({ vendors: Object.keys(sender.vendors), postbacks: Object.keys(sender.postbacks) }).toEqual({ vendors: ['klevu'], postbacks: [] });
    expect(sender.secrets).toEqual([{ path: ['vendors', 'klevu', 'apiKey'], secret: 'shop/klevu' }]);
    expect(senderRuntimeConfig(shop(), 'kelkoo')).not.toHaveProperty('secrets');
    expect(() => configForDestination(runtimeConfigOf(shop()), 'nobody')).toThrow('nobody is not a destination of this configuration');
    expect(redactCredentials(runtimeConfigOf(shop()))).not.toHaveProperty('secrets');
  });
});

describe('a secret’s value, when its sender reads it', () => {
  it('goes where the placeholder was, checked – and trimmed – by the field’s own rules', () => {
    const resolved = resolveSecretFields(senderRuntimeConfig(shop(), 'klevu'), { 'shop/klevu': ' klevu-abc\n' });
    expect(resolved.vendors.klevu!.apiKey).toBe('klevu-abc');
    expect(resolved.secrets).toEqual([]);
  });

  it('is refused when it breaks the field’s rules, naming the field and the secret and never the value', () => {
    const config = senderRuntimeConfig(shop(), 'awin-cancel');
    let error: ConfigurationError | undefined;
    try {
      resolveSecretFields(config, { 'shop/awin-cancel-url': 'ftp://cancel.example/TOPSECRET?ref={order.orderId}' });
    } catch (caught) {
      error = caught as ConfigurationError;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error!.message).toContain('postbacks.awin.cancel.url: must be an http(s) URL (from secret shop/awin-cancel-url)');
    expect(error!.message).not.toContain('TOPSECRET');
    expect(() => resolveSecretFields(config, {})).toThrow('postbacks.awin.cancel.url: secret shop/awin-cancel-url has no value');
  });
});

describe('withVendorSecrets', () => {
  const event = { Records: [] } as unknown as SQSEvent;
  const context = {} as Context;

  it('builds the sender once, from the configuration as it is, when nothing is kept in Secrets Manager', async () => {
    const built: RuntimeConfig[] = [];
    const reader = jest.fn(async () => 'never');
    const handler = withVendorSecrets(senderRuntimeConfig(shop(), 'kelkoo'), (config) => (built.push(config), async () => ({ batchItemFailures: [] })), reader);
    await handler(event, context);
    await handler(event, context);
    expect(built).toHaveLength(1);
    expect(reader).not.toHaveBeenCalled();
  });

  it('reads the secret for every batch (the cache decides whether that asks Secrets Manager) and builds the sender again only when it changed', async () => {
    let value = 'klevu-first';
    const reader = jest.fn(async () => value);
    const keys: string[] = [];
    const handler = withVendorSecrets(senderRuntimeConfig(shop(), 'klevu'), (config) => {
      const key = config.vendors.klevu!.apiKey;
      return async () => (keys.push(key), { batchItemFailures: [] });
    }, reader);
    await handler(event, context);
    await handler(event, context);
    value = 'klevu-rotated';
    await handler(event, context);
    expect(reader).toHaveBeenCalledTimes(3);
    expect(reader).toHaveBeenCalledWith('shop/klevu');
    expect(keys).toEqual(['klevu-first', 'klevu-first', 'klevu-rotated']);
  });

  it('fails the invocation when the secret cannot be read or breaks the rules, so the batch is retried', async () => {
    const failing = withVendorSecrets(senderRuntimeConfig(shop(), 'klevu'), () => async () => ({ batchItemFailures: [] }), async () => {
      throw new Error('AccessDeniedException');
    });
    await expect(failing(event, context)).rejects.toThrow('AccessDeniedException');
    const invalid = withVendorSecrets(senderRuntimeConfig(shop(), 'klevu'), () => async () => ({ batchItemFailures: [] }), async () => '   ');
    await expect(invalid(event, context)).rejects.toThrow(/vendors\.klevu\.apiKey: .*\(from secret shop\/klevu\)/);
  });
});

describe('the local stack’s secrets file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'local-secrets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is .local-stack/secrets.json unless local.secretsFile names one, relative to the configuration file', () => {
    expect(localSecretsFile({}, '/srv/shop/tracking.json')).toMatch(/\.local-stack\/secrets\.json$/);
    expect(localSecretsFile({ local: { secretsFile: 'dev-secrets.json' } }, '/srv/shop/tracking.json')).toBe('/srv/shop/dev-secrets.json');
  });

  it('fills every secret in, and names the file and the secret when it cannot', () => {
    const configPath = join(dir, 'tracking.json');
    const config = { ...shop(), local: { secretsFile: 'secrets.json' } };
    expect(() => withLocalSecrets(config, configPath)).toThrow(`the local stack reads secrets from ${join(dir, 'secrets.json')}`);
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ 'shop/klevu': 'klevu-local' }));
    expect(() => withLocalSecrets(config, configPath)).toThrow(`The local secrets file ${join(dir, 'secrets.json')} has no text value for shop/awin-cancel-url`);
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ 'shop/klevu': 'klevu-local', 'shop/awin-cancel-url': 'https://c.example/x?r={order.orderId}' }));
    const resolved = withLocalSecrets(config, configPath);
    expect(resolved.vendors.klevu!.apiKey).toBe('klevu-local');
    expect(resolved.postbacks.awin!.cancel!.url).toBe('https://c.example/x?r={order.orderId}');
    expect(resolved.secrets).toEqual([]);
    const plain = parseConfig({ vendors: {} });
    expect(withLocalSecrets(plain, join(dir, 'nowhere', 'x.json'))).toBe(plain);
  });
});

describe('npm run smoke on a postback whose URL is kept in Secrets Manager', () => {
  it('reports that only its sender knows the host, and judges the other vendors’ hosts as before', () => {
    const result = vendorHostsCheck(
      [
        { vendor: 'vault', status: 'planned', requests: [{ method: 'GET', url: SECRET_URL_PLACEHOLDER }] },
        { vendor: 'kelkoo', status: 'planned', requests: [{ method: 'GET', url: 'https://s.kelkoogroup.net/st?orderId=1' }] },
      ],
      { judgeVendorHosts: true },
    );
    expect(result.ok).toBe(true);
    expect(result.lines).toEqual([
      'vault   its URL is kept in Secrets Manager: only its sender knows the host',
      'kelkoo  https://s.kelkoogroup.net',
    ]);
    const sandboxed = vendorHostsCheck([{ vendor: 'net', status: 'planned', requests: [{ method: 'GET', url: 'http://127.0.0.1:3000/sandbox/net' }] }], { judgeVendorHosts: true });
    expect(sandboxed.ok).toBe(false);
  });
});
