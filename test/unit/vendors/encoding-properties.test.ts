/**
 * Whatever characters an order id or a click id holds (any well-formed Unicode, `& = ? # % + /` included), every
 * vendor receives it intact in its own slot, and the sandbox's reading of the vendor document finds no fault.
 */
import fc from 'fast-check';
import type { VendorFixture, VendorFixtures } from '../../../lambdas/vendors/fixture-types';
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import type { VendorAdapter, VendorRequest } from '../../../lambdas/vendors/types';
import { buildFromFixture } from '../../support/vendor-fixtures';

const adapters: Array<[string, VendorAdapter<any, any>]> = [...Object.entries(vendorAdapters), ['postback', postback]];

/** Every value a request carries: decoded query values, and the string leaves of a JSON body. */
function carriedValues(request: VendorRequest): string[] {
  const values = [...new URL(request.url).searchParams.values()];
  const leaves = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [];
  if (request.body && request.headers['Content-Type'] !== 'application/x-www-form-urlencoded') {
    try {
      values.push(...leaves(JSON.parse(request.body)));
    } catch {
      // not JSON
    }
  }
  return values;
}

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.constantFrom('A&B=C?D#E%F+G/H I', '100%', 'a+b', '#frag', '?q=1&r=2', '../..', 'é😀', '%2F%25'),
);

describe.each(adapters)('%s carries hostile values intact', (id, adapter) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { fixtures } = require(`../../../lambdas/vendors/${id}/fixtures`) as { fixtures: VendorFixtures };
  const base = fixtures.requests.find((f) => 'requests' in f.expected) as VendorFixture;
  const withClicks = fixtures.requests.find((f) => 'requests' in f.expected && Object.keys(f.input.clicks).length > 0) as VendorFixture;

  it('keeps an order id with any characters intact where it is sent', () => {
    // Where a plain marker order id lands is where any other order id must land, unchanged.
    const marker = 'ORDERMARKER7f3a';
    const withOrderId = (orderId: string) => buildFromFixture(adapter, { ...base.input, order: { ...base.input.order, orderId } }).requests;
    const reference = withOrderId(marker).map(carriedValues);
    fc.assert(
      fc.property(hostile, (orderId) => {
        fc.pre(orderId.trim() === orderId);
        const requests = withOrderId(orderId);
        expect(requests.map(carriedValues)).toEqual(reference.map((values) => values.map((v) => v.split(marker).join(orderId))));
        for (const request of requests) {
          const url = new URL(request.url);
          const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
          expect(adapter.inspect({ method: request.method, url: url.pathname + url.search, headers, body: request.body ?? '' })).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps click ids with any characters intact', () => {
    fc.assert(
      fc.property(hostile, (clickId) => {
        fc.pre(clickId.trim() === clickId);
        const clicks = Object.fromEntries(Object.keys(withClicks.input.clicks).map((k) => [k, clickId]));
        const { plan, requests } = buildFromFixture(adapter, { ...withClicks.input, clicks });
        if (!plan.deliver) return;
        for (const request of requests) {
          const carried = carriedValues(request);
          // ids are sent as they are, except Raptor's ruid which is Base64 by design
          if (id !== 'raptor') expect(carried).toContain(clickId);
          expect(request.url).not.toMatch(/[{}\s]/);
        }
      }),
      { numRuns: 150 },
    );
  });
});
