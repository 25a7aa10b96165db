/**
 * The privacy property's search (test/support/personal-search.ts). A run of test/integration/privacy.property.test.ts
 * failed on a conversion's `updatedAt` of `…T02:59:33.196Z`, whose seconds spell the start of the shopper IP
 * 33.196.6.65: the service's clock, not a leak.
 */
import { expectNone, withoutTimestamps } from '../support/personal-search';

const IP_START = ['33.196'];

describe('the search for personal values in what the service keeps', () => {
  it("passes over the service's own timestamps, whose seconds may spell an address's start", () => {
    const row = JSON.stringify({ status: 'failed', updatedAt: '2026-12-07T02:59:33.196Z', history: [{ at: '2026-12-07T02:59:33.1965Z' }] });
    expect(() => expectNone('the console, orders', row, IP_START)).not.toThrow();
    expect(() => expectNone('a log line', '{"timestamp":"2026-12-07T02:59:33.196+00:00","message":"sent"}', IP_START)).not.toThrow();
  });

  it('still finds the start anywhere else, next to a timestamp too, and in any letter case', () => {
    expect(() => expectNone('the console, orders', '{"updatedAt":"2026-12-07T02:59:33.196Z","lastError":"from 33.196.6.65"}', IP_START)).toThrow(
      'the console, orders holds ["33.196"]',
    );
    expect(() => expectNone('a record', '2026-12-07T02:59:01.000Z33.196.6.65', IP_START)).toThrow('a record holds ["33.196"]');
    expect(() => expectNone('a record', 'seconds 33.196 of a time without its date', IP_START)).toThrow();
    expect(() => expectNone('a record', 'JANE.DOE@EXAMPLE.COM', ['jane.d'])).toThrow('a record holds ["jane.d"]');
  });

  it('blanks a timestamp character for character, so offsets into the text still hold', () => {
    const text = 'at 2026-12-07T02:59:33.196Z, then 33.196.6.65';
    const blanked = withoutTimestamps(text);
    expect(blanked).toBe(`at ${'#'.repeat(24)}, then 33.196.6.65`);
    expect(blanked.indexOf('33.196')).toBe(text.lastIndexOf('33.196'));
  });
});
