/**
 * The one runner for vendor fixtures (test cases as data, from each vendor's document): plans and builds the
 * requests for every case, compares them with the expectation, and checks that the local sandbox finds nothing
 * wrong with what was built.
 */
import type { VendorFixtures } from '../../lambdas/vendors/fixture-types';
import type { VendorAdapter, VendorRequest } from '../../lambdas/vendors/types';

export function buildFromFixture(adapter: VendorAdapter<any, any>, input: VendorFixtures['requests'][number]['input']) {
  const config = adapter.configSchema().parse(input.config);
  const plan = adapter.plan({
    order: input.order,
    config,
    click: (key) => input.clicks[key],
    random: () => input.random ?? 0.5,
  });
  if (!plan.deliver) return { plan, requests: [] as VendorRequest[] };
  const context = adapter.contextSchema().parse(plan.context);
  return { plan, requests: adapter.buildRequests({ order: input.order, config, context }) };
}

export function describeVendorFixtures(adapter: VendorAdapter<any, any>, fixtures: VendorFixtures): void {
  describe(`${adapter.displayName} fixtures`, () => {
    it('has request fixtures and response fixtures', () => {
      expect(fixtures.requests.length).toBeGreaterThan(0);
      expect(fixtures.responses.length).toBeGreaterThan(0);
    });

    for (const fixture of fixtures.requests) {
      it(`${fixture.id}: ${fixture.description}`, () => {
        const { plan, requests } = buildFromFixture(adapter, fixture.input);
        if ('skipped' in fixture.expected) {
          expect(plan.deliver).toBe(false);
          if (!plan.deliver) expect(plan.reason).toContain(fixture.expected.skipped);
          return;
        }
        expect(plan.deliver).toBe(true);
        expect(requests).toHaveLength(fixture.expected.requests.length);
        fixture.expected.requests.forEach((expected, i) => {
          const actual = requests[i]!;
          expect(actual.method).toBe(expected.method);
          expect(actual.url).toBe(expected.url);
          for (const [name, value] of Object.entries(expected.headers ?? {})) expect(actual.headers[name]).toBe(value);
          if (expected.json !== undefined) expect(JSON.parse(actual.body ?? 'null')).toEqual(expected.json);
          // What we build must pass the sandbox's own reading of the document.
          const url = new URL(actual.url);
          const headers = Object.fromEntries(Object.entries(actual.headers).map(([k, v]) => [k.toLowerCase(), v]));
          expect(adapter.inspect({ method: actual.method, url: url.pathname + url.search, headers, body: actual.body ?? '' })).toEqual([]);
        });
      });
    }

    for (const fixture of fixtures.responses) {
      it(`classifies: ${fixture.description}`, () => {
        const request = { key: 'k', method: 'GET' as const, url: 'https://vendor.example/', headers: {} };
        expect(adapter.classify(fixture.response, request).kind).toBe(fixture.expected);
      });
    }
  });
}
