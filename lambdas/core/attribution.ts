import { CatalogueEntry, ClickIdCatalogue, ExtractedClickId } from './click-ids';
import { epochSeconds } from './time';

/** A click identifier value as held in storage under one visitor key. */
export interface StoredClick {
  key: string;
  value: string;
  /** When the visitor landed with it (ISO 8601). */
  occurredAt: string;
  /** Epoch seconds after which the record must not be used, whether or not DynamoDB's TTL has removed it yet. */
  expiresAt: number;
}

export interface ClickEvidence {
  value: string;
  occurredAt: Date;
}

/**
 * Clock skew tolerated between a click's and an order's timestamps: a click up to this much *after* the order's
 * `occurredAt` still counts. The two times often come from different clocks – a capture without `occurredAt` is
 * stamped by the service, the order by the shop's server – and a visitor who lands and buys within seconds must not
 * lose the click to a clock that runs a little behind. Five minutes is also how far in the future the API accepts an
 * `occurredAt` (`MAX_FUTURE_SKEW_SECONDS`), so both rules tolerate the same drift.
 */
export const SKEW_MS = 5 * 60 * 1000;

/**
 * Every click identifier known for one order, across all of the visitor's linked keys.
 * Each destination asks for a key through its own window (`forDestination`).
 */
export class Attribution {
  private constructor(
    private readonly candidates: ReadonlyMap<string, ClickEvidence[]>,
    private readonly catalogue: ClickIdCatalogue,
    /** When the order happened: windows are measured back from here. */
    readonly at: Date,
  ) {}

  /**
   * @param stored click records read from storage (any order, duplicates allowed)
   * @param overrides identifiers given with the conversion itself: they replace stored values for this order
   * @param at the order's time: every window is judged there, not at the time of the report;
   * @param now the current time, to drop records past their TTL (which outlives every window by the grace for late
   * reports, so a record live at an accepted order's time is never past it)
   */
  static resolve(stored: StoredClick[], overrides: ExtractedClickId[], catalogue: ClickIdCatalogue, at: Date, now: Date): Attribution {
    const nowEpoch = epochSeconds(now);
    const candidates = new Map<string, ClickEvidence[]>();
    for (const click of stored) {
      if (click.expiresAt <= nowEpoch) continue; // expired: never attributed, even before DynamoDB deletes it
      const list = candidates.get(click.key) ?? [];
      list.push({ value: click.value, occurredAt: new Date(click.occurredAt) });
      candidates.set(click.key, list);
    }
    for (const override of overrides) {
      candidates.set(override.entry.key, [{ value: override.value, occurredAt: at }]);
    }
    // Newest first; equal times by value, so the choice never depends on the order storage returned them in.
    for (const list of candidates.values()) list.sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.value < b.value ? 1 : a.value > b.value ? -1 : 0));
    return new Attribution(candidates, catalogue, at);
  }

  /**
   * The newest value of `key` live at the order's time: `click.occurredAt <= order.occurredAt (+ SKEW_MS) <
   * click.occurredAt + windowSeconds`. A sliding window (Raptor's session) slides with each capture, which moves the
   * stored click's `occurredAt` forward.
   */
  live(key: string, windowSeconds: number): ClickEvidence | undefined {
    const at = this.at.getTime();
    return this.candidates
      .get(key)
      ?.find((c) => c.occurredAt.getTime() <= at + SKEW_MS && c.occurredAt.getTime() + windowSeconds * 1000 > at);
  }

  /** A lookup bound to one destination's windows: `click('kk')` answers only what that destination may attribute. */
  forDestination(destinationId: string): (key: string) => string | undefined {
    return (key: string) => {
      const entry: CatalogueEntry | undefined = this.catalogue.get(key);
      const window = entry?.windows[destinationId];
      if (window === undefined) return undefined;
      return this.live(key, window)?.value;
    };
  }
}
