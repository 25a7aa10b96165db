import { callIntervalMs, capacityOf, DESTINATION_CAPACITY_DEFAULTS, PACING_BUDGET_SECONDS, reservedConcurrencyOf } from '../../lambdas/config/capacity';
import { parseConfig } from '../../lambdas/config/schema';
import { deliveryQueueSettings, deliveryQueueSettingsOf, destinationCapacity } from '../../lambdas/contract/shape';
import { CallPacer } from '../../lambdas/sender/pacing';

const AWIN = {
  clickIdParam: 'awc',
  url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}',
  cancel: { url: 'https://www.awin1.com/cancel.php?ref={order.orderId}' },
};

describe('capacityOf', () => {
  it('fills in 3 invocations of 10 messages, 4 calls at once and no rate for an entry without keys', () => {
    expect(capacityOf({ apiKey: 'x' })).toEqual({ concurrency: 3, batchSize: 10, parallelCalls: 4 });
    expect(capacityOf(undefined)).toEqual({ ...DESTINATION_CAPACITY_DEFAULTS });
  });

  it('keeps the keys given', () => {
    expect(capacityOf({ concurrency: 7, batchSize: 2, ratePerSecond: 50, parallelCalls: 1 })).toEqual({ concurrency: 7, batchSize: 2, ratePerSecond: 50, parallelCalls: 1 });
  });

  it('chooses with a rate the largest batch whose calls fit in the pacing budget, at most 10 and at least 1', () => {
    // 3 senders at 1 call/s in all: 3 s apart, 10 in 30 s.
    expect(capacityOf({ ratePerSecond: 1 }).batchSize).toBe(10);
    // 3 senders at 0.5/s: 6 s apart, 5 in 30 s.
    expect(capacityOf({ ratePerSecond: 0.5 }).batchSize).toBe(5);
    // 10 senders at 0.34/s: 29.4 s apart, 1 in 30 s.
    expect(capacityOf({ concurrency: 10, ratePerSecond: 0.34 }).batchSize).toBe(1);
    expect(capacityOf({ ratePerSecond: 1000 }).batchSize).toBe(10);
    expect(PACING_BUDGET_SECONDS).toBe(30);
  });
});

describe('callIntervalMs', () => {
  it('spaces each sender concurrency / ratePerSecond apart, so that all of them stay under the rate', () => {
    expect(callIntervalMs({ concurrency: 3, ratePerSecond: 10 })).toBe(300);
    expect(callIntervalMs({ concurrency: 2, ratePerSecond: 0.5 })).toBe(4000);
    expect(callIntervalMs({ concurrency: 3 })).toBeUndefined();
  });
});

describe('CallPacer', () => {
  it('gives each call the next slot, intervalMs after the one before; an idle pacer none to wait', () => {
    let now = 1_000;
    const pacer = new CallPacer(250, () => now);
    const always = () => true;
    expect([pacer.reserve(always), pacer.reserve(always), pacer.reserve(always)]).toEqual([0, 250, 500]);
    now = 1_600;
    expect(pacer.reserve(always)).toBe(150);
    now = 10_000;
    expect(pacer.reserve(always)).toBe(0);
  });

  it('reserves nothing when the wait does not fit, so the next call gets the same slot', () => {
    const pacer = new CallPacer(1000, () => 0);
    expect(pacer.reserve(() => true)).toBe(0);
    const asked: number[] = [];
    expect(pacer.reserve((wait) => (asked.push(wait), false))).toBeUndefined();
    expect(pacer.reserve((wait) => (asked.push(wait), true))).toBe(1000);
    expect(asked).toEqual([1000, 1000]);
  });
});

describe('deliveryQueueSettings per destination', () => {
  it("takes each destination's concurrency, batch size, rate and parallel bound; a cancellation destination its postback's", () => {
    const config = parseConfig({
      vendors: { klevu: { apiKey: 'klevu-1234567890', concurrency: 12, parallelCalls: 2 } },
      postbacks: { awin: { ...AWIN, concurrency: 2, ratePerSecond: 5, batchSize: 4 } },
    });
    expect(deliveryQueueSettingsOf(config, 'klevu')).toMatchObject({ maxConcurrency: 12, batchSize: 10, parallelCalls: 2 });
    expect(deliveryQueueSettingsOf(config, 'klevu').ratePerSecond).toBeUndefined();
    expect(deliveryQueueSettingsOf(config, 'awin-cancel')).toMatchObject({ maxConcurrency: 2, batchSize: 4, ratePerSecond: 5 });
    expect(() => destinationCapacity(config, 'kelkoo')).toThrow('kelkoo is not a destination of this configuration');
  });

  it('keeps the defaults without a capacity, as before', () => {
    const config = parseConfig({ vendors: { klevu: { apiKey: 'klevu-1234567890' } } });
    expect(deliveryQueueSettings(config.delivery)).toEqual(deliveryQueueSettingsOf(config, 'klevu'));
    expect(deliveryQueueSettings(config.delivery)).toMatchObject({ batchSize: 10, maxConcurrency: 3, maxBatchingWindowSeconds: 1, parallelCalls: 4 });
  });

  it('leaves the capacity keys out of a parsed entry that has none, and puts the given ones back beside its own', () => {
    const config = parseConfig({ vendors: { klevu: { apiKey: 'klevu-1234567890', paused: true, ratePerSecond: 2 } } });
    expect(config.vendors.klevu).toMatchObject({ apiKey: 'klevu-1234567890', paused: true, ratePerSecond: 2 });
    expect(Object.keys(parseConfig({ vendors: { klevu: { apiKey: 'klevu-1234567890' } } }).vendors.klevu!)).not.toContain('concurrency');
  });
});

describe('reservedConcurrencyOf', () => {
  it('reserves for conversion and cancellation and caps capture only where configured', () => {
    expect(reservedConcurrencyOf(undefined)).toEqual({});
    expect(reservedConcurrencyOf({ conversion: { reservedConcurrency: 20 } })).toEqual({ conversion: 20 });
    expect(reservedConcurrencyOf({ conversion: { reservedConcurrency: 20 }, cancellation: { reservedConcurrency: 5 }, capture: { maxConcurrency: 40 } })).toEqual({
      conversion: 20,
      cancellation: 5,
      capture: 40,
    });
  });
});
