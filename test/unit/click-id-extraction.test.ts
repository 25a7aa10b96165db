import { Attribution, StoredClick } from '../../lambdas/core/attribution';
import { buildCatalogue, clickIdKey, extractClickIds, MAX_CLICK_ID_LENGTH, queryClickId } from '../../lambdas/core/click-ids';
import { ValidationError } from '../../lambdas/core/errors';
import { SECONDS_PER_DAY } from '../../lambdas/core/time';

const DAY = SECONDS_PER_DAY;

// Built in each test, not at load, so that mutation testing judges the catalogue code per test.
let catalogue: ReturnType<typeof buildCatalogue>;
beforeEach(() => {
  catalogue = buildCatalogue([
    { id: 'kelkoo', clickIds: [queryClickId('kk', 30), queryClickId('gclid', 30)] },
    { id: 'raptor', clickIds: [{ source: { identifier: { vendor: 'raptor', field: 'coid' } }, windowSeconds: 365 * DAY }] },
  ]);
});

function validationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('click-id catalogue', () => {
  it('names query ids by their parameter and cookie ids vendor.field', () => {
    expect(clickIdKey({ query: 'kk' })).toBe('kk');
    expect(clickIdKey({ identifier: { vendor: 'raptor', field: 'coid' } })).toBe('raptor.coid');
  });

  it('turns days into a window in seconds', () => {
    expect(queryClickId('kk', 7)).toEqual({ source: { query: 'kk' }, windowSeconds: 7 * DAY });
  });

  it('merges destinations sharing a parameter: each keeps its own window, the record lives as long as the longest', () => {
    const merged = buildCatalogue([
      { id: 'a', clickIds: [queryClickId('cid', 30)] },
      { id: 'b', clickIds: [queryClickId('cid', 7), queryClickId('other', 1)] },
      { id: 'c', clickIds: [queryClickId('cid', 90)] },
    ]);
    expect(merged.get('cid')).toEqual({ key: 'cid', source: { query: 'cid' }, windows: { a: 30 * DAY, b: 7 * DAY, c: 90 * DAY }, retentionSeconds: 90 * DAY });
    expect(merged.get('other')).toEqual({ key: 'other', source: { query: 'other' }, windows: { b: DAY }, retentionSeconds: DAY });
  });

  it('keeps the longer of two windows one destination declares for the same id', () => {
    const merged = buildCatalogue([{ id: 'a', clickIds: [queryClickId('cid', 30), queryClickId('cid', 10)] }]);
    expect(merged.get('cid')!.windows).toEqual({ a: 30 * DAY });
    expect(merged.get('cid')!.retentionSeconds).toBe(30 * DAY);
  });
});

describe('extractClickIds', () => {
  const found = (input: Parameters<typeof extractClickIds>[0]) => Object.fromEntries(extractClickIds(input, catalogue).map((f) => [f.entry.key, f.value]));

  it('finds nothing in an empty request', () => {
    expect(extractClickIds({}, catalogue)).toEqual([]);
  });

  it('returns each value with its catalogue entry', () => {
    expect(extractClickIds({ params: { kk: 'a' } }, catalogue)).toEqual([{ entry: catalogue.get('kk'), value: 'a' }]);
  });

  it('skips an empty first occurrence of a repeated parameter: ?kk=&kk=abc is abc', () => {
    expect(found({ landingUrl: 'https://s.example/?kk=&kk=abc' })).toEqual({ kk: 'abc' });
    expect(found({ landingUrl: 'https://s.example/?kk=%20&kk=abc&kk=def' })).toEqual({ kk: 'abc' });
  });

  it('trims surrounding whitespace off values from every source', () => {
    expect(found({ landingUrl: 'https://s.example/?kk=%20abc%20', params: { gclid: ' g1\t' }, identifiers: { raptor: { coid: ' c ' } } })).toEqual({
      kk: 'abc',
      gclid: 'g1',
      'raptor.coid': 'c',
    });
  });

  it('falls back to the landing URL when a param is blank', () => {
    expect(found({ landingUrl: 'https://s.example/?kk=fromurl', params: { kk: '   ' } })).toEqual({ kk: 'fromurl' });
  });

  it('ignores identifiers of a vendor the catalogue does not know, without failing', () => {
    expect(found({ identifiers: { klevu: { uuid: 'k' } } })).toEqual({});
  });

  it('ignores identifiers of other vendors and fields', () => {
    expect(found({ identifiers: { raptor: { sid: 's' }, klevu: { coid: 'x' } } })).toEqual({});
  });

  it(`accepts ${MAX_CLICK_ID_LENGTH} characters and rejects one more`, () => {
    expect(MAX_CLICK_ID_LENGTH).toBe(512);
    expect(found({ params: { kk: 'x'.repeat(512) } })).toEqual({ kk: 'x'.repeat(512) });
    const error = validationError(() => extractClickIds({ params: { kk: 'x'.repeat(513) } }, catalogue));
    expect(error.details).toEqual([{ field: 'params.kk', message: 'click identifier must be at most 512 characters' }]);
    expect(error.message).toBe('Invalid click identifier: params.kk');
  });

  it('measures the length after trimming', () => {
    expect(found({ params: { kk: ` ${'x'.repeat(512)} ` } })).toEqual({ kk: 'x'.repeat(512) });
  });

  it('names the field a bad value came from: params, landingUrl or identifiers', () => {
    expect(validationError(() => extractClickIds({ landingUrl: `https://s.example/?kk=${'y'.repeat(513)}` }, catalogue)).details).toEqual([
      { field: 'landingUrl.kk', message: 'click identifier must be at most 512 characters' },
    ]);
    expect(validationError(() => extractClickIds({ landingUrl: 'https://s.example/?kk=ok', params: { kk: 'a\u0007b' } }, catalogue)).details).toEqual([
      { field: 'params.kk', message: 'click identifier must not contain control characters' },
    ]);
    expect(validationError(() => extractClickIds({ landingUrl: 'https://s.example/?gclid=a%7Fb', params: { gclid: ' ' } }, catalogue)).details).toEqual([
      { field: 'landingUrl.gclid', message: 'click identifier must not contain control characters' },
    ]);
  });

  it('reports every bad field at once, and stores none of them', () => {
    const error = validationError(() => extractClickIds({ params: { kk: 'a\u001fb', gclid: 'z'.repeat(600) }, identifiers: { raptor: { coid: 'ok' } } }, catalogue));
    expect(error.details.map((d) => d.field)).toEqual(['params.kk', 'params.gclid']);
    expect(error.message).toBe('Invalid click identifier: params.kk, params.gclid');
  });

  it.each(['\u0000', '\u001f', '\u007f', '\n'])('rejects the control character %j inside a value', (control) => {
    expect(() => extractClickIds({ params: { kk: `a${control}b` } }, catalogue)).toThrow(ValidationError);
  });

  it.each([' ', 'é', '~'])('accepts the printable character %j inside a value', (char) => {
    expect(found({ params: { kk: `a${char}b` } })).toEqual({ kk: `a${char}b` });
  });
});

describe('Attribution windows', () => {
  const at = new Date('2026-11-21T10:00:00.000Z');
  const window = 30 * DAY;
  const stored = (occurredAt: Date, value = 'v', expiresAt = Math.floor(occurredAt.getTime() / 1000) + 400 * DAY): StoredClick => ({
    key: 'kk',
    value,
    occurredAt: occurredAt.toISOString(),
    expiresAt,
  });
  const attributed = (clicks: StoredClick[], now = at) => Attribution.resolve(clicks, [], catalogue, at, now).forDestination('kelkoo')('kk');
  const ms = (offset: number) => new Date(at.getTime() + offset);

  it('attributes a click made exactly at the order time', () => {
    expect(attributed([stored(at)])).toBe('v');
  });

  it('tolerates five minutes of clock skew between the landing and the order, and no more', () => {
    expect(attributed([stored(ms(60_000))])).toBe('v');
    expect(attributed([stored(ms(5 * 60_000))])).toBe('v');
    expect(attributed([stored(ms(5 * 60_000 + 1))])).toBeUndefined();
  });

  it('attributes a click until just before its window has passed', () => {
    expect(attributed([stored(ms(-window * 1000 + 1))])).toBe('v');
    expect(attributed([stored(ms(-window * 1000 + 60_000))])).toBe('v');
    expect(attributed([stored(ms(-window * 1000))])).toBeUndefined();
    expect(attributed([stored(ms(-window * 1000 - 60_000))])).toBeUndefined();
  });

  it('measures the window back from the order time, not from now', () => {
    const later = new Date(at.getTime() + 60 * DAY * 1000);
    expect(attributed([stored(ms(-DAY * 1000), 'v', Math.floor(later.getTime() / 1000) + 1)], later)).toBe('v');
  });

  it('never uses a record past its expiry, even one second past', () => {
    const nowEpoch = Math.floor(at.getTime() / 1000);
    expect(attributed([stored(ms(-1000), 'v', nowEpoch)])).toBeUndefined();
    expect(attributed([stored(ms(-1000), 'v', nowEpoch + 1)])).toBe('v');
  });

  it('picks the newest live value, in whatever order storage returns them', () => {
    const clicks = [stored(ms(-3 * DAY * 1000), 'old'), stored(ms(-DAY * 1000), 'new'), stored(ms(-2 * DAY * 1000), 'mid')];
    expect(attributed(clicks)).toBe('new');
    expect(attributed([...clicks].reverse())).toBe('new');
  });

  it('falls back to an older live value when the newest lies after the order', () => {
    expect(attributed([stored(ms(-DAY * 1000), 'before'), stored(ms(DAY * 1000), 'after')])).toBe('before');
  });

  it('lets an id given with the conversion replace every stored value, measured at the order time', () => {
    const overrides = extractClickIds({ params: { kk: 'given' } }, catalogue);
    const attribution = Attribution.resolve([stored(ms(-1000), 'stored')], overrides, catalogue, at, at);
    expect(attribution.forDestination('kelkoo')('kk')).toBe('given');
    expect(attribution.live('kk', 1)).toEqual({ value: 'given', occurredAt: at });
    expect(attribution.at).toBe(at);
  });

  it('answers nothing for a destination or key outside the catalogue', () => {
    const attribution = Attribution.resolve([stored(ms(-1000))], [], catalogue, at, at);
    expect(attribution.forDestination('raptor')('kk')).toBeUndefined();
    expect(attribution.forDestination('kelkoo')('unknown')).toBeUndefined();
    expect(attribution.live('unknown', window)).toBeUndefined();
  });
});
