/**
 * `vendors.<v>.paused` / `postbacks.<p>.paused` and `api.throttle` in the configuration: what is accepted, what is
 * refused naming the field, which destinations a flag pauses, which throttle each route gets, and how the status route
 * presents a paused destination's waiting deliveries.
 */
import { isPaused, pausedDestinationIds } from '../../lambdas/config/paused';
import { configSchema, parseConfig } from '../../lambdas/config/schema';
import { runtimeConfigOf } from '../../lambdas/contract/runtime-config';
import { API_ROUTES, API_THROTTLE } from '../../lambdas/contract/shape';
import { DEFAULT_API_THROTTLE, routeKeyOf, routeThrottles, THROTTLE_CLASS, throttleOfRoute } from '../../lambdas/contract/throttle';
import { showPaused } from '../../lambdas/api/status';
import { configIssues } from '../support/config-issues';
import { SPEC_VENDORS } from '../support/config';

const AWIN = {
  clickIdParam: 'awc',
  url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}',
  cancel: { url: 'https://www.awin1.com/cancel.php?ref={order.orderId}' },
};
const TRADEDOUBLER = { clickIdParam: 'tduid', url: 'https://tbs.tradedoubler.com/report?o={order.orderId}&t={clickId}' };

describe('paused', () => {
  const issues = configIssues(configSchema);

  it('is accepted on a vendor and on a postback, kept on the parsed configuration and in the runtime configuration', () => {
    const config = parseConfig({
      vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, paused: true }, klevu: { ...SPEC_VENDORS.klevu, paused: false }, raptor: SPEC_VENDORS.raptor },
      postbacks: { awin: { ...AWIN, paused: true }, tradedoubler: TRADEDOUBLER },
    });
    expect(config.vendors.kelkoo?.paused).toBe(true);
    expect(config.vendors.klevu?.paused).toBe(false);
    expect(config.vendors.raptor).not.toHaveProperty('paused');
    expect(config.postbacks.awin?.paused).toBe(true);
    // The vendor's own schema still ran: Kelkoo's transform built its accounts.
    expect(config.vendors.kelkoo?.accounts).toEqual({ fr: { comId: '100475501', referer: 'https://www.shop.example' } });
    expect(runtimeConfigOf(config).vendors.kelkoo?.paused).toBe(true);
  });

  it('is refused, naming the field, when it is not true or false; the destination keeps its own checks and paths', () => {
    expect(issues({ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, paused: 'yes' } } })).toEqual(['vendors.kelkoo.paused: must be true or false']);
    expect(issues({ postbacks: { awin: { ...AWIN, paused: 1 } }, vendors: {} })).toEqual(['postbacks.awin.paused: must be true or false']);
    expect(issues({ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, comId: 'abc', paused: true } } })).toEqual(['vendors.kelkoo.comId: must be a number']);
    expect(issues({ vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, pause: true } } })).toEqual([expect.stringMatching(/^vendors\.kelkoo: .*pause/)]);
    expect(issues({ vendors: { kelkoo: 'paused' } })).toEqual([expect.stringMatching(/^vendors\.kelkoo: /)]);
  });

  it("pauses the destinations flagged, and a postback's cancellation calls with the postback", () => {
    const config = parseConfig({
      vendors: { kelkoo: { ...SPEC_VENDORS.kelkoo, paused: true }, klevu: { ...SPEC_VENDORS.klevu, paused: false } },
      postbacks: { awin: { ...AWIN, paused: true }, tradedoubler: TRADEDOUBLER },
    });
    expect([...pausedDestinationIds(config)].sort()).toEqual(['awin', 'awin-cancel', 'kelkoo']);
    expect(isPaused(config, 'klevu')).toBe(false);
    expect(isPaused(config, 'tradedoubler')).toBe(false);
    expect(pausedDestinationIds(parseConfig({ vendors: { kelkoo: SPEC_VENDORS.kelkoo } })).size).toBe(0);
  });
});

describe('api.throttle', () => {
  const issues = configIssues(configSchema, { vendors: {} });

  it('gives captures, conversions and cancellations routes of their own, captures below the stage default', () => {
    const throttles = routeThrottles(undefined);
    expect(throttles.default).toEqual(API_THROTTLE);
    expect(throttles.routes).toEqual({
      'POST /v1/clicks': DEFAULT_API_THROTTLE.capture,
      'POST /v1/conversions': DEFAULT_API_THROTTLE.conversion,
      'POST /v1/conversions/{orderId}/cancellation': DEFAULT_API_THROTTLE.conversion,
    });
    expect(DEFAULT_API_THROTTLE.capture.rateLimit).toBeLessThan(throttles.default.rateLimit);
    expect(DEFAULT_API_THROTTLE.capture.burstLimit).toBeLessThan(throttles.default.burstLimit);
    for (const route of API_ROUTES) {
      const expected = THROTTLE_CLASS[route.handler] === 'default' ? throttles.default : throttles.routes[routeKeyOf(route)];
      expect(throttleOfRoute(throttles, route)).toEqual(expected);
    }
  });

  it('takes each class from the configuration, the others keeping their defaults', () => {
    const config = parseConfig({ vendors: {}, api: { throttle: { capture: { rateLimit: 20, burstLimit: 40 }, default: { rateLimit: 300, burstLimit: 600 } } } });
    expect(routeThrottles(config.api)).toEqual({
      default: { rateLimit: 300, burstLimit: 600 },
      routes: {
        'POST /v1/clicks': { rateLimit: 20, burstLimit: 40 },
        'POST /v1/conversions': DEFAULT_API_THROTTLE.conversion,
        'POST /v1/conversions/{orderId}/cancellation': DEFAULT_API_THROTTLE.conversion,
      },
    });
  });

  it.each([
    [{ capture: { rateLimit: 0, burstLimit: 10 } }, 'api.throttle.capture.rateLimit'],
    [{ conversion: { rateLimit: 10_001, burstLimit: 10 } }, 'api.throttle.conversion.rateLimit'],
    [{ default: { rateLimit: 10, burstLimit: 5_001 } }, 'api.throttle.default.burstLimit'],
    [{ default: { rateLimit: 10, burstLimit: 1.5 } }, 'api.throttle.default.burstLimit'],
    [{ capture: { rateLimit: 10 } }, 'api.throttle.capture.burstLimit'],
    [{ identify: { rateLimit: 10, burstLimit: 10 } }, 'api.throttle'],
  ])('refuses %j naming %s', (throttle, field) => {
    expect(issues({ api: { throttle } }).map((issue) => issue.split(':')[0])).toEqual([field]);
  });
});

describe('the status route presents a paused destination', () => {
  const delivery = (vendor: string, status: string, extra: Record<string, unknown> = {}) => ({ vendor, status, attempts: 0, ...extra });

  it('shows waiting deliveries of paused destinations as paused, everything else as stored', () => {
    const order = {
      orderId: 'A-1',
      receivedAt: '2026-11-21T10:00:00.000Z',
      deliveries: [
        delivery('kelkoo', 'queued'),
        delivery('clickmeter', 'retrying', { attempts: 2, lastError: 'HTTP 503' }),
        delivery('raptor', 'sent', { attempts: 1 }),
        delivery('qualityclick', 'skipped', { reason: 'no live qc_clickid click identifier for this visitor' }),
        delivery('klevu', 'queued'),
        delivery('awin', 'sent', { cancellation: { status: 'queued', attempts: 0 } }),
      ],
    };
    const paused = new Set(['kelkoo', 'clickmeter', 'raptor', 'qualityclick', 'awin', 'awin-cancel']);
    expect(showPaused(order, paused).deliveries).toEqual([
      delivery('kelkoo', 'paused'),
      delivery('clickmeter', 'paused', { attempts: 2, lastError: 'HTTP 503' }),
      delivery('raptor', 'sent', { attempts: 1 }),
      delivery('qualityclick', 'skipped', { reason: 'no live qc_clickid click identifier for this visitor' }),
      delivery('klevu', 'queued'),
      delivery('awin', 'sent', { cancellation: { status: 'paused', attempts: 0 } }),
    ]);
    expect(showPaused(order, new Set())).toEqual(order);
  });
});
