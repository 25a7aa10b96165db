import { checkQuery, rawQueryValues, receivedQuery } from '../../lambdas/vendors/query';

describe('sandbox query helpers', () => {
  it('decodes the query of a received URL, keeping repeated names', () => {
    const query = receivedQuery('/st?a=1&b=x%20y&a=2');
    expect(query.getAll('a')).toEqual(['1', '2']);
    expect(query.get('b')).toBe('x y');
    expect([...receivedQuery('/st')]).toEqual([]);
    expect(receivedQuery('?a=1').get('a')).toBe('1');
  });

  it('keeps raw values still encoded, empty ones and names without =', () => {
    expect([...rawQueryValues('/st?a=x%20y&&b=&c&d=1=2')]).toEqual([
      ['a', 'x%20y'],
      ['b', ''],
      ['c', ''],
      ['d', '1=2'],
    ]);
    expect(rawQueryValues('/st').size).toBe(0);
    expect([...rawQueryValues('?=v')]).toEqual([['', 'v']]);
  });

  it('flags mandatory parameters missing or empty, and forbidden ones present', () => {
    expect(checkQuery('/st?a=1&b=&f=0', { mandatory: ['a', 'b', 'c'], forbidden: ['f', 'g'] })).toEqual([
      'missing mandatory parameter b',
      'missing mandatory parameter c',
      'parameter f must not be sent',
    ]);
    expect(checkQuery('/st?a=1', { mandatory: ['a'] })).toEqual([]);
  });

  it('forbids nothing when no forbidden list is given, whatever the names', () => {
    const names = ['pid', 'subid', 'wmid', 'a b', 'Stryker was here', '', 'x'];
    const url = `/st?${names.map((n) => `${encodeURIComponent(n)}=1`).join('&')}`;
    expect(checkQuery(url, { mandatory: [] })).toEqual([]);
    expect(checkQuery(url, { mandatory: [], forbidden: [] })).toEqual([]);
    expect(checkQuery(url, { mandatory: [], forbidden: ['a b'] })).toEqual(['parameter a b must not be sent']);
  });

  it.each(['a b', 'a"b', 'a<b', 'a>b', 'a#b', 'é', 'a[b]', 'a{b}', 'a|b', 'a\\b', 'a^b', 'a`b'])('flags the unencoded value %p', (value) => {
    expect(checkQuery(`/st?v=${value}`, { mandatory: [] })).toContain('parameter v is not URL-encoded');
  });

  it("accepts every character RFC 3986 allows unencoded in a query value, and percent-escapes", () => {
    expect(checkQuery("/st?v=AZaz09-._~!$'()*,;:@/?%20%2B", { mandatory: [] })).toEqual([]);
  });

  it.each(['%', '%2', '%G0', 'a%zz', '100%'])('flags the broken percent-escape %p', (value) => {
    expect(checkQuery(`/st?v=${value}`, { mandatory: [] })).toContain('parameter v has a broken percent-escape');
  });

  it('accepts percent-escapes in either case', () => {
    expect(checkQuery('/st?v=%2b%2B%aF', { mandatory: [] })).toEqual([]);
  });
});
