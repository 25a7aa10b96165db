/**
 * `npm run report` counts a delivery cancelled before it was sent as `cancelled`, in its own column, and no longer as
 * `pending`: from the local stack's records and from the metrics a deployed stack publishes.
 */
import { formatReport, tallyMetrics, tallyRecords } from '../../scripts/report';

const since = new Date('2026-11-27T00:00:00Z');
const day = new Date('2026-11-28T00:00:00Z');

/** An order as the conversion records it, with its planned deliveries. */
const orderItem = (orderId: string, plan: Array<{ destination: string; status: string; reason?: string }>) => ({
  pk: `ORDER#${orderId}`,
  sk: 'ORDER',
  receivedAt: '2026-11-28T10:00:00.000Z',
  plan,
});
const deliveryItem = (orderId: string, destination: string, status: string) => ({ pk: `ORDER#${orderId}`, sk: `DELIVERY#${destination}`, destination, status });

describe('report: cancelled deliveries', () => {
  it('local: a delivery cancelled before it was sent is cancelled, not pending', () => {
    const rows = tallyRecords(
      [
        orderItem('A', [{ destination: 'kelkoo', status: 'queued' }]),
        deliveryItem('A', 'kelkoo', 'sent'),
        // Cancelled before any sender claimed it: the cancellation created the record.
        orderItem('B', [{ destination: 'kelkoo', status: 'queued' }]),
        deliveryItem('B', 'kelkoo', 'cancelled'),
        // Cancelled while it was being retried.
        orderItem('C', [{ destination: 'kelkoo', status: 'queued' }]),
        deliveryItem('C', 'kelkoo', 'cancelled'),
        // Still owed.
        orderItem('D', [{ destination: 'kelkoo', status: 'queued' }]),
        deliveryItem('D', 'kelkoo', 'retrying'),
      ],
      since,
    );
    expect(rows).toEqual([
      { day: '2026-11-28', vendor: 'kelkoo', reported: 4, queued: 4, sent: 1, skipped: {}, failed: 0, deadLettered: 0, cancelled: 2, pending: 1 },
    ]);
  });

  it('deployed: the cancelled count is its own column and is not pending', () => {
    const rows = tallyMetrics([
      { vendor: 'kelkoo', event: 'queued', timestamps: [day], values: [4] },
      { vendor: 'kelkoo', event: 'sent', timestamps: [day], values: [1] },
      { vendor: 'kelkoo', event: 'cancelled', timestamps: [day], values: [2] },
    ]);
    expect(rows).toEqual([
      { day: '2026-11-28', vendor: 'kelkoo', reported: 4, queued: 4, sent: 1, skipped: 0, failed: 0, deadLettered: 0, cancelled: 2, pending: 1 },
    ]);
  });

  it('prints cancelled between dead-lettered and pending', () => {
    const lines = formatReport(
      [{ day: '2026-11-28', vendor: 'kelkoo', reported: 4, queued: 4, sent: 1, skipped: 0, failed: 0, deadLettered: 0, cancelled: 2, pending: 1 }],
      'heading',
    );
    expect(lines[2]).toMatch(/^day\s+vendor\s+reported\s+queued\s+sent\s+skipped\s+failed\s+dead-lettered\s+cancelled\s+pending$/);
    expect(lines[3]!.split(/\s+/)).toEqual(['2026-11-28', 'kelkoo', '4', '4', '1', '0', '0', '0', '2', '1']);
  });
});
