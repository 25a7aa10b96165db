import { RetryLaterError } from './errors';

/** Calls a vendor accepted that may be not yet durable at any moment: the bound of what a crash can make resend. */
export const MAX_UNSAVED_CALLS = 8;

/**
 * The durable progress of one multi-call delivery, written behind the calls: one write at a time, and the keys of
 * calls that complete meanwhile go together in the next, so a vendor faster than the table is not slowed to the
 * table's pace. At most MAX_UNSAVED_CALLS accepted calls are ever not yet written; `flush` waits until all are.
 */
export class ProgressWriter {
  private pending: string[] = [];
  private writing: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly write: ((keys: string[]) => Promise<boolean>) | undefined) {}

  async add(key: string): Promise<void> {
    if (!this.write) return;
    this.check();
    this.pending.push(key);
    if (!this.writing) this.start();
    else if (this.pending.length >= MAX_UNSAVED_CALLS) await this.flush();
    this.check();
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    this.check();
  }

  private start(): void {
    const keys = this.pending.splice(0);
    this.writing = this.write!(keys).then(
      (held) => {
        if (!held) this.failure = new RetryLaterError('delivery lease lost to another sender; stopping');
      },
      (error: unknown) => {
        this.failure = error;
      },
    ).finally(() => {
      this.writing = undefined;
      if (this.pending.length && this.failure === undefined) this.start();
    });
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
