/**
 * Reference model of attribution: pure, in memory, written from SPEC §2 and the vendor documents rather than from the
 * service's code, as plainly as possible. It keeps every capture and every identify, and answers each conversion
 * with the decision per destination and the click values each one would be told.
 *
 * The rules, one by one:
 * - Capture: a click with `occurredAt` more than 5 minutes ahead of the service's clock is refused (400). A click is
 *   kept until its longest window plus the grace for late reports has passed; one already past that is not stored.
 *   Per visitor key and click id the capture with the newest `occurredAt` wins (equal times: the greater value),
 *   whatever order the captures arrive in.
 * - Identify: links every pair of the keys given. A link lives for the longest window of any click id (at least a
 *   day) plus the grace, counted from the last identify of that pair. Links are followed any number of hops.
 * - Conversion: `occurredAt` (default: now) more than 5 minutes ahead, or more than the grace in the past, is
 *   refused (400). Otherwise every window is judged at the order's time: a click is live for a destination iff
 *   `click.occurredAt <= order.occurredAt + 5 min` (clock skew) and `order.occurredAt < click.occurredAt + window`.
 *   Of the live values of a click id over every reachable key, the newest wins (equal times: the greater value).
 *   Ids given with the conversion replace the stored ones for that order and count as captured at the order's time.
 * - Who is told: Kelkoo with a live kk, gclid or msclkid; Klevu whenever the shopper's IP is known; QUALITYCLICK,
 *   ClickMeter and a postback with a live click id of their parameter; Raptor with a live coid and a live sid.
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** How far ahead of the service's clock a shop's timestamp may be, and how far a click may follow its order. */
export const SKEW = 5 * MINUTE;

/** A visitor key as `kind:value`, e.g. `sessionId:s-1`. */
export type ModelKey = string;

export interface ModelDestination {
  /** Click id → window in ms. */
  windows: Record<string, number>;
  /** Whether the destination is told, given the live values of its click ids. */
  delivers: (live: Record<string, string>, order: { shopperIp: boolean }) => boolean;
}

export interface ModelConfig {
  lateReportMs: number;
  destinations: Record<string, ModelDestination>;
}

export type ModelEvent =
  | { kind: 'capture'; at: number; keys: ModelKey[]; clicks: Record<string, string>; occurredAt?: number }
  | { kind: 'identify'; at: number; keys: ModelKey[] }
  | {
      kind: 'conversion';
      at: number;
      orderId: string;
      keys: ModelKey[];
      occurredAt?: number;
      /** Ids given with the conversion itself. */
      overrides: Record<string, string>;
      shopperIp: boolean;
    };

export type ModelAnswer =
  | { status: 400 }
  | { status: 200 | 201 }
  | { status: 202; deliveries: Record<string, { deliver: boolean; clicks: Record<string, string> }> };

interface Click {
  value: string;
  occurredAt: number;
}

const newer = (a: Click, b: Click): boolean => a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.value > b.value);

export class AttributionModel {
  /** Per visitor key and click id, every capture stored (the newest is the record). */
  private readonly captures = new Map<string, Array<Click & { keptUntil: number }>>();
  /** Per unordered pair of keys, the time of its last identify. */
  private readonly links = new Map<string, number>();

  constructor(private readonly config: ModelConfig) {}

  /** The longest window of each click id over every destination. */
  private retention(clickId: string): number {
    return Math.max(...Object.values(this.config.destinations).map((d) => d.windows[clickId] ?? 0));
  }

  private linkLifetime(): number {
    const clickIds = new Set(Object.values(this.config.destinations).flatMap((d) => Object.keys(d.windows)));
    return Math.max(DAY, ...[...clickIds].map((id) => this.retention(id))) + this.config.lateReportMs;
  }

  apply(event: ModelEvent): ModelAnswer {
    switch (event.kind) {
      case 'capture':
        return this.capture(event);
      case 'identify':
        for (const a of event.keys) for (const b of event.keys) if (a < b) this.links.set(`${a}\u0000${b}`, event.at);
        return { status: 200 };
      case 'conversion':
        return this.conversion(event);
    }
  }

  private capture(event: Extract<ModelEvent, { kind: 'capture' }>): ModelAnswer {
    const occurredAt = event.occurredAt ?? event.at;
    if (occurredAt > event.at + SKEW) return { status: 400 };
    let stored = false;
    for (const [clickId, value] of Object.entries(event.clicks)) {
      const keptUntil = occurredAt + this.retention(clickId) + this.config.lateReportMs;
      if (keptUntil <= event.at) continue;
      stored = true;
      for (const key of event.keys) {
        const list = this.captures.get(`${key}\u0000${clickId}`) ?? [];
        list.push({ value, occurredAt, keptUntil });
        this.captures.set(`${key}\u0000${clickId}`, list);
      }
    }
    return { status: stored ? 201 : 200 };
  }

  /** Every key reachable from `keys` through links alive at `now`. */
  private reachable(keys: ModelKey[], now: number): Set<ModelKey> {
    const seen = new Set(keys);
    const lifetime = this.linkLifetime();
    for (let grew = true; grew; ) {
      grew = false;
      for (const [pair, linkedAt] of this.links) {
        // A link's TTL is whole epoch seconds, rounded up.
        if (Math.ceil((linkedAt + lifetime) / SECOND) * SECOND <= now) continue;
        const [a, b] = pair.split('\u0000') as [string, string];
        if (seen.has(a) !== seen.has(b)) {
          seen.add(a);
          seen.add(b);
          grew = true;
        }
      }
    }
    return seen;
  }

  /** The stored record of a click id under a key at `now`: the newest capture, unless its own time is up. */
  private record(key: ModelKey, clickId: string, now: number): Click | undefined {
    let best: (Click & { keptUntil: number }) | undefined;
    for (const c of this.captures.get(`${key}\u0000${clickId}`) ?? []) if (!best || newer(c, best)) best = c;
    return best && best.keptUntil > now ? best : undefined;
  }

  private conversion(event: Extract<ModelEvent, { kind: 'conversion' }>): ModelAnswer {
    const now = event.at;
    const at = event.occurredAt ?? now;
    if (at > now + SKEW || at < now - this.config.lateReportMs) return { status: 400 };
    const keys = this.reachable(event.keys, now);
    const candidates = (clickId: string): Click[] => {
      const given = event.overrides[clickId];
      if (given !== undefined) return [{ value: given, occurredAt: at }];
      return [...keys].map((key) => this.record(key, clickId, now)).filter((c): c is Click => c !== undefined);
    };
    const deliveries: Record<string, { deliver: boolean; clicks: Record<string, string> }> = {};
    for (const [id, destination] of Object.entries(this.config.destinations)) {
      const clicks: Record<string, string> = {};
      for (const [clickId, window] of Object.entries(destination.windows)) {
        let best: Click | undefined;
        for (const c of candidates(clickId)) {
          const live = c.occurredAt <= at + SKEW && at < c.occurredAt + window;
          if (live && (!best || newer(c, best))) best = c;
        }
        if (best) clicks[clickId] = best.value;
      }
      const deliver = destination.delivers(clicks, event);
      deliveries[id] = { deliver, clicks: deliver ? clicks : {} };
    }
    return { status: 202, deliveries };
  }
}
