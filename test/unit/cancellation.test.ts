/**
 * Cancellations (lambdas/config/cancellation.ts): which postbacks get a cancellation destination, how its id maps back
 * to the sale destination, which destinations have a cancellation call, and the name clash the configuration refuses.
 */
import { cancelDestinationId, cancelDestinationsOf, cancelIssues, hasCancellationCall, queuedDestinationsOf, saleDestinationOf } from '../../lambdas/config/cancellation';
import { parseConfig } from '../../lambdas/config/schema';
import { destinationsOf } from '../../lambdas/config/destinations';
import { postback } from '../../lambdas/vendors/postback/adapter';
import { postbackCancel } from '../../lambdas/vendors/postback/cancel';
import { SPEC_VENDORS } from '../support/config';

const sale = { clickIdParam: 'awc', url: 'https://n.example/pb?ref={order.orderId}&cks={clickId}' };
const withCancel = { ...sale, cancel: { url: 'https://n.example/cancel?ref={order.orderId}' } };

// Parsed in each test, not at load, so that mutation testing judges the configuration schema per test.
let config: ReturnType<typeof parseConfig>;
beforeEach(() => {
  config = parseConfig({
    vendors: { kelkoo: SPEC_VENDORS.kelkoo },
    postbacks: { awin: withCancel, tradedoubler: sale, 'net-b': withCancel },
  });
});

describe('cancellation destinations', () => {
  it('are one per postback with a cancel template, in configuration order, consuming that postback', () => {
    const cancels = cancelDestinationsOf(config);
    expect(cancels.map((d) => d.id)).toEqual(['awin-cancel', 'net-b-cancel']);
    expect(cancels.every((d) => d.adapter === postbackCancel)).toBe(true);
    expect(cancels.map((d) => d.config)).toEqual([config.postbacks.awin, config.postbacks['net-b']]);
    expect(cancelDestinationsOf({})).toEqual([]);
    expect(cancelDestinationsOf({ postbacks: { tradedoubler: config.postbacks.tradedoubler! } })).toEqual([]);
  });

  it('queue after every sale destination', () => {
    expect(queuedDestinationsOf(config).map((d) => d.id)).toEqual(['kelkoo', 'awin', 'tradedoubler', 'net-b', 'awin-cancel', 'net-b-cancel']);
    expect(queuedDestinationsOf(config).slice(0, 4)).toEqual(destinationsOf(config));
    expect(queuedDestinationsOf({ vendors: {} })).toEqual([]);
  });

  it.each([
    ['awin-cancel', 'awin'],
    ['net-b-cancel', 'net-b'],
    ['awin', undefined],
    ['kelkoo', undefined],
    ['tradedoubler-cancel', undefined],
    ['kelkoo-cancel', undefined],
    ['unknown-cancel', undefined],
    ['-cancel', undefined],
  ])('maps %s back to its sale destination: %s', (id, expected) => {
    expect(saleDestinationOf(id, config)).toBe(expected);
    expect(saleDestinationOf(id, {})).toBeUndefined();
  });

  it('maps each cancellation destination id back to its own postback', () => {
    for (const id of Object.keys(config.postbacks)) {
      expect(saleDestinationOf(cancelDestinationId(id), config)).toBe(config.postbacks[id]!.cancel ? id : undefined);
    }
  });
});

describe('hasCancellationCall', () => {
  let byId: Map<string, ReturnType<typeof queuedDestinationsOf>[number]>;
  beforeEach(() => {
    byId = new Map(queuedDestinationsOf(config).map((d) => [d.id, d]));
  });

  it.each([
    ['awin', true],
    ['net-b', true],
    ['tradedoubler', false],
    ['kelkoo', false],
    // A cancellation destination carries its postback's configuration, cancel template included, yet is no sale.
    ['awin-cancel', false],
  ])('%s: %s', (id, expected) => {
    expect(hasCancellationCall(byId.get(id)!)).toBe(expected);
  });

  it('needs the postback adapter, not only a cancel field', () => {
    expect(hasCancellationCall({ id: 'x', adapter: byId.get('kelkoo')!.adapter, config: { ...SPEC_VENDORS.kelkoo, cancel: {} } })).toBe(false);
    expect(hasCancellationCall({ id: 'x', adapter: postback, config: config.postbacks.tradedoubler })).toBe(false);
  });
});

describe('cancelIssues', () => {
  it('refuses a postback named like the cancellation queue of another, saying which', () => {
    const postbacks = { awin: config.postbacks.awin!, 'awin-cancel': config.postbacks.tradedoubler! };
    expect(cancelIssues(postbacks)).toEqual([{ path: ['postbacks', 'awin-cancel'], message: 'clashes with the cancellation queue of postbacks.awin; rename one' }]);
  });

  it('has nothing against such a name when the other postback has no cancel template, or nothing is named so', () => {
    expect(cancelIssues({ tradedoubler: config.postbacks.tradedoubler!, 'tradedoubler-cancel': config.postbacks.awin! })).toEqual([]);
    expect(cancelIssues(config.postbacks)).toEqual([]);
    expect(cancelIssues({})).toEqual([]);
  });

  it('is reported by the configuration check', () => {
    expect(() => parseConfig({ vendors: {}, postbacks: { awin: withCancel, 'awin-cancel': sale } })).toThrow(
      'Invalid configuration: postbacks.awin-cancel: clashes with the cancellation queue of postbacks.awin; rename one',
    );
    expect(() => parseConfig({ vendors: {}, postbacks: { awin: sale, 'awin-cancel': sale } })).not.toThrow();
  });
});
