/**
 * The local stack prints the delivery counts as lines (local/console-logger.ts, consoleMetrics): deployed, a sale's
 * metric record is its only line at INFO, so the terminal shows what CloudWatch would hold.
 */
import { consoleLogger, consoleMetrics } from '../../local/console-logger';

function printed(run: (metrics: ReturnType<typeof consoleMetrics>) => void): string[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run(consoleMetrics(consoleLogger('sender/kelkoo', false)));
  } finally {
    write.mockRestore();
  }
  return lines;
}

describe('the local stack’s metric lines', () => {
  it("print a batch's counts by metric name beside the orders it delivered, and nothing for an empty batch", () => {
    const lines = printed((metrics) => {
      metrics.countAll('kelkoo', new Map([['sent', 2], ['retrying', 1]]), { message: 'Batch settled', function_request_id: 'r-1', sent: ['O-1', 'O-2'] });
      metrics.countAll('kelkoo', new Map([['sent', 0]]), { message: 'Batch settled' });
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO\s+sender\/kelkoo\s+Batch settled {2}destination=kelkoo {2}DeliveriesSent=2 {2}DeliveryRetries=1 {2}sent=O-1,O-2\n$/);
    // The invocation's request id is for CloudWatch; a terminal has one process.
    expect(lines[0]).not.toContain('r-1');
  });

  it("print a conversion's record with its order", () => {
    const [line] = printed((metrics) => metrics.count('qualityclick', 'queued', 1, { orderId: 'O-9', api_request_id: 'req-1' }));
    expect(line).toMatch(/Counted {2}destination=qualityclick {2}DeliveriesQueued=1 {2}orderId=O-9 {2}api_request_id=req-1\n$/);
  });
});
