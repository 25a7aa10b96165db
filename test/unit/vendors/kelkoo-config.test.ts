/**
 * Kelkoo's configuration schema on its own: each rejected value must name its field and say what is wrong, and an
 * accepted one must come out in the form the adapter sends (SPEC §3 and §5, vendor-docs/000_…: `country` is "the
 * 2-letter country code", `comId` a "Long", the Referer the shop's http(s) site).
 */
import { kelkooConfigSchema } from '../../../lambdas/vendors/kelkoo/config';

const REFERER = 'https://www.shop.example';
const single = { country: 'fr', comId: '100475501', referer: REFERER };
const multi = { referer: REFERER, accounts: { fr: { comId: '100475501' }, be: { comId: '100503562' } }, defaultCountry: 'fr' };

interface Found {
  path: PropertyKey[];
  message: string;
  key?: string[];
}

/** Every issue as field path and message; for a bad record key, the messages of the key's own issues too. */
function issues(raw: unknown): Found[] {
  const result = kelkooConfigSchema().safeParse(raw);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issue.path,
    message: issue.message,
    ...(issue.code === 'invalid_key' ? { key: issue.issues.map((inner) => inner.message) } : {}),
  }));
}

const parse = (raw: unknown) => kelkooConfigSchema().parse(raw);

describe('Kelkoo configuration: country codes', () => {
  const bad = ['', 'f', 'fra', 'xfr', 'frx', '1fr', 'fr1', 'f1', '12', ' fr', 'fr ', 'fr\n', 'f-', 'é1', 'ée'];

  it.each(['fr', 'FR', 'Be', 'dE'])('accepts %p as country and sends it lower-case', (code) => {
    expect(parse({ ...single, country: code }).country).toBe(code.toLowerCase());
    expect(parse({ ...single, country: undefined, defaultCountry: code }).country).toBe(code.toLowerCase());
  });

  it.each(bad)('rejects country %p, naming the field', (code) => {
    expect(issues({ ...single, country: code })).toEqual([{ path: ['country'], message: 'must be a 2-letter country code' }]);
  });

  it.each(bad)('rejects defaultCountry %p, naming the field', (code) => {
    expect(issues({ ...single, country: undefined, defaultCountry: code })).toEqual([{ path: ['defaultCountry'], message: 'must be a 2-letter country code' }]);
  });

  it.each(bad)('rejects the account key %p, naming the key', (code) => {
    const found = issues({ referer: REFERER, accounts: { [code]: { comId: 1 } } });
    expect(found).toEqual([{ path: ['accounts', code], message: expect.any(String), key: ['account keys must be 2-letter country codes'] }]);
  });
});

describe('Kelkoo configuration: comId, the shop id ("Long")', () => {
  it.each([
    [1, '1'],
    ['1', '1'],
    [100475501, '100475501'],
    ['100503562', '100503562'],
    ['0', '0'],
    ['9223372036854775807', '9223372036854775807'],
  ])('accepts %p as %p', (given, sent) => {
    expect(parse({ ...single, comId: given }).accounts).toEqual({ fr: { comId: sent, referer: REFERER } });
    expect(parse({ ...multi, accounts: { fr: { comId: given } } }).accounts.fr!.comId).toBe(sent);
  });

  it.each(['', 'abc', 'x1', '1x', 'a100475501', '100475501a', ' 1', '1 ', '1.5', '-1', '+1', '1e3', '12345678901234567890', -1])(
    'rejects %p, naming the field',
    (comId) => {
      expect(issues({ ...single, comId })).toEqual([{ path: ['comId'], message: 'must be a number' }]);
      expect(issues({ ...multi, accounts: { fr: { comId } } })).toEqual([{ path: ['accounts', 'fr', 'comId'], message: 'must be a number' }]);
    },
  );

  // The regex alone lets 19-digit values above the largest Long through; Kelkoo could not read them as a comId.
  it.each(['9223372036854775808', '9999999999999999999'])('rejects %p, over the largest Long, naming the field', (comId) => {
    const message = 'must be at most 9223372036854775807 (a Long)';
    expect(issues({ ...single, comId })).toEqual([{ path: ['comId'], message }]);
    expect(issues({ ...multi, accounts: { fr: { comId } } })).toEqual([{ path: ['accounts', 'fr', 'comId'], message }]);
  });
});

describe('Kelkoo configuration: Referer and endpoint URLs', () => {
  it.each(['http://www.shop.example', 'https://www.shop.example', 'https://www.shop.be/fr/'])('accepts %p for the Referer, an account Referer and the endpoint', (url) => {
    expect(parse({ ...single, referer: url }).accounts.fr!.referer).toBe(url);
    expect(parse({ ...multi, accounts: { fr: { comId: 1, referer: url } } }).accounts.fr!.referer).toBe(url);
    expect(parse({ ...single, endpoint: url }).endpoint).toBe(url);
  });

  it.each(['ftp://www.shop.example', 'xhttp://www.shop.example', 'xhttps://www.shop.example', 'httpx://www.shop.example', 'httpss://www.shop.example', 'ws://www.shop.example', 'www.shop.example', 'not a url', ''])(
    'rejects %p, naming the field',
    (url) => {
      const message = 'must be an http(s) URL';
      expect(issues({ ...single, referer: url })).toEqual([{ path: ['referer'], message }]);
      expect(issues({ ...single, endpoint: url })).toEqual([{ path: ['endpoint'], message }]);
      expect(issues({ ...multi, accounts: { fr: { comId: 1, referer: url } } })).toEqual([{ path: ['accounts', 'fr', 'referer'], message }]);
    },
  );

  it("defaults the endpoint to the document's public one and the attribution window to 30 days", () => {
    expect(parse(single)).toEqual({ country: 'fr', accounts: { fr: { comId: '100475501', referer: REFERER } }, referer: REFERER, attributionDays: 30, endpoint: 'https://s.kelkoogroup.net/st' });
  });
});

describe('Kelkoo configuration: country, defaultCountry, comId and accounts together', () => {
  it.each<[string, Record<string, unknown>, Found[]]>([
    ['country and defaultCountry that differ (single)', { ...single, defaultCountry: 'be' }, [{ path: ['defaultCountry'], message: 'differs from country (fr); give one of them' }]],
    ['country and defaultCountry that differ (accounts)', { ...multi, country: 'BE' }, [{ path: ['defaultCountry'], message: 'differs from country (be); give one of them' }]],
    ['both comId and accounts', { ...single, accounts: { fr: { comId: 1 } } }, [{ path: ['accounts'], message: 'give either comId (one country) or accounts (one per country), not both' }]],
    ['neither comId nor accounts', { country: 'fr', referer: REFERER }, [{ path: ['comId'], message: 'is required (or accounts, one per country)' }]],
    ['a comId without its country', { comId: 1, referer: REFERER }, [{ path: ['country'], message: 'is required: the country of the comId listing' }]],
    ['no account at all', { referer: REFERER, accounts: {} }, [{ path: ['accounts'], message: 'must hold at least one country account' }]],
    ['no account at all, with a country', { referer: REFERER, accounts: {}, country: 'fr' }, [{ path: ['accounts'], message: 'must hold at least one country account' }]],
    ['the same country twice, in another case', { ...multi, accounts: { fr: { comId: 1 }, FR: { comId: 2 } } }, [{ path: ['accounts', 'fr'], message: 'is given twice (country codes are case-insensitive)' }]],
    ['a country twice among others', { ...multi, accounts: { be: { comId: 1 }, fr: { comId: 2 }, BE: { comId: 3 } } }, [{ path: ['accounts', 'be'], message: 'is given twice (country codes are case-insensitive)' }]],
    ['several accounts and no default', { referer: REFERER, accounts: { fr: { comId: 1 }, BE: { comId: 2 } } }, [{ path: ['defaultCountry'], message: 'is required with several accounts: the listing of an order without a country (fr, be)' }]],
    ['a defaultCountry without an account', { ...multi, defaultCountry: 'de' }, [{ path: ['defaultCountry'], message: 'the default country must be one of the accounts (fr, be)' }]],
    ['a country without an account', { ...multi, defaultCountry: undefined, country: 'DE', accounts: { fr: { comId: 1 }, BE: { comId: 2 } } }, [{ path: ['country'], message: 'the default country must be one of the accounts (fr, be)' }]],
    ['a country without an account, one account', { referer: REFERER, country: 'de', accounts: { fr: { comId: 1 } } }, [{ path: ['country'], message: 'the default country must be one of the accounts (fr)' }]],
  ])('rejects %s with exactly one issue on the field to fix', (_, raw, expected) => {
    expect(issues(raw)).toEqual(expected);
  });

  it('accepts country and defaultCountry that agree, whatever their case', () => {
    expect(parse({ ...single, country: 'FR', defaultCountry: 'fr' }).country).toBe('fr');
    expect(parse({ ...multi, country: 'be', defaultCountry: 'BE' }).country).toBe('be');
  });

  it('takes a comId with defaultCountry alone as the single-country form', () => {
    expect(parse({ comId: 7, defaultCountry: 'BE', referer: REFERER })).toMatchObject({ country: 'be', accounts: { be: { comId: '7', referer: REFERER } } });
  });

  it('needs no default with one account, in any case: it is the default', () => {
    expect(parse({ referer: REFERER, accounts: { BE: { comId: 7 } } })).toMatchObject({ country: 'be', accounts: { be: { comId: '7', referer: REFERER } } });
    expect(parse({ referer: REFERER, country: 'be', accounts: { BE: { comId: 7 } } }).country).toBe('be');
  });

  it('accepts a default given as country or defaultCountry, and keeps each account its own Referer', () => {
    const accounts = { FR: { comId: 1 }, be: { comId: 2, referer: 'https://www.shop.be' } };
    const expected = { fr: { comId: '1', referer: REFERER }, be: { comId: '2', referer: 'https://www.shop.be' } };
    expect(parse({ referer: REFERER, accounts, defaultCountry: 'be' })).toMatchObject({ country: 'be', accounts: expected });
    expect(parse({ referer: REFERER, accounts, country: 'FR' })).toMatchObject({ country: 'fr', accounts: expected });
  });
});
