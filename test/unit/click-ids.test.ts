import { Attribution } from '../../lambdas/core/attribution';
import { extractClickIds } from '../../lambdas/core/click-ids';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import { ValidationError } from '../../lambdas/core/errors';
import { kelkooOnlyConfig, specConfig } from '../support/config';

const DAY = 86_400;
// Built in each test, not at load: mutation testing judges the schemas' mutants by the tests that use them.
const catalogue = () => catalogueOf(destinationsOf(specConfig()));

describe('click-id catalogue()', () => {
  it('holds every parameter SPEC §5 names, for the vendors that use it, with the longest window as retention', () => {
    const summary = Object.fromEntries([...catalogue().values()].map((e) => [e.key, { windows: e.windows, retention: e.retentionSeconds }]));
    expect(summary).toEqual({
      kk: { windows: { kelkoo: 30 * DAY }, retention: 30 * DAY },
      gclid: { windows: { kelkoo: 30 * DAY }, retention: 30 * DAY },
      msclkid: { windows: { kelkoo: 30 * DAY }, retention: 30 * DAY },
      'klevu.uuid': { windows: { klevu: 30 * DAY }, retention: 30 * DAY },
      qc_clickid: { windows: { qualityclick: 30 * DAY }, retention: 30 * DAY },
      s1: { windows: { clickmeter: 30 * DAY }, retention: 30 * DAY },
      'raptor.coid': { windows: { raptor: 365 * DAY }, retention: 365 * DAY },
      'raptor.sid': { windows: { raptor: 20 * 60 }, retention: 20 * 60 },
      'raptor.ruid': { windows: { raptor: 365 * DAY }, retention: 365 * DAY },
      reaid: { windows: { raptor: 365 * DAY }, retention: 365 * DAY },
      xuid: { windows: { raptor: 365 * DAY }, retention: 365 * DAY },
    });
  });

  it('knows only the parameters of enabled vendors', () => {
    expect([...catalogueOf(destinationsOf(kelkooOnlyConfig())).keys()]).toEqual(['kk', 'gclid', 'msclkid']);
  });

  it('follows the configured QUALITYCLICK and ClickMeter parameter names', () => {
    const config = specConfig({
      vendors: {
        qualityclick: { endpoint: 'https://p.example/get_trans.cgi', cpid: '1', product: 'Sale', clickIdParam: 'affiliate_click' },
        clickmeter: { conversionId: 'A531F18FCECC4DEB9B2C3994556FBF41', clickIdParam: 'cm' },
      },
    });
    expect([...catalogueOf(destinationsOf(config)).keys()]).toEqual(['affiliate_click', 'cm']);
  });
});

describe('extractClickIds', () => {
  const found = (input: Parameters<typeof extractClickIds>[0]) =>
    Object.fromEntries(extractClickIds(input, catalogue()).map((f) => [f.entry.key, f.value]));

  it('reads the document example landing URL of Kelkoo', () => {
    const url =
      'https://www.acme.com/miror/137-miror.html?kk=a4csscc-1781b717420-34cf3&gclid=EAIaIQobChMIpNXu6r6D6AIVQsjeCh27SQXcEAkYAyABEgIhz_D_BwE&utm_source=kelkoofr&utm_medium=cpc&utm_campaign=kelkooclick';
    expect(found({ landingUrl: url })).toEqual({ kk: 'a4csscc-1781b717420-34cf3', gclid: 'EAIaIQobChMIpNXu6r6D6AIVQsjeCh27SQXcEAkYAyABEgIhz_D_BwE' });
  });

  it('reads msclkid, QUALITYCLICK, ClickMeter, Raptor reaid/xuid from the query and cookie ids from identifiers', () => {
    expect(
      found({
        landingUrl: 'https://s.example/?msclkid=751ff8c7&qc_clickid=QC423840809685489623456289367&s1=tok&reaid=R1&xuid=X1',
        identifiers: { raptor: { coid: 'c', sid: 's', ruid: 'u@example.com' }, klevu: { uuid: 'k' } },
      }),
    ).toEqual({ msclkid: '751ff8c7', qc_clickid: 'QC423840809685489623456289367', s1: 'tok', reaid: 'R1', xuid: 'X1', 'raptor.coid': 'c', 'raptor.sid': 's', 'raptor.ruid': 'u@example.com', 'klevu.uuid': 'k' });
  });

  it('decodes percent-encoding and keeps the first of a repeated parameter', () => {
    expect(found({ landingUrl: 'https://s.example/?kk=a%2Bb%26c&kk=second' })).toEqual({ kk: 'a+b&c' });
  });

  it('takes params over the landing URL, and ignores empty values and unknown parameters', () => {
    expect(found({ landingUrl: 'https://s.example/?kk=url&gclid=', params: { kk: 'param', fbclid: 'x', msclkid: '  ' } })).toEqual({ kk: 'param' });
  });

  it('rejects an oversized or control-character click id, naming where it came from', () => {
    expect(() => extractClickIds({ params: { kk: 'x'.repeat(513) } }, catalogue())).toThrow(ValidationError);
    try {
      extractClickIds({ identifiers: { raptor: { coid: 'a\u0000b' } } }, catalogue());
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect((error as ValidationError).details).toEqual([{ field: 'identifiers.raptor.coid', message: 'click identifier must not contain control characters' }]);
    }
  });

  it.each([
    ['NUL', '\u0000'],
    ['US', '\u001f'],
    ['DEL', '\u007f'],
    ['PAD (C1)', '\u0080'],
    ['NEL (C1)', '\u0085'],
    ['APC (C1)', '\u009f'],
    ['LINE SEPARATOR', '\u2028'],
    ['PARAGRAPH SEPARATOR', '\u2029'],
  ])('treats %s like every other line-breaking control: refused in params, identifiers and landing URLs', (_, control) => {
    expect(() => extractClickIds({ params: { kk: `a${control}b` } }, catalogue())).toThrow(ValidationError);
    expect(() => extractClickIds({ identifiers: { raptor: { coid: `a${control}b` } } }, catalogue())).toThrow(ValidationError);
    expect(() => extractClickIds({ landingUrl: `https://s.example/?kk=a${encodeURIComponent(control)}b` }, catalogue())).toThrow(ValidationError);
  });

  it('keeps printable non-ASCII click ids (é, 😀, U+00A0, U+200B)', () => {
    expect(found({ params: { kk: 'é😀\u00a0\u200bz' } })).toEqual({ kk: 'é😀\u00a0\u200bz' });
  });
});

describe('Attribution', () => {
  const at = new Date('2026-11-21T10:00:00Z');
  const now = at;
  const click = (key: string, value: string, occurredAt: string, expiresInSeconds = 30 * DAY) => ({
    key,
    value,
    occurredAt,
    expiresAt: Math.floor(new Date(occurredAt).getTime() / 1000) + expiresInSeconds,
  });

  it('attributes the newest live value of each click id', () => {
    const attribution = Attribution.resolve(
      [click('kk', 'older', '2026-11-10T00:00:00Z'), click('kk', 'newer', '2026-11-20T00:00:00Z')],
      [],
      catalogue(),
      at,
      now,
    );
    expect(attribution.forDestination('kelkoo')('kk')).toBe('newer');
  });

  it('never attributes a click outside the vendor window, nor an expired record still present', () => {
    const attribution = Attribution.resolve(
      [click('kk', 'too-old', '2026-10-01T00:00:00Z', 90 * DAY), click('gclid', 'expired-record', '2026-11-20T00:00:00Z', 60)],
      [],
      catalogue(),
      at,
      now,
    );
    expect(attribution.forDestination('kelkoo')('kk')).toBeUndefined();
    expect(attribution.forDestination('kelkoo')('gclid')).toBeUndefined();
  });

  it('lets a vendor see only its own click ids', () => {
    const attribution = Attribution.resolve([click('kk', 'v', '2026-11-20T00:00:00Z')], [], catalogue(), at, now);
    expect(attribution.forDestination('qualityclick')('kk')).toBeUndefined();
  });

  it('does not attribute a click made after the order', () => {
    const attribution = Attribution.resolve([click('kk', 'later', '2026-11-21T11:00:00Z')], [], catalogue(), at, now);
    expect(attribution.forDestination('kelkoo')('kk')).toBeUndefined();
  });

  it('uses a Raptor sid within its 20-minute session only, and a sid given with the order always', () => {
    const stale = Attribution.resolve([click('raptor.sid', 's', '2026-11-21T09:39:00Z', 1200)], [], catalogue(), at, now);
    expect(stale.forDestination('raptor')('raptor.sid')).toBeUndefined();
    const fresh = Attribution.resolve([click('raptor.sid', 's', '2026-11-21T09:41:00Z', 1200)], [], catalogue(), at, now);
    expect(fresh.forDestination('raptor')('raptor.sid')).toBe('s');
    const override = Attribution.resolve([], extractClickIds({ identifiers: { raptor: { sid: 'given' } } }, catalogue()), catalogue(), at, now);
    expect(override.forDestination('raptor')('raptor.sid')).toBe('given');
  });
});
