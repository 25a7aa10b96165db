import type { Logger } from '@aws-lambda-powertools/logger';
import middy, { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../../lib/shape';
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

/** Size, media type and JSON syntax of the body: 413, 415 and 400 before any business code runs. */
function readJsonBody(event: ApiEvent): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`Request body exceeds ${MAX_BODY_BYTES} bytes`);
  const contentType = (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw new UnsupportedMediaTypeError('Content-Type must be application/json');
  }
  if (bytes.length === 0) throw new MalformedJsonError('Request body is empty; a JSON object is required');
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new MalformedJsonError('Request body is not valid JSON');
  }
  const broken = malformedStringPath(body, []);
  if (broken) {
    // A lone surrogate (`"\ud800"`) parses as JSON but cannot be encoded into a vendor URL: refuse it here.
    throw new ValidationError(`Invalid request: ${broken}`, [{ field: broken, message: 'must be well-formed Unicode (no lone surrogates)' }]);
  }
  return body;
}

/** The path of the first string or key in `value` that is not well-formed UTF-16, if any. */
function malformedStringPath(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path.join('.') || '(body)';
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (!key.isWellFormed()) return [...path, '(key)'].join('.');
    const found = malformedStringPath(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Maps errors to the API's error shape: the caller's mistakes to their 4xx, a failed enqueue to a retryable 503,
 * anything else to a 500 that reveals nothing.
 */
function errorMapper(logger: Logger): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof TrackingError) {
        const details = 'details' in error ? (error as { details: unknown[] }).details : undefined;
        if (error.httpStatus >= 500) logger.error('Request failed', { code: error.code, error });
        else logger.info('Request rejected', { code: error.code, status: error.httpStatus, fields: fieldsOf(details) });
        request.response = errorResponse(error.httpStatus, error.code, error.message, details);
        return;
      }
      if (error instanceof EnqueueError) {
        logger.error('Enqueue failed', { error: error.message, cause: String((error.cause as Error | undefined)?.message ?? '') });
        request.response = errorResponse(503, 'enqueue_failed', 'The order could not be queued for every vendor and was not recorded; send the same request again', [], {
          'retry-after': '1',
        });
        return;
      }
      logger.error('Unhandled error', { error: error as Error });
      request.response = errorResponse(500, 'internal_error', 'Internal error; the request may be retried');
    },
  };
}

function fieldsOf(details: unknown[] | undefined): string[] | undefined {
  return details?.map((d) => String((d as { field?: unknown }).field ?? ''));
}

export interface RouteOptions {
  logger: Logger;
  /** Omit for routes without authentication (health). */
  apiKeys?: ApiKeySource;
  /** Whether the route takes a JSON body. */
  body: boolean;
}

/** A route's handler: thin middy chain (errors, auth, body) around a business function. */
export function route(options: RouteOptions, handle: (request: ApiRequest) => Promise<ApiResult>): ApiHandler {
  const chain = middy<ApiEvent, ApiResult>().use(errorMapper(options.logger));
  if (options.apiKeys) chain.use(apiKeyAuth(options.apiKeys));
  return chain.handler(async (event) => handle({ event, body: options.body ? readJsonBody(event) : undefined })) as unknown as ApiHandler;
}
