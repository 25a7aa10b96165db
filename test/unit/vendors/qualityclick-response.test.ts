import type { Order } from '../../../lambdas/core/order';
import { qualityclick } from '../../../lambdas/vendors/qualityclick/adapter';
import { qualityclickConfigSchema } from '../../../lambdas/vendors/qualityclick/config';
import type { VendorResponse } from '../../../lambdas/vendors/types';
import { configIssues } from '../../support/config-issues';

const config = () => qualityclickConfigSchema().parse({ endpoint: 'https://partner.shop.example/get_trans.cgi', cpid: '1', product: 'Sale' });
const order: Order = {
  orderId: 'ORD-1',
  currency: 'EUR',
  orderValue: 0,
  netValue: 0,
  occurredAt: '2026-11-21T10:00:00.000Z',
  items: [{ productId: 'P1', name: 'Voucher', unitPrice: 0, quantity: 1, groupId: 'P1', variantId: 'P1' }],
};
const request = { key: 'transaction', method: 'GET' as const, url: 'https://partner.shop.example/get_trans.cgi', headers: {} };
const classify = (body: string, headers: Record<string, string> = {}, status = 200) => qualityclick.classify({ status, headers, body } as VendorResponse, request);
/** An answer every reading of the script's words takes as a rejection. */
const REJECTION = 'Fehler: cpid unbekannt';

describe('QUALITYCLICK plan', () => {
  const plan = (netValue: number, click: string | undefined = 'QC1') =>
    qualityclick.plan({ order: { ...order, netValue }, config: config(), click: (key) => (key === 'qc_clickid' ? click : undefined), random: () => 0 });

  it('reports a zero-revenue order: umsatz 0 is a value, not a missing one', () => {
    expect(plan(0)).toEqual({ deliver: true, context: { clickId: 'QC1' } });
    const [call] = qualityclick.buildRequests({ order, config: config(), context: { clickId: 'QC1' } });
    expect(Number(new URL(call!.url).searchParams.get('umsatz'))).toBe(0);
  });

  it('skips a negative or non-numeric net value, saying why', () => {
    expect(plan(-0.01)).toEqual({ deliver: false, reason: 'netValue -0.01 is negative: no umsatz to report' });
    expect(plan(Number.NaN).deliver).toBe(false);
  });

  it('skips without the ClickID, naming the configured parameter', () => {
    expect(plan(10, '')).toEqual({ deliver: false, reason: 'no live qc_clickid click identifier for this visitor' });
  });
});

describe('QUALITYCLICK response reading', () => {
  it('retries a 2xx that reports an error, quoting the text a person would read', () => {
    expect(classify(`<html><body><p>${REJECTION}</p></body></html>`)).toEqual({
      kind: 'retry',
      vendorStatus: 200,
      error: `HTTP 200 reporting an error: ${REJECTION}`,
    });
  });

  it('reads statuses as every vendor does', () => {
    expect(classify('', {}, 204)).toEqual({ kind: 'sent', vendorStatus: 204 });
    expect(classify(REJECTION, {}, 400)).toEqual({ kind: 'failed', vendorStatus: 400, error: `HTTP 400: ${REJECTION}` });
    expect(classify('', { 'retry-after': '30' }, 503)).toEqual({ kind: 'retry', vendorStatus: 503, error: 'HTTP 503', retryAfterSeconds: 30 });
  });

  it.each([
    ['image/gif', 'content-type'],
    ['IMAGE/GIF', 'Content-Type'],
    ['image/png; charset=binary', 'CONTENT-TYPE'],
  ])('never reads an answer of type %s (header %s) as an error report', (type, name) => {
    expect(classify(REJECTION, { [name]: type }).kind).toBe('sent');
  });

  it('finds the content type among other headers', () => {
    expect(classify(REJECTION, { 'X-Served-By': 'image/cache', 'Content-Type': 'text/html' }).kind).toBe('retry');
    expect(classify(REJECTION, { 'X-Served-By': 'text/html', 'Content-Type': 'image/gif' }).kind).toBe('sent');
  });

  it('reads the content type, not the body, when the type is not an image', () => {
    expect(classify(REJECTION, { 'Content-Type': 'text/html; charset=image/gif' }).kind).toBe('retry');
  });

  it.each(['GIF89a', 'GIF87a', '\u0089PNG\r\n', '\ufffdPNG\r\n'])('recognises a pixel by its signature %j without a content type', (signature) => {
    expect(classify(`${signature}\u0000\u0001 ${REJECTION}`).kind).toBe('sent');
  });

  it('only takes the signature at the start of the answer', () => {
    expect(classify(`${REJECTION} GIF89a`).kind).toBe('retry');
    expect(classify(`${REJECTION} \u0089PNG`).kind).toBe('retry');
    expect(classify('GIF88a Fehler: cpid unbekannt').kind).toBe('retry');
  });

  it('ignores words inside scripts, styles and markup', () => {
    expect(classify('<html><head><script>\n  var error = "";\n  if (error) alert(error);\n</script></head><body>OK</body></html>').kind).toBe('sent');
    expect(classify('<style type="text/css">\n.error { color: red }\n</STYLE >Transaktion gespeichert').kind).toBe('sent');
    expect(classify('<SCRIPT src="x.js"></SCRIPT><div class="error-box" data-fehler="0"></div>OK').kind).toBe('sent');
  });

  it('strips each script on its own, keeping the text between two of them', () => {
    expect(classify(`<script>a()</script><p>${REJECTION}</p><script>b()</script>`).kind).toBe('retry');
  });

  it('does not take a tag that merely starts like script for a script', () => {
    expect(classify(`<scripted>${REJECTION}</script>`).kind).toBe('retry');
  });

  it('keeps words of adjacent elements apart when quoting', () => {
    expect(classify('<b>Fehler:</b><i>cpid</i><script>x()</script>unbekannt')).toMatchObject({ error: 'HTTP 200 reporting an error: Fehler: cpid unbekannt' });
  });

  it('strips a style block whose end tag has a space before >, and keeps words around a script apart', () => {
    expect(classify('<style>Fehler: x</style >OK').kind).toBe('sent');
    expect(classify('Fehler:<script>x()</script>cpid unbekannt')).toMatchObject({ error: 'HTTP 200 reporting an error: Fehler: cpid unbekannt' });
  });

  it('quotes the visible text flattened to one line', () => {
    const outcome = classify(`<div>\n  ${REJECTION}\n</div>\n<p>bitte   pruefen</p>`);
    expect(outcome).toMatchObject({ kind: 'retry', error: `HTTP 200 reporting an error: ${REJECTION} bitte pruefen` });
  });
});

describe('QUALITYCLICK configuration limits', () => {
  const valid = { endpoint: 'https://partner.shop.example/get_trans.cgi', cpid: '1', product: 'Sale' };
  const messages = configIssues(qualityclickConfigSchema, valid);

  it.each([
    [{ cpid: '1'.repeat(18) }, { cpid: '1'.repeat(19) }, 'cpid: must be a program id (digits only)'],
    [{ clickIdParam: 'a'.repeat(64) }, { clickIdParam: 'a'.repeat(65) }, 'clickIdParam: must be a query parameter name of 1-64 letters'],
    [{ clickIdParam: 'qc.click_id~-1' }, { clickIdParam: 'qc/click' }, 'clickIdParam: must be a query parameter name of 1-64 letters'],
    [{ product: 'Lead Neukunde' }, { product: 'Lead\u0007Neukunde' }, 'product: must not contain control characters'],
    [{ product: 'Sale' }, { product: ' Sale' }, 'product: must not start or end with whitespace'],
    [{ endpoint: 'http://p.example/get_trans.cgi?x=1' }, { endpoint: 'https://p.example/get_trans.cgi?umsatz=1&tid=2' }, 'endpoint: must not set tid, umsatz itself'],
    [{ attributionDays: 365 }, { attributionDays: 1.5 }, 'attributionDays: '],
  ])('accepts %p and rejects %p', (ok, bad, message) => {
    expect(messages(ok)).toEqual([]);
    expect(messages(bad).some((m) => m.startsWith(message))).toBe(true);
  });

  it('rejects a fragment, saying why', () => {
    expect(messages({ endpoint: 'https://p.example/get_trans.cgi#top' })).toEqual(['endpoint: must not contain a #fragment']);
  });
});
