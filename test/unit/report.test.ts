/** `npm run report`'s arithmetic for the deployed stack (CloudWatch daily sums) and its argument parsing. */
import { formatReport, parseSince, tallyMetrics } from '../../scripts/report';
import { formatStatus } from '../../scripts/status';

describe('report from published metrics', () => {
  const day1 = new Date('2026-11-27T00:00:00Z');
  const day2 = new Date('2026-11-28T00:00:00Z');

  it('sums each event per vendor and day; reported = queued + skipped; pending = queued − settled, never negative', () => {
    const rows = tallyMetrics([
      { vendor: 'kelkoo', event: 'queued', timestamps: [day1, day2], values: [10, 4] },
      { vendor: 'kelkoo', event: 'skipped', timestamps: [day1], values: [3] },
      { vendor: 'kelkoo', event: 'sent', timestamps: [day1, day2], values: [7, 5] },
      { vendor: 'kelkoo', event: 'failed', timestamps: [day1], values: [1] },
      { vendor: 'kelkoo', event: 'dead-lettered', timestamps: [day1], values: [1] },
      { vendor: 'klevu', event: 'queued', timestamps: [day2], values: [2] },
    ]);
    expect(rows).toEqual([
      { day: '2026-11-27', vendor: 'kelkoo', reported: 13, queued: 10, sent: 7, skipped: 3, failed: 1, deadLettered: 1, cancelled: 0, pending: 1 },
      // A redriven sale sent the next day: more sent than queued, pending 0.
      { day: '2026-11-28', vendor: 'kelkoo', reported: 4, queued: 4, sent: 5, skipped: 0, failed: 0, deadLettered: 0, cancelled: 0, pending: 0 },
      { day: '2026-11-28', vendor: 'klevu', reported: 2, queued: 2, sent: 0, skipped: 0, failed: 0, deadLettered: 0, cancelled: 0, pending: 2 },
    ]);
    const lines = formatReport(rows, 'heading');
    expect(lines[2]).toMatch(/^day\s+vendor\s+reported\s+queued\s+sent\s+skipped\s+failed\s+dead-lettered\s+cancelled\s+pending$/);
    expect(lines[3]!.split(/\s+/)).toEqual(['2026-11-27', 'kelkoo', '13', '10', '7', '3', '1', '1', '0', '1']);
    expect(formatReport([], 'heading')).toEqual(['heading', '', 'No orders in this period.']);
  });

  it('reads --since as days, hours or a date, and refuses anything else', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-22T12:00:00.000Z');
    expect(parseSince('24h', now).toISOString()).toBe('2026-11-28T12:00:00.000Z');
    expect(parseSince('2026-11-01', now).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    for (const bad of ['7', 'yesterday', '2026-13-45', '-1d']) expect(() => parseSince(bad, now)).toThrow(/--since must be like/);
  });
});

describe('status table', () => {
  it('prints one row per vendor and the history oldest first, with each answer', () => {
    const lines = formatStatus({
      orderId: 'CMD-1',
      receivedAt: '2026-11-29T10:00:00.000Z',
      deliveries: [
        {
          vendor: 'kelkoo',
          status: 'sent',
          attempts: 2,
          vendorStatus: 200,
          sentAt: '2026-11-29T11:00:00.000Z',
          history: [
            { at: '2026-11-29T10:00:01.000Z', durationMs: 120, outcome: 'failed', httpStatus: 400, request: 'GET https://k/st?comId=1', response: 'unknown\ncomId' },
            { at: '2026-11-29T11:00:00.000Z', durationMs: 80, outcome: 'sent', httpStatus: 200, request: 'GET https://k/st?comId=2', response: 'OK' },
          ],
        },
        { vendor: 'qualityclick', status: 'skipped', attempts: 0, reason: 'no live qc_clickid click identifier for this visitor' },
      ],
    });
    expect(lines).toEqual([
      'Order CMD-1, received 2026-11-29T10:00:00.000Z',
      '',
      'vendor        status   attempts  HTTP  detail',
      'kelkoo        sent     2         200   sent 2026-11-29T11:00:00.000Z',
      'qualityclick  skipped  0               no live qc_clickid click identifier for this visitor',
      '',
      'kelkoo: last 2 attempt(s), oldest first',
      '  at                        outcome  HTTP  ms   request',
      '  2026-11-29T10:00:01.000Z  failed   400   120  GET https://k/st?comId=1',
      '  2026-11-29T11:00:00.000Z  sent     200   80   GET https://k/st?comId=2',
      '  #1 answer: unknown comId',
      '  #2 answer: OK',
    ]);
  });
});
