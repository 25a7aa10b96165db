/**
 * Dates a caller gives (`since` on GET /v1/deliveries, `npm run report -- --since`) are read strictly: a day its month
 * does not have is refused, never rolled over into the next month as `Date.parse` does.
 */
import fc from 'fast-check';
import { parseDateOrDateTime } from '../../lambdas/core/time';
import { parseSince } from '../../scripts/report';

const IMPOSSIBLE = [
  '2026-02-30',
  '2026-02-29',
  '2100-02-29',
  '2026-04-31',
  '2026-06-31',
  '2026-09-31',
  '2026-11-31',
  '2026-00-10',
  '2026-13-01',
  '2026-01-00',
  '2026-01-32',
  '2026-02-30T10:00:00Z',
  '2026-11-21T24:00:00Z',
  '2026-11-21T23:60:00Z',
  '2026-11-21T23:59:60Z',
  '2026-11-21T10:00:00+24:00',
  '2026-11-21T10:00:00+01:60',
];

describe('parseDateOrDateTime', () => {
  it.each(IMPOSSIBLE)('refuses %s', (value) => {
    expect(parseDateOrDateTime(value)).toBeUndefined();
  });

  it.each([
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-31T23:59:59.999Z'],
    ['2026-11-01T10:00Z', '2026-11-01T10:00:00.000Z'],
    ['2026-11-01T10:00:00.5+01:00', '2026-11-01T09:00:00.500Z'],
    ['2026-11-01T00:30:00-23:59', '2026-11-02T00:29:00.000Z'],
    ['0099-01-01', '0099-01-01T00:00:00.000Z'],
  ])('reads %s as %s', (value, iso) => {
    expect(parseDateOrDateTime(value)?.toISOString()).toBe(iso);
  });

  it.each(['', '2026-1-01', '2026-11-01T10Z', '2026-11-01T10:00', '2026-11-01 10:00Z', '2026-11-01T10:00:00.1234Z', '+002026-11-01', 'yesterday'])(
    'refuses %p, which is not the format',
    (value) => {
      expect(parseDateOrDateTime(value)).toBeUndefined();
    },
  );

  it('reads every real instant written in either form as that instant (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (at) => {
        const iso = at.toISOString();
        expect(parseDateOrDateTime(iso)?.toISOString()).toBe(iso);
        expect(parseDateOrDateTime(iso.slice(0, 10))?.toISOString()).toBe(`${iso.slice(0, 10)}T00:00:00.000Z`);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses exactly the days the calendar does not have (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (year, month, day) => {
        const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        const real = new Date(0);
        real.setUTCFullYear(year, month - 1, day);
        const exists = real.getUTCMonth() === month - 1;
        expect(parseDateOrDateTime(text) !== undefined).toBe(exists);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('npm run report -- --since', () => {
  const now = new Date('2026-11-29T12:00:00Z');

  it.each(['2026-02-30', '2026-04-31', '2026-02-29T10:00:00Z'])('refuses %s rather than rolling it over', (value) => {
    expect(() => parseSince(value, now)).toThrow(/--since must be like 7d, 24h or 2026-11-01/);
  });

  it('refuses a date-time without its offset, which would be read in the local time zone of the machine', () => {
    expect(() => parseSince('2026-11-01T10:00', now)).toThrow(/--since must be like/);
    expect(parseSince('2026-11-01T10:00+01:00', now).toISOString()).toBe('2026-11-01T09:00:00.000Z');
  });
});
