import type { Order } from '../../core/order';
import type { VendorFixtures } from '../fixture-types';

/** The document's programme: endpoint, program id and commission product of its pixel and S2S examples. */
const config = { endpoint: 'https://partner.your-site.com/get_trans.cgi', cpid: 1, product: 'Sale' };

const CLICK_ID = 'QC423840809685489623456289367';

/** The document's order ORD-2026-001: 95.50 net; the gross total (VAT and shipping included) must not be sent. */
const exampleOrder: Order = {
  orderId: 'ORD-2026-001',
  currency: 'EUR',
  orderValue: 118.59,
  netValue: 95.5,
  occurredAt: '2026-11-21T10:05:00.000Z',
  items: [{ productId: 'P1', name: 'Example product', unitPrice: 95.5, quantity: 1, groupId: 'P1', variantId: 'P1' }],
};

const DOCUMENT_CALL =
  'https://partner.your-site.com/get_trans.cgi?cpid=1&tid=ORD-2026-001&clickid=QC423840809685489623456289367&produkt=Sale&umsatz=95.50';

const GIF_PIXEL = 'GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000\u00ff\u00ff\u00ff\u0000\u0000\u0000!\u00f9\u0004\u0001\u0000\u0000\u0000\u0000,';

export const fixtures: VendorFixtures = {
  requests: [
    {
      id: 'qualityclick-document-call',
      description: 'the document example: cpid 1, order ORD-2026-001, its ClickID, product Sale, 95.50 net',
      source: 'QUALITYCLICK document, "Tracking pixel with ClickID" and "cURL: Server-to-Server call" (identical URL)',
      input: { config, order: exampleOrder, clicks: { qc_clickid: CLICK_ID } },
      expected: { requests: [{ method: 'GET', url: DOCUMENT_CALL }] },
    },
    {
      id: 'qualityclick-nocheck',
      description: 'nocheck configured: nocheck=1 is appended to the same call',
      source:
        'QUALITYCLICK document, "nocheck — Allow cross-selling" / "Pixel with nocheck" (its shortened example leaves out produkt and umsatz; they are still sent)',
      input: { config: { ...config, nocheck: true }, order: exampleOrder, clicks: { qc_clickid: CLICK_ID } },
      expected: { requests: [{ method: 'GET', url: `${DOCUMENT_CALL}&nocheck=1` }] },
    },
    {
      id: 'qualityclick-own-param-name',
      description: 'ClickID captured under a parameter name of the merchant\'s choosing; cpid given as a string; nocheck false sends nothing',
      source: 'QUALITYCLICK document, Step 1 tip: "you can choose any parameter name (e.g. clickid, affiliate_click etc.)"',
      input: {
        config: { ...config, cpid: '1', clickIdParam: 'affiliate_click', nocheck: false },
        order: exampleOrder,
        clicks: { affiliate_click: CLICK_ID, qc_clickid: 'QC-NOT-THIS-ONE' },
      },
      expected: { requests: [{ method: 'GET', url: DOCUMENT_CALL }] },
    },
    {
      id: 'qualityclick-encoding',
      description: 'reserved characters and spaces in orderId and product are percent-encoded; umsatz keeps two decimals',
      source: 'SPEC §2 (orderId may hold any character); QUALITYCLICK document, PHP example (http_build_query encodes every value)',
      input: {
        config: { endpoint: 'https://sandbox.example/get_trans.cgi', cpid: '4711', product: 'Sale & Lead/Neu' },
        order: { ...exampleOrder, orderId: 'A&B=C?D#E%F+G/H I', orderValue: 1469.06, netValue: 1234.5 },
        clicks: { qc_clickid: CLICK_ID },
      },
      expected: {
        requests: [
          {
            method: 'GET',
            url:
              'https://sandbox.example/get_trans.cgi?cpid=4711&tid=A%26B%3DC%3FD%23E%25F%2BG%2FH%20I' +
              '&clickid=QC423840809685489623456289367&produkt=Sale%20%26%20Lead%2FNeu&umsatz=1234.50',
          },
        ],
      },
    },
    {
      id: 'qualityclick-no-click',
      description: 'no ClickID held for the visitor (only a Kelkoo click): QUALITYCLICK is not called',
      source: 'QUALITYCLICK document, "ClickID tracking: How it works": attribution rests on the ClickID alone',
      input: { config, order: exampleOrder, clicks: { kk: '66b5837-16afefa0c40-1b540' } },
      expected: { skipped: 'no live qc_clickid click identifier' },
    },
    {
      id: 'qualityclick-click-under-other-name',
      description: 'a ClickID held under the default name does not count when the merchant configured another parameter',
      source: 'QUALITYCLICK document, Step 1 tip (the parameter name is the merchant\'s choice)',
      input: { config: { ...config, clickIdParam: 'affiliate_click' }, order: exampleOrder, clicks: { qc_clickid: CLICK_ID } },
      expected: { skipped: 'no live affiliate_click click identifier' },
    },
  ],
  responses: [
    {
      description: '200 with a GIF pixel is accepted',
      source: 'assumed: the document calls get_trans.cgi a "tracking pixel" but shows no answer',
      response: { status: 200, headers: { 'content-type': 'image/gif' }, body: GIF_PIXEL },
      expected: 'sent',
    },
    {
      description: '200 with an empty body is accepted',
      source: 'assumed: the document shows no answer; its PHP example ignores $response',
      response: { status: 200, headers: {}, body: '' },
      expected: 'sent',
    },
    {
      description: '200 for a transaction QUALITYCLICK later discards is still sent',
      source:
        'documented: a discarded transaction shows only in the transaction log ("–" in the "saved" column); assumed: its HTTP answer is the usual pixel',
      response: { status: 200, headers: { 'content-type': 'image/gif' }, body: GIF_PIXEL },
      expected: 'sent',
    },
    {
      description: '200 with a plain-text body reporting an error is retried',
      source: 'assumed: a 2xx whose body says "error" did not create the transaction; resending is harmless (dedup on tid)',
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ERROR: unknown cpid' },
      expected: 'retry',
    },
    {
      description: '200 with a German HTML error page is retried',
      source: 'assumed: a German affiliate system may answer "Fehler" in an HTML page',
      response: { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body><p>Fehler: Produkt nicht gefunden</p></body></html>' },
      expected: 'retry',
    },
    {
      description: '200 with an HTML page whose script only handles errors is accepted',
      source: 'assumed: only text a person would read counts as an error report',
      response: {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<html><script>window.onerror = function () { console.error("x"); };</script><body>OK</body></html>',
      },
      expected: 'sent',
    },
    {
      description: '200 "Transaktion fehlerfrei gespeichert" (saved without errors) is accepted',
      source: 'assumed: "fehlerfrei" means without errors; only words that report a failure count',
      response: { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Transaktion fehlerfrei gespeichert' },
      expected: 'sent',
    },
    {
      description: '200 "OK errors=0" is accepted',
      source: 'assumed: an error count of zero reports no error',
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'OK errors=0' },
      expected: 'sent',
    },
    {
      description: '200 "status=ok; error: none" and "Kein Fehler" are accepted',
      source: 'assumed: a negated error word reports no error',
      response: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'status=ok; error: none. Kein Fehler.' },
      expected: 'sent',
    },
    {
      description: '200 with an unrecognised text is accepted',
      source: 'assumed: an unrecognised 2xx is not a failure (the document describes no answer)',
      response: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Danke! Error-Handling v2 aktiv. Fehlerseite: /fehler.html</body></html>' },
      expected: 'sent',
    },
    {
      description: '200 "Transaktion nicht gespeichert" (not saved) is retried',
      source: 'assumed: "nicht gespeichert" says the transaction was not created',
      response: { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Transaktion nicht gespeichert' },
      expected: 'retry',
    },
    {
      description: '200 "errors=2" is retried',
      source: 'assumed: a non-zero error count reports a failure',
      response: { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'errors=2' },
      expected: 'retry',
    },
    {
      description: '200 "Es ist ein Fehler aufgetreten" is retried',
      source: 'assumed: a sentence saying an error occurred reports a failure',
      response: { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><body><h1>Es ist ein Fehler aufgetreten</h1></body></html>' },
      expected: 'retry',
    },
    { description: '503 is retried', source: 'assumed: server fault', response: { status: 503, headers: {}, body: 'busy' }, expected: 'retry' },
    { description: '500 is retried', source: 'assumed: server fault', response: { status: 500, headers: {}, body: '' }, expected: 'retry' },
    { description: '429 is retried', source: 'assumed: throttling', response: { status: 429, headers: { 'retry-after': '5' }, body: '' }, expected: 'retry' },
    {
      description: '404 is not retried',
      source: 'assumed: the configured endpoint is not the merchant\'s get_trans.cgi',
      response: { status: 404, headers: {}, body: 'Not Found' },
      expected: 'failed',
    },
    { description: '400 is not retried', source: 'assumed: the request itself is wrong', response: { status: 400, headers: {}, body: 'bad request' }, expected: 'failed' },
  ],
};
