import type { VendorFixtures } from '../fixture-types';

const CONVERSION_ID = 'A531F18FCECC4DEB9B2C3994556FBF41';

/** The document never shows an `[s2sidentifier]`; a 32-character token stands in for `#S1#`. */
const CLICK_ID = '7c1e4b9a2f6d48e3b05a9c8d1e2f3a4b';

const item = { productId: 'P140490', name: 'Boite de 1000 lamelles', unitPrice: 30.5, quantity: 1, groupId: 'P140490', variantId: 'P140490' };

/** An order worth 1, the `val=1` of the document's postback URL. */
const exampleOrder = {
  orderId: 'CMD0572084',
  currency: 'EUR',
  orderValue: 1,
  netValue: 1,
  occurredAt: '2026-11-21T10:05:00.000Z',
  items: [{ ...item, unitPrice: 1 }],
};

const order = {
  orderId: 'CMD0572085',
  currency: 'EUR',
  orderValue: 609.07,
  netValue: 503.36,
  country: 'fr',
  occurredAt: '2026-11-21T10:05:00.000Z',
  items: [item],
};

export const fixtures: VendorFixtures = {
  requests: [
    {
      id: 'clickmeter-document-postback',
      description: 'the document postback: val=1, com=0.5 (written as money: 1.00, 0.50), param myCustomParam=xyz, a real click id in place of #S1#',
      source: 'ClickMeter document, "The final result will be something like" (http://conversions.clickmeter.com/s2s?clickId=#S1#&…)',
      input: {
        config: { conversionId: CONVERSION_ID, clickIdParam: 's1', commission: 0.5, param: 'myCustomParam=xyz' },
        order: exampleOrder,
        clicks: { s1: CLICK_ID },
      },
      expected: {
        requests: [
          {
            method: 'GET',
            url: `http://conversions.clickmeter.com/s2s?clickId=${CLICK_ID}&id=A531F18FCECC4DEB9B2C3994556FBF41&val=1.00&com=0.50&param=myCustomParam%3Dxyz`,
          },
        ],
      },
    },
    {
      id: 'clickmeter-commission-percent',
      description: 'commission as a percentage: com=0 and comperc=10, val is the gross order value (SPEC §3 example configuration)',
      source: 'ClickMeter document, "comperc (optional) … can be used only if com is set to 0 … if you set it to 10 …"; SPEC §5 (val = order value)',
      input: {
        config: { conversionId: CONVERSION_ID, clickIdParam: 's1', commission: 0, commissionPercent: 10, endpoint: 'http://conversions.clickmeter.com/s2s' },
        order,
        clicks: { s1: CLICK_ID },
      },
      expected: {
        requests: [
          {
            method: 'GET',
            url: `http://conversions.clickmeter.com/s2s?clickId=${CLICK_ID}&id=A531F18FCECC4DEB9B2C3994556FBF41&val=609.07&com=0.00&comperc=10`,
          },
        ],
      },
    },
    {
      id: 'clickmeter-reserved-characters',
      description: 'a click id full of URL-reserved characters stays one value; no commission configured sends com=0 and no comperc',
      source: 'ClickMeter document, "com (mandatory) … If you do not need to assign a value … just use 0"; assumed: the id is opaque text',
      input: {
        config: { conversionId: CONVERSION_ID, clickIdParam: 'cm_id' },
        order,
        clicks: { cm_id: 'Zx9+/q=r&s?t#u%v w;é' },
      },
      expected: {
        requests: [
          {
            method: 'GET',
            url:
              'http://conversions.clickmeter.com/s2s?clickId=Zx9%2B%2Fq%3Dr%26s%3Ft%23u%25v%20w%3B%C3%A9' +
              '&id=A531F18FCECC4DEB9B2C3994556FBF41&val=609.07&com=0.00',
          },
        ],
      },
    },
    {
      id: 'clickmeter-param-template-net-value',
      description: 'param template filled from the order and encoded as one value; val from netValue; sandbox endpoint',
      source: 'ClickMeter document, "param (optional) … split them by using the ; separator"; assumed: order macros in param',
      input: {
        config: {
          conversionId: CONVERSION_ID,
          clickIdParam: 's1',
          commission: 12.5,
          value: 'netValue',
          param: 'order={order.orderId};currency={order.currency}',
          endpoint: 'https://sandbox.example/s2s',
        },
        order: { ...order, orderId: 'A&B=C?D#E%F+G/H I' },
        clicks: { s1: CLICK_ID },
      },
      expected: {
        requests: [
          {
            method: 'GET',
            url:
              `https://sandbox.example/s2s?clickId=${CLICK_ID}&id=A531F18FCECC4DEB9B2C3994556FBF41&val=503.36&com=12.50` +
              '&param=order%3DA%26B%3DC%3FD%23E%25F%2BG%2FH%20I%3Bcurrency%3DEUR',
          },
        ],
      },
    },
    {
      id: 'clickmeter-no-click',
      description: 'no live s1 value: ClickMeter is not called',
      source: 'ClickMeter document, "clickId (mandatory)": without the [s2sidentifier] there is nothing to attribute',
      input: {
        config: { conversionId: CONVERSION_ID, clickIdParam: 's1', commissionPercent: 10 },
        order,
        clicks: { kk: '66b5837-16afefa0c40-1b540' },
      },
      expected: { skipped: 'no live s1 click identifier' },
    },
  ],
  responses: [
    { description: 'an empty 200 is accepted', source: 'assumed: the document describes no response', response: { status: 200, headers: {}, body: '' }, expected: 'sent' },
    { description: 'a 200 tracking pixel is accepted', source: 'assumed: the document describes no response', response: { status: 200, headers: { 'content-type': 'image/gif' }, body: 'GIF89a\u0001\u0000\u0001\u0000' }, expected: 'sent' },
    { description: 'a 200 "OK" is accepted', source: 'assumed: the document describes no response', response: { status: 200, headers: {}, body: 'OK' }, expected: 'sent' },
    {
      description: 'a 200 with a JSON error is not sent',
      source: 'assumed: a body that reports an error means the conversion was not recorded',
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"error":"unknown conversion id"}' },
      expected: 'failed',
    },
    {
      description: 'a 200 with {"success": false} is not sent',
      source: 'assumed: a body that reports an error means the conversion was not recorded',
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"success":false,"message":"invalid clickId"}' },
      expected: 'failed',
    },
    {
      description: 'a 200 with an error text is not sent',
      source: 'assumed: a body that reports an error means the conversion was not recorded',
      response: { status: 200, headers: {}, body: 'ERROR: invalid clickId' },
      expected: 'failed',
    },
    {
      description: 'a 200 error page is not sent',
      source: 'assumed: a soft error page is not an accepted postback',
      response: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><head><title>Error - ClickMeter</title></head><body>Oops</body></html>' },
      expected: 'failed',
    },
    {
      description: 'a 200 HTML page without an error is accepted',
      source: 'assumed: the document describes no response',
      response: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><head><title>ClickMeter</title></head><body></body></html>' },
      expected: 'sent',
    },
    { description: '429 is retried', source: 'assumed: throttling', response: { status: 429, headers: { 'retry-after': '5' }, body: '' }, expected: 'retry' },
    { description: '500 is retried', source: 'assumed: server fault', response: { status: 500, headers: {}, body: 'Internal Server Error' }, expected: 'retry' },
    { description: '503 is retried', source: 'assumed: server fault', response: { status: 503, headers: {}, body: 'busy' }, expected: 'retry' },
    { description: '400 is not retried', source: 'assumed: the request itself is wrong', response: { status: 400, headers: {}, body: 'bad request' }, expected: 'failed' },
    { description: '404 is not retried', source: 'assumed: wrong endpoint or unknown conversion', response: { status: 404, headers: {}, body: 'Not Found' }, expected: 'failed' },
  ],
};
