/**
 * Stands in for API Gateway's HTTP API: turns a Node request into the APIGatewayProxyEventV2 the handlers get
 * on AWS, routes it by API_ROUTES, and writes the handler's structured result back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { API_ROUTES, API_TIMEOUT_SECONDS, ApiHandlerName, ApiRoute, MAX_BODY_BYTES } from '../lambdas/contract/shape';
import type { ThrottleLimit } from '../lambdas/config/schema';
import { routeKeyOf, RouteThrottles, throttleOfRoute } from '../lambdas/contract/throttle';
import type { ApiHandler } from '../lambdas/api/http';
import { apiGatewayEvent } from './api-gateway-event';
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

/** The names a request's `Host` may give for the local stack: it listens on loopback only (stack.ts, LISTEN_HOST). */
const LOCAL_HOSTNAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a `Host` header names this machine (any port). A web page elsewhere that rebinds its own DNS name to
 * 127.0.0.1 reaches the local server with that name in `Host`, so refusing every other name keeps it out.
 */
export function isLocalHost(host: string | undefined): boolean {
  return LOCAL_HOSTNAMES.has((host ?? '').replace(/:\d+$/, '').toLowerCase());
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
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

export type RouteMatch = { kind: 'route'; route: ApiRoute; pathParameters: Record<string, string> } | { kind: 'not-found' };

function decodeOnce(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Matches a request as API Gateway's HTTP API does (docs/RELIABILITY.md, "Input limits"): the path is
 * percent-decoded once *before* matching, so `%2F` becomes a segment separator (`/v1/conversions/a%2Fb` matches no
 * route: 404), and each path parameter is decoded once more when handed to the integration (`a%252Fb` → `a/b`).
 * A path that does not decode, or a method the path has no route for, is a 404 – HTTP APIs answer 404, not 405,
 * for a route they do not know.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const path = decodeOnce(rawPath);
  if (path === undefined) return { kind: 'not-found' };
  for (const compiled of COMPILED) {
    if (compiled.route.method !== method) continue;
    const match = compiled.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    for (const [i, name] of compiled.parameterNames.entries()) {
      const value = decodeOnce(match[i + 1]!);
      if (value === undefined) return { kind: 'not-found' };
      pathParameters[name] = value;
    }
    return { kind: 'route', route: compiled.route, pathParameters };
  }
  return { kind: 'not-found' };
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
  // Every value of a repeated header joined with a comma, as API Gateway's payload 2.0 does. `headersDistinct`, not
  // `headers`: Node keeps only the first of a repeated Authorization or Content-Type, which would let a request
  // with two keys pass locally while it fails on AWS.
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values === undefined || name === 'cookie') continue;
    headers[name] = values.join(',');
  }
  return apiGatewayEvent({
    method: (request.method ?? 'GET').toUpperCase(),
    path: at < 0 ? url : url.slice(0, at),
    route: route.path,
    query: at < 0 ? '' : url.slice(at + 1),
    headers,
    cookies: request.headers.cookie?.split(/;\s*/).filter(Boolean) ?? [],
    pathParameters,
    body,
    protocol: `HTTP/${request.httpVersion}`,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
  });
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

/**
 * API Gateway's throttle of one route, by its documented algorithm: a bucket holding up to `burstLimit` tokens, full at
 * first, refilled at `rateLimit` tokens per second; each request takes one, and a request finding less than one is
 * answered 429. `now` (milliseconds) is the clock, so that a test can drive it.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limit: ThrottleLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = limit.burstLimit;
    this.last = now();
  }

  /** Takes a token for one request; false when the request is over the limit. */
  take(): boolean {
    const at = this.now();
    this.tokens = Math.min(this.limit.burstLimit, this.tokens + ((at - this.last) / 1000) * this.limit.rateLimit);
    this.last = at;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** What API Gateway's HTTP API answers a throttled request, before any function runs: 429 and this body, no Retry-After. */
export const THROTTLED_BODY = { message: 'Too Many Requests' } as const;

export interface ApiGatewayOptions {
  /**
   * The stage's default and the routes' own throttles (`routeThrottles` of the configuration's `api`): one token bucket
   * per route, as API Gateway keeps them. Without: nothing is throttled.
   */
  throttles?: RouteThrottles;
  /** The buckets' clock in milliseconds. Default: performance.now. */
  now?: () => number;
}

/** Serves the API routes over the given handlers. */
export function createApiGateway(handlers: Record<ApiHandlerName, ApiHandler>, logger: Logger, options: ApiGatewayOptions = {}) {
  const { throttles } = options;
  const buckets = new Map(throttles ? API_ROUTES.map((route) => [routeKeyOf(route), new TokenBucket(throttleOfRoute(throttles, route), options.now)] as const) : []);
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
    // Throttled before the body is read and before any handler runs, as API Gateway does.
    if (buckets.get(routeKeyOf(match.route))?.take() === false) {
      request.resume();
      sendJson(response, 429, THROTTLED_BODY);
      logger.info(`${method} ${rawPath}`, { status: 429, ms: Date.now() - started });
      return;
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
