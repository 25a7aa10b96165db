/**
 * Stands in for API Gateway's HTTP API: turns a Node request into the APIGatewayProxyEventV2 the handlers get
 * on AWS, routes it by API_ROUTES, and writes the handler's structured result back.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { API_ROUTES, API_TIMEOUT_SECONDS, ApiHandlerName, ApiRoute, MAX_BODY_BYTES } from '../lib/shape';
import type { ApiHandler } from '../lambdas/api/http';
import { lambdaContext } from './lambda-context';

export interface ReceivedBody {
  bytes: Buffer;
  /** More than `limit` bytes were sent; `bytes` holds only the first `limit + 1`. */
  overLimit: boolean;
}

/**
 * Reads a request body, keeping at most `limit + 1` bytes: enough for the handler to see that the body is too
 * large, never an unbounded buffer. The rest of an oversized body is drained and discarded.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<ReceivedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      const room = limit + 1 - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (size > limit) {
        request.off('data', onData);
        request.off('end', onEnd);
        // Keep the stream flowing with no listener: Node discards the remainder instead of buffering it.
        request.resume();
        resolve({ bytes: Buffer.concat(chunks), overLimit: true });
      }
    };
    const onEnd = () => resolve({ bytes: Buffer.concat(chunks), overLimit: false });
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(text);
}

/** The API's error shape (SPEC §2), for the answers the local gateway gives itself. */
export function sendError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { error: { code, message } }, headers);
}

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  parameterNames: string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
}

const COMPILED = API_ROUTES.map(compile);

export type RouteMatch =
  | { kind: 'route'; route: ApiRoute; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' }
  | { kind: 'bad-path'; parameter: string };

/** Matches `rawPath` (still percent-encoded) against API_ROUTES; path parameters come back decoded, as on API Gateway. */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const candidates = COMPILED.map((c) => ({ c, match: c.pattern.exec(rawPath) })).filter((x) => x.match);
  if (candidates.length === 0) return { kind: 'not-found' };
  const hit = candidates.find((x) => x.c.route.method === method);
  if (!hit) return { kind: 'method-not-allowed', allowed: [...new Set(candidates.map((x) => x.c.route.method))] };
  const pathParameters: Record<string, string> = {};
  for (const [i, name] of hit.c.parameterNames.entries()) {
    try {
      pathParameters[name] = decodeURIComponent(hit.match![i + 1]!);
    } catch {
      return { kind: 'bad-path', parameter: name };
    }
  }
  return { kind: 'route', route: hit.c.route, pathParameters };
}

/** API Gateway's `requestContext.time` format: 21/Nov/2026:10:00:00 +0000. */
function gatewayTime(at: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;
}

/** The event API Gateway (payload format 2.0) would hand the handler for this request. */
export function toApiEvent(
  request: IncomingMessage,
  route: ApiRoute,
  pathParameters: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const url = request.url ?? '/';
  const at = url.indexOf('?');
  const rawPath = at < 0 ? url : url.slice(0, at);
  const rawQueryString = at < 0 ? '' : url.slice(at + 1);
  const method = (request.method ?? 'GET').toUpperCase();

  // Node already lower-cases names; repeated headers are joined with commas, as API Gateway does.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = request.headers.cookie?.split(/;\s*/).filter(Boolean);

  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const name of new Set(query.keys())) queryStringParameters[name] = query.getAll(name).join(',');

  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...(body.length ? { body: body.toString('utf8') } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: gatewayTime(now),
      timeEpoch: now.getTime(),
    },
  };
}

function writeResult(response: ServerResponse, result: APIGatewayProxyResultV2): number {
  if (typeof result === 'string' || result === undefined || result === null) {
    // Payload format 2.0: anything that is not a structured result is a 200 JSON body.
    sendJson(response, 200, result);
    return 200;
  }
  const structured = result as Exclude<APIGatewayProxyResultV2, string>;
  const status = structured.statusCode ?? 200;
  const headers: Record<string, string | number | boolean | string[]> = { ...(structured.headers ?? {}) };
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body === undefined ? '' : structured.isBase64Encoded ? Buffer.from(structured.body, 'base64') : structured.body;
  response.writeHead(status, headers as Record<string, string | string[]>);
  response.end(body);
  return status;
}

/** Serves the API routes over the given handlers. */
export function createApiGateway(handlers: Record<ApiHandlerName, ApiHandler>, logger: Logger) {
  return async function serveApi(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = request.url ?? '/';
    const rawPath = url.split('?')[0]!;
    const match = matchRoute(method, rawPath);
    if (match.kind === 'not-found') {
      request.resume();
      return sendError(response, 404, 'route_not_found', `No route ${method} ${rawPath}`);
    }
    if (match.kind === 'method-not-allowed') {
      request.resume();
      return sendError(response, 405, 'method_not_allowed', `${rawPath} does not accept ${method}; use ${match.allowed.join(' or ')}`, {
        allow: match.allowed.join(', '),
      });
    }
    if (match.kind === 'bad-path') {
      request.resume();
      return sendError(response, 400, 'validation_error', `Path parameter ${match.parameter} is not valid percent-encoding`);
    }

    const body = await readBody(request, MAX_BODY_BYTES);
    // An oversized body was not read to its end: close the connection rather than reuse it.
    if (body.overLimit) response.setHeader('connection', 'close');
    const event = toApiEvent(request, match.route, match.pathParameters, body.bytes);
    let status: number;
    try {
      const result = await handlers[match.route.handler](event, lambdaContext(`api-${match.route.handler}`, API_TIMEOUT_SECONDS));
      status = writeResult(response, result);
    } catch (error) {
      // The handlers map every error themselves; reaching here is a bug worth seeing in the console.
      logger.error('Handler threw instead of answering', { route: event.routeKey, error: error as Error });
      sendError(response, 500, 'internal_error', 'Internal error; the request may be retried');
      status = 500;
    }
    logger.info(`${method} ${rawPath}`, { status, ms: Date.now() - started });
  };
}
