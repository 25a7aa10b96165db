/**
 * The local HTTP server answers as API Gateway's HTTP API would: 404 for a method a path has no route for, repeated
 * headers joined with a comma (so two Authorization headers fail locally as on AWS), the path decoded before
 * matching (%2F separates segments) and parameters decoded once more, bytes that are not UTF-8 passed on intact.
 */
import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { ApiEvent, ApiHandler, jsonResponse, route } from '../../lambdas/api/http';
import type { ApiHandlerName } from '../../lambdas/contract/shape';
import { createApiGateway, matchRoute } from '../../local/http-api';
import { apiEvent, call } from '../support/api';
import { recordingLogger } from '../support/aws';

const KEY = 'local-http-api-key-1';
const { logger } = recordingLogger();
let lastEvent: ApiEvent | undefined;

/** Real auth middleware and body reading; the business part echoes what it was given. */
const echo = (body: boolean): ApiHandler =>
  route({ logger, apiKeys: new StaticApiKeys([KEY]), body }, async ({ event, body: parsed }) => {
    lastEvent = event;
    return jsonResponse(200, { pathParameters: event.pathParameters ?? null, body: parsed ?? null });
  });

const handlers = Object.fromEntries(
  (['health', 'capture', 'identify', 'erase', 'conversion', 'status'] as ApiHandlerName[]).map((name) => [name, echo(name !== 'status' && name !== 'health')]),
) as Record<ApiHandlerName, ApiHandler>;

let server: Server;
let port: number;

beforeAll(async () => {
  const serveApi = createApiGateway(handlers, logger);
  server = createServer((req, res) => void serveApi(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function send(method: string, path: string, headers: Record<string, string | string[]> = {}, body?: Buffer): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${KEY}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('local HTTP API fidelity to API Gateway', () => {
  it('answers 404, not 405, for a method a known path has no route for', async () => {
    for (const [method, path] of [['PUT', '/v1/clicks'], ['GET', '/v1/clicks'], ['POST', '/v1/conversions/X'], ['DELETE', '/v1/conversions']]) {
      const withBody = method === 'PUT' || method === 'POST';
      const { status, json } = await send(method!, path!, { 'content-type': 'application/json' }, withBody ? Buffer.from('{}') : undefined);
      expect(status).toBe(404);
      expect(json.error.code).toBe('route_not_found');
    }
  });

  it('joins repeated headers with a comma, so two Authorization headers are 401 locally as on AWS', async () => {
    expect((await send('GET', '/v1/conversions/A')).status).toBe(200);
    const twice = await send('GET', '/v1/conversions/A', { authorization: [`Bearer ${KEY}`, `Bearer ${KEY}`] });
    expect(twice.status).toBe(401);
    // What API Gateway hands the function for the same request:
    expect((await call(handlers.status, apiEvent({ method: 'GET', auth: `Bearer ${KEY},Bearer ${KEY}`, pathParameters: { orderId: 'A' } }))).status).toBe(401);
    // Any other repeated header is joined the same way.
    await send('GET', '/v1/conversions/A', { 'x-trace': ['one', 'two'] });
    expect(lastEvent?.headers['x-trace']).toBe('one,two');
  });

  it('refuses a repeated Content-Type (joined, it is no longer application/json) as on AWS', async () => {
    const { status } = await send('POST', '/v1/clicks', { 'content-type': ['application/json', 'application/json'] }, Buffer.from('{}'));
    expect(status).toBe(415);
  });

  it('decodes the path before matching: %2F separates segments (404), %252F reaches the route as a slash', async () => {
    expect((await send('GET', '/v1/conversions/a%2Fb')).status).toBe(404);
    const doubled = await send('GET', '/v1/conversions/a%252Fb');
    expect(doubled.status).toBe(200);
    expect(doubled.json.pathParameters).toEqual({ orderId: 'a/b' });
    const plain = await send('GET', `/v1/conversions/${encodeURIComponent('A B?&é#+')}`);
    expect(plain.json.pathParameters).toEqual({ orderId: 'A B?&é#+' });
    // Any order id, encoded twice, arrives intact; ids with neither / nor % also encoded once.
    for (const orderId of ['A/B 1?&é#', '100%', '100%41', 'a%2Fb', '😀/😀']) {
      const { status, json } = await send('GET', `/v1/conversions/${encodeURIComponent(encodeURIComponent(orderId))}`);
      expect([status, json.pathParameters]).toEqual([200, { orderId }]);
    }
    expect((await send('GET', '/v1/conversions/%E0%A4%A')).status).toBe(404);
  });

  it('matchRoute agrees with the server', () => {
    expect(matchRoute('GET', '/v1/conversions/a%2Fb')).toEqual({ kind: 'not-found' });
    expect(matchRoute('PUT', '/v1/clicks')).toEqual({ kind: 'not-found' });
    expect(matchRoute('GET', '/v1/conversions/a%252Fb')).toMatchObject({ kind: 'route', pathParameters: { orderId: 'a/b' } });
  });

  it('passes a body that is not UTF-8 on as Base64, byte for byte, so the handler refuses it with 400', async () => {
    const latin1 = Buffer.from('{"visitor":{"sessionId":"Crème brûlée"}}', 'latin1');
    const { status, json } = await send('POST', '/v1/clicks', { 'content-type': 'application/json' }, latin1);
    expect(status).toBe(400);
    expect(json.error.message).toContain('UTF-8');
    const utf8 = await send('POST', '/v1/clicks', { 'content-type': 'application/json' }, Buffer.from('{"visitor":{"sessionId":"Crème brûlée"}}', 'utf8'));
    expect(utf8.json.body).toEqual({ visitor: { sessionId: 'Crème brûlée' } });
  });
});
