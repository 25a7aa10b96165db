/**
 * The local server throttles as API Gateway's HTTP API does: a token bucket per route, `burstLimit` requests at once,
 * refilled at `rateLimit` per second, and `429 {"message":"Too Many Requests"}` before the body is read or a handler
 * runs. The buckets' clock is driven by the test.
 */
import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonResponse, route } from '../../lambdas/api/http';
import type { ApiHandler } from '../../lambdas/api/http';
import type { ApiHandlerName } from '../../lambdas/contract/shape';
import { routeThrottles } from '../../lambdas/contract/throttle';
import { createApiGateway, THROTTLED_BODY, TokenBucket } from '../../local/http-api';
import { recordingLogger } from '../support/aws';

describe('TokenBucket', () => {
  it('answers a burst of burstLimit, then one request per 1/rateLimit seconds, never more than burstLimit saved up', () => {
    let now = 0;
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => bucket.take())).toEqual([true, true, true, false]);
    now += 499;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => bucket.take())).toEqual([true, true, true, false]);
  });
});

describe('the local API gateway with throttles', () => {
  let server: Server;
  let port: number;
  let now = 0;
  const invoked: string[] = [];
  const { logger } = recordingLogger();
  const handler = (name: ApiHandlerName): ApiHandler =>
    route({ logger, body: false }, async () => {
      invoked.push(name);
      return jsonResponse(name === 'conversion' ? 202 : 201, {});
    });
  const names: ApiHandlerName[] = ['health', 'capture', 'identify', 'erase', 'conversion', 'status', 'deliveries', 'cancellation'];

  beforeAll(async () => {
    const throttles = routeThrottles({
      throttle: {
        capture: { rateLimit: 1, burstLimit: 2 },
        conversion: { rateLimit: 1, burstLimit: 3 },
        default: { rateLimit: 1, burstLimit: 1 },
      },
    });
    const serveApi = createApiGateway(Object.fromEntries(names.map((n) => [n, handler(n)])) as Record<ApiHandlerName, ApiHandler>, logger, {
      throttles,
      now: () => now,
    });
    server = createServer((req, res) => void serveApi(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function send(method: string, path: string): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: res.headers }));
      });
      req.on('error', reject);
      req.end('{}');
    });
  }

  it('throttles each route in its own bucket: captures over their burst get 429, orders and other routes are untouched', async () => {
    const captures = [];
    for (let i = 0; i < 5; i++) captures.push(await send('POST', '/v1/clicks'));
    expect(captures.map((c) => c.status)).toEqual([201, 201, 429, 429, 429]);
    expect(captures[2]!.json).toEqual(THROTTLED_BODY);
    expect(captures[2]!.headers['retry-after']).toBeUndefined();

    const orders = [];
    for (let i = 0; i < 3; i++) orders.push((await send('POST', '/v1/conversions')).status);
    expect(orders).toEqual([202, 202, 202]);
    expect((await send('POST', '/v1/conversions/A-1/cancellation')).status).toBe(201);
    expect((await send('POST', '/v1/identify')).status).toBe(201);
    // The throttled requests never reached a handler.
    expect(invoked.filter((n) => n === 'capture')).toHaveLength(2);

    now += 1000;
    expect((await send('POST', '/v1/clicks')).status).toBe(201);
    expect((await send('POST', '/v1/clicks')).status).toBe(429);
  });
});
