/**
 * ClickMeter: the messages a merchant reads for a bad configuration, the anchors of the id and endpoint checks, the
 * rule that comperc only accompanies a zero com whatever configuration reaches the mapping, and what names ClickMeter
 * in records and error messages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Order } from '../../../lambdas/core/order';
import { clickmeter } from '../../../lambdas/vendors/clickmeter/adapter';
import type { ClickmeterConfig } from '../../../lambdas/vendors/clickmeter/config';
import { toPostback } from '../../../lambdas/vendors/clickmeter/mapping';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import { configIssues } from '../../support/config-issues';

const base = { conversionId: 'A531F18FCECC4DEB9B2C3994556FBF41', clickIdParam: 's1' };

const issues = configIssues(clickmeter.configSchema, base);

const order: Order = {
  orderId: 'CM-1',
  currency: 'EUR',
  orderValue: 20,
  netValue: 16,
  occurredAt: '2026-11-21T10:00:00.000Z',
  items: [{ productId: 'A', name: 'A', unitPrice: 20, quantity: 1 }],
};

describe('ClickMeter configuration messages', () => {
  const ID_MESSAGE = "conversionId: must be the id from ClickMeter's postback URL, unchanged (letters, digits or -)";

  it.each([
    // Pasted with more of the postback URL than the id: before it, after it, or the placeholder itself.
    'id=A531F18FCECC4DEB9B2C3994556FBF41',
    '&id=A531F18FCECC4DEB9B2C3994556FBF41',
    'A531F18FCECC4DEB9B2C3994556FBF41&val=<insert>',
    'A531F18FCECC4DEB9B2C3994556FBF41&',
    '<insert>',
    ' A531F18FCECC4DEB9B2C3994556FBF41',
    'A531F18FCECC4DEB9B2C3994556FBF41\n',
    '',
  ])('rejects the conversion id %p, saying what it must be', (conversionId) => {
    expect(issues({ conversionId })).toEqual([ID_MESSAGE]);
  });

  it.each(['A531F18FCECC4DEB9B2C3994556FBF41', 'a531f18f-cecc-4deb-9b2c-3994556fbf41', '7'])('accepts the conversion id %p', (conversionId) => {
    expect(issues({ conversionId })).toEqual([]);
  });

  it.each(['s1=[s2sidentifier]', '[s2sidentifier]', '1s', 'raptor.coid', `s${'1'.repeat(64)}`])('rejects the click id parameter %p, saying what it must be', (clickIdParam) => {
    expect(issues({ clickIdParam })).toEqual(['clickIdParam: must be a query parameter name (letters, digits, _ or -)']);
  });

  it('tells the merchant to leave an empty param out', () => {
    expect(issues({ param: '' })).toEqual(['param: must not be empty; leave param out instead']);
  });

  it.each([
    'ftp://conversions.clickmeter.com/s2s',
    // Schemes that only end or only begin with http(s).
    'git+https://conversions.clickmeter.com/s2s',
    'svn+http://conversions.clickmeter.com/s2s',
    'httpsx://conversions.clickmeter.com/s2s',
    'https2://conversions.clickmeter.com/s2s',
    'conversions.clickmeter.com/s2s',
  ])('rejects the endpoint %p as no http(s) URL', (endpoint) => {
    expect(issues({ endpoint })).toEqual(['endpoint: must be an http(s) URL']);
  });

  it.each(['http://conversions.clickmeter.com/s2s', 'https://conversions.clickmeter.com/s2s', 'http://127.0.0.1:4010/sandbox/clickmeter/s2s'])(
    'accepts the endpoint %p',
    (endpoint) => {
      expect(issues({ endpoint })).toEqual([]);
    },
  );
});

describe('ClickMeter commission: comperc "can be used only if com is set to 0"', () => {
  const config = (extra: Partial<ClickmeterConfig>): ClickmeterConfig => ({ ...clickmeter.configSchema().parse(base), ...extra });

  it('sends comperc beside a zero com', () => {
    expect(toPostback(order, config({ commission: 0, commissionPercent: 10 }), 'ck')).toEqual({ clickId: 'ck', id: base.conversionId, val: '20.00', com: '0.00', comperc: '10' });
  });

  it('never sends comperc beside a non-zero com, even from a configuration the schema did not check', () => {
    for (const commission of [2, 0.01]) {
      const postback = toPostback(order, config({ commission, commissionPercent: 10 }), 'ck');
      expect(postback).not.toHaveProperty('comperc');
    }
  });

  it('sends no comperc when none is configured', () => {
    expect(toPostback(order, config({ commission: 0 }), 'ck')).not.toHaveProperty('comperc');
  });
});

describe('ClickMeter adapter identity', () => {
  it('is registered under the id its configuration key and records use', () => {
    expect(clickmeter.id).toBe('clickmeter');
    expect(vendorAdapters.clickmeter).toBe(clickmeter);
    expect(clickmeter.displayName).toBe('ClickMeter');
  });

  it("names the vendor document its README describes", () => {
    const readme = readFileSync(join(__dirname, '../../../lambdas/vendors/clickmeter/README.md'), 'utf8');
    expect(clickmeter.documentation).toMatch(/^vendor-docs\/\d{3}_[0-9a-f]{16}\.txt$/);
    expect(readme).toContain(`\`${clickmeter.documentation}\``);
  });

  it('makes one GET per conversion, keyed "conversion", without headers', () => {
    const config = clickmeter.configSchema().parse(base);
    const requests = clickmeter.buildRequests({ order, config, context: { clickId: 'ck' } });
    expect(requests).toEqual([
      { key: 'conversion', method: 'GET', url: 'http://conversions.clickmeter.com/s2s?clickId=ck&id=A531F18FCECC4DEB9B2C3994556FBF41&val=20.00&com=0.00', headers: {} },
    ]);
  });

  it('names ClickMeter in the error of a 2xx that reports a failure', () => {
    const [request] = clickmeter.buildRequests({ order, config: clickmeter.configSchema().parse(base), context: { clickId: 'ck' } });
    const outcome = clickmeter.classify({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ERROR: invalid conversion id' }, request!);
    expect(outcome).toEqual({ kind: 'failed', vendorStatus: 200, error: expect.stringMatching(/^ClickMeter answered HTTP 200 reporting an error: .*invalid conversion id/) });
  });
});
