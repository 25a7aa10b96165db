/**
 * The route chain (lambdas/api/http.ts, route) without storage: the body as text and as base64 reach the business
 * function alike, the key check follows a rotation of the active keys, and every line a request logs carries its
 * request id, the rejection's line included, while nothing after the request does.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ApiKeySource, matchesAnyKey } from '../../lambdas/api/api-keys';
import { jsonResponse, route } from '../../lambdas/api/http';
import { API_KEY, apiEvent, call } from '../support/api';

function capturedLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
  const write = (text: string) => void lines.push(JSON.parse(text) as Record<string, unknown>);
  (logger as unknown as { console: unknown }).console = { info: write, error: write, warn: write, debug: write, log: write, trace: write };
  return { logger, lines };
}

const echo = (logger: Logger, keys: ApiKeySource = { activeKeys: async () => [API_KEY] }) =>
  route({ logger, apiKeys: keys, body: true }, async ({ body }) => {
    logger.info('Echo');
    return jsonResponse(200, { body });
  });

describe('route', () => {
  it('reads a text body, a base64 one, a leading byte order mark and a lone surrogate in the text as before', async () => {
    const { logger } = capturedLogger();
    const handler = echo(logger);
    expect((await call(handler, apiEvent({ rawBody: '{"a":"é😀"}' }))).body).toEqual({ body: { a: 'é😀' } });
    expect((await call(handler, apiEvent({ rawBody: '\ufeff{"a":1}' }))).body).toEqual({ body: { a: 1 } });
    const base64 = { ...apiEvent({ rawBody: Buffer.from('\ufeff{"a":"é"}', 'utf8').toString('base64') }), isBase64Encoded: true };
    expect((await call(handler, base64)).body).toEqual({ body: { a: 'é' } });
    // A lone surrogate in the text becomes U+FFFD on its way through UTF-8, as API Gateway's bytes would.
    expect((await call(handler, apiEvent({ rawBody: '{"a":"x\ud800"}' }))).body).toEqual({ body: { a: 'x\ufffd' } });
    // Escaped, it survives JSON.parse as a lone surrogate and is refused, naming the field.
    const escaped = await call(handler, apiEvent({ rawBody: '{"a":{"b":"\\ud800"}}' }));
    expect([escaped.status, escaped.body.error.details]).toEqual([400, [{ field: 'a.b', message: 'must be well-formed Unicode (no lone surrogates)' }]]);
    const tooLarge = await call(handler, apiEvent({ rawBody: JSON.stringify({ a: 'é'.repeat(40_000) }) }));
    expect(tooLarge.status).toBe(413);
  });

  it('follows a rotation: a retired key is refused at once, the new one accepted', async () => {
    expect(matchesAnyKey('old-key', ['old-key', 'other'])).toBe(true);
    expect(matchesAnyKey('old-key', ['new-key'])).toBe(false);
    expect(matchesAnyKey('new-key', ['new-key'])).toBe(true);
    for (let i = 0; i < 20; i++) expect(matchesAnyKey(`k${i}`, [`k${i}`, `k${i + 1}`])).toBe(true);
    expect(matchesAnyKey('k0', ['k1'])).toBe(false);
  });

  it('puts the request id on every line of the request, the rejection included, and takes it off after', async () => {
    const { logger, lines } = capturedLogger();
    const handler = echo(logger);
    await call(handler, apiEvent({ body: { a: 1 } }));
    const refused = await call(handler, apiEvent({ body: { a: 1 }, auth: 'Bearer wrong' }));
    expect(refused.status).toBe(401);
    const failing = route({ logger, body: false }, async () => {
      throw new Error('boom');
    });
    expect((await call(failing, apiEvent({}))).status).toBe(500);
    logger.info('After');
    expect(lines.map((l) => [l.message, l.api_request_id])).toEqual([
      ['Echo', 'req'],
      ['Request rejected', 'req'],
      ['Unhandled error', 'req'],
      ['After', undefined],
    ]);
  });
});
