/**
 * The functions' Powertools Logger, with the keys of a line cut to what an operator reads. Powertools' default line
 * repeats on every line what the log group already says (the function's ARN, name and memory, the service), a
 * sampling rate of 0 and an X-Ray trace id that leads nowhere when the request was not traced: about 300 of a line's
 * 500 bytes, each of them ingested and billed. Kept: level, message, timestamp, the invocation's
 * `function_request_id` (the Lambda invocation's request id) and `cold_start`, the trace id of a sampled trace,
 * and every key the code logs (orderId, destination, api_request_id, errors).
 */
import { LogFormatter, Logger, LogItem, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/** Whether the invocation's X-Ray trace header says it is sampled, i.e. whether its trace id leads to a trace. */
function sampledTrace(): boolean {
  return /(?:^|;)Sampled=1(?:;|$)/.test(process.env._X_AMZN_TRACE_ID ?? '');
}

export class CompactLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      ...(context ? { function_request_id: context.awsRequestId, cold_start: context.coldStart } : {}),
      ...(attributes.xRayTraceId && sampledTrace() ? { xray_trace_id: attributes.xRayTraceId } : {}),
    };
    return new LogItem({ attributes: base }).addAttributes(additional);
  }
}

/** A Logger writing CompactLogFormatter lines for `serviceName` (the `service` of its metrics, not of its lines). */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logFormatter: new CompactLogFormatter() });
}

/**
 * Whether `logger` writes DEBUG lines. Powertools builds a line's attributes and reads the trace header from the
 * environment before it drops one below its level; a hot path asks first, and builds its DEBUG line only when it is kept.
 */
export function debugEnabled(logger: Pick<Logger, 'level'>): boolean {
  return logger.level <= LogLevelThreshold.DEBUG;
}
