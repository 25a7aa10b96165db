import type { Logger } from '@aws-lambda-powertools/logger';
import middy, { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../contract/shape';
import {
  EnqueueError,
  MalformedJsonError,
  PayloadTooLargeError,
  TrackingError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors';
import { ApiKeySource, matchesAnyKey } from './api-keys';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** What a route's business function receives: the event and, for routes with a body, the parsed JSON. */
export interface ApiRequest {
  event: ApiEvent;
  body: unknown;
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(statusCode: number, code: string, message: string, details?: unknown[], headers?: Record<string, string>): ApiResult {
  return jsonResponse(statusCode, { error: { code, message, ...(details?.length ? { details } : {}) } }, headers);
}

function header(event: ApiEvent, name: string): string | undefined {
  // API Gateway v2 lower-cases header names; the local server does the same.
  return event.headers?.[name];
}

/** Checks the bearer key before anything else runs, so a bad key never reaches parsing or storage. */
function apiKeyAuth(keys: ApiKeySource): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    before: async (request) => {
      const authorization = header(request.event, 'authorization') ?? '';
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match || !matchesAnyKey(match[1]!, await keys.activeKeys())) throw new UnauthorizedError();
    },
  };
}

/** Size, media type, charset, encoding and JSON syntax of the body: 413, 415 and 400 before any business code runs. */
function readJsonBody(event: ApiEvent): unknown {
  const raw = event.body ?? '';
  // A text body that is well-formed UTF-16 is exactly the text its UTF-8 bytes decode to: it is parsed as it is, with
  // no copy into bytes and back. One with a lone surrogate takes the way through bytes, as a base64 body does.
  const text = !event.isBase64Encoded && raw.isWellFormed() ? raw : undefined;
  const size = text !== undefined ? Buffer.byteLength(text, 'utf8') : undefined;
  const bytes = size === undefined ? (event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8')) : undefined;
  const length = size ?? bytes!.length;
  if (length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Request body exceeds ${MAX_BODY_BYTES} bytes`);
  checkMediaType(header(event, 'content-type'), header(event, 'content-encoding'));
  if (length === 0) throw new MalformedJsonError('Request body is empty; a JSON object is required');
  // The decoder drops a leading byte order mark; so does the text path.
  return checkJsonValue(parseJson(text !== undefined ? (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) : decodeUtf8(bytes!)));
}

/**
 * Only `application/json` (or `…+json`) in UTF-8, unencoded: a declared charset other than UTF-8 would be decoded
 * wrongly and its text mangled on the way to the vendors, and a compressed body is not JSON until inflated.
 */
export function checkMediaType(contentType: string | undefined, contentEncoding: string | undefined): void {
  // What nearly every client sends, accepted without taking it apart.
  if (contentEncoding === undefined && (contentType === 'application/json' || contentType === 'application/json; charset=utf-8')) return;
  const [type, ...parameters] = (contentType ?? '').split(';');
  const mediaType = type!.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new UnsupportedMediaTypeError('Content-Type must be application/json');
  }
  for (const parameter of parameters) {
    const [name, value = ''] = parameter.split('=');
    if (name!.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new UnsupportedMediaTypeError(`charset ${JSON.stringify(charset)} is not supported; send the body in UTF-8 (charset=utf-8)`);
    }
  }
  const encodings = (contentEncoding ?? '').split(',').map((e) => e.trim().toLowerCase()).filter((e) => e && e !== 'identity');
  if (encodings.length) throw new UnsupportedMediaTypeError(`Content-Encoding ${encodings.join(', ')} is not supported; send the body uncompressed`);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Strict UTF-8: a byte sequence that is not UTF-8 is refused rather than turned into U+FFFD; a leading BOM is dropped. */
function decodeUtf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new MalformedJsonError('Request body is not valid UTF-8');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError('Request body is not valid JSON');
  }
}

/** How deep objects and arrays may nest in a request body; the deepest valid body (identifiers) has 3 levels. */
export const MAX_JSON_DEPTH = 32;

/**
 * Walks the parsed body once, without recursion (a 64 KiB body can nest 30,000 levels deep): refuses nesting beyond
 * MAX_JSON_DEPTH, and strings or keys that are not well-formed UTF-16 – a lone surrogate (`"\ud800"`) parses as
 * JSON but cannot be encoded into a vendor URL.
 */
function checkJsonValue(body: unknown): unknown {
  // Each pending value links to its parent: a field's path is spelled out only when it is reported.
  interface Pending {
    value: unknown;
    key: string;
    parent: Pending | undefined;
    depth: number;
  }
  const pathOf = (at: Pending | undefined): string[] => {
    const path: string[] = [];
    for (let p = at; p?.parent !== undefined; p = p.parent) path.push(p.key);
    return path.reverse();
  };
  const pending: Pending[] = [{ value: body, key: '', parent: undefined, depth: 0 }];
  while (pending.length) {
    const entry = pending.pop()!;
    const value = entry.value;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) throw malformedString(pathOf(entry).join('.') || '(body)');
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (entry.depth >= MAX_JSON_DEPTH) {
      throw new ValidationError(`Invalid request: body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`, [
        { field: pathOf(entry).slice(0, 3).join('.') || '(body)', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` },
      ]);
    }
    // Pushed in reverse, so the first offending field in document order is the one reported.
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (!key.isWellFormed()) throw malformedString([...pathOf(entry), '(key)'].join('.'));
      pending.push({ value: (value as Record<string, unknown>)[key], key, parent: entry, depth: entry.depth + 1 });
    }
  }
  return body;
}

function malformedString(field: string): ValidationError {
  return new ValidationError(`Invalid request: ${field}`, [{ field, message: 'must be well-formed Unicode (no lone surrogates)' }]);
}

/**
 * Maps errors to the API's error shape: the caller's mistakes to their 4xx, a failed enqueue to a retryable 503,
 * anything else to a 500 that reveals nothing.
 */
function errorMapper(logger: Logger): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: async (request) => {
      request.response = errorResult(logger, request.error);
    },
  };
}

function errorResult(logger: Logger, error: unknown): ApiResult {
  if (error instanceof TrackingError) {
    const details = 'details' in error ? (error as { details: unknown[] }).details : undefined;
    if (error.httpStatus >= 500) logger.error('Request failed', { code: error.code, error });
    else logger.info('Request rejected', { code: error.code, status: error.httpStatus, fields: fieldsOf(details) });
    return errorResponse(error.httpStatus, error.code, error.message, details);
  }
  if (error instanceof EnqueueError) {
    logger.error('Enqueue failed', { error: error.message, cause: String((error.cause as Error | undefined)?.message ?? '') });
    return errorResponse(503, 'enqueue_failed', 'The order could not be queued for every vendor and was not recorded; send the same request again', [], {
      'retry-after': '1',
    });
  }
  logger.error('Unhandled error', { error: error as Error });
  return errorResponse(500, 'internal_error', 'Internal error; the request may be retried');
}

function fieldsOf(details: unknown[] | undefined): string[] | undefined {
  return details?.map((d) => String((d as { field?: unknown }).field ?? ''));
}

/** The log key holding API Gateway's id of the request: the `requestId` of the same request's access-log line. */
export const API_REQUEST_ID_KEY = 'api_request_id';

/**
 * Every line a request logs carries API Gateway's id of it (`requestContext.requestId`), so that a function's log
 * line leads to the request's access-log line (its `requestId`), and that line to the function's lines. A function runs
 * one request at a time, so the key is set before the request and removed after.
 */
function apiRequestIdKey(logger: Logger): MiddlewareObj<ApiEvent, ApiResult> {
  const remove = async () => void logger.removeKeys([API_REQUEST_ID_KEY]);
  return {
    before: async (request) => {
      const requestId = request.event.requestContext?.requestId;
      if (requestId) logger.appendKeys({ [API_REQUEST_ID_KEY]: requestId });
    },
    after: remove,
    onError: remove,
  };
}

export interface RouteOptions {
  logger: Logger;
  /** Omit for routes without authentication (health). */
  apiKeys?: ApiKeySource;
  /** Whether the route takes a JSON body. */
  body: boolean;
}

/**
 * A route's handler: a thin middy chain around a business function – the request id key, the error mapping
 * (errorResult), the API key, so a bad key never reaches parsing or storage; then the body (size, media type, JSON).
 *
 * No early timeout (`timeoutEarlyInMillis: 0`): middy would otherwise race every request against a timer set from the
 * function's remaining time, a cost each request pays for a case the SDK's call budget (6.6 s, inside the API's 10 s)
 * already ends.
 */
export function route(options: RouteOptions, handle: (request: ApiRequest) => Promise<ApiResult>): ApiHandler {
  // The request id first: its `before` runs first and its `onError` last, after errorMapper has logged the failure.
  const chain = middy<ApiEvent, ApiResult>({ timeoutEarlyInMillis: 0 }).use(apiRequestIdKey(options.logger)).use(errorMapper(options.logger));
  if (options.apiKeys) chain.use(apiKeyAuth(options.apiKeys));
  return chain.handler(async (event) => handle({ event, body: options.body ? readJsonBody(event) : undefined })) as unknown as ApiHandler;
}
