/**
 * lambdas/core/redact.ts against the spellings a vendor may echo that are not the one the shop sent: another spelling
 * of the same IP address, the Base64 a Raptor `ruid` travels in, a value cut short, and click ids under six
 * characters.
 */
import fc from 'fast-check';
import { classifyByStatus } from '../../lambdas/vendors/classify';
import { MIN_PREFIX_LENGTH, REDACTED, redactor } from '../../lambdas/core/redact';
import { AttemptTrace } from '../../lambdas/sender/history';
import { ipv4, ipv6Groups, ipv6Spelling, mappedGroups, spellIpv6 } from '../support/ip-spellings';

const R = REDACTED;

describe('an IP address in another spelling of the same address', () => {
  const sent = '2001:0db8:0000:0000:0000:0000:0000:0001';

  it.each([
    ['compressed', '2001:db8::1'],
    ['compressed, upper case', '2001:DB8::1'],
    ['partly compressed', '2001:db8:0:0::1'],
    ['zero-padded groups, compressed', '2001:0DB8::0001'],
    ['uncompressed', '2001:db8:0:0:0:0:0:1'],
    ['in brackets with a port', '[2001:db8::1]:443'],
    ['percent-encoded colons', '2001%3Adb8%3A%3A1'],
    ['percent-encoded twice', '2001%253Adb8%253A%253A1'],
  ])('%s: %s', (_, echoed) => {
    const redacted = redactor([sent])(`{"error":"ip ${echoed} refused"}`);
    expect(redacted).toContain(R);
    expect(redacted).not.toMatch(/2001|db8/i);
  });

  it('does not redact a different address', () => {
    expect(redactor([sent])('peer fe80::1:2 ok')).toBe('peer fe80::1:2 ok');
    // `a:2001:db8::1` is itself a valid (different) address; the text pass still finds the usual spelling inside it.
    expect(redactor([sent])('x a:2001:db8::1 y')).toBe(`x a:${R} y`);
  });

  it.each([
    ['mapped, dotted', '::ffff:198.51.100.123'],
    ['mapped, hex', '::ffff:c633:647b'],
    ['mapped, upper-case hex', '::FFFF:C633:647B'],
    ['mapped, uncompressed', '0:0:0:0:0:ffff:c633:647b'],
  ])('an IPv4 address echoed as IPv4-mapped IPv6 (%s)', (_, echoed) => {
    expect(redactor(['198.51.100.123'])(`from ${echoed}.`)).toBe(`from ${R}.`);
  });

  it('an IPv4-mapped address the shop sent, echoed as plain IPv4', () => {
    expect(redactor(['::ffff:198.51.100.123'])('ip=198.51.100.123&x=1')).toBe(`ip=${R}&x=1`);
  });

  it('leaves timestamps and other colon-separated text alone', () => {
    const text = 'at 2026-12-06T10:00:00.000Z, ref a:b:c';
    expect(redactor([sent, '198.51.100.123'])(text)).toBe(text);
  });
});

describe('encoded e-mail addresses', () => {
  const mail = 'Jane.Doe@shop.example';
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

  it.each([
    ['Base64 (Raptor ruid)', b64(mail)],
    ['Base64 of the lower-cased address', b64(mail.toLowerCase())],
    ['Base64 without padding', b64(mail).replace(/=+$/, '')],
    ['Base64url', b64(mail).replace(/\+/g, '-').replace(/\//g, '_')],
    ['Base64, percent-encoded', encodeURIComponent(b64(mail))],
    ['URL-encoded, lower-case escape', 'jane.doe%40shop.example'],
  ])('%s', (_, spelling) => {
    expect(redactor([mail])(`ruid=${spelling}&x=1`)).toBe(`ruid=${R}&x=1`);
  });

  it('finds the Base64 of a non-ASCII address and its \\u-escaped JSON form', () => {
    const accented = 'zoë@shop.example';
    expect(redactor([accented])(`u=${b64(accented)}`)).toBe(`u=${R}`);
    expect(redactor([accented])('{"u":"zo\\u00eb@shop.example"}')).toBe(`{"u":"${R}"}`);
  });
});

describe('a value cut short', () => {
  it(`redacts any start of ${MIN_PREFIX_LENGTH} characters or more, wherever it stands`, () => {
    const ip = '198.51.100.123';
    for (let length = MIN_PREFIX_LENGTH; length <= ip.length; length++) {
      expect(redactor([ip])(`bad ip ${ip.slice(0, length)}`)).toBe(`bad ip ${R}`);
    }
    expect(redactor([ip])('bad ip 198.5')).toBe('bad ip 198.5');
  });

  it('finds an occurrence that starts inside the text of another (overlapping starts)', () => {
    expect(redactor(['198.51.100.123'])('x198.5198.51.100.123y')).toBe(`x${R}y`);
  });

  it("the reproduction: Klevu's 400 with 190 characters before the shopper IP – the excerpt in lastError holds none of it", () => {
    const trace = new AttemptTrace({ shopper: { ip: '198.51.100.123' } }, () => new Date(0), () => 0);
    const answer = trace.redactedResponse({ status: 400, headers: {}, body: `${'x'.repeat(190)}198.51.100.123` });
    const outcome = classifyByStatus(answer);
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind !== 'sent' && outcome.error).not.toMatch(/198\.51/);
    // Without the redaction before the cut, the cut alone leaves a prefix that the redactor still catches.
    const cutFirst = classifyByStatus({ status: 400, headers: {}, body: `${'x'.repeat(190)}198.51.100.123` });
    expect(trace.redacted(cutFirst.kind !== 'sent' ? cutFirst.error : '')).not.toMatch(/198\.51/);
  });
});

describe('click ids under six characters', () => {
  it('are redacted where they stand alone, and left inside longer words and numbers', () => {
    const redact = redactor(['ab1']);
    expect(redact('GET /st?kk=ab1&cab1=2&x=ab12')).toBe(`GET /st?kk=${R}&cab1=2&x=ab12`);
    expect(redact('{"id":"AB1"}')).toBe(`{"id":"${R}"}`);
  });

  it('a one-character id as well', () => {
    expect(redactor(['7'])('kk=7&n=17')).toBe(`kk=${R}&n=17`);
  });
});

describe('properties: an address in any spelling, whole or cut', () => {
  const text = fc.string({ maxLength: 20 }).map((s) => s.replace(/[0-9a-f:.%]/gi, ' '));

  it('the shop sends one spelling, the vendor echoes another, whole: it is redacted', () => {
    fc.assert(
      fc.property(ipv6Groups, ipv6Spelling, ipv6Spelling, text, text, (groups, sent, echoed, before, after) => {
        const out = redactor([spellIpv6(groups, sent)])(`${before}${spellIpv6(groups, echoed)}${after}`);
        expect(out).toBe(`${before}${R}${after}`);
      }),
      { numRuns: 500 },
    );
  });

  it('cut anywhere: no start of six characters or more that holds a digit other than 0 is left', () => {
    fc.assert(
      fc.property(ipv6Groups, ipv6Spelling, ipv6Spelling, fc.nat(45), text, (groups, sent, echoed, cut, before) => {
        const spelling = spellIpv6(groups, echoed).slice(0, cut);
        const out = redactor([spellIpv6(groups, sent)])(`${before}${spelling}`);
        const telling = spelling.length >= MIN_PREFIX_LENGTH && /[1-9a-f]/i.test(spelling.slice(0, MIN_PREFIX_LENGTH));
        if (telling) expect(out).toBe(`${before}${R}`);
      }),
      { numRuns: 500 },
    );
  });

  it('an IPv4 address echoed as a mapped IPv6 address in any spelling', () => {
    fc.assert(
      fc.property(ipv4, ipv6Spelling, text, (v4, echoed, before) => {
        const out = redactor([v4])(`${before}${spellIpv6(mappedGroups(v4), echoed)}!`);
        expect(out).toBe(`${before}${R}!`);
      }),
      { numRuns: 300 },
    );
  });

  it('another address is left as it is, unless it is, as a whole, the start of a spelling of the shopper’s', () => {
    fc.assert(
      fc.property(ipv6Groups, ipv6Groups, ipv6Spelling, (mine, other, echoed) => {
        fc.pre(mine.join() !== other.join() && mine[0] !== other[0]);
        const spelling = spellIpv6(other, echoed);
        // The text pass finds the shopper's usual spellings anywhere, so another address holding the start of one of
        // them is redacted as well: that is not what this property is about.
        const usual = [0, 4].flatMap((pad) => [spellIpv6(mine, { padding: Array(8).fill(pad), upper: Array(8).fill(false), compress: undefined, dotted: false })]);
        const compressed = spellIpv6(mine, { padding: Array(8).fill(0), upper: Array(8).fill(false), compress: 0, dotted: false });
        const rfc5952 = new URL(`http://[${compressed}]/`).hostname.slice(1, -1);
        fc.pre([...usual, compressed, rfc5952].every((form) => !spelling.toLowerCase().includes(form.slice(0, MIN_PREFIX_LENGTH))));
        expect(redactor([compressed])(` ${spelling} `)).toBe(` ${spelling} `);
      }),
      { numRuns: 300 },
    );
  });
});

describe('an address cut short and percent-encoded', () => {
  it('counts its length in the text, as the text pass does: six characters of the encoded form are enough', () => {
    const ip = '0:8:0:0:0:0:0:1';
    expect(redactor([ip])('error 0%3a08%3a refused')).toBe(`error ${R} refused`);
    expect(redactor([ip])('error 0:08: refused')).toBe('error 0:08: refused');
  });
});
