/**
 * One conversion through the local stack reaches every vendor of the shipped example configuration – Kelkoo,
 * Klevu, QUALITYCLICK, ClickMeter, Raptor and a generic postback – each with the call its document describes,
 * and the sandbox finds nothing to object to in any of them.
 */
import type { LocalStack } from '../../local/stack';
import { decodeProductsInfos } from '../../lambdas/vendors/kelkoo/mapping';
import { eventually, RecordedCall, StackClient, startExampleStack } from '../support/local-stack';

let stack: LocalStack;
let client: StackClient;

beforeAll(async () => {
  stack = await startExampleStack();
  client = new StackClient(stack, 'local-dev-key');
});
afterAll(() => stack?.stop());

const ORDER_ID = 'CMD-ALL/5 & co';
const COID = '6f1c1f9e-8d6a-4f1e-9b4e-2f0d3c1a7b55';
const SID = '0b8e7c55-3f0e-4d6b-9a55-1e2f3a4b5c6d';

const one = (calls: RecordedCall[]) => {
  expect(calls).toHaveLength(1);
  return calls[0]!;
};

it('delivers one order to all five vendors and the postback, each exactly as documented', async () => {
  const landing =
    'https://www.shop.example/p/137.html?kk=a4csscc-1781b717420-34cf3&qc_clickid=QC423840809685489623456289367' +
    '&s1=cm-7f3a&reaid=REA-42&awc=1234_1700000000_abcdef&utm_source=kelkoofr';
  const captured = await client.api('POST', '/v1/clicks', {
    visitor: { sessionId: 'all-s1' },
    landingUrl: landing,
    identifiers: { raptor: { coid: COID, sid: SID, ruid: 'shopper-42' }, klevu: { uuid: 'klevu-uuid-1' } },
  });
  expect(captured.status).toBe(201);
  expect((await client.api('POST', '/v1/identify', { visitor: { sessionId: 'all-s1', userId: 'all-u1' } })).status).toBe(200);

  const accepted = await client.api('POST', '/v1/conversions', {
    orderId: ORDER_ID,
    visitor: { userId: 'all-u1' },
    currency: 'EUR',
    orderValue: 609.07,
    netValue: 503.36,
    country: 'fr',
    returningUser: false,
    items: [
      { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1 },
      { productId: 'P108530', name: 'Serre joints écarteur', unitPrice: 18.7, quantity: 2, groupId: 'G108', variantId: 'P108530' },
    ],
    shopper: { ip: '203.0.113.7', email: 'shopper@example.com', country: 'FR', city: 'Lyon' },
  });
  expect(accepted.status).toBe(202);
  expect(accepted.body.deliveries).toEqual(['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor', 'awin'].map((vendor) => ({ vendor, status: 'queued' })));

  const deliveries = await eventually(
    () => client.deliveries(ORDER_ID),
    (ds) => ds.every((d) => d.status === 'sent'),
  );
  expect(deliveries.map((d) => [d.vendor, d.status, d.attempts])).toEqual(
    ['kelkoo', 'klevu', 'qualityclick', 'clickmeter', 'raptor', 'awin'].map((v) => [v, 'sent', 1]),
  );

  const calls = await client.sandboxCalls();
  for (const call of calls) expect({ vendor: call.vendor, violations: call.violations }).toEqual({ vendor: call.vendor, violations: [] });

  const kelkoo = one(calls.filter((c) => c.vendor === 'kelkoo'));
  expect(kelkoo.query).toMatchObject({ country: 'fr', orderId: ORDER_ID, comId: '100475501', orderValue: '609.07', kelkooId: 'a4csscc-1781b717420-34cf3', returningUser: 'false', source: 'serverToServer' });
  expect(decodeProductsInfos(kelkoo.query.productsInfos as string)).toEqual([
    { productname: 'Boite de 1000 lamelles', productid: 'P140490', price: 30.5, quantity: 1 },
    { productname: 'Serre joints écarteur', productid: 'P108530', price: 18.7, quantity: 2 },
  ]);
  expect(kelkoo.headers.referer).toBe('https://www.shop.example');

  const klevu = one(calls.filter((c) => c.vendor === 'klevu'));
  expect(klevu.method).toBe('POST');
  const [event] = JSON.parse(klevu.body);
  expect(event).toMatchObject({ event: 'order_purchase', event_apikey: 'klevu-1234567890', event_version: '1.0.0' });
  expect(event.user_profile).toEqual({ ip_address: '203.0.113.7', klevu_uuid: 'klevu-uuid-1', klevu_country: 'FR', klevu_city: 'Lyon' });
  expect(event.event_data.items).toHaveLength(2);
  expect(event.event_data.items[1]).toMatchObject({ order_id: ORDER_ID, item_group_id: 'G108', item_variant_id: 'P108530', unit_price: 18.7, currency: 'EUR', units: 2 });

  const qualityclick = one(calls.filter((c) => c.vendor === 'qualityclick'));
  expect(qualityclick.query).toEqual({ cpid: '1', tid: ORDER_ID, clickid: 'QC423840809685489623456289367', produkt: 'Sale', umsatz: '503.36' });

  const clickmeter = one(calls.filter((c) => c.vendor === 'clickmeter'));
  expect(clickmeter.query).toEqual({ clickId: 'cm-7f3a', id: 'A531F18FCECC4DEB9B2C3994556FBF41', val: '609.07', com: '0.00', comperc: '10' });

  const raptor = calls.filter((c) => c.vendor === 'raptor');
  expect(raptor).toHaveLength(2);
  expect(raptor.map((c) => c.vendorUrl.split('?')[0])).toEqual(['/1234.rsa', '/1234.rsa']);
  expect(raptor.map((c) => c.query)).toEqual(
    expect.arrayContaining([
      { p1: 'buy', p2: 'P140490', p3: '30.50', p4: '1', p5: ORDER_ID, p6: 'EUR', coid: COID, ruid: Buffer.from('shopper-42').toString('base64'), sid: SID, reaid: 'REA-42' },
      { p1: 'buy', p2: 'P108530', p3: '18.70', p4: '2', p5: ORDER_ID, p6: 'EUR', coid: COID, ruid: Buffer.from('shopper-42').toString('base64'), sid: SID, reaid: 'REA-42' },
    ]),
  );

  const awin = one(calls.filter((c) => c.vendor === 'awin'));
  expect(awin.query).toMatchObject({ ref: ORDER_ID, cks: '1234_1700000000_abcdef', amount: '503.36' });
});
