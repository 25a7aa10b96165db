/**
 * The functions' log lines (lambdas/observability/logger.ts): what an operator reads, without the Lambda context
 * Powertools repeats on every line by default – which the log group already names and CloudWatch bills per byte.
 */
import { createLogger } from '../../lambdas/observability/logger';
import { logger as runtimeLogger } from '../../lambdas/runtime/lambda';
import { lambdaContext } from '../../local/lambda-context';

/** Runs `log` with the logger's lines kept as parsed JSON objects (and their raw text). */
function linesOf(logger: ReturnType<typeof createLogger>, log: () => void): Array<{ raw: string; line: Record<string, unknown> }> {
  const lines: Array<{ raw: string; line: Record<string, unknown> }> = [];
  const record = (raw: string) => void lines.push({ raw, line: JSON.parse(raw) as Record<string, unknown> });
  const saved = (logger as unknown as { console: unknown }).console;
  const level = logger.getLevelName();
  Object.assign(logger, { console: { log: record, info: record, warn: record, error: record, debug: record, trace: record } });
  // The suite's environment silences Powertools (test/support/env.ts).
  logger.setLogLevel('INFO');
  try {
    log();
  } finally {
    Object.assign(logger, { console: saved });
    logger.setLogLevel(level);
  }
  return lines;
}

const TRACE = process.env._X_AMZN_TRACE_ID;
afterEach(() => {
  if (TRACE === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = TRACE;
});

describe('compact log lines', () => {
  it("keep level, message, time, the invocation's request id and cold start, and the keys logged – not the function's ARN, name, memory or service", () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-674f0a1b-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0';
    const logger = createLogger('conversion-tracking-prod');
    const context = lambdaContext('ConversionTracking-prod-ConversionFunction-AbCdEfGh1234', 10);
    logger.addContext(context);
    logger.appendKeys({ destination: 'kelkoo' });
    const [entry] = linesOf(logger, () => logger.info('Delivered', { orderId: 'O-1', vendorStatus: 200 }));
    expect(Object.keys(entry!.line)).toEqual(['level', 'message', 'timestamp', 'function_request_id', 'cold_start', 'destination', 'orderId', 'vendorStatus']);
    expect(entry!.line).toMatchObject({ level: 'INFO', message: 'Delivered', function_request_id: context.awsRequestId, destination: 'kelkoo', orderId: 'O-1' });
    expect(entry!.raw).not.toMatch(/function_arn|function_name|function_memory_size|sampling_rate|service|xray_trace_id/);
  });

  it('carry the X-Ray trace id only when the request was sampled, i.e. when there is a trace to open', () => {
    const logger = createLogger('conversion-tracking-prod');
    process.env._X_AMZN_TRACE_ID = 'Root=1-674f0a1b-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1';
    const [entry] = linesOf(logger, () => logger.warn('Delivery will be retried'));
    expect(entry!.line.xray_trace_id).toBe('1-674f0a1b-0123456789abcdef01234567');
  });

  it('are what the deployed functions write', () => {
    runtimeLogger.addContext(lambdaContext('api-status', 10));
    const [entry] = linesOf(runtimeLogger, () => runtimeLogger.error('Unhandled error', { error: new Error('boom') }));
    expect(entry!.line).not.toHaveProperty('function_arn');
    expect(entry!.line).not.toHaveProperty('service');
    expect(entry!.line).toMatchObject({ level: 'ERROR', error: expect.objectContaining({ message: 'boom' }) });
  });
});
