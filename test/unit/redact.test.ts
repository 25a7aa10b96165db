/**
 * The redaction of personal values (lambdas/core/redact.ts) and the attempt history built with it
 * (lambdas/sender/history.ts): whatever the encoding a vendor call uses, no spelling of the shopper's IP or e-mail
 * survives, and truncation happens after redaction.
 */
import fc from 'fast-check';
import { contextIdentifiers, firstBytes, personalValues, REDACTED, redactor, spellings } from '../../lambdas/core/redact';
import { AttemptTrace, REQUEST_LINE_BYTES, RESPONSE_BYTES, withAttempt } from '../../lambdas/sender/history';

const ip = fc.oneof(fc.ipV4(), fc.ipV6());
const email = fc.emailAddress();
/** Ways a vendor request or answer may carry a value. */
const encodings: Array<(v: string) => string> = [
  (v) => v,
  (v) => encodeURIComponent(v),
  (v) => encodeURIComponent(encodeURIComponent(v)),
  (v) => JSON.stringify(v),
  (v) => JSON.stringify(JSON.stringify({ v })),
  (v) => v.toUpperCase(),
  (v) => encodeURIComponent(v).toLowerCase(),
  (v) => ` ${v} `,
  (v) => new URLSearchParams({ v }).toString().slice(2),
];

/** Every spelling a reader could decode the value from. */
function leaks(text: string, value: string): boolean {
  const lower = text.toLowerCase();
  return encodings.some((encode) => {
    const form = encode(value).trim().toLowerCase();
    return form.length > 0 && lower.includes(form.replace(/^"|"$/g, ''));
  });
}

describe('redactor', () => {
  it('removes every spelling of the shopper IP and e-mail from any surrounding text', () => {
    fc.assert(
      fc.property(ip, email, fc.string(), fc.string(), fc.nat(encodings.length - 1), fc.nat(encodings.length - 1), (ipValue, mail, before, after, e1, e2) => {
        // A short address glued to address characters is another address (`1::` is not `::`): not a spelling of it.
        fc.pre(ipValue.length >= 6 || !/[0-9a-f:.]$/i.test(before));
        const text = `${before}${encodings[e1]!(ipValue)}&x=${before}${encodings[e2]!(mail)}${after}`;
        const redacted = redactor([ipValue, mail])(text);
        expect(leaks(redacted, ipValue)).toBe(false);
        expect(leaks(redacted, mail)).toBe(false);
        expect(redacted).toContain(REDACTED);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves text without the values as it is', () => {
    fc.assert(
      fc.property(email, fc.string(), (mail, text) => {
        fc.pre(!text.toLowerCase().includes(mail.toLowerCase().slice(0, 3)));
        expect(redactor([mail])(text)).toBe(text);
      }),
    );
    expect(redactor([])('GET /st?ip=1.2.3.4')).toBe('GET /st?ip=1.2.3.4');
  });

  it('knows the encoded forms a URL or JSON body uses', () => {
    expect(spellings('a b@shop.example')).toEqual(
      expect.arrayContaining(['a b@shop.example', 'a%20b%40shop.example', 'a%2520b%2540shop.example', 'a+b%40shop.example']),
    );
    expect(personalValues({ shopper: { ip: '203.0.113.7', email: ' x@y.example ', country: 'fr' } })).toEqual(['203.0.113.7', ' x@y.example ']);
    expect(personalValues({})).toEqual([]);
  });

  it('cuts at a byte count on a character boundary', () => {
    fc.assert(
      // U+FFFD is what a cut character would decode to; the generator can produce it as a character of its own.
      fc.property(fc.string({ unit: 'grapheme' }).filter((t) => !t.includes('\uFFFD')), fc.nat(64), (text, max) => {
        const cut = firstBytes(text, max);
        expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(max);
        expect(text.startsWith(cut)).toBe(true);
        expect(cut).not.toContain('\uFFFD');
      }),
    );
  });
});

describe('attempt history', () => {
  const at = new Date('2026-11-29T10:00:00.000Z');

  it('keeps the request line and the first bytes of the answer, redacted before they are cut', () => {
    fc.assert(
      fc.property(ip, email, fc.nat(600), (ipValue, mail, padding) => {
        const order = { shopper: { ip: ipValue, email: mail } };
        let clock = 0;
        const trace = new AttemptTrace(order, () => at, () => (clock += 40));
        // The e-mail straddles the cut of the request line and of the answer: a cut-then-redact would leak a prefix.
        const url = `https://vendor.example/collect?${'p'.repeat(padding)}&ip=${encodeURIComponent(ipValue)}&email=${encodeURIComponent(mail)}`;
        trace.started({ key: 'k', method: 'POST', url, headers: {} });
        trace.answered({ status: 400, headers: {}, body: `${'x'.repeat(padding)} {"error":"bad ip ${ipValue} for ${mail}"}` });
        const record = trace.record({ kind: 'failed', error: 'HTTP 400' })!;
        expect(record).toMatchObject({ at: at.toISOString(), durationMs: 40, httpStatus: 400, outcome: 'failed' });
        expect(Buffer.byteLength(record.request)).toBeLessThanOrEqual(REQUEST_LINE_BYTES);
        expect(Buffer.byteLength(record.response!)).toBeLessThanOrEqual(RESPONSE_BYTES);
        expect(record.request.startsWith('POST https://vendor.example/collect?')).toBe(true);
        for (const stored of [record.request, record.response!]) {
          for (const value of [ipValue, mail]) {
            expect(leaks(stored, value)).toBe(false);
            // Not even the first half of the value at the end of a cut.
            expect(stored.endsWith(encodeURIComponent(value).slice(0, Math.ceil(value.length / 2)))).toBe(false);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('records a transport error instead of a status, and nothing for an attempt without a call', () => {
    const trace = new AttemptTrace({ shopper: { ip: '198.51.100.4' } }, () => at, () => 0);
    expect(trace.record({ kind: 'sent', vendorStatus: 200 })).toBeUndefined();
    trace.started({ key: 'k', method: 'GET', url: 'https://v.example/?ip=198.51.100.4', headers: {} });
    trace.noAnswer('Transport error: ECONNRESET from 198.51.100.4');
    const record = trace.record({ kind: 'retry', error: 'x' })!;
    expect(record).toEqual({
      at: at.toISOString(),
      durationMs: 0,
      outcome: 'retry',
      request: `GET https://v.example/?ip=${REDACTED}`,
      transportError: `Transport error: ECONNRESET from ${REDACTED}`,
    });
  });

  it('keeps the last five attempts, oldest first', () => {
    const attempt = (n: number) => ({ at: String(n), durationMs: n, outcome: 'retry' as const, request: 'GET /' });
    let history: ReturnType<typeof withAttempt> = [];
    for (let n = 1; n <= 7; n++) history = withAttempt(history, attempt(n));
    expect(history!.map((a) => a.at)).toEqual(['3', '4', '5', '6', '7']);
    expect(withAttempt(history, undefined)).toBeUndefined();
  });
});

describe('context identifiers', () => {
  it('redacts the click ids a message carries: a long one wherever it appears, a short one where it stands alone', () => {
    const ids = contextIdentifiers({ saleId: '0.193286593627784', kelkooId: 'a4csscc-1781b717420-34cf3', flag: true, n: 3, short: 'ab', nested: { coid: 'coid-123456' } });
    expect(ids).toEqual(['0.193286593627784', 'a4csscc-1781b717420-34cf3', 'ab', 'coid-123456']);
    const trace = new AttemptTrace({}, () => new Date(0), () => 0, ids);
    trace.started({ key: 'k', method: 'GET', url: 'https://s.kelkoogroup.net/st?country=fr&comId=1&kelkooId=a4csscc-1781b717420-34cf3&ab=1&x=ab&tab=abc', headers: {} });
    trace.answered({ status: 200, headers: {}, body: 'OK' });
    expect(trace.record({ kind: 'sent', vendorStatus: 200 })!.request).toBe(
      `GET https://s.kelkoogroup.net/st?country=fr&comId=1&kelkooId=${REDACTED}&${REDACTED}=1&x=${REDACTED}&tab=abc`,
    );
  });
});
