/**
 * `attribution.exclusive.<group>.winningParams`: per member, the click ids through which it may win its group.
 * Accepted for members only and for click ids the member captures, refused otherwise naming the field; the
 * decision itself counts a member's own click ids only (Kelkoo: `kk`) unless the option widens them.
 */
import { Attribution, StoredClick } from '../../lambdas/core/attribution';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { ConfigurationError } from '../../lambdas/core/errors';
import { lossOf, lostReason, newestLiveClick, verdictFor } from '../../lambdas/core/exclusive';
import { SPEC_VENDORS } from '../support/config';

const AWIN = { clickIdParam: 'awc', url: 'https://aw.example/sread.php?ref={order.orderId}&cks={clickId}' };

function configWith(exclusive: unknown): TrackingConfig {
  return parseConfig({ vendors: { kelkoo: SPEC_VENDORS.kelkoo, qualityclick: SPEC_VENDORS.qualityclick }, postbacks: { awin: AWIN }, attribution: { exclusive } });
}

function issues(exclusive: unknown): string[] {
  try {
    configWith(exclusive);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.details.map((d) => `${d.field}: ${d.message}`);
    throw error;
  }
  return [];
}

describe('winningParams in the configuration', () => {
  it('accepts the SPEC example and keeps it', () => {
    const config = configWith({ search: { members: ['kelkoo', 'awin'], winningParams: { kelkoo: ['kk', 'gclid'] } } });
    expect(config.attribution.exclusive.search!.winningParams).toEqual({ kelkoo: ['kk', 'gclid'] });
  });

  it('is absent unless given', () => {
    expect(configWith({ search: { members: ['kelkoo', 'awin'] } }).attribution.exclusive.search!.winningParams).toBeUndefined();
  });

  it.each([
    [{ kelkoo: ['kk'], qualityclick: ['qc_clickid'] }, 'attribution.exclusive.search.winningParams.qualityclick: "qualityclick" is not a member of group "search": winningParams applies to members only'],
    [{ kelkoo: ['kk', 'fbclid'] }, 'attribution.exclusive.search.winningParams.kelkoo.1: "fbclid" is not a click id kelkoo captures (kk, gclid, msclkid)'],
    [{ awin: ['gclid'] }, 'attribution.exclusive.search.winningParams.awin.0: "gclid" is not a click id awin captures (awc)'],
    [{ kelkoo: [] }, 'attribution.exclusive.search.winningParams.kelkoo: name at least one click id'],
    [{ kelkoo: ['kk', 'kk'] }, 'attribution.exclusive.search.winningParams.kelkoo.1: "kk" is listed twice'],
  ])('refuses %j naming the field', (winningParams, issue) => {
    expect(issues({ search: { members: ['kelkoo', 'awin'], winningParams } })).toEqual([issue]);
  });
});

describe('the newest click a member may win with', () => {
  const AT = new Date('2026-11-26T12:00:00.000Z');
  const click = (key: string, hoursBefore: number): StoredClick => ({
    key,
    value: `${key}-${hoursBefore}`,
    occurredAt: new Date(AT.getTime() - hoursBefore * 3_600_000).toISOString(),
    expiresAt: Math.floor(AT.getTime() / 1000) + 86_400,
  });
  const config = configWith({});
  const catalogue = catalogueOf(destinationsOf(config));
  const attribution = Attribution.resolve([click('kk', 30), click('gclid', 1), click('msclkid', 2)], [], catalogue, AT, AT);

  it('counts only the keys named, and every key of the destination without them', () => {
    expect(newestLiveClick(attribution, catalogue, 'kelkoo', ['kk'])?.toISOString()).toBe(click('kk', 30).occurredAt);
    expect(newestLiveClick(attribution, catalogue, 'kelkoo', ['kk', 'msclkid'])?.toISOString()).toBe(click('msclkid', 2).occurredAt);
    expect(newestLiveClick(attribution, catalogue, 'kelkoo')?.toISOString()).toBe(click('gclid', 1).occurredAt);
    expect(newestLiveClick(attribution, catalogue, 'kelkoo', ['awc'])).toBeUndefined();
  });
});

describe('why a member lost', () => {
  const groups = { g: { members: ['awin', 'qualityclick'], onLost: {}, noClickChannel: 'direct' } };
  const verdict = verdictFor('qualityclick', groups, [{ group: 'g', winner: 'awin', channel: 'awin' }])!;
  const t = (iso: string) => new Date(iso);

  it.each([
    [t('2026-11-26T10:00:00Z'), 'exclusive group g: lost to awin (newer live click)'],
    [t('2026-11-26T11:00:00Z'), 'exclusive group g: lost to awin (tie: equally new live clicks, awin is listed first)'],
    [undefined, 'exclusive group g: lost to awin (no live click it wins with: qc_clickid)'],
  ])('its click at %p against the winner\'s at 11:00', (mine, reason) => {
    expect(lostReason(verdict, lossOf(mine, t('2026-11-26T11:00:00Z'), ['qc_clickid']))).toBe(reason);
  });
});
