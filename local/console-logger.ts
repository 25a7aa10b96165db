/**
 * The handlers' Powertools Logger, printing one readable line per entry instead of Lambda's JSON:
 * `10:04:31 WARN  sender/kelkoo  Delivery will be retried  orderId=CMD1 attempt=1 retryInSeconds=30`.
 */
import { Logger, LogItem } from '@aws-lambda-powertools/logger';
import { DELIVERY_METRICS, type DeliveryMetrics } from '../lambdas/observability/metrics';

/** Keys every Powertools entry carries; the line shows them in its fixed columns, or not at all. */
const STANDARD_KEYS = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id']);

/**
 * Masks IPv4/IPv6 addresses and e-mail addresses wherever they appear in a line. The handlers do not log them;
 * this keeps it so for the lines the local stack adds (sandbox checks quote received values).
 */
export function redact(text: string): string {
  return text
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '<email>')
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '<ip>')
    // IPv6: three or more groups, or a `::` abbreviation; two groups would also match clock times such as 10:04:31.
    .replace(/\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b/g, '<ip>')
    .replace(/(?:\b[0-9a-fA-F]{1,4})?::(?:[0-9a-fA-F]{1,4}:?)*[0-9a-fA-F]{0,4}/g, (match) => (match === '::' ? match : '<ip>'));
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return /[\s"]/.test(value) ? JSON.stringify(value) : value;
  if (Array.isArray(value)) return value.map(formatValue).join(',');
  if (value && typeof value === 'object') {
    // Powertools turns Error instances into {name, message, location, stack}; the message is what a reader needs.
    const error = value as { name?: unknown; message?: unknown; stack?: unknown };
    if (typeof error.message === 'string' && typeof error.stack === 'string') return formatValue(error.message);
    return JSON.stringify(value);
  }
  return String(value);
}

function clock(timestamp: unknown): string {
  const at = typeof timestamp === 'string' ? new Date(timestamp) : new Date();
  return at.toTimeString().slice(0, 8);
}

/** Wide enough for the longest component name, `sender/qualityclick`, so messages line up. */
const COMPONENT_WIDTH = 19;

export class ConsoleLogger extends Logger {
  protected override printLog(_logLevel: number, log: LogItem): void {
    const attributes = log.getAttributes() as Record<string, unknown>;
    const level = String(attributes.level ?? 'INFO');
    const extras = Object.entries(attributes)
      .filter(([key]) => !STANDARD_KEYS.has(key) && !key.startsWith('function_') && key !== 'cold_start')
      .filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0))
      .map(([key, value]) => `${key}=${formatValue(value)}`);
    const line = [clock(attributes.timestamp), level.padEnd(5), String(attributes.service ?? '').padEnd(COMPONENT_WIDTH), String(attributes.message ?? ''), ...extras].join('  ');
    const out = level === 'ERROR' || level === 'CRITICAL' || level === 'WARN' ? process.stderr : process.stdout;
    out.write(`${redact(line)}\n`);
  }
}

/** A logger for one part of the local stack; `quiet` silences it (tests). */
export function consoleLogger(component: string, quiet: boolean): Logger {
  return new ConsoleLogger({ serviceName: component, logLevel: quiet ? 'SILENT' : 'INFO' });
}

/**
 * The delivery counts of the local stack, printed by the component's logger: deployed, each count is an EMF record
 * that is also the line an operator reads (a sender's batch, naming the orders it delivered; a conversion's order, per
 * destination), so the local stack prints that record as a line of its own.
 */
export function consoleMetrics(logger: Logger): DeliveryMetrics {
  const countAll: DeliveryMetrics['countAll'] = (destination, counts, properties = {}) => {
    // By metric name, as the deployed record has them (`DeliveriesSent=2`): `sent` is the record's list of orders.
    const counted = Object.fromEntries([...counts].filter(([, value]) => value > 0).map(([event, value]) => [DELIVERY_METRICS[event], value]));
    if (!Object.keys(counted).length) return;
    const { message, function_request_id: _request, ...rest } = properties;
    logger.info(typeof message === 'string' ? message : 'Counted', { destination, ...counted, ...rest });
  };
  return { countAll, count: (destination, event, value = 1, properties) => countAll(destination, [[event, value]], properties) };
}
