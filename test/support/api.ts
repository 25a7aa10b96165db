import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { ApiHandler, ApiResult } from '../../lambdas/api/http';

export const API_KEY = 'test-key-0123456789';

/** An API Gateway v2 event as the HTTP API would deliver it. */
export function apiEvent(options: {
  method?: string;
  path?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  auth?: string | null;
  pathParameters?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/';
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.headers ?? {}) };
  if (options.auth !== null) headers.authorization = options.auth ?? `Bearer ${API_KEY}`;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    isBase64Encoded: false,
    pathParameters: options.pathParameters,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  } as APIGatewayProxyEventV2;
}

export const lambdaContext = { functionName: 'test', awsRequestId: 'req', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

export async function call(handler: ApiHandler, event: APIGatewayProxyEventV2): Promise<{ status: number; body: any; result: ApiResult }> {
  const result = await handler(event, lambdaContext);
  return { status: result.statusCode ?? 200, body: result.body ? JSON.parse(result.body) : undefined, result };
}
