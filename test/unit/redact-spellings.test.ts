/**
 * lambdas/core/redact.ts in detail: which personal values count, which context values are identifiers, every
 * spelling a value is looked for in (RFC 3986 strict, form, `+` for spaces, JSON-escaped, trimmed), the longest
 * spelling replaced whole, and the UTF-8 cut.
 */
import { contextIdentifiers, firstBytes, personalValues, REDACTED, redactor, spellings } from '../../lambdas/core/redact';

describe('personal values', () => {
  it('is the marker docs/PRIVACY.md names', () => {
    expect(REDACTED).toBe('[redacted]');
    expect(redactor(['203.0.113.7'])('ip=203.0.113.7')).toBe('ip=[redacted]');
  });

  it.each([
    ['both given', { ip: '203.0.113.7', email: 'a@b.example' }, ['203.0.113.7', 'a@b.example']],
    ['an empty IP', { ip: '', email: 'a@b.example' }, ['a@b.example']],
    ['a blank e-mail', { ip: '203.0.113.7', email: '   ' }, ['203.0.113.7']],
    ['a tab and newline only', { ip: '\t\n', email: '' }, []],
    ['no values', {}, []],
  ])('keeps only non-blank values: %s', (_, shopper, expected) => {
    expect(personalValues({ shopper: { country: 'fr', ...shopper } })).toEqual(expected);
  });
});

describe('context identifiers', () => {
  it.each([
    ['abcdef', true],
    ['abcde', true],
    ['  abcde  ', true],
    ['a', true],
    [' abcdef ', true],
    ['', false],
    ['\t \n', false],
  ])('counts %j as an identifier: %s (any non-blank string)', (value, kept) => {
    expect(contextIdentifiers({ id: value, nested: [{ id: value }] })).toEqual(kept ? [value, value] : []);
  });
});

describe('spellings', () => {
  it('lists nothing for an empty or blank value, so that no text is redacted everywhere', () => {
    expect(spellings('')).toEqual([]);
    expect(redactor([''])('GET /?a=1')).toBe('GET /?a=1');
    expect(spellings('   ')).not.toContain('');
  });

  it('looks for the trimmed value too, in each of its encodings', () => {
    const forms = spellings(' a b@shop.example ');
    expect(forms).toEqual(expect.arrayContaining(['a b@shop.example', 'a%20b%40shop.example', 'a+b%40shop.example']));
    expect(redactor([' o.brien@shop.example '])('email=o.brien%40shop.example&x=1')).toBe(`email=${REDACTED}&x=1`);
  });

  it("encodes !'()* strictly per RFC 3986 (upper-case hex), which encodeURIComponent leaves alone", () => {
    const forms = spellings("o'neil(x)!*@a.example");
    // RFC 3986 section 2.1: upper-case hex digits; 2.2: ! ' ( ) * are reserved sub-delims.
    expect(forms).toContain('o%27neil%28x%29%21%2A%40a.example');
    // encodeURIComponent's own form and the HTML form one (which leaves * alone) are kept as well.
    expect(forms).toContain("o'neil(x)!*%40a.example");
    expect(forms).toContain('o%27neil%28x%29%21*%40a.example');
    expect(forms.filter((f) => /%[0-9a-f][a-f]|%[a-f][0-9a-f]/.test(f))).toEqual([]);
  });

  it('writes a space as + also where the form encoding would escape other characters', () => {
    const forms = spellings('a b!');
    expect(forms).toContain('a+b!');
    expect(forms).toContain('a+b%21');
    expect(forms).toContain('a%20b!');
    expect(forms).not.toContain('ab!');
  });

  it('looks for the JSON-escaped value without its quotes, so a JSON body stays JSON', () => {
    expect(spellings('a"b\\c')).toContain('a\\"b\\\\c');
    const redact = redactor(['x"y@shop.example']);
    const body = JSON.stringify({ email: 'x"y@shop.example', ok: false });
    expect(redact(body)).toBe(`{"email":"${REDACTED}","ok":false}`);
    expect(JSON.parse(redact(body))).toEqual({ email: REDACTED, ok: false });
  });

  it('lists the longest spelling first', () => {
    for (const value of ['a b', "it's (x)", ' 2001:db8::1 ', 'é@ü.example']) {
      const lengths = spellings(value).map((s) => s.length);
      expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
      expect(new Set(spellings(value)).size).toBe(lengths.length);
    }
  });

  it('replaces the longest value whole when one value starts another', () => {
    expect(redactor(['abc123', 'abc123xyz'])('id=abc123xyz&b=abc123')).toBe(`id=${REDACTED}&b=${REDACTED}`);
    expect(redactor(['ab cd', 'ab cd ef'])('q=ab%20cd%20ef')).toBe(`q=${REDACTED}`);
  });
});

describe('firstBytes', () => {
  it('returns a text that fits unchanged, even one that is not valid UTF-16', () => {
    // A lone surrogate has no UTF-8 form: a round trip through bytes would turn it into U+FFFD.
    expect(firstBytes('a\uD800', 4)).toBe('a\uD800');
    expect(firstBytes('a\uD800', 5)).toBe('a\uD800');
    expect(firstBytes('abc', 3)).toBe('abc');
  });

  it.each([
    ['abc', 2, 'ab'],
    ['aé', 2, 'a'],
    ['aé', 3, 'aé'],
    ['€x', 1, ''],
    ['€x', 3, '€'],
    ['😀', 3, ''],
    ['😀a', 4, '😀'],
    ['abc', 0, ''],
  ])('cuts %j at %i bytes to %j', (text, max, expected) => {
    expect(firstBytes(text, max)).toBe(expected);
  });
});
