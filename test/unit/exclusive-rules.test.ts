/**
 * Exclusive groups, called directly: the messages of the configuration checks (unknown member, a member listed
 * twice, group names), the newest live click of a destination with several click ids, the verdict for a decision
 * of a group the configuration no longer has, and the reason recorded for a member that lost.
 */
import { Attribution, StoredClick } from '../../lambdas/core/attribution';
import { parseConfig } from '../../lambdas/config/schema';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import { attributionSchema, exclusiveIssues, ExclusiveGroups, lostReason, newestLiveClick, verdictFor } from '../../lambdas/core/exclusive';
import { toFieldIssues } from '../../lambdas/core/validation';
import { SPEC_VENDORS } from '../support/config';

const group = (members: string[], extra: Partial<ExclusiveGroups[string]> = {}): ExclusiveGroups[string] => ({ members, onLost: {}, noClickChannel: 'direct', ...extra });
const none = () => [];

describe('exclusiveIssues messages', () => {
  it('names an unknown member and lists the enabled destinations', () => {
    expect(exclusiveIssues({ a: group(['qualityclick', 'kelkoo']) }, ['qualityclick', 'clickmeter', 'awin'], none)).toEqual([
      { path: ['attribution', 'exclusive', 'a', 'members', 1], message: 'unknown member "kelkoo": not an enabled vendor or postback (qualityclick, clickmeter, awin)' },
    ]);
  });

  it('says "none" when no destination is enabled', () => {
    expect(exclusiveIssues({ a: group(['awin']) }, [], none)).toEqual([
      { path: ['attribution', 'exclusive', 'a', 'members', 0], message: 'unknown member "awin": not an enabled vendor or postback (none)' },
    ]);
  });

  it('names a member listed twice in one group, at its second place', () => {
    expect(exclusiveIssues({ a: group(['awin', 'clickmeter', 'awin']) }, ['awin', 'clickmeter'], none)).toEqual([
      { path: ['attribution', 'exclusive', 'a', 'members', 2], message: '"awin" is listed twice' },
    ]);
  });

  it('tells a member listed twice from one already in another group', () => {
    expect(exclusiveIssues({ a: group(['awin']), b: group(['clickmeter', 'awin']) }, ['awin', 'clickmeter'], none)).toEqual([
      { path: ['attribution', 'exclusive', 'b', 'members', 1], message: '"awin" is already a member of group "a": a destination belongs to one group at most' },
    ]);
  });

  it('finds nothing wrong with distinct enabled members', () => {
    expect(exclusiveIssues({ a: group(['awin', 'clickmeter'], { onLost: { awin: 'send' } }) }, ['awin', 'clickmeter', 'kelkoo'], none)).toEqual([]);
  });
});

describe('exclusive group names', () => {
  const MESSAGE = 'group names are 1–31 lower-case letters, digits or -, starting with a letter';
  const issues = (name: string) => {
    const result = attributionSchema().safeParse({ exclusive: { [name]: { members: ['awin'] } } });
    return result.success ? [] : toFieldIssues(result.error).map((i) => `${i.field}: ${i.message}`);
  };

  it.each(['Affiliates', '1a', '-a', 'aff_eu', 'aff eu', 'aff.eu', `a${'b'.repeat(31)}`, ''])('rejects %p with its message', (name) => {
    expect(issues(name)).toEqual([`exclusive.${name}: ${MESSAGE}`]);
  });

  it.each(['a', 'affiliates', 'aff-eu-2', `a${'b'.repeat(30)}`])('accepts %p', (name) => {
    expect(issues(name)).toEqual([]);
  });
});

describe('newestLiveClick with several click ids', () => {
  const AT = new Date('2026-11-26T12:00:00.000Z');
  let catalogue: ReturnType<typeof catalogueOf>;
  beforeEach(() => {
    catalogue = catalogueOf(destinationsOf(parseConfig({ vendors: { kelkoo: SPEC_VENDORS.kelkoo, clickmeter: SPEC_VENDORS.clickmeter } })));
  });
  const click = (key: string, hoursBefore: number): StoredClick => ({
    key,
    value: `${key}-${hoursBefore}`,
    occurredAt: new Date(AT.getTime() - hoursBefore * 3_600_000).toISOString(),
    expiresAt: Math.floor(AT.getTime() / 1000) + 86_400,
  });
  const newest = (clicks: StoredClick[], destination = 'kelkoo') => newestLiveClick(Attribution.resolve(clicks, [], catalogue, AT, AT), catalogue, destination)?.toISOString();

  it.each([
    [['kk', 'gclid', 'msclkid'], [30, 20, 10], 10],
    [['kk', 'gclid', 'msclkid'], [10, 20, 30], 10],
    [['kk', 'gclid', 'msclkid'], [20, 10, 30], 10],
    [['msclkid', 'kk'], [5, 7], 5],
    [['gclid'], [12], 12],
  ])('of %p made %p hours before the order, the newest is %p hours before', (keys, hours, expected) => {
    const clicks = keys.map((key, i) => click(key, hours[i]!));
    expect(newest(clicks)).toBe(new Date(AT.getTime() - expected * 3_600_000).toISOString());
  });

  it("ignores click ids the destination does not use, and clicks outside its window", () => {
    expect(newest([click('s1', 1), click('kk', 5)])).toBe(new Date(AT.getTime() - 5 * 3_600_000).toISOString());
    expect(newest([click('s1', 1)])).toBeUndefined();
    expect(newest([click('kk', 1)], 'clickmeter')).toBeUndefined();
    expect(newest([click('kk', 31 * 24), click('gclid', 2)])).toBe(new Date(AT.getTime() - 2 * 3_600_000).toISOString());
  });
});

describe('verdictFor and lostReason', () => {
  it('leaves a destination unaffected by a decision of a group the configuration no longer has', () => {
    const groups = { kept: group(['awin']) };
    const decisions = [
      { group: 'removed', winner: 'clickmeter', channel: 'clickmeter' },
      { group: 'kept', winner: 'awin', channel: 'awin' },
    ];
    expect(verdictFor('clickmeter', groups, decisions)).toBeUndefined();
    expect(verdictFor('awin', groups, decisions)).toEqual({ group: 'kept', winner: 'awin', channel: 'awin', won: true, skip: false });
  });

  it('records the group and the winner in the reason of a member that lost', () => {
    const verdict = verdictFor('awin', { affiliates: group(['qualityclick', 'awin']) }, [{ group: 'affiliates', winner: 'qualityclick', channel: 'qualityclick' }])!;
    expect(verdict).toMatchObject({ won: false, skip: true });
    expect(lostReason(verdict)).toBe('exclusive group affiliates: lost to qualityclick (newer live click)');
  });
});
