/**
 * Exclusive groups: the pure decision (lambdas/core/exclusive.ts) over real Attribution and real click-id windows,
 * its configuration checks, and a property: whatever the click history, at most one member of a group is told of
 * a sale when every member's onLost is `skip`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Attribution, StoredClick } from '../../lambdas/core/attribution';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { catalogueOf, destinationsOf } from '../../lambdas/config/destinations';
import { ConfigurationError } from '../../lambdas/core/errors';
import { messageDigest } from '../../lambdas/core/delivery';
import { decideGroups, newestLiveClick, verdictFor } from '../../lambdas/core/exclusive';
import type { Order } from '../../lambdas/core/order';
import { startLocalStack } from '../../local/stack';
import { SPEC_VENDORS } from '../support/config';

const DAY = 86_400_000;
const ORDER_AT = new Date('2026-11-26T12:00:00.000Z');

const AWIN = { clickIdParam: 'awc', attributionDays: 30, url: 'https://aw.example/sread.php?ref={order.orderId}&cks={clickId}&ch={channel}' };

function config(exclusive: unknown, windows: { qc?: number; cm?: number; aw?: number } = {}): TrackingConfig {
  // {channel} is for group members only.
  const url = JSON.stringify(exclusive).includes('"awin"') ? AWIN.url : AWIN.url.replace('&ch={channel}', '');
  return parseConfig({
    vendors: {
      kelkoo: SPEC_VENDORS.kelkoo,
      qualityclick: { ...SPEC_VENDORS.qualityclick, attributionDays: windows.qc ?? 30 },
      clickmeter: { ...SPEC_VENDORS.clickmeter, attributionDays: windows.cm ?? 30 },
    },
    postbacks: { awin: { ...AWIN, url, attributionDays: windows.aw ?? 30 } },
    attribution: { exclusive },
  });
}

const AFFILIATES = { affiliates: { members: ['qualityclick', 'clickmeter', 'awin'] } };
const KEY_OF: Record<string, string> = { qualityclick: 'qc_clickid', clickmeter: 's1', awin: 'awc', kelkoo: 'kk' };

function click(member: string, daysBefore: number, value = `${member}-${daysBefore}`): StoredClick {
  const occurredAt = new Date(ORDER_AT.getTime() - daysBefore * DAY).toISOString();
  return { key: KEY_OF[member]!, value, occurredAt, expiresAt: Math.floor(ORDER_AT.getTime() / 1000) + 365 * 86_400 };
}

function decide(cfg: TrackingConfig, clicks: StoredClick[]) {
  const catalogue = catalogueOf(destinationsOf(cfg));
  const attribution = Attribution.resolve(clicks, [], catalogue, ORDER_AT, ORDER_AT);
  const groups = cfg.attribution.exclusive;
  const decisions = decideGroups(groups, (id) => newestLiveClick(attribution, catalogue, id));
  return { decisions, attribution, catalogue, verdict: (id: string) => verdictFor(id, groups, decisions) };
}

describe('exclusive group decision', () => {
  it('gives the sale to the member with the newest live click (Awin Monday, QUALITYCLICK Wednesday → QUALITYCLICK)', () => {
    const { decisions, verdict } = decide(config(AFFILIATES), [click('awin', 3), click('qualityclick', 1), click('kelkoo', 0)]);
    expect(decisions).toEqual([{ group: 'affiliates', winner: 'qualityclick', channel: 'qualityclick' }]);
    expect(verdict('qualityclick')).toMatchObject({ won: true, skip: false });
    expect(verdict('awin')).toMatchObject({ won: false, skip: true, winner: 'qualityclick' });
    expect(verdict('clickmeter')).toMatchObject({ won: false, skip: true });
    // Kelkoo is in no group: unaffected.
    expect(verdict('kelkoo')).toBeUndefined();
  });

  it('breaks a tie in favour of the member listed first', () => {
    const clicks = [click('awin', 2), click('clickmeter', 2)];
    expect(decide(config(AFFILIATES), clicks).decisions[0]!.winner).toBe('clickmeter');
    const reversed = { affiliates: { members: ['awin', 'clickmeter', 'qualityclick'] } };
    expect(decide(config(reversed), clicks).decisions[0]!.winner).toBe('awin');
  });

  it("judges each member's click in that member's own window", () => {
    // QUALITYCLICK's click is newer but outside its 7-day window; Awin's older click is inside its 30 days.
    const clicks = [click('awin', 20), click('qualityclick', 10)];
    expect(decide(config(AFFILIATES, { qc: 7 }), clicks).decisions[0]!.winner).toBe('awin');
    expect(decide(config(AFFILIATES, { qc: 30 }), clicks).decisions[0]!.winner).toBe('qualityclick');
    // Outside every window: nobody wins.
    expect(decide(config(AFFILIATES, { qc: 7, aw: 14 }), clicks).decisions[0]!.winner).toBeNull();
  });

  it('does not count a click made after the order', () => {
    const clicks = [click('awin', 5), click('qualityclick', -1)];
    expect(decide(config(AFFILIATES), clicks).decisions[0]!.winner).toBe('awin');
  });

  it('with one member: it wins whenever it holds a live click, and nobody loses otherwise', () => {
    const one = { solo: { members: ['awin'] } };
    expect(decide(config(one), [click('awin', 1)]).verdict('awin')).toMatchObject({ won: true, channel: 'awin' });
    expect(decide(config(one), [click('qualityclick', 1)]).verdict('awin')).toMatchObject({ won: true, winner: null, channel: 'direct' });
    // qualityclick is in no group here.
    expect(decide(config(one), [click('awin', 1)]).verdict('qualityclick')).toBeUndefined();
  });

  it('with no live click in the group: no winner, nobody skipped for it, {channel} is noClickChannel', () => {
    const groups = { affiliates: { ...AFFILIATES.affiliates, noClickChannel: 'none' } };
    const { decisions, verdict } = decide(config(groups), [click('kelkoo', 1)]);
    expect(decisions).toEqual([{ group: 'affiliates', winner: null, channel: 'none' }]);
    for (const member of groups.affiliates.members) expect(verdict(member)).toMatchObject({ won: true, skip: false });
  });

  it('onLost "send": a loser is told anyway, with the winner as channel', () => {
    const groups = { affiliates: { ...AFFILIATES.affiliates, onLost: { awin: 'send' } } };
    const { verdict } = decide(config(groups), [click('awin', 3), click('qualityclick', 1)]);
    expect(verdict('awin')).toEqual({ group: 'affiliates', winner: 'qualityclick', channel: 'qualityclick', won: false, skip: false });
    expect(verdict('clickmeter')).toMatchObject({ skip: true });
  });

  it('decides several groups independently', () => {
    const groups = { affiliates: { members: ['qualityclick', 'awin'] }, comparison: { members: ['kelkoo', 'clickmeter'] } };
    const { decisions } = decide(config(groups), [click('awin', 1), click('qualityclick', 2), click('kelkoo', 4), click('clickmeter', 3)]);
    expect(decisions).toEqual([
      { group: 'affiliates', winner: 'awin', channel: 'awin' },
      { group: 'comparison', winner: 'clickmeter', channel: 'clickmeter' },
    ]);
  });
});

describe('exclusive group configuration', () => {
  function configError(exclusive: unknown, postbacks: Record<string, unknown> = { awin: AWIN }): ConfigurationError {
    try {
      parseConfig({ vendors: { qualityclick: SPEC_VENDORS.qualityclick, clickmeter: SPEC_VENDORS.clickmeter }, postbacks, attribution: { exclusive } });
    } catch (error) {
      if (error instanceof ConfigurationError) return error;
      throw error;
    }
    throw new Error('expected a ConfigurationError');
  }

  it.each([
    [{ a: { members: ['qualityclick', 'kelkoo'] } }, 'attribution.exclusive.a.members.1', 'unknown member "kelkoo"'],
    [{ a: { members: ['qualityclick', 'awin'] }, b: { members: ['awin'] } }, 'attribution.exclusive.b.members.0', 'already a member of group "a"'],
    [{ a: { members: ['qualityclick'], onLost: { clickmeter: 'send' } } }, 'attribution.exclusive.a.onLost.clickmeter', 'members only'],
    [{ a: { members: ['qualityclick'], onLost: { qualityclick: 'maybe' } } }, 'attribution.exclusive.a.onLost.qualityclick', ''],
    [{ a: { members: [] } }, 'attribution.exclusive.a.members', 'at least one member'],
    [{ a: { members: ['qualityclick', 'clickmeter'] } }, 'postbacks.awin.url', '{channel} needs the destination to be a member'],
  ])('fails naming the field (%#)', (exclusive, field, message) => {
    const error = configError(exclusive);
    expect(error.details.map((d) => d.field)).toContain(field);
    expect(error.message).toContain(`${field}: `);
    expect(error.message).toContain(message);
  });

  it('accepts the SPEC shape and fills defaults', () => {
    const cfg = config({ affiliates: { members: ['qualityclick', 'clickmeter', 'awin'], onLost: { awin: 'send' }, noClickChannel: 'direct' } });
    expect(cfg.attribution.exclusive.affiliates).toEqual({ members: ['qualityclick', 'clickmeter', 'awin'], onLost: { awin: 'send' }, noClickChannel: 'direct' });
    expect(parseConfig({ vendors: {} }).attribution).toEqual({ exclusive: {} });
  });
});

describe('property: at most one member of a group is told of a sale with onLost "skip"', () => {
  const MEMBERS = ['qualityclick', 'clickmeter', 'awin'] as const;
  const order: Order = {
    orderId: 'P-1',
    currency: 'EUR',
    orderValue: 10,
    netValue: 8,
    occurredAt: ORDER_AT.toISOString(),
    items: [{ productId: 'A', name: 'A', unitPrice: 10, quantity: 1, groupId: 'A', variantId: 'A' }],
  };

  const history = fc.array(
    fc.record({
      member: fc.constantFrom(...MEMBERS, 'kelkoo'),
      // From 40 days before the order to 2 days after it, to the minute: ties, window edges and future clicks.
      minutesBefore: fc.integer({ min: -2 * 1440, max: 40 * 1440 }),
    }),
    { maxLength: 12 },
  );
  const windows = fc.record({ qc: fc.integer({ min: 1, max: 35 }), cm: fc.integer({ min: 1, max: 35 }), aw: fc.integer({ min: 1, max: 35 }) });
  const members = fc.shuffledSubarray([...MEMBERS], { minLength: 1 });

  it('holds for any click history, windows and membership; the winner holds the newest live click', () => {
    fc.assert(
      fc.property(history, windows, members, (clicks, w, groupMembers) => {
        const cfg = config({ g: { members: groupMembers } }, w);
        const stored = clicks.map((c, i) => ({ ...click(c.member, 0, `${c.member}-${i}`), occurredAt: new Date(ORDER_AT.getTime() - c.minutesBefore * 60_000).toISOString() }));
        const { decisions, attribution, catalogue, verdict } = decide(cfg, stored);
        const told = destinationsOf(cfg)
          .filter((d) => (groupMembers as string[]).includes(d.id))
          .filter((d) => {
            if (verdict(d.id)?.skip) return false;
            return d.adapter.plan({ order, config: d.config, click: attribution.forDestination(d.id), random: () => 0.5 }).deliver;
          })
          .map((d) => d.id);
        expect(told.length).toBeLessThanOrEqual(1);

        const winner = decisions[0]!.winner;
        const newest = new Map<string, number | undefined>(groupMembers.map((m) => [m, newestLiveClick(attribution, catalogue, m)?.getTime()]));
        if (winner === null) {
          expect([...newest.values()].every((t) => t === undefined)).toBe(true);
          expect(told).toEqual([]);
        } else {
          // The winner is told, and no member holds a newer live click.
          expect(told).toEqual([winner]);
          for (const t of newest.values()) if (t !== undefined) expect(t).toBeLessThanOrEqual(newest.get(winner)!);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('npm start with an invalid exclusive group', () => {
  it('stops before starting anything, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exclusive-start-'));
    try {
      const path = join(dir, 'bad.json');
      writeFileSync(path, JSON.stringify({ vendors: { qualityclick: SPEC_VENDORS.qualityclick }, attribution: { exclusive: { a: { members: ['qualityclick'], onLost: { awin: 'send' } } } } }));
      // Endpoints nothing listens on: the configuration must fail before any service is reached.
      const started = startLocalStack({ configPath: path, port: 0, quiet: true, dynamoEndpoint: 'http://127.0.0.1:9', sqsEndpoint: 'http://127.0.0.1:9' });
      await expect(started).rejects.toThrow(ConfigurationError);
      await expect(started).rejects.toThrow(/attribution\.exclusive\.a\.onLost\.awin: "awin" is not a member/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('message digest and the group decision', () => {
  const base = {
    destination: 'awin',
    order: { orderId: 'D-1', currency: 'EUR', orderValue: 1, netValue: 1, occurredAt: ORDER_AT.toISOString(), items: [{ productId: 'A', name: 'A', unitPrice: 1, quantity: 1 }] },
    context: { clickId: 'c' },
  };

  it('covers the decision, so a copy that decided otherwise does not match the recorded one; version 1 digests are unchanged', () => {
    const won = messageDigest({ ...base, exclusive: { group: 'g', winner: 'awin', channel: 'awin', won: true } });
    const lost = messageDigest({ ...base, exclusive: { group: 'g', winner: 'qualityclick', channel: 'qualityclick', won: false } });
    expect(won).not.toBe(lost);
    expect(messageDigest(base)).not.toBe(won);
    expect(messageDigest({ ...base, exclusive: undefined })).toBe(messageDigest(base));
  });
});
