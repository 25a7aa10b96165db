/**
 * The search test/integration/privacy.property.test.ts runs over everything the service keeps or shows: the starts of
 * a shopper's values, anywhere but in the moments the service wrote itself.
 */

/**
 * A moment the service wrote (`updatedAt`, a history entry's `at`, a log line's `timestamp`): an ISO 8601 timestamp.
 * It spells nobody, yet its seconds and milliseconds (`…:33.196Z`) read as the start of an IPv4 address
 * (`33.196.6.65`) whenever the clock happens to show them.
 */
const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

/** `text` with the service's own timestamps blanked out, each by as many `#`, so that offsets into it still hold. */
export function withoutTimestamps(text: string): string {
  return text.replace(TIMESTAMP, (moment) => '#'.repeat(moment.length));
}

/**
 * Throws, naming `where` and showing the text around it, when `text` holds one of `starts` (lower case; the search
 * is case-blind) outside the service's own timestamps.
 */
export function expectNone(where: string, text: string, starts: string[]): void {
  const lower = withoutTimestamps(text).toLowerCase();
  const found = starts.filter((start) => lower.includes(start));
  if (found.length) {
    const at = lower.indexOf(found[0]!);
    throw new Error(`${where} holds ${JSON.stringify(found)}: …${text.slice(Math.max(0, at - 300), at + 100)}…`);
  }
}
