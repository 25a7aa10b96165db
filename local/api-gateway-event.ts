/**
 * The event API Gateway's HTTP API (payload format 2.0) hands a function, after AWS's documented payload: lower-case
 * header names with a repeated header's values joined by commas, `rawPath` with a named stage's prefix,
 * `queryStringParameters` only when there is a query, `pathParameters` only on a route that has some, `body` absent
 * when the request has none and Base64-encoded when it is not UTF-8 text, `isBase64Encoded` always present. The one
 * builder of that event: the local HTTP server, the artifact tests and the handler tests all use it.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface ApiGatewayRequest {
  method: string;
  /** The path as requested, without a stage prefix, e.g. `/v1/conversions/A%2F1`. */
  path: string;
  /** The route template, e.g. `/v1/conversions/{orderId}`; `routeKey` is `<method> <route>`. Default: `path`. */
  route?: string;
  /** The query string without its `?`. */
  query?: string;
  /** Lower-case names; a repeated header's values already joined with a comma. */
  headers?: Record<string, string>;
  /** The Cookie header split into its cookies (API Gateway takes it out of `headers`). */
  cookies?: string[];
  pathParameters?: Record<string, string>;
  /** Text is passed as it is unless `base64`; bytes that are not UTF-8 always go Base64-encoded. Empty means none. */
  body?: string | Buffer;
  /** Send the body Base64-encoded, as API Gateway does for a body it does not consider text. */
  base64?: boolean;
  /** A named stage puts `/<stage>` in front of `rawPath` and `requestContext.http.path`. Default `$default`. */
  stage?: string;
  accountId?: string;
  apiId?: string;
  /** Default: a random UUID. */
  requestId?: string;
  sourceIp?: string;
  /** Default: `HTTP/1.1`. */
  protocol?: string;
  /** When the request arrived; default now. */
  at?: Date;
}

/** API Gateway's `requestContext.time` format: 21/Nov/2026:10:00:00 +0000. */
function gatewayTime(at: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;
}

/** The body as API Gateway passes it: text, or Base64 for bytes that are not UTF-8 (or when asked). */
function bodyOf(body: string | Buffer | undefined, base64: boolean): { body?: string; isBase64Encoded: boolean } {
  if (body === undefined || body.length === 0) return { isBase64Encoded: false };
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  // Bytes that are not UTF-8 go Base64-encoded, so the handler sees them as sent (and refuses them) instead of a
  // text already mangled into U+FFFD.
  if (base64 || !isUtf8(bytes)) return { body: bytes.toString('base64'), isBase64Encoded: true };
  return { body: typeof body === 'string' ? body : bytes.toString('utf8'), isBase64Encoded: false };
}

/** Every value of a repeated query parameter joined with a comma, as payload format 2.0 does. */
function queryParameters(query: string): Record<string, string> {
  const parsed = new URLSearchParams(query);
  const parameters: Record<string, string> = {};
  for (const name of new Set(parsed.keys())) parameters[name] = parsed.getAll(name).join(',');
  return parameters;
}

export function apiGatewayEvent(request: ApiGatewayRequest): APIGatewayProxyEventV2 {
  const stage = request.stage ?? '$default';
  const rawPath = stage === '$default' ? request.path : `/${stage}${request.path}`;
  const query = request.query ?? '';
  const headers = request.headers ?? {};
  const domainName = headers.host ?? 'localhost';
  const at = request.at ?? new Date();
  const routeKey = `${request.method} ${request.route ?? request.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: query,
    ...(request.cookies?.length ? { cookies: request.cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: queryParameters(query) } : {}),
    ...(request.pathParameters && Object.keys(request.pathParameters).length ? { pathParameters: request.pathParameters } : {}),
    ...bodyOf(request.body, request.base64 ?? false),
    requestContext: {
      accountId: request.accountId ?? 'local',
      apiId: request.apiId ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0]!,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId ?? randomUUID(),
      routeKey,
      stage,
      time: gatewayTime(at),
      timeEpoch: at.getTime(),
    },
  };
}
