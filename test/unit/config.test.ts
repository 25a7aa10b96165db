import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lambdas/config/load';
import { parseConfig } from '../../lambdas/config/schema';
import { ConfigurationError } from '../../lambdas/core/errors';
import { retryDelaySeconds } from '../../lambdas/sender/backoff';
import { runtimeConfigOf, serializeRuntimeConfig } from '../../lambdas/contract/runtime-config';
import { SPEC_VENDORS, specConfig } from '../support/config';

function configError(raw: unknown): ConfigurationError {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('configuration', () => {
  it('accepts SPEC §3 example and applies defaults', () => {
    const config = specConfig();
    expect(Object.keys(config.vendors)).toEqual(['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor']);
    expect(parseConfig({ vendors: { kelkoo: SPEC_VENDORS.kelkoo } })).toMatchObject({
      delivery: { maxAttempts: 5, retryBaseSeconds: 30, timeoutMs: 5000 },
      retentionDays: 400,
      lateReportHours: 72,
    });
  });

  it('validates lateReportHours and hands it to the functions with the rest of the runtime configuration', () => {
    const config = parseConfig({ vendors: { kelkoo: SPEC_VENDORS.kelkoo }, lateReportHours: 24 });
    expect(JSON.parse(serializeRuntimeConfig(runtimeConfigOf(config)))).toMatchObject({ lateReportHours: 24 });
    for (const bad of [0, 721, 1.5, '72']) expect(configError({ vendors: {}, lateReportHours: bad }).details.map((d) => d.field)).toEqual(['lateReportHours']);
  });

  it.each([
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: 'abc' } } }, 'vendors.kelkoo.comId'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, referer: 'not a url' } } }, 'vendors.kelkoo.referer'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, accounts: { fr: { comId: 1 } } } } }, 'vendors.kelkoo.accounts'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: undefined } } }, 'vendors.kelkoo.comId'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: undefined, accounts: { fr: { comId: 'x1' } } } } }, 'vendors.kelkoo.accounts.fr.comId'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: undefined, accounts: { fra: { comId: 1 } } } } }, 'vendors.kelkoo.accounts.fra'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: undefined, accounts: { be: { comId: 1 } } } } }, 'vendors.kelkoo.country'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: undefined, accounts: { be: { comId: 1, referer: 'x' } } } } }, 'vendors.kelkoo.accounts.be.referer'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: undefined, country: undefined, accounts: { fr: { comId: 1 }, be: { comId: 2 } } } } }, 'vendors.kelkoo.defaultCountry'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: undefined, defaultCountry: 'be', accounts: { fr: { comId: 1 }, be: { comId: 2 } } } } }, 'vendors.kelkoo.defaultCountry'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: undefined, country: undefined, defaultCountry: 'de', accounts: { fr: { comId: 1 } } } } }, 'vendors.kelkoo.defaultCountry'],
    [{ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, country: undefined } } }, 'vendors.kelkoo.country'],
    [{ vendors: { unknownvendor: {} } }, 'vendors'],
    [{ vendors: {}, delivery: { maxAttempts: 4 } }, 'delivery.maxAttempts'],
    [{ vendors: {}, alarmEmail: 'nope' }, 'alarmEmail'],
    [{ vendors: {}, retentionDays: 0 }, 'retentionDays'],
    [{ vendors: { raptor: { ...SPEC_VENDORS.raptor, purchaseParams: { p1: '{item.sku}' } } } }, 'vendors.raptor.purchaseParams.p1'],
  ])('fails fast naming the bad field (%#)', (raw, field) => {
    const error = configError(raw);
    expect(error.details.map((d) => d.field)).toContain(field);
    expect(error.message).toContain(field);
  });

  it("accepts SPEC §3's Kelkoo shape: accounts with defaultCountry, no top-level country or comId", () => {
    const { kelkoo } = parseConfig({
      vendors: {
        kelkoo: { referer: 'https://www.shop.example', accounts: { fr: { comId: '100475501' }, BE: { comId: '100503562' } }, defaultCountry: 'fr' },
      },
    }).vendors as unknown as { kelkoo: { country: string; accounts: Record<string, { comId: string; referer: string }> } };
    expect(kelkoo.country).toBe('fr');
    expect(kelkoo.accounts).toEqual({
      fr: { comId: '100475501', referer: 'https://www.shop.example' },
      be: { comId: '100503562', referer: 'https://www.shop.example' },
    });
    // One account needs no default: it is the default.
    const single = parseConfig({ vendors: { kelkoo: { referer: 'https://www.shop.example', accounts: { be: { comId: 7 } } } } }).vendors as unknown as {
      kelkoo: { country: string };
    };
    expect(single.kelkoo.country).toBe('be');
  });

  it('reports an unreadable or non-JSON file clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    expect(() => loadConfig({ path: join(dir, 'broken.json'), isExample: false })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ path: join(dir, 'missing.json'), isExample: false })).toThrow(/Cannot read configuration file/);
  });
});

describe('retry backoff', () => {
  it('grows exponentially from the base with jitter between half and the full delay', () => {
    expect(retryDelaySeconds(1, 30, () => 0)).toBe(15);
    expect(retryDelaySeconds(1, 30, () => 0.999999)).toBe(30);
    expect(retryDelaySeconds(3, 30, () => 0.999999)).toBe(120);
    expect(retryDelaySeconds(4, 30, () => 0)).toBe(120);
  });

  it("honours a longer Retry-After and caps at SQS's longest message delay", () => {
    expect(retryDelaySeconds(1, 1, () => 0, 90)).toBe(90);
    expect(retryDelaySeconds(30, 30, () => 1)).toBe(15 * 60);
  });
});
