/**
 * The hot paths' DEBUG lines (a capture's `Clicks captured`, a conversion's `Conversion accepted`, a sender's
 * `Delivered`) are built only when the logger keeps them: Powertools would otherwise assemble each line and read the
 * trace header before dropping it – work every capture paid for at INFO.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { createCaptureHandler } from '../../lambdas/api/capture';
import { runtimeConfigOf } from '../../lambdas/contract/runtime-config';
import { parseConfig } from '../../lambdas/config/schema';
import { debugEnabled } from '../../lambdas/observability/logger';
import { apiGatewayEvent } from '../../local/api-gateway-event';
import { lambdaContext } from '../../local/lambda-context';
import { SPEC_VENDORS } from '../support/config';

const KEY = 'k'.repeat(32);

function capture(level: 'INFO' | 'DEBUG' | 'TRACE') {
  const logger = new Logger({ serviceName: 'test', logLevel: level });
  const debug = jest.spyOn(logger, 'debug').mockImplementation(() => undefined);
  const store = { saveClicks: jest.fn(async () => ({ superseded: 0 })) };
  const config = runtimeConfigOf(parseConfig({ vendors: { kelkoo: SPEC_VENDORS.kelkoo } }));
  const handler = createCaptureHandler({ config, store, apiKeys: new StaticApiKeys([KEY]), logger });
  const call = async () =>
    (await handler(
      apiGatewayEvent({
        method: 'POST',
        path: '/v1/clicks',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ visitor: { sessionId: 's-1' }, landingUrl: 'https://shop.example/?kk=kk-1' }),
      }),
      lambdaContext('capture', 10),
    )) as Exclude<APIGatewayProxyResultV2, string>;
  return { call, debug, store };
}

describe('DEBUG lines on hot paths', () => {
  it('are not built at INFO, and are at DEBUG and TRACE', async () => {
    for (const [level, calls] of [['INFO', 0], ['DEBUG', 1], ['TRACE', 1]] as const) {
      const { call, debug, store } = capture(level);
      expect((await call()).statusCode).toBe(201);
      expect(store.saveClicks).toHaveBeenCalledTimes(1);
      expect(debug).toHaveBeenCalledTimes(calls);
    }
  });

  it('follow the level as it changes', () => {
    const logger = new Logger({ serviceName: 'test', logLevel: 'WARN' });
    expect(debugEnabled(logger)).toBe(false);
    logger.setLogLevel('DEBUG');
    expect(debugEnabled(logger)).toBe(true);
    logger.setLogLevel('INFO');
    expect(debugEnabled(logger)).toBe(false);
  });
});
