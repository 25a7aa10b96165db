/**
 * Issue #21, point 1: no vendor call follows a redirect. The HTTP sender hands a 3xx back as it came
 * (test/integration/vendor-redirect.test.ts), and every adapter reads it as a final failure whose error names the
 * `Location`, so that the operator fixes the endpoint and redrives – never a retry that meets the same redirect, and
 * never a `sent` for a call that reached no vendor.
 */
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import type { VendorAdapter, VendorRequest } from '../../../lambdas/vendors/types';

const adapters: Array<[string, VendorAdapter<any, any>]> = [...Object.entries(vendorAdapters), ['postback', postback]];
const request: VendorRequest = { key: 'k', method: 'POST', url: 'http://stats.vendor.example/analytics/collect', headers: {}, body: '[]' };
const MOVED_TO = 'https://stats.vendor.example/analytics/collect';

describe.each(adapters)('%s reading a redirect', (_, adapter) => {
  it.each([300, 301, 302, 303, 307, 308])('fails a %i for good, naming its Location', (status) => {
    const outcome = adapter.classify({ status, headers: { location: MOVED_TO }, body: '<html>Moved</html>' }, request);
    expect(outcome).toMatchObject({ kind: 'failed', vendorStatus: status });
    expect(outcome.kind === 'failed' && outcome.error).toContain(`Location ${MOVED_TO}`);
    expect(outcome.kind === 'failed' && outcome.error).toMatch(/redirect/);
  });

  it('fails a redirect without a Location, saying there was none', () => {
    const outcome = adapter.classify({ status: 302, headers: {}, body: '' }, request);
    expect(outcome).toMatchObject({ kind: 'failed', vendorStatus: 302 });
    expect(outcome.kind === 'failed' && outcome.error).toContain('no Location');
  });
});
