/**
 * The pacing of a destination's vendor calls under its `ratePerSecond`. Lambda has no rate limit of its own for an
 * SQS event source, only a maximum concurrency; so each sender instance spaces its own calls `intervalMs` apart
 * (callIntervalMs: concurrency × 1000 / ratePerSecond), and the destination's `concurrency` instances together make
 * at most `ratePerSecond` calls a second. One pacer per sender instance, shared by every message of its batches and
 * every call of a message, whether the calls run one after another or at once.
 */
export class CallPacer {
  /** When the next call may leave (epoch ms); earlier than now when the sender was idle. */
  private next = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * Reserves the earliest free slot for one call if `fits` accepts the wait it implies, and returns that wait in ms;
   * returns undefined, reserving nothing, if it does not (the function's time would run out first).
   */
  reserve(fits: (waitMs: number) => boolean): number | undefined {
    const now = this.now();
    const slot = Math.max(now, this.next);
    const waitMs = slot - now;
    if (!fits(waitMs)) return undefined;
    this.next = slot + this.intervalMs;
    return waitMs;
  }
}

/** A real wait; the tests give the sender one that moves their clock instead. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
