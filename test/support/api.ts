import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { ApiHandler, ApiResult } from '../../lambdas/api/http';
import { apiGatewayEvent } from '../../local/api-gateway-event';

export const API_KEY = 'test-key-0123456789';

/** An API Gateway v2 event as the HTTP API would deliver it: a JSON body and the test key unless told otherwise. */
export function apiEvent(options: {
  method?: string;
  /** The route; used as the requested path too. */
  path?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  auth?: string | null;
  pathParameters?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.headers ?? {}) };
  if (options.auth !== null) headers.authorization = options.auth ?? `Bearer ${API_KEY}`;
  return apiGatewayEvent({
    method: options.method ?? 'POST',
    path: options.path ?? '/',
    headers,
    pathParameters: options.pathParameters,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    requestId: 'req',
  });
}

export const lambdaContext = { functionName: 'test', awsRequestId: 'req', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

export async function call(handler: ApiHandler, event: APIGatewayProxyEventV2): Promise<{ status: number; body: any; result: ApiResult }> {
  const result = await handler(event, lambdaContext);
  return { status: result.statusCode ?? 200, body: result.body ? JSON.parse(result.body) : undefined, result };
}
