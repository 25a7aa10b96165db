/**
 * The deployment guards of lambdas/config/deploy-guards.ts: which endpoints a deployed sender may call, which values
 * are the vendors' demo ids, and which are placeholders still to be filled in. The demo ids are collected here from
 * their sources – the shipped example, the vendor fixtures and the vendor documents – so that an id added to any of
 * them and not to the guard fails this file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allowsSandbox,
  endpointProblem,
  hostProblem,
  placeholderIssues,
  placeholderRefusal,
  PRODUCTION_EXAMPLE_CONFIG_FILE,
  sandboxIssues,
  sandboxRefusal,
  sandboxWarning,
} from '../../lambdas/config/deploy-guards';
import { EXAMPLE_CONFIG_PATH, REPO_ROOT } from '../../lambdas/config/load';
import type { VendorFixtures } from '../../lambdas/vendors/fixture-types';
import { fixtures as clickmeterFixtures } from '../../lambdas/vendors/clickmeter/fixtures';
import { fixtures as kelkooFixtures } from '../../lambdas/vendors/kelkoo/fixtures';
import { fixtures as klevuFixtures } from '../../lambdas/vendors/klevu/fixtures';
import { fixtures as raptorFixtures } from '../../lambdas/vendors/raptor/fixtures';

const DOCS = join(REPO_ROOT, 'test', 'fixtures', 'vendor-docs');
const doc = (file: string) => readFileSync(join(DOCS, file), 'utf8');
const example = () => JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, any>;
const fields = (raw: unknown) => sandboxIssues(raw).map((issue) => issue.field);

describe('endpointProblem', () => {
  it.each([
    ['http://localhost:3000/sandbox/kelkoo/st', /on localhost.*\/sandbox\/ path.*plain http/],
    ['https://localhost/st', /on localhost/],
    ['https://LOCALHOST./st', /on localhost/],
    ['https://shop.localhost/st', /on localhost/],
    ['https://127.0.0.1/st', /loopback address \(127\.0\.0\.1\)/],
    ['https://127.1/st', /loopback address \(127\.0\.0\.1\)/],
    ['https://0x7f.0.0.1/st', /loopback address/],
    ['https://2130706433/st', /loopback address/],
    ['https://127.255.255.254/st', /loopback address/],
    ['https://[::1]/st', /loopback address/],
    ['https://[0:0:0:0:0:0:0:1]/st', /loopback address/],
    ['https://[::ffff:127.0.0.1]/st', /loopback address/],
    ['https://[::ffff:7f00:1]/st', /loopback address/],
    ['https://[64:ff9b::127.0.0.1]/st', /loopback address/],
    ['https://0.0.0.0/st', /unspecified/],
    ['https://[::]/st', /unspecified/],
    ['https://10.1.2.3/st', /private address/],
    ['https://172.16.0.1/st', /private address/],
    ['https://172.31.255.255/st', /private address/],
    ['https://192.168.1.10/st', /private address/],
    ['https://100.64.0.1/st', /private \(shared/],
    ['https://[::ffff:192.168.0.1]/st', /private address/],
    ['https://[fd12:3456::1]/st', /private \(unique local\)/],
    ['https://[fc00::1]/st', /private \(unique local\)/],
    ['https://[fec0::1]/st', /private \(site-local\)/],
    ['https://169.254.169.254/latest', /link-local address/],
    ['https://[fe80::1]/st', /link-local address/],
    ['https://[febf::1]/st', /link-local address/],
    ['https://192.0.2.10/st', /documentation \(TEST-NET\)/],
    ['https://[2001:db8::1]/st', /documentation address/],
    ['https://tracking.shop.local/st', /local network name/],
    ['https://vendor.internal/st', /local network name/],
    ['https://www.shop.example/st', /example domain/],
    ['https://partner.your-site.com/get_trans.cgi', /example domain/],
    ['https://api.vendor.com/sandbox/track', /a \/sandbox\/ path/],
    ['https://api.vendor.com/SandBox', /a \/sandbox\/ path/],
    ['http://s.kelkoogroup.net/st', /plain http:\/\//],
    ['http://tracking.network.com/postback?ref={order.orderId}', /plain http:\/\//],
    ['http://conversions.clickmeter.com/other', /plain http:\/\//],
  ])('refuses %s', (url, reason) => {
    expect(endpointProblem(url)).toMatch(reason);
  });

  it.each([
    // The vendors' documented endpoints, ClickMeter's over plain http as its document writes it.
    'http://conversions.clickmeter.com/s2s',
    'http://conversions.clickmeter.com/s2s?clickId=x&id=y&val=1&com=0',
    'https://s.kelkoogroup.net/st',
    'https://stats.ksearchnet.com/analytics/collect',
    'https://t.raptorsmartadvisor.com/5678.rsa?p1=buy',
    // Public addresses and names, a macro in a postback URL, and paths that only resemble a sandbox.
    'https://partner.shop-brand.fr/get_trans.cgi',
    'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}',
    'https://8.8.8.8/st',
    'https://172.32.0.1/st',
    'https://100.128.0.1/st',
    'https://[2606:4700:4700::1111]/st',
    'https://[::ffff:8.8.8.8]/st',
    'https://api.vendor.com/sandboxes-are-elsewhere/track',
    'https://localhost.vendor.com/st',
  ])('accepts %s', (url) => {
    expect(endpointProblem(url)).toBeUndefined();
  });

  it('says when a value is no absolute URL at all', () => {
    expect(endpointProblem('/sandbox/kelkoo')).toBe('is not an absolute URL');
  });
});

describe('hostProblem', () => {
  it('judges the hosts a URL parser leaves, brackets and a trailing dot included', () => {
    expect(hostProblem('[::1]')).toBe('a loopback address');
    expect(hostProblem('::ffff:10.0.0.1')).toBe('a private address');
    expect(hostProblem('localhost.')).toBe('localhost');
    expect(hostProblem('s.kelkoogroup.net')).toBeUndefined();
  });
});

describe('sandboxIssues', () => {
  it('names every endpoint and demo value of the shipped example by its path in the file', () => {
    expect(fields(example()).sort()).toEqual(
      [
        'vendors.kelkoo.endpoint',
        'vendors.klevu.endpoint',
        'vendors.qualityclick.endpoint',
        'vendors.clickmeter.endpoint',
        'vendors.raptor.endpoint',
        'postbacks.awin.url',
        'postbacks.awin.cancel.url',
        'vendors.kelkoo.accounts.fr.comId',
        'vendors.kelkoo.accounts.be.comId',
        'vendors.kelkoo.referer',
        'vendors.kelkoo.accounts.be.referer',
        'vendors.klevu.apiKey',
        'vendors.clickmeter.conversionId',
        'vendors.raptor.customerId',
      ].sort(),
    );
  });

  it("refuses the shipped example's ids even with every endpoint made public", () => {
    const raw = example();
    for (const vendor of Object.values<Record<string, unknown>>(raw.vendors)) delete vendor.endpoint;
    raw.vendors.qualityclick.endpoint = 'https://partner.shop-brand.fr/get_trans.cgi';
    raw.postbacks = {};
    // Every id the example holds, wherever it sits: each comId of its accounts, the Klevu key, ClickMeter's and Raptor's id.
    const ids = [
      ...Object.keys(raw.vendors.kelkoo.accounts).map((country) => `vendors.kelkoo.accounts.${country}.comId`),
      'vendors.klevu.apiKey',
      'vendors.clickmeter.conversionId',
      'vendors.raptor.customerId',
    ];
    expect(fields(raw)).toEqual(expect.arrayContaining(ids));
    expect(fields(raw).filter((f) => f.endsWith('endpoint') || f.endsWith('url'))).toEqual([]);
  });

  it("refuses every id the vendor fixtures use, as a merchant's configuration would carry it", () => {
    const idFields: Array<[string, VendorFixtures, (config: any) => Array<[string, unknown]>]> = [
      ['kelkoo', kelkooFixtures, (c) => [['comId', c.comId], ...Object.entries<any>(c.accounts ?? {}).map(([k, a]): [string, unknown] => [`accounts.${k}.comId`, a.comId])]],
      ['klevu', klevuFixtures, (c) => [['apiKey', c.apiKey]]],
      ['clickmeter', clickmeterFixtures, (c) => [['conversionId', c.conversionId]]],
      ['raptor', raptorFixtures, (c) => [['customerId', c.customerId]]],
    ];
    let judged = 0;
    for (const [vendor, fixtures, idsOf] of idFields) {
      for (const fixture of fixtures.requests) {
        const config = fixture.input.config as Record<string, unknown>;
        const refused = fields({ vendors: { [vendor]: config } });
        for (const [path, value] of idsOf(config)) {
          if (value === undefined) continue;
          judged++;
          expect({ fixture: `${vendor} ${fixture.id}`, value, refused: refused.includes(`vendors.${vendor}.${path}`) }).toEqual({
            fixture: `${vendor} ${fixture.id}`,
            value,
            refused: true,
          });
        }
      }
    }
    expect(judged).toBeGreaterThan(10);
  });

  it("refuses the ids the vendor documents' own examples carry", () => {
    const kelkoo = [...doc('000_b3431d9b44bbb334.txt').matchAll(/comId=(\d+)/g)].map((m) => m[1]!);
    // Klevu's page lost its punctuation in the copy: "klevu-1234567890" reads "klevu 1234567890".
    const klevu = [...doc('001_e08966e2d62a55e4.txt').matchAll(/\bklevu[ -](\d{4,})\b/g)].map((m) => `klevu-${m[1]!}`);
    const clickmeter = [...doc('003_b472d2941f1430e2.txt').matchAll(/[?&]id=([0-9A-F]{32})/g)].map((m) => m[1]!);
    expect(new Set(kelkoo)).toEqual(new Set(['100475501']));
    expect(new Set(klevu)).toEqual(new Set(['klevu-1234567890', 'klevu-12345', 'klevu-1234']));
    expect(new Set(clickmeter)).toEqual(new Set(['A531F18FCECC4DEB9B2C3994556FBF41']));
    for (const comId of kelkoo) expect(fields({ vendors: { kelkoo: { country: 'fr', comId: Number(comId) } } })).toEqual(['vendors.kelkoo.comId']);
    for (const apiKey of klevu) expect(fields({ vendors: { klevu: { apiKey } } })).toEqual(['vendors.klevu.apiKey']);
    // Ids are kept as written (case included) by the schema; a lower-cased demo id is still the demo id.
    for (const conversionId of [...clickmeter, ...clickmeter.map((id) => id.toLowerCase())]) {
      expect(fields({ vendors: { clickmeter: { conversionId, clickIdParam: 's1' } } })).toEqual(['vendors.clickmeter.conversionId']);
    }
  });

  it("refuses the documents' example hosts wherever an endpoint or the shop's site is given", () => {
    const qualityclickHosts = [...doc('002_db79e9f63b966dbc.txt').matchAll(/https:\/\/([a-z0-9.-]+)\//g)].map((m) => m[1]!);
    const kelkooSites = [...doc('000_b3431d9b44bbb334.txt').matchAll(/https:\/\/yourwebsite\.com/g)].length;
    expect(new Set(qualityclickHosts)).toEqual(new Set(['www.your-shop.com', 'partner.your-site.com']));
    expect(kelkooSites).toBeGreaterThan(0);
    for (const host of qualityclickHosts) {
      expect(fields({ vendors: { qualityclick: { endpoint: `https://${host}/get_trans.cgi`, cpid: 1, product: 'Sale' } } })).toEqual(['vendors.qualityclick.endpoint']);
    }
    expect(fields({ vendors: { kelkoo: { country: 'fr', comId: '31415926', referer: 'https://yourwebsite.com' } } })).toEqual(['vendors.kelkoo.referer']);
  });

  it('refuses alert recipients on example or local domains and the README example ids, and accepts real ones', () => {
    const refused = sandboxIssues({
      vendors: {},
      alarmEmail: 'ops@shop.example',
      alerts: {
        emails: ['oncall@shop-brand.fr', 'alerts@localhost'],
        slack: { workspaceId: 'T07ABCDEF12', channelId: 'C07ABCDEF12' },
        topicArns: ['arn:aws:sns:eu-west-1:123456789012:on-call', 'arn:aws:sns:eu-west-1:210987654321:on-call'],
      },
    });
    expect(refused).toEqual([
      { field: 'alarmEmail', message: expect.stringContaining('nobody would receive the alarms') },
      { field: 'alerts.emails.1', message: 'alerts@localhost is on localhost: nobody would receive the alarms' },
      { field: 'alerts.slack.workspaceId', message: expect.stringContaining("README's example Slack id") },
      { field: 'alerts.slack.channelId', message: expect.stringContaining("README's example Slack id") },
      { field: 'alerts.topicArns.0', message: expect.stringContaining("the account of AWS's documentation examples") },
    ]);
  });

  it('judges postback URLs and their cancellation URLs, macros filled', () => {
    expect(
      sandboxIssues({
        vendors: {},
        postbacks: {
          net: { clickIdParam: 'n', url: 'https://10.0.0.5/pb?ref={order.orderId}', cancel: { url: 'http://tracking.network.com/cancel?ref={order.orderId}' } },
          fine: { clickIdParam: 'f', url: 'https://www.awin1.com/sread.php?ref={order.orderId}&cks={clickId}' },
        },
      }),
    ).toEqual([
      { field: 'postbacks.net.url', message: 'https://10.0.0.5/pb?ref={order.orderId} is on a private address (10.0.0.5): no deployed sender can deliver there' },
      { field: 'postbacks.net.cancel.url', message: 'http://tracking.network.com/cancel?ref={order.orderId} is plain http://: no deployed sender can deliver there' },
    ]);
  });

  it('finds nothing in a configuration with public endpoints, own ids and the documented defaults', () => {
    expect(
      sandboxIssues({
        vendors: {
          kelkoo: { country: 'fr', comId: '31415926', referer: 'https://www.shop-brand.fr' },
          klevu: { apiKey: 'klevu-16180339887' },
          qualityclick: { endpoint: 'https://partner.shop-brand.fr/get_trans.cgi', cpid: '1', product: 'Sale' },
          clickmeter: { conversionId: 'B8E2A0C4D6F84E1A9C3B5D7F9E1A3C5B', clickIdParam: 's1', endpoint: 'http://conversions.clickmeter.com/s2s' },
          raptor: { customerId: '5678', purchaseParams: { p1: 'buy' } },
        },
        alerts: { emails: ['oncall@shop-brand.fr'] },
      }),
    ).toEqual([]);
  });
});

describe('placeholders', () => {
  it('finds every <replace: …> of the production example, inside a URL too, by its path', () => {
    const raw = JSON.parse(readFileSync(join(REPO_ROOT, PRODUCTION_EXAMPLE_CONFIG_FILE), 'utf8')) as unknown;
    expect(placeholderIssues(raw).map((i) => i.field)).toEqual([
      'vendors.kelkoo.comId',
      'vendors.kelkoo.referer',
      'vendors.klevu.apiKey',
      'vendors.qualityclick.endpoint',
      'vendors.qualityclick.cpid',
      'vendors.qualityclick.product',
      'vendors.clickmeter.conversionId',
      'vendors.raptor.customerId',
      'alerts.emails.0',
    ]);
  });

  it('ignores angle brackets that are no placeholder, such as an XML postback body', () => {
    expect(placeholderIssues({ postbacks: { x: { body: '<sale><ref>{order.orderId}</ref></sale>' } } })).toEqual([]);
    expect(placeholderIssues({ a: ['x', { b: '<REPLACE with it>' }] })).toEqual([{ field: 'a.1.b', message: 'still the placeholder "<REPLACE with it>"' }]);
  });
});

describe('messages', () => {
  it('name each field, the file, and how to proceed', () => {
    const issues = [{ field: 'vendors.kelkoo.endpoint', message: 'http://localhost:3000/st is on localhost' }];
    const refusal = sandboxRefusal('my-shop.json', issues);
    expect(refusal).toContain('Refusing to deploy my-shop.json');
    expect(refusal).toContain('\n  vendors.kelkoo.endpoint: http://localhost:3000/st is on localhost\n');
    expect(refusal).toContain(PRODUCTION_EXAMPLE_CONFIG_FILE);
    expect(refusal).toContain('-c allowSandbox=true');
    expect(placeholderRefusal('my-shop.json', [{ field: 'vendors.klevu.apiKey', message: 'still the placeholder "<replace: x>"' }])).toMatch(
      /^Refusing to deploy my-shop\.json: a placeholder is still to be filled in:\n {2}vendors\.klevu\.apiKey: still the placeholder "<replace: x>"\nReplace each/,
    );
    expect(sandboxWarning(issues)).toMatch(/^allowSandbox=true: deploying 1 sandbox endpoint or demo value \(vendors\.kelkoo\.endpoint\)\. A test deployment only/);
  });

  it('read -c allowSandbox as the CLI passes it', () => {
    expect([true, 'true', 'TRUE', ' true '].map(allowsSandbox)).toEqual([true, true, true, true]);
    expect([undefined, false, 'false', '1', 'yes', ''].map(allowsSandbox)).toEqual([false, false, false, false, false, false]);
  });
});
