/**
 * Logs that join up: an API function's lines carry API Gateway's request id (`api_request_id`, the access log's
 * `requestId`) beside Lambda's (`function_request_id`), on success and on
 * error, and a request's id does not leak into the next request's lines. The AWS SDK clients give up on a stalled
 * attempt well inside an API function's timeout.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { StaticApiKeys } from '../../lambdas/api/api-keys';
import { API_REQUEST_ID_KEY, jsonResponse, route } from '../../lambdas/api/http';
import { API_TIMEOUT_SECONDS } from '../../lambdas/contract/shape';
import { ValidationError } from '../../lambdas/core/errors';
import { apiFunction, AWS_CLIENT_TIMEOUTS, awsCallBudgetMs, awsClientConfig } from '../../lambdas/runtime/lambda';
import { apiGatewayEvent } from '../../local/api-gateway-event';
import { lambdaContext } from '../../local/lambda-context';

/** A logger whose lines are kept as parsed JSON objects. */
function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const record = (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>);
  const logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
  Object.assign(logger, { console: { log: record, info: record, warn: record, error: record, debug: record, trace: record } });
  return { logger, lines };
}

const event = (requestId: string, headers: Record<string, string> = {}) =>
  apiGatewayEvent({ method: 'GET', path: '/v1/health', requestId, headers: { 'content-type': 'application/json', ...headers } });

describe('API logs carry API Gateway request id', () => {
  it("puts requestContext.requestId on every line of the request, and on no line of the next request that has none", async () => {
    const { logger, lines } = capturingLogger();
    const handler = route({ logger, body: false }, async () => {
      logger.info('Working');
      return jsonResponse(200, {});
    });
    await handler(event('gw-req-1'), lambdaContext('api-status', 10));
    expect(lines).toEqual([expect.objectContaining({ message: 'Working', [API_REQUEST_ID_KEY]: 'gw-req-1' })]);

    const withoutId = { ...event('unused'), requestContext: { ...event('unused').requestContext, requestId: '' } };
    await handler(withoutId, lambdaContext('api-status', 10));
    expect(lines[1]).toMatchObject({ message: 'Working' });
    expect(lines[1]).not.toHaveProperty(API_REQUEST_ID_KEY);
  });

  it('puts it on the lines an error logs: a rejected request, a refused key', async () => {
    const { logger, lines } = capturingLogger();
    const refusing = route({ logger, body: false }, async () => {
      throw new ValidationError('Invalid request: orderId', [{ field: 'orderId', message: 'must not be empty' }]);
    });
    expect((await refusing(event('gw-req-2'), lambdaContext('api-status', 10))).statusCode).toBe(400);
    const keyed = route({ logger, apiKeys: new StaticApiKeys(['the-right-key-123']), body: false }, async () => jsonResponse(200, {}));
    expect((await keyed(event('gw-req-3', { authorization: 'Bearer wrong-key-0000' }), lambdaContext('api-status', 10))).statusCode).toBe(401);
    expect(lines.map((line) => [line.message, line[API_REQUEST_ID_KEY]])).toEqual([
      ['Request rejected', 'gw-req-2'],
      ['Request rejected', 'gw-req-3'],
    ]);
  });

  it("carries Lambda's request id and cold start beside it through the API function's dispatch", async () => {
    const { logger: runtimeLogger } = await import('../../lambdas/runtime/lambda');
    const lines: Array<Record<string, unknown>> = [];
    const record = (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>);
    const saved = (runtimeLogger as unknown as { console: unknown }).console;
    const level = runtimeLogger.getLevelName();
    Object.assign(runtimeLogger, { console: { log: record, info: record, warn: record, error: record, debug: record, trace: record } });
    runtimeLogger.setLogLevel('INFO');
    try {
      const health = route({ logger: runtimeLogger, body: false }, async () => {
        runtimeLogger.info('Health asked');
        return jsonResponse(200, { status: 'ok' });
      });
      const handler = apiFunction('status', { health, status: health });
      const context = lambdaContext('api-status', 10);
      await handler(event('gw-req-4'), context);
      expect(lines).toEqual([
        expect.objectContaining({ message: 'Health asked', api_request_id: 'gw-req-4', function_request_id: context.awsRequestId, cold_start: expect.any(Boolean) }),
      ]);
    } finally {
      Object.assign(runtimeLogger, { console: saved });
      runtimeLogger.setLogLevel(level);
    }
  });
});

describe('AWS SDK clients', () => {
  it('abort a stalled attempt: connection and answer timeouts, requestTimeout enforced, all attempts inside an API function timeout', () => {
    expect(awsClientConfig()).toEqual({
      requestHandler: {
        connectionTimeout: AWS_CLIENT_TIMEOUTS.connectionTimeoutMs,
        requestTimeout: AWS_CLIENT_TIMEOUTS.requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
    });
    expect(AWS_CLIENT_TIMEOUTS.connectionTimeoutMs).toBeLessThan(AWS_CLIENT_TIMEOUTS.requestTimeoutMs);
    expect(awsCallBudgetMs()).toBeLessThan(API_TIMEOUT_SECONDS * 1000);
  });
});
