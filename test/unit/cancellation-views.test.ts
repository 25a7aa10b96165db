/**
 * What operators see of a cancelled order: `npm run status` prints the order's cancellation, each vendor's
 * cancellation (`unsupported`, or its cancellation call's state and attempts) and the exclusive groups' winners; the
 * console's order rows show the cancellation call under its sale's vendor – never `awin-cancel` as a vendor of its
 * own – with the order's cancellation and groups.
 */
import { parseConfig } from '../../lambdas/config/schema';
import { orderRow } from '../../local/console/reader';
import { formatStatus } from '../../scripts/status';

const ATTEMPT = { at: '2026-11-29T12:00:00.000Z', durationMs: 40, outcome: 'retry' as const, httpStatus: 503, request: 'GET https://aw.example/cancel?ref=CMD-9', response: 'busy' };
const SENT = { ...ATTEMPT, at: '2026-11-29T12:01:00.000Z', outcome: 'sent' as const, httpStatus: 200, response: 'OK' };

describe('npm run status of a cancelled order', () => {
  it('prints the cancellation, the groups, a cancellation column and the cancellation call\'s history under its vendor', () => {
    const lines = formatStatus({
      orderId: 'CMD-9',
      receivedAt: '2026-11-26T10:00:00.000Z',
      cancellation: { requestedAt: '2026-11-29T11:59:00.000Z', reason: 'returned', occurredAt: '2026-11-29T09:00:00.000Z' },
      deliveries: [
        { vendor: 'kelkoo', status: 'sent', attempts: 1, vendorStatus: 200, sentAt: '2026-11-26T10:00:01.000Z', cancellation: 'unsupported' },
        { vendor: 'qualityclick', status: 'cancelled', attempts: 0 },
        {
          vendor: 'awin',
          status: 'sent',
          attempts: 1,
          vendorStatus: 200,
          sentAt: '2026-11-26T10:00:02.000Z',
          cancellation: { status: 'sent', attempts: 2, vendorStatus: 200, sentAt: '2026-11-29T12:01:00.000Z', history: [ATTEMPT, SENT] },
        },
        { vendor: 'net2', status: 'skipped', attempts: 0, reason: 'exclusive group affiliates: lost to awin (newer live click)' },
      ],
      groups: [
        { group: 'affiliates', winner: 'awin', channel: 'awin' },
        { group: 'search', winner: null, channel: 'direct' },
      ],
    });
    expect(lines).toEqual([
      'Order CMD-9, received 2026-11-26T10:00:00.000Z',
      'Cancelled 2026-11-29T11:59:00.000Z (occurred 2026-11-29T09:00:00.000Z): returned',
      'Group affiliates: won by awin, {channel} = awin',
      'Group search: no member held a live click, {channel} = direct',
      '',
      'vendor        status     attempts  HTTP  cancellation      detail',
      'kelkoo        sent       1         200   unsupported       sent 2026-11-26T10:00:01.000Z',
      'qualityclick  cancelled  0',
      'awin          sent       1         200   sent ×2 HTTP 200  sent 2026-11-26T10:00:02.000Z',
      'net2          skipped    0                                 exclusive group affiliates: lost to awin (newer live click)',
      '',
      'awin cancellation call: last 2 attempt(s), oldest first',
      '  at                        outcome  HTTP  ms  request',
      '  2026-11-29T12:00:00.000Z  retry    503   40  GET https://aw.example/cancel?ref=CMD-9',
      '  2026-11-29T12:01:00.000Z  sent     200   40  GET https://aw.example/cancel?ref=CMD-9',
      '  #1 answer: busy',
      '  #2 answer: OK',
    ]);
  });

  it('a call not yet made shows queued, and its last error when it failed', () => {
    const lines = formatStatus({
      orderId: 'CMD-10',
      receivedAt: '2026-11-26T10:00:00.000Z',
      cancellation: { requestedAt: '2026-11-29T11:59:00.000Z' },
      deliveries: [{ vendor: 'awin', status: 'sent', attempts: 1, cancellation: { status: 'retrying', attempts: 1, lastError: 'HTTP 503: busy' } }],
    });
    expect(lines).toContain('Cancelled 2026-11-29T11:59:00.000Z');
    expect(lines.find((l) => l.startsWith('awin '))).toMatch(/^awin\s+sent\s+1\s+retrying\s+sent/);
    expect(lines).toContain('awin cancellation call: HTTP 503: busy');
  });
});

describe('the console\'s order row of a cancelled order', () => {
  const config = parseConfig({
    vendors: { kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' } },
    postbacks: {
      awin: { clickIdParam: 'awc', url: 'https://aw.example/sale?ref={order.orderId}&ch={channel}', cancel: { url: 'https://aw.example/cancel?ref={order.orderId}' } },
      // A postback may be named like a cancellation queue when no other postback's cancel uses that name.
      'net-cancel': { clickIdParam: 'nc', url: 'https://nc.example/pb?ref={order.orderId}' },
    },
    attribution: { exclusive: { affiliates: { members: ['awin'] } } },
  });
  const order = {
    pk: 'ORDER#CMD-9',
    sk: 'ORDER',
    orderId: 'CMD-9',
    receivedAt: '2026-11-26T10:00:00.000Z',
    plan: [
      { destination: 'kelkoo', status: 'queued' },
      { destination: 'awin', status: 'queued' },
      { destination: 'net-cancel', status: 'queued' },
    ],
    groups: [{ group: 'affiliates', winner: 'awin', channel: 'awin' }],
    cancellation: { requestedAt: '2026-11-29T11:59:00.000Z', reason: 'returned' },
  };
  const record = (destination: string, fields: Record<string, unknown>) => ({ pk: 'ORDER#CMD-9', sk: `DELIVERY#${destination}`, destination, ...fields });

  it('shows the cancellation call under its sale\'s vendor, the order\'s cancellation and its groups', () => {
    const row = orderRow(
      order,
      [
        record('awin', { status: 'sent', attempts: 1, sentAt: '2026-11-26T10:00:02.000Z' }),
        record('awin-cancel', { status: 'sent', attempts: 2, sentAt: '2026-11-29T12:01:00.000Z', vendorStatus: 200, history: [ATTEMPT, SENT] }),
        record('kelkoo', { status: 'sent', attempts: 1, cancellation: 'unsupported' }),
        record('net-cancel', { status: 'sent', attempts: 1 }),
      ],
      config,
    );
    expect(row).toEqual({
      orderId: 'CMD-9',
      receivedAt: '2026-11-26T10:00:00.000Z',
      cancellation: { requestedAt: '2026-11-29T11:59:00.000Z', reason: 'returned' },
      deliveries: [
        { vendor: 'kelkoo', status: 'sent', attempts: 1, cancellation: 'unsupported' },
        { vendor: 'awin', status: 'sent', attempts: 1, sentAt: '2026-11-26T10:00:02.000Z', cancellation: { status: 'sent', attempts: 2, sentAt: '2026-11-29T12:01:00.000Z', vendorStatus: 200, history: [ATTEMPT, SENT] } },
        // A sale postback named like a cancellation queue stays a vendor of its own.
        { vendor: 'net-cancel', status: 'sent', attempts: 1 },
      ],
      groups: [{ group: 'affiliates', winner: 'awin', channel: 'awin' }],
    });
  });

  it('shows a cancellation call no sender has recorded yet as queued', () => {
    const row = orderRow(order, [record('awin', { status: 'sent', attempts: 1 })], config);
    expect(row.deliveries.find((d) => d.vendor === 'awin')).toEqual({ vendor: 'awin', status: 'sent', attempts: 1, cancellation: { status: 'queued', attempts: 0 } });
  });
});
