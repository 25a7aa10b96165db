import type { DeliveryOutcome, VendorResponse } from './types';

/**
 * A vendor test case as data, built from the vendor's own document wherever it gives an example.
 * Run by test/unit/vendor-fixtures.test.ts for every registered vendor.
 */
export interface VendorFixture {
  id: string;
  description: string;
  /** Where in the vendor document the expectation comes from ("example of a call", …) or "assumed: …". */
  source: string;
  input: {
    /** The vendor's configuration block as a merchant writes it (defaults are applied by the schema). */
    config: unknown;
    order: import('../core/order').Order;
    /** Live click identifiers by storage key (`kk`, `raptor.coid`, …). */
    clicks: Record<string, string>;
    /** The value the caller's `random()` returns during planning (no adapter draws from it now: Kelkoo's saleId is seeded). */
    random?: number;
  };
  expected:
    | { skipped: string }
    | {
        requests: Array<{
          method: 'GET' | 'POST';
          /** The exact URL, query string included, byte for byte. */
          url: string;
          headers?: Record<string, string>;
          /** The JSON body, compared after parsing. */
          json?: unknown;
        }>;
      };
}

/** How a vendor's answer must be classified; from the document where it says, else a stated assumption. */
export interface ResponseFixture {
  description: string;
  source: string;
  response: VendorResponse;
  expected: DeliveryOutcome['kind'];
}

export interface VendorFixtures {
  requests: VendorFixture[];
  responses: ResponseFixture[];
}
