/** Base of every error this service raises on purpose; `code` is what API callers see. */
export abstract class TrackingError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `items.0.quantity`. */
  field: string;
  message: string;
}

/** Thrown when a request body or parameter fails validation; names every bad field. */
export class ValidationError extends TrackingError {
  readonly code = 'validation_error';
  readonly httpStatus = 400;
  constructor(message: string, readonly details: FieldIssue[] = []) {
    super(message);
  }
}

/** Thrown when the body is not JSON at all. */
export class MalformedJsonError extends TrackingError {
  readonly code = 'invalid_json';
  readonly httpStatus = 400;
}

/** Thrown when the Authorization header is missing or carries no active key. Deliberately vague. */
export class UnauthorizedError extends TrackingError {
  readonly code = 'unauthorized';
  readonly httpStatus = 401;
  constructor() {
    super('Missing or invalid API key');
  }
}

/** Thrown when a requested resource (an order) does not exist. */
export class NotFoundError extends TrackingError {
  readonly code = 'not_found';
  readonly httpStatus = 404;
}

/** Thrown when the request body exceeds the documented limit. */
export class PayloadTooLargeError extends TrackingError {
  readonly code = 'payload_too_large';
  readonly httpStatus = 413;
}

/** Thrown when a body is sent with a content type other than JSON. */
export class UnsupportedMediaTypeError extends TrackingError {
  readonly code = 'unsupported_media_type';
  readonly httpStatus = 415;
}

/** Thrown at synth or start-up when the configuration file is invalid; names the bad field. */
export class ConfigurationError extends Error {
  constructor(message: string, readonly details: FieldIssue[] = []) {
    super(details.length ? `${message}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}` : message);
    this.name = 'ConfigurationError';
  }
}

/** Thrown when queuing a delivery fails; the caller gets a 5xx and may retry safely. */
export class EnqueueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnqueueError';
  }
}
