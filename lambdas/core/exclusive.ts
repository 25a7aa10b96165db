import * as z from 'zod/mini';
import type { Attribution } from './attribution';
import type { ClickIdCatalogue } from './click-ids';
import { lazy } from './lazy';

/**
 * Exclusive groups (`attribution.exclusive`): destinations of which only the one holding the newest live click wins a
 * sale – last paid click across networks, decided on the merchant's side, once per order, in the conversion. The
 * decision travels in each message, so a retry or a redrive never decides again. Pure: no I/O, no clock.
 */

export const ON_LOST = ['skip', 'send'] as const;
export type OnLost = (typeof ON_LOST)[number];

/** Group names appear in reasons and in the status; the same alphabet as destination ids. */
const GROUP_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export const exclusiveGroupSchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    /** Destination ids (vendors or postbacks), in order of precedence when two clicks are equally new. */
    members: z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'a group needs at least one member')),
    /** Per member: `skip` (default) – not told of a sale it lost; `send` – told anyway, `{channel}` naming the winner. */
    onLost: z._default(z.record(z.string(), z.enum(ON_LOST)), {}),
    /** `{channel}` when no member held a live click. */
    noClickChannel: z._default(z.string().check(z.minLength(1), z.maxLength(64)), 'direct'),
    /**
     * Per member: the click ids through which it may win the group, replacing its own (Kelkoo: `kk` only). For a
     * merchant whose Kelkoo traffic arrives without `kk`: `{"kelkoo": ["kk", "gclid"]}`. Checked against the
     * member's click ids by exclusiveIssues.
     */
    winningParams: z.optional(z.record(z.string(), z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'name at least one click id')))),
  }),
);

export const attributionSchema = /* @__PURE__ */ lazy(() =>
  z.strictObject({
    exclusive: z._default(
      z.record(z.string().check(z.regex(GROUP_NAME, 'group names are 1–31 lower-case letters, digits or -, starting with a letter')), exclusiveGroupSchema()),
      {},
    ),
  }),
);

export type ExclusiveGroup = z.infer<ReturnType<typeof exclusiveGroupSchema>>;
export type ExclusiveGroups = Readonly<Record<string, ExclusiveGroup>>;

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The checks zod cannot make on a group alone: every member is an enabled destination, no destination belongs to two
 * groups, `onLost` and `winningParams` name members only, `winningParams` names click ids the member captures
 * (`clickIdsOf`: the storage names of its click ids), and `{channel}` is used only by a destination in a group.
 */
export function exclusiveIssues(
  groups: ExclusiveGroups,
  destinationIds: readonly string[],
  usesChannel: (id: string) => string[],
  clickIdsOf: (id: string) => readonly string[] = () => [],
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const groupOf = new Map<string, string>();
  for (const [name, group] of Object.entries(groups)) {
    group.members.forEach((member, i) => {
      const path = ['attribution', 'exclusive', name, 'members', i];
      if (!destinationIds.includes(member)) {
        issues.push({ path, message: `unknown member "${member}": not an enabled vendor or postback (${destinationIds.join(', ') || 'none'})` });
        return;
      }
      const other = groupOf.get(member);
      if (other === name) issues.push({ path, message: `"${member}" is listed twice` });
      else if (other !== undefined) issues.push({ path, message: `"${member}" is already a member of group "${other}": a destination belongs to one group at most` });
      else groupOf.set(member, name);
    });
    for (const id of Object.keys(group.onLost)) {
      if (!group.members.includes(id)) {
        issues.push({ path: ['attribution', 'exclusive', name, 'onLost', id], message: `"${id}" is not a member of group "${name}": onLost applies to members only` });
      }
    }
    for (const [id, params] of Object.entries(group.winningParams ?? {})) {
      const path = ['attribution', 'exclusive', name, 'winningParams', id];
      if (!group.members.includes(id)) {
        issues.push({ path, message: `"${id}" is not a member of group "${name}": winningParams applies to members only` });
        continue;
      }
      if (!destinationIds.includes(id)) continue; // reported at its place in members
      const captured = clickIdsOf(id);
      params.forEach((param, i) => {
        if (params.indexOf(param) !== i) issues.push({ path: [...path, i], message: `"${param}" is listed twice` });
        else if (!captured.includes(param)) issues.push({ path: [...path, i], message: `"${param}" is not a click id ${id} captures (${captured.join(', ') || 'none'})` });
      });
    }
  }
  for (const id of destinationIds) {
    if (groupOf.has(id)) continue;
    for (const field of usesChannel(id)) {
      issues.push({ path: ['postbacks', id, ...field.split('.')], message: '{channel} needs the destination to be a member of an exclusive group' });
    }
  }
  return issues;
}

/** The outcome of one group for one order. */
export interface GroupDecision {
  group: string;
  /** The member holding the newest live click, or null when none held one. */
  winner: string | null;
  /** What `{channel}` says: the winner's id, or the group's `noClickChannel`. */
  channel: string;
}

/**
 * Decides every group: among the members that hold a live click (`newestClick` answers when, judged in the member's
 * own windows at the order's time), the newest wins; a tie goes to the member listed first. `newestClick` answers
 * undefined for a member that may not win: one that would be skipped for its own reasons (eligibility is decided
 * before the winner), or one holding no live click it wins with (winningKeys).
 */
export function decideGroups(groups: ExclusiveGroups, newestClick: (destinationId: string) => Date | undefined): GroupDecision[] {
  return Object.entries(groups).map(([group, { members, noClickChannel }]) => {
    let winner: string | null = null;
    let newest = -Infinity;
    for (const member of members) {
      const at = newestClick(member)?.getTime();
      if (at !== undefined && at > newest) {
        winner = member;
        newest = at;
      }
    }
    return { group, winner, channel: winner ?? noClickChannel };
  });
}

/** What a group decision means for one destination, as carried in its message. */
export interface ExclusiveVerdict {
  group: string;
  winner: string | null;
  channel: string;
  /** This destination won the sale (or no member held a click: nobody lost). */
  won: boolean;
  /** Lost, and `onLost` is `skip`: the destination is not told of the sale. */
  skip: boolean;
}

/** The verdict for `destinationId`, or undefined for a destination in no group (unaffected). */
export function verdictFor(destinationId: string, groups: ExclusiveGroups, decisions: readonly GroupDecision[]): ExclusiveVerdict | undefined {
  const decision = decisions.find((d) => groups[d.group]?.members.includes(destinationId));
  if (!decision) return undefined;
  const won = decision.winner === null || decision.winner === destinationId;
  const onLost: OnLost = groups[decision.group]!.onLost[destinationId] ?? 'skip';
  return { group: decision.group, winner: decision.winner, channel: decision.channel, won, skip: !won && onLost === 'skip' };
}

/** The part of a verdict a message carries (DeliveryMessage version 2). */
export function carried({ group, winner, channel, won }: ExclusiveVerdict): { group: string; winner: string | null; channel: string; won: boolean } {
  return { group, winner, channel, won };
}

/**
 * Why a member lost: its newest click it wins with was older than the winner's (`older`), exactly as new (`tie`: the
 * winner is listed first), or it held none (`none`, naming the click ids it wins with).
 */
export type Loss = { kind: 'older' } | { kind: 'tie' } | { kind: 'none'; keys: readonly string[] };

/** The Loss of a member whose newest click it wins with is `mine`, against the winner's `winners`. */
export function lossOf(mine: Date | undefined, winners: Date | undefined, keys: readonly string[]): Loss {
  if (mine === undefined) return { kind: 'none', keys };
  return winners !== undefined && mine.getTime() === winners.getTime() ? { kind: 'tie' } : { kind: 'older' };
}

/** The reason recorded for a member that lost and is skipped. */
export function lostReason(verdict: ExclusiveVerdict, loss: Loss = { kind: 'older' }): string {
  const why =
    loss.kind === 'tie'
      ? `tie: equally new live clicks, ${verdict.winner} is listed first`
      : loss.kind === 'none'
        ? `no live click it wins with: ${loss.keys.join(', ')}`
        : 'newer live click';
  return `exclusive group ${verdict.group}: lost to ${verdict.winner} (${why})`;
}

/**
 * The click ids (storage names) through which `member` may win `group`: the group's `winningParams` for it, else
 * `own` – its adapter's own click ids (Kelkoo: `kk`, not the `gclid`/`msclkid` it is also sent).
 */
export function winningKeys(group: ExclusiveGroup, member: string, own: readonly string[]): readonly string[] {
  return group.winningParams?.[member] ?? own;
}

/**
 * When the newest click a destination may attribute was made: the newest live value of each click id the destination
 * uses (only those of `keys` when given), judged by Attribution's own window rule for that destination – the same
 * rule its plan is made with.
 */
export function newestLiveClick(attribution: Attribution, catalogue: ClickIdCatalogue, destinationId: string, keys?: readonly string[]): Date | undefined {
  let newest: Date | undefined;
  for (const entry of catalogue.values()) {
    const window = entry.windows[destinationId];
    if (window === undefined || (keys !== undefined && !keys.includes(entry.key))) continue;
    const click = attribution.live(entry.key, window);
    if (click && (!newest || click.occurredAt > newest)) newest = click.occurredAt;
  }
  return newest;
}
