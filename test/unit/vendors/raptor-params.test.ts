import type { Order } from '../../../lambdas/core/order';
import { raptor } from '../../../lambdas/vendors/raptor/adapter';
import { raptorConfigSchema } from '../../../lambdas/vendors/raptor/config';
import { purchaseParamValues } from '../../../lambdas/vendors/raptor/mapping';

const order: Order = {
  orderId: 'ORD-1',
  currency: 'EUR',
  orderValue: 12,
  netValue: 10,
  occurredAt: '2026-11-21T10:00:00.000Z',
  items: [
    { productId: 'P1', name: 'Lamp', unitPrice: 12, quantity: 1, groupId: 'P1', variantId: 'P1' },
    { productId: 'P2', name: 'Bulb', unitPrice: 2, quantity: 3, groupId: 'P2', variantId: 'P2' },
  ],
};
const config = () => raptorConfigSchema().parse({ customerId: 1234, purchaseParams: { p10: '{item.lineNumber}', p2: '{item.productId}', p1: 'buy', p100: '{order.orderId}' } });
const ids = { coid: 'C', sid: 'S' };

describe('Raptor p-parameters', () => {
  it('are sent in numeric order, p2 before p10 before p100, filled for the line', () => {
    expect(purchaseParamValues(config().purchaseParams, order, order.items[1]!, 2)).toEqual([
      ['p1', 'buy'],
      ['p2', 'P2'],
      ['p10', '2'],
      ['p100', 'ORD-1'],
    ]);
  });

  it('come first in each call, ids after them', () => {
    const requests = raptor.buildRequests({ order, config: config(), context: ids });
    expect(requests.map((r) => [r.key, r.method, r.url])).toEqual([
      ['item-1', 'GET', 'https://t.raptorsmartadvisor.com/1234.rsa?p1=buy&p2=P1&p10=1&p100=ORD-1&coid=C&sid=S'],
      ['item-2', 'GET', 'https://t.raptorsmartadvisor.com/1234.rsa?p1=buy&p2=P2&p10=2&p100=ORD-1&coid=C&sid=S'],
    ]);
  });
});

describe('Raptor plan', () => {
  const plan = (clicks: Record<string, string>) => raptor.plan({ order, config: config(), click: (key) => clicks[key], random: () => 0 });

  it('names the one id missing', () => {
    expect(plan({ 'raptor.sid': 'S' })).toEqual({
      deliver: false,
      reason: 'no live raptor.coid for this visitor: Raptor needs the device cookie id (coid) and the session id (sid, live 20 minutes)',
    });
    expect(plan({ 'raptor.coid': 'C' })).toMatchObject({ deliver: false, reason: expect.stringMatching(/^no live raptor\.sid for this visitor/) });
  });

  it('carries every live id, and only those', () => {
    expect(plan({ 'raptor.coid': 'C', 'raptor.sid': 'S' })).toEqual({ deliver: true, context: { coid: 'C', sid: 'S' } });
    expect(plan({ 'raptor.coid': 'C', 'raptor.sid': 'S', 'raptor.ruid': 'u@x.example', reaid: 'R', xuid: 'X' })).toEqual({
      deliver: true,
      context: { coid: 'C', sid: 'S', ruid: 'u@x.example', reaid: 'R', xuid: 'X' },
    });
  });

  it('takes a context with coid and sid, rejecting empty or unknown ids', () => {
    const schema = raptor.contextSchema();
    expect(schema.safeParse(ids).success).toBe(true);
    expect(schema.safeParse({ coid: '', sid: 'S' }).success).toBe(false);
    expect(schema.safeParse({ coid: 'C' }).success).toBe(false);
    expect(schema.safeParse({ ...ids, ruid: '' }).success).toBe(false);
    expect(schema.safeParse({ ...ids, other: 'x' }).success).toBe(false);
  });
});
