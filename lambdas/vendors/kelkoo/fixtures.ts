import type { VendorFixtures } from '../fixture-types';
import { kelkooSaleId } from './mapping';

const config = { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' };

/** The 5-item basket of the document's "example of a call". */
const exampleOrder = {
  orderId: 'CMD0572084',
  currency: 'EUR',
  orderValue: 609.07,
  netValue: 609.07,
  occurredAt: '2026-11-21T10:05:00.000Z',
  items: [
    { productId: 'P140490', name: 'Boite de 1000 lamelles en bois Lamello en 20', unitPrice: 30.5, quantity: 1 },
    { productId: 'P140491', name: 'Boite de 1000 lamelles en bois Lamello en 10', unitPrice: 29.25, quantity: 1 },
    { productId: 'P137728', name: 'Colle vinylique R 64 prise lente spéciale menuiserie en biberon de 0.75 kgs', unitPrice: 10.91, quantity: 1 },
    { productId: 'P108530', name: 'Serre joints écarteur Quick Grip 300 mm', unitPrice: 18.7, quantity: 2 },
    { productId: 'P230814', name: 'Serre joint à pompe Obra saillie 120 mm serrage maxi 1000 mm', unitPrice: 25.26, quantity: 2 },
  ].map((item) => ({ ...item, groupId: item.productId, variantId: item.productId })),
};

// productsInfos of the example basket: the document's own value, byte for byte – prices are written by the money
// formatter as JSON numbers with two decimals (30.50, 18.70), as in the document (test/unit/vendors/kelkoo.test.ts).
const EXAMPLE_PRODUCTS_INFOS =
  'W3sicHJvZHVjdG5hbWUiOiJCb2l0ZSBkZSAxMDAwIGxhbWVsbGVzIGVuIGJvaXMgTGFtZWxsbyBlbiAyMCIsInByb2R1Y3RpZCI6IlAxNDA0OTAiLCJwcmljZSI6MzAuNTAsInF1YW50aXR5IjoxfSx7InByb2R1Y3RuYW1lIjoiQm9pdGUgZGUgMTAwMCBsYW1lbGxlcyBlbiBib2lzIExhbWVsbG8gZW4gMTAiLCJwcm9kdWN0aWQiOiJQMTQwNDkxIiwicHJpY2UiOjI5LjI1LCJxdWFudGl0eSI6MX0seyJwcm9kdWN0bmFtZSI6IkNvbGxlIHZpbnlsaXF1ZSBSIDY0IHByaXNlIGxlbnRlIHNww6ljaWFsZSBtZW51aXNlcmllIGVuIGJpYmVyb24gZGUgMC43NSBrZ3MiLCJwcm9kdWN0aWQiOiJQMTM3NzI4IiwicHJpY2UiOjEwLjkxLCJxdWFudGl0eSI6MX0seyJwcm9kdWN0bmFtZSI6IlNlcnJlIGpvaW50cyDDqWNhcnRldXIgUXVpY2sgR3JpcCAzMDAgbW0iLCJwcm9kdWN0aWQiOiJQMTA4NTMwIiwicHJpY2UiOjE4LjcwLCJxdWFudGl0eSI6Mn0seyJwcm9kdWN0bmFtZSI6IlNlcnJlIGpvaW50IMOgIHBvbXBlIE9icmEgc2FpbGxpZSAxMjAgbW0gc2VycmFnZSBtYXhpIDEwMDAgbW0iLCJwcm9kdWN0aWQiOiJQMjMwODE0IiwicHJpY2UiOjI1LjI2LCJxdWFudGl0eSI6Mn1d';

/**
 * The document's example call, as the example order with its kk click makes it. Byte for byte but for `saleId`: the
 * document's `0.193286593627784` is one random draw, ours is seeded by the comId and the order id (kelkooSaleId).
 */
const EXAMPLE_REQUEST = {
  method: 'GET' as const,
  url:
    'https://s.kelkoogroup.net/st?country=fr&orderId=CMD0572084&comId=100475501&orderValue=609.07' +
    `&productsInfos=${EXAMPLE_PRODUCTS_INFOS}&saleId=${kelkooSaleId('100475501', 'CMD0572084')}&kelkooId=66b5837-16afefa0c40-1b540&source=serverToServer`,
  headers: { Referer: 'https://www.shop.example' },
};

export const fixtures: VendorFixtures = {
  requests: [
    {
      id: 'kelkoo-example-call',
      description: 'the document example: kk click, 5-item basket, the saleId seeded by comId and order id',
      source: 'Kelkoo document, "example of a call"; SPEC §5 (saleId seeded by the account\'s comId and the order id)',
      input: { config, order: exampleOrder, clicks: { kk: '66b5837-16afefa0c40-1b540' } },
      expected: {
        requests: [EXAMPLE_REQUEST],
      },
    },
    {
      id: 'kelkoo-gclid-msclkid-returning',
      description: 'Google and Microsoft Ads clicks only, returning user, a Belgian order under the Belgian account, reserved characters in orderId',
      source: 'Kelkoo document, parameter table (gclid, msclkid, returningUser; comId identifies the shop per country); SPEC §2 (orderId may hold any character)',
      input: {
        config: {
          country: 'fr',
          referer: 'https://www.shop.example',
          accounts: { fr: { comId: '100475501' }, BE: { comId: 200475502, referer: 'https://www.shop.be' } },
          endpoint: 'https://sandbox.example/st',
        },
        order: {
          orderId: 'A&B=C?D#E%F+G/H I',
          currency: 'EUR',
          orderValue: 37.72,
          netValue: 30,
          country: 'BE',
          returningUser: true,
          occurredAt: '2026-11-21T10:05:00.000Z',
          items: [{ productId: 'prod130823', name: 'Shimano', unitPrice: 14.99, quantity: 2, groupId: 'prod130823', variantId: 'prod130823' }],
        },
        clicks: { gclid: 'EAIaIQobChMIpNXu6r6D6AIVQsjeCh27SQXcEAkYAyABEgIhz_D_BwE', msclkid: '751ff8c7d3bf17f6f6729c640c4249d5' },
      },
      expected: {
        requests: [
          {
            method: 'GET',
            url:
              'https://sandbox.example/st?country=be&orderId=A%26B%3DC%3FD%23E%25F%2BG%2FH%20I&comId=200475502&orderValue=37.72' +
              // productsInfos of the document's decoded example: [{"productname":"Shimano","productid":"prod130823","price":14.99,"quantity":2}]
              '&productsInfos=W3sicHJvZHVjdG5hbWUiOiJTaGltYW5vIiwicHJvZHVjdGlkIjoicHJvZDEzMDgyMyIsInByaWNlIjoxNC45OSwicXVhbnRpdHkiOjJ9XQ' +
              // The Belgian account's comId seeds the saleId: the French account would send another value for this order.
              `&saleId=${kelkooSaleId('200475502', 'A&B=C?D#E%F+G/H I')}&gclid=EAIaIQobChMIpNXu6r6D6AIVQsjeCh27SQXcEAkYAyABEgIhz_D_BwE` +
              '&msclkid=751ff8c7d3bf17f6f6729c640c4249d5&returningUser=true&source=serverToServer',
            headers: { Referer: 'https://www.shop.be' },
          },
        ],
      },
    },
    {
      id: 'kelkoo-accounts-default-country',
      description: 'several country accounts, an order without a country: the configured default account',
      source: 'Kelkoo document, parameter table (country, comId)',
      input: {
        config: { country: 'fr', referer: 'https://www.shop.example', accounts: { be: { comId: '200475502' }, fr: { comId: '100475501' } } },
        order: exampleOrder,
        clicks: { kk: '66b5837-16afefa0c40-1b540' },
      },
      expected: {
        requests: [EXAMPLE_REQUEST],
      },
    },
    {
      id: 'kelkoo-no-account-for-country',
      description: 'a single-account (fr) configuration and a Belgian order: skipped, never sent under the French comId',
      source: 'Kelkoo document, parameter table: comId is the shop\'s id for the listing of one country',
      input: { config, order: { ...exampleOrder, country: 'BE' }, clicks: { kk: '66b5837-16afefa0c40-1b540' } },
      expected: { skipped: 'no Kelkoo account for country "be"' },
    },
    {
      id: 'kelkoo-no-click',
      description: 'no kk, gclid or msclkid: Kelkoo is not called',
      source: 'Kelkoo document, PHP example: the call is made only when one of the three ids is held',
      input: { config, order: exampleOrder, clicks: { qc_clickid: 'QC1' } },
      expected: { skipped: 'no live kk, gclid or msclkid' },
    },
  ],
  responses: [
    { description: '200 is accepted', source: 'assumed: the document describes no response', response: { status: 200, headers: {}, body: '' }, expected: 'sent' },
    { description: '503 is retried', source: 'assumed: server fault', response: { status: 503, headers: {}, body: 'busy' }, expected: 'retry' },
    { description: '429 is retried', source: 'assumed: throttling', response: { status: 429, headers: { 'retry-after': '5' }, body: '' }, expected: 'retry' },
    { description: '400 is not retried', source: 'assumed: the request itself is wrong', response: { status: 400, headers: {}, body: 'bad comId' }, expected: 'failed' },
  ],
};
