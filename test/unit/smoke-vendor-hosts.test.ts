/**
 * `npm run smoke` prints the hosts each vendor will be called on, from the dry run, and fails when one is loopback,
 * private or not https (the deploy guards' rules and exception list). Here against a stand-in API answering as the
 * service does, reached as a deployed stack (its outputs from a CloudFormation stand-in) or by `--url`.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../lambdas/config/schema';
import { destinationsOf } from '../../lambdas/config/destinations';
import { missingClickIds, PlannedDelivery, resolveTarget, run, vendorHostsCheck } from '../../scripts/smoke';
import { SPEC_VENDORS } from '../support/config';
import { SecretsManagerDouble, startSecretsManagerDouble } from '../support/secrets-manager-double';

describe('missingClickIds', () => {
  it('reads the click ids the vendors themselves say they missed', () => {
    // The reasons as the adapters write them, for a visitor without any click id.
    const config = parseConfig({ vendors: SPEC_VENDORS, postbacks: { awin: { clickIdParam: 'awc', url: 'https://www.awin1.com/sread.php?ref={order.orderId}&cks={clickId}' } } });
    const order = { orderId: 'o-1', occurredAt: '2026-01-01T00:00:00Z', currency: 'EUR', orderValue: 1, netValue: 1, items: [{ productId: 'p', name: 'n', unitPrice: 1, quantity: 1 }], shopper: { ip: '192.0.2.1' } };
    const deliveries: PlannedDelivery[] = destinationsOf(config).map((d) => {
      const plan = d.adapter.plan({ order, config: d.config, click: () => undefined, random: () => 0.5 });
      return plan.deliver ? { vendor: d.id, status: 'planned', requests: [] } : { vendor: d.id, status: 'skipped', reason: plan.reason };
    });
    expect(deliveries.filter((d) => d.status === 'skipped').map((d) => d.vendor)).toEqual(['kelkoo', 'qualityclick', 'clickmeter', 'raptor', 'awin']);
    expect(missingClickIds(deliveries)).toEqual({ params: ['kk', 'gclid', 'msclkid', 'qc_clickid', 's1', 'awc'], identifiers: { raptor: ['coid', 'sid'] } });
  });

  it('ignores any other reason', () => {
    expect(missingClickIds([{ vendor: 'kelkoo', status: 'skipped', reason: 'exclusive group search: lost to awin (no live click it wins with: kk)' }])).toEqual({
      params: [],
      identifiers: {},
    });
  });
});

describe('vendorHostsCheck', () => {
  const planned = (vendor: string, ...urls: string[]): PlannedDelivery => ({ vendor, status: 'planned', requests: urls.map((url) => ({ method: 'GET', url })) });
  const deliveries = [
    planned('kelkoo', 'http://localhost:3000/sandbox/kelkoo/st?country=fr'),
    planned('clickmeter', 'http://conversions.clickmeter.com/s2s?clickId=x&id=y&val=1&com=0'),
    planned('raptor', 'https://t.raptorsmartadvisor.com/5678.rsa?p1=buy', 'https://t.raptorsmartadvisor.com/5678.rsa?p1=buy&p2=2'),
    planned('awin', 'https://10.0.0.8/sread.php?ref=o'),
    { vendor: 'qualityclick', status: 'skipped', reason: 'exclusive group search: lost to awin' },
  ];

  it('lists each vendor with its hosts, and fails on a sandbox, private or plain-http one (ClickMeter excepted)', () => {
    const result = vendorHostsCheck(deliveries, { judgeVendorHosts: true });
    expect(result.ok).toBe(false);
    expect(result.lines).toEqual([
      'kelkoo        http://localhost:3000  (on localhost, a /sandbox/ path, plain http://)',
      'clickmeter    http://conversions.clickmeter.com',
      'raptor        https://t.raptorsmartadvisor.com',
      'awin          https://10.0.0.8  (on a private address (10.0.0.8))',
      'qualityclick  not planned in the dry run: exclusive group search: lost to awin',
    ]);
    expect(result.detail).toBe(
      'kelkoo on http://localhost:3000: on localhost, a /sandbox/ path, plain http://; awin on https://10.0.0.8: on a private address (10.0.0.8). ' +
        'Deploy a configuration without sandbox endpoints (README, "Configure")',
    );
  });

  it('passes public https hosts, and reports but does not judge the local stack or a test deployment', () => {
    expect(vendorHostsCheck(deliveries.slice(1, 3), { judgeVendorHosts: true }).ok).toBe(true);
    const local = vendorHostsCheck(deliveries, { judgeVendorHosts: false });
    expect(local.ok).toBe(true);
    expect(local.lines?.at(-1)).toBe('not judged: the local stack calls its own vendor sandbox');
    const test = vendorHostsCheck(deliveries, { judgeVendorHosts: true, allowSandbox: true });
    expect(test.ok).toBe(true);
    expect(test.lines?.at(-1)).toBe('allowed by --allow-sandbox, a test deployment: 2 vendor(s) reach no real vendor');
  });
});

/** A service as smoke sees it: the routes it calls, a dry run per destination, click ids captured for the visitor. */
async function startServiceStandIn(endpoints: Record<string, string>): Promise<{ url: string; captures: unknown[]; server: Server }> {
  const captures: unknown[] = [];
  const captured = new Set<string>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>) : {};
      const reply = (status: number, payload?: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(payload === undefined ? '' : JSON.stringify(payload));
      };
      const path = request.url ?? '';
      if (path === '/v1/health') return reply(200, { status: 'ok' });
      if (request.headers.authorization !== 'Bearer the-key') return reply(401, { error: { code: 'unauthorized' } });
      if (request.method === 'POST' && path === '/v1/clicks') {
        captures.push(body);
        for (const name of Object.keys(body.params ?? {})) captured.add(name);
        for (const [vendor, fields] of Object.entries<Record<string, string>>(body.identifiers ?? {})) for (const f of Object.keys(fields)) captured.add(`${vendor}.${f}`);
        if (body.landingUrl) for (const name of new URL(body.landingUrl).searchParams.keys()) captured.add(name);
        return reply(201, { stored: [] });
      }
      if (request.method === 'POST' && path === '/v1/conversions') {
        const wants: Record<string, string> = { kelkoo: 'kk', qualityclick: 'qc_clickid', raptor: 'raptor.coid' };
        const deliveries = Object.entries(endpoints).map(([vendor, endpoint]) =>
          !wants[vendor] || captured.has(wants[vendor])
            ? { vendor, status: 'planned', requests: [{ method: 'GET', url: `${endpoint}?orderId=${body.orderId}`, headers: {} }] }
            : {
                vendor,
                status: 'skipped',
                reason: vendor === 'raptor' ? 'no live raptor.coid and raptor.sid for this visitor: Raptor needs …' : `no live ${wants[vendor]} click identifier for this visitor`,
              },
        );
        return reply(200, { orderId: body.orderId, dryRun: true, deliveries });
      }
      if (request.method === 'GET' && path.startsWith('/v1/conversions/')) return reply(404, { error: { code: 'not_found' } });
      if (request.method === 'DELETE' && path === '/v1/visitors') return reply(200, { erased: 1 });
      return reply(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, captures, server };
}

describe('npm run smoke, the vendor hosts of a deployed stack', () => {
  const saved = { ...process.env };
  let aws: SecretsManagerDouble;
  let service: Awaited<ReturnType<typeof startServiceStandIn>>;

  async function deploy(endpoints: Record<string, string>): Promise<void> {
    await aws?.stop();
    service?.server.close();
    service = await startServiceStandIn(endpoints);
    aws = await startSecretsManagerDouble({
      region: 'eu-west-1',
      account: '000000000000',
      secrets: { ApiKeys: JSON.stringify({ primary: 'the-key' }) },
      stacks: { 'ConversionTracking-prod': { ApiUrl: `${service.url}/`, ApiKeysSecretArn: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:ApiKeys-AbCdEf' } },
    });
    Object.assign(process.env, { AWS_ENDPOINT_URL: aws.endpoint, AWS_ACCESS_KEY_ID: 'operator', AWS_SECRET_ACCESS_KEY: 'operator' });
  }
  afterAll(async () => {
    process.env = saved;
    await aws?.stop();
    service?.server.close();
    service?.server.closeAllConnections();
  });

  async function smoke(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  const SANDBOX = {
    kelkoo: 'http://localhost:3000/sandbox/kelkoo/st',
    klevu: 'http://127.0.0.1:3000/sandbox/klevu/analytics/collect',
    qualityclick: 'https://192.168.1.20/get_trans.cgi',
    clickmeter: 'http://conversions.clickmeter.com/s2s',
    raptor: 'http://[::1]:3000/sandbox/raptor/5678.rsa',
  };

  it('fails on a stack deployed with sandbox endpoints, naming each vendor and host; clicks captured so that every vendor is planned', async () => {
    await deploy(SANDBOX);
    const { code, out, err } = await smoke('--region', 'eu-west-1');
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^FAIL {2}every vendor is called on a public https host: kelkoo on http:\/\/localhost:3000: on localhost/)]);
    expect(err[0]).toContain('klevu on http://127.0.0.1:3000: on a loopback address (127.0.0.1), a /sandbox/ path, plain http://');
    expect(err[0]).toContain('qualityclick on https://192.168.1.20: on a private address (192.168.1.20)');
    expect(err[0]).toContain('raptor on http://[::1]:3000: on a loopback address ([::1])');
    expect(err[0]).not.toContain('clickmeter');
    const hosts = out.filter((l) => l.startsWith('        '));
    expect(hosts.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'kelkoo http://localhost:3000',
      'klevu http://127.0.0.1:3000',
      'qualityclick https://192.168.1.20',
      'clickmeter http://conversions.clickmeter.com',
      'raptor http://[::1]:3000',
    ]);
    // The first capture carries kk; the second the click ids the first dry run's skips named.
    expect(service.captures).toHaveLength(2);
    expect(service.captures[1]).toMatchObject({ params: { qc_clickid: expect.any(String) }, identifiers: { raptor: { coid: expect.any(String), sid: expect.any(String) } } });
    expect(out.at(-1)).toBe('1 of 7 checks failed');
  });

  it('passes with the vendors\' public endpoints, and with --allow-sandbox for a test deployment', async () => {
    await deploy({ kelkoo: 'https://s.kelkoogroup.net/st', clickmeter: 'http://conversions.clickmeter.com/s2s', qualityclick: 'https://partner.shop-brand.fr/get_trans.cgi' });
    const fine = await smoke('--stage', 'prod', '--region', 'eu-west-1');
    expect({ code: fine.code, err: fine.err }).toEqual({ code: 0, err: [] });
    expect(fine.out).toContain('ok    every vendor is called on a public https host');
    expect(fine.out).toContain('        kelkoo        https://s.kelkoogroup.net');

    await deploy(SANDBOX);
    const test = await smoke('--region', 'eu-west-1', '--allow-sandbox');
    expect({ code: test.code, err: test.err }).toEqual({ code: 0, err: [] });
    expect(test.out).toContain('        allowed by --allow-sandbox, a test deployment: 4 vendor(s) reach no real vendor');
  });

  it('judges --url on a public host, not a local stack on loopback', async () => {
    expect(await resolveTarget(['--url', 'https://tracking.shop-brand.fr', '--key', 'k'])).toMatchObject({ judgeVendorHosts: true });
    expect(await resolveTarget(['--url', 'http://localhost:3000', '--key', 'k'])).toMatchObject({ judgeVendorHosts: false });
    await deploy(SANDBOX);
    const local = await smoke('--url', service.url, '--key', 'the-key');
    expect(local.code).toBe(0);
    expect(local.out).toContain('        not judged: the local stack calls its own vendor sandbox');
  });
});
