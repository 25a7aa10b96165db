import { parseConfig } from '../../lambdas/config/schema';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import { ConfigurationError } from '../../lambdas/core/errors';

const awin = { clickIdParam: 'awc', url: 'https://n.example/pb?ref={order.orderId}&cks={clickId}' };

function fields(raw: unknown): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.details.map((d) => d.field);
    throw error;
  }
}

describe('configuration bounds', () => {
  it.each([
    ['delivery.maxAttempts', { delivery: { maxAttempts: 5 } }, { delivery: { maxAttempts: 4 } }],
    ['delivery.maxAttempts', { delivery: { maxAttempts: 1000 } }, { delivery: { maxAttempts: 1001 } }],
    ['delivery.maxAttempts', { delivery: { maxAttempts: 6 } }, { delivery: { maxAttempts: 5.5 } }],
    ['delivery.retryBaseSeconds', { delivery: { retryBaseSeconds: 0, retryFor: '0s' } }, { delivery: { retryBaseSeconds: -1 } }],
    ['delivery.retryBaseSeconds', { delivery: { retryBaseSeconds: 3600 } }, { delivery: { retryBaseSeconds: 3601 } }],
    ['delivery.timeoutMs', { delivery: { timeoutMs: 100 } }, { delivery: { timeoutMs: 99 } }],
    ['delivery.timeoutMs', { delivery: { timeoutMs: 30000 } }, { delivery: { timeoutMs: 30001 } }],
    ['delivery', { delivery: {} }, { delivery: { extra: 1 } }],
    ['retentionDays', { retentionDays: 1 }, { retentionDays: 0 }],
    ['retentionDays', { retentionDays: 3650 }, { retentionDays: 3651 }],
    ['retentionDays', { retentionDays: 30 }, { retentionDays: 30.5 }],
    ['alarmEmail', { alarmEmail: 'ops@shop.example' }, { alarmEmail: 'ops' }],
    ['local.apiKeys.0', { local: { apiKeys: ['12345678'] } }, { local: { apiKeys: ['1234567'] } }],
    ['local.apiKeys', { local: { apiKeys: ['12345678'] } }, { local: { apiKeys: [] } }],
    ['postbacks.a', { postbacks: { ab: awin } }, { postbacks: { a: awin } }],
    [`postbacks.a${'b'.repeat(31)}`, { postbacks: { [`a${'b'.repeat(30)}`]: awin } }, { postbacks: { [`a${'b'.repeat(31)}`]: awin } }],
    ['postbacks.1ab', { postbacks: { 'a-1': awin } }, { postbacks: { '1ab': awin } }],
    ['postbacks.klevu', { postbacks: { klevux: awin } }, { postbacks: { klevu: awin } }],
    ['', { vendors: {} }, { vendors: {}, unknown: 1 }],
  ])('%s: accepts the limit, rejects past it', (field, ok, bad) => {
    expect(fields({ vendors: {}, ...ok })).toEqual([]);
    expect(fields({ vendors: {}, ...bad })).toContain(field === '' ? '(body)' : field);
  });

  it('defaults every optional section', () => {
    expect(parseConfig({ vendors: {} })).toEqual({
      vendors: {},
      postbacks: {},
      delivery: { maxAttempts: 5, retryFor: '24h', retryBaseSeconds: 30, maxRetryDelay: '15m', timeoutMs: 5000, minDeliveryRatio: 0.95 },
      retentionDays: 400,
      lateReportHours: 72,
      secrets: [],
      observability: { tracing: false },
      attribution: { exclusive: {} },
    });
    expect(parseConfig({ vendors: {}, delivery: { maxAttempts: 7 } }).delivery).toEqual({ maxAttempts: 7, retryFor: '24h', retryBaseSeconds: 30, maxRetryDelay: '15m', timeoutMs: 5000, minDeliveryRatio: 0.95 });
  });

  it('says what is wrong with a postback name, not only that the key is invalid', () => {
    const message = (raw: unknown) => {
      try {
        parseConfig(raw);
      } catch (error) {
        return (error as ConfigurationError).message;
      }
      throw new Error('expected a ConfigurationError');
    };
    expect(message({ vendors: {}, postbacks: { kelkoo: awin } })).toBe(
      'Invalid configuration: postbacks.kelkoo: a postback may not take the name of a built-in vendor',
    );
    expect(message({ vendors: {}, postbacks: { Awin: awin } })).toBe(
      'Invalid configuration: postbacks.Awin: postback names are 2–31 lower-case letters, digits or -, starting with a letter',
    );
  });
});

describe('destinations', () => {
  it('takes only the vendors present, in registry order, then the postbacks in configuration order', () => {
    const config = parseConfig({
      vendors: { klevu: { apiKey: 'k' }, kelkoo: { country: 'fr', comId: 1, referer: 'https://shop.example' } },
      postbacks: { zeta: awin, awin },
    });
    expect(destinationsOf(config).map((d) => d.id)).toEqual(['kelkoo', 'klevu', 'zeta', 'awin']);
    expect(destinationsOf({ vendors: { kelkoo: undefined } as never }).map((d) => d.id)).toEqual([]);
    expect(destinationsOf({ vendors: {} } as never)).toEqual([]);
  });

  it('hands each destination its own configuration, and builds the catalogue from their click ids', () => {
    const config = parseConfig({ vendors: { klevu: { apiKey: 'k', attributionDays: 3 } }, postbacks: { awin } });
    const destinations = destinationsOf(config);
    expect(destinations.map((d) => d.config)).toEqual([config.vendors.klevu, config.postbacks.awin]);
    expect(Object.fromEntries([...catalogueOf(destinations).values()].map((e) => [e.key, e.windows]))).toEqual({
      'klevu.uuid': { klevu: 3 * 86_400 },
      awc: { awin: 30 * 86_400 },
    });
  });
});
