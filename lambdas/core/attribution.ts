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

/** Clock skew tolerated between a shop's landing and order timestamps. */
const SKEW_MS = 5 * 60 * 1000;

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
   * @param at the order's time; @param now the current time, to drop records past their TTL
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
    for (const list of candidates.values()) list.sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime());
    return new Attribution(candidates, catalogue, at);
  }

  /** The newest value of `key` captured before the order and no longer ago than `windowSeconds`. */
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
