/**
 * Capacity as configuration: each destination's event source takes its `concurrency` and `batchSize` (a postback's
 * cancellation calls their postback's), its sender's runtime configuration carries what pacing and parallel calls
 * need, and `capacity` reserves concurrency for the conversion and cancellation functions and caps capture's – none
 * without it. Bad values fail the synthesis naming the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, TrackingConfig } from '../../lambdas/config/schema';
import { senderRuntimeConfig } from '../../lambdas/contract/runtime-config';
import { TrackingStack } from '../../lib/tracking-stack';

const FEATURE_FLAGS = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }).context;

const VENDORS = {
  kelkoo: { country: 'fr', comId: '100475501', referer: 'https://www.shop.example' },
  raptor: { customerId: '1234', purchaseParams: { p1: 'buy', p2: '{item.productId}' } },
};
const AWIN = {
  clickIdParam: 'awc',
  url: 'https://www.awin1.com/sread.php?tt=ss&ref={order.orderId}&cks={clickId}',
  cancel: { url: 'https://www.awin1.com/cancel.php?ref={order.orderId}' },
};

function synthesise(config: TrackingConfig): { stack: TrackingStack; template: Template } {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new TrackingStack(app, 'ConversionTracking', { config });
  return { stack, template: Template.fromStack(stack) };
}

/** Each destination's event source mapping (BatchSize, MaximumConcurrency), found through its queue's logical id. */
function mappings(built: { stack: TrackingStack; template: Template }): Record<string, { batchSize: number; maxConcurrency: number }> {
  const all = built.template.findResources('AWS::Lambda::EventSourceMapping');
  return Object.fromEntries(
    [...built.stack.deliveries].map(([id, delivery]) => {
      const queueId = built.stack.getLogicalId(delivery.queue.node.defaultChild as never);
      const mapping = Object.values(all).find((m) => JSON.stringify(m.Properties.EventSourceArn).includes(queueId));
      if (!mapping) throw new Error(`no event source mapping for ${id}`);
      return [id, { batchSize: mapping.Properties.BatchSize, maxConcurrency: mapping.Properties.ScalingConfig.MaximumConcurrency }];
    }),
  );
}

/** The reserved concurrency of each API function that has one, by function. */
function reserved(built: { stack: TrackingStack; template: Template }): Record<string, number> {
  const functions = built.template.findResources('AWS::Lambda::Function');
  const result: Record<string, number> = {};
  for (const [name, fn] of Object.entries(built.stack.apiFunctions)) {
    const properties = functions[built.stack.getLogicalId(fn.node.defaultChild as never)]!.Properties;
    if (properties.ReservedConcurrentExecutions !== undefined) result[name] = properties.ReservedConcurrentExecutions;
  }
  return result;
}

describe('capacity: per-destination concurrency and batch size, reserved concurrency', () => {
  let configured: { stack: TrackingStack; template: Template };
  let defaults: { stack: TrackingStack; template: Template };
  let config: TrackingConfig;

  beforeAll(() => {
    config = parseConfig({
      vendors: { kelkoo: { ...VENDORS.kelkoo, concurrency: 8, batchSize: 5 }, raptor: { ...VENDORS.raptor, concurrency: 4, ratePerSecond: 2, parallelCalls: 2 } },
      postbacks: { awin: { ...AWIN, concurrency: 2, batchSize: 1 } },
      capacity: { conversion: { reservedConcurrency: 20 }, cancellation: { reservedConcurrency: 5 }, capture: { maxConcurrency: 50 } },
    });
    configured = synthesise(config);
    defaults = synthesise(parseConfig({ vendors: VENDORS, postbacks: { awin: AWIN } }));
  });

  it("gives each destination's event source its own concurrency and batch size; a cancellation queue its postback's", () => {
    expect(mappings(configured)).toEqual({
      kelkoo: { batchSize: 5, maxConcurrency: 8 },
      // 2 calls a second over 4 senders: one call every 2 s each, so 10 messages would need 20 s – within the 30 s.
      raptor: { batchSize: 10, maxConcurrency: 4 },
      awin: { batchSize: 1, maxConcurrency: 2 },
      'awin-cancel': { batchSize: 1, maxConcurrency: 2 },
    });
  });

  it('keeps 3 invocations of 10 messages for every destination without capacity keys', () => {
    expect(mappings(defaults)).toEqual({
      kelkoo: { batchSize: 10, maxConcurrency: 3 },
      raptor: { batchSize: 10, maxConcurrency: 3 },
      awin: { batchSize: 10, maxConcurrency: 3 },
      'awin-cancel': { batchSize: 10, maxConcurrency: 3 },
    });
  });

  it('chooses, for a rate without a batch size, the largest batch whose paced calls fit', () => {
    const built = synthesise(parseConfig({ vendors: { kelkoo: { ...VENDORS.kelkoo, concurrency: 3, ratePerSecond: 0.5 } } }));
    // One call every 6 s per sender: 5 messages in 30 s.
    expect(mappings(built).kelkoo).toEqual({ batchSize: 5, maxConcurrency: 3 });
  });

  it("puts the rate, concurrency and parallel bound in the sender's runtime configuration", () => {
    expect(senderRuntimeConfig(config, 'raptor').vendors.raptor).toMatchObject({ concurrency: 4, ratePerSecond: 2, parallelCalls: 2 });
    expect(senderRuntimeConfig(config, 'awin-cancel').postbacks.awin).toMatchObject({ concurrency: 2, batchSize: 1 });
  });

  it('reserves concurrency for conversion and cancellation and caps capture, and reserves none without `capacity`', () => {
    expect(reserved(configured)).toEqual({ conversion: 20, cancellation: 5, capture: 50 });
    expect(reserved(defaults)).toEqual({});
    // No sender reserves any: they are bounded by their event sources' maximum concurrency instead.
    const senders = [...configured.stack.deliveries.values()].map((d) => configured.stack.getLogicalId(d.sender.node.defaultChild as never));
    const functions = configured.template.findResources('AWS::Lambda::Function');
    expect(senders.map((id) => functions[id]!.Properties.ReservedConcurrentExecutions)).toEqual(senders.map(() => undefined));
  });

  it.each([
    ['vendors.kelkoo.concurrency: must be at least 2', { vendors: { kelkoo: { ...VENDORS.kelkoo, concurrency: 1 } } }],
    ['vendors.kelkoo.concurrency: must be at most 1000', { vendors: { kelkoo: { ...VENDORS.kelkoo, concurrency: 1001 } } }],
    ['vendors.kelkoo.batchSize: must be at most 10', { vendors: { kelkoo: { ...VENDORS.kelkoo, batchSize: 11 } } }],
    ['vendors.kelkoo.batchSize: must be a whole number', { vendors: { kelkoo: { ...VENDORS.kelkoo, batchSize: 2.5 } } }],
    ['vendors.kelkoo.ratePerSecond: must be above 0', { vendors: { kelkoo: { ...VENDORS.kelkoo, ratePerSecond: 0 } } }],
    ['vendors.kelkoo.ratePerSecond: must be at least 0.1 with concurrency 3', { vendors: { kelkoo: { ...VENDORS.kelkoo, ratePerSecond: 0.05 } } }],
    ['vendors.kelkoo.batchSize: must be at most 5 with ratePerSecond 1 and concurrency 6', { vendors: { kelkoo: { ...VENDORS.kelkoo, ratePerSecond: 1, concurrency: 6, batchSize: 10 } } }],
    ['vendors.raptor.parallelCalls: must be at least 1', { vendors: { raptor: { ...VENDORS.raptor, parallelCalls: 0 } } }],
    ['postbacks.awin.concurrency: must be a number', { vendors: {}, postbacks: { awin: { ...AWIN, concurrency: 'many' } } }],
    ['capacity.conversion.reservedConcurrency: must be at least 1', { vendors: {}, capacity: { conversion: { reservedConcurrency: 0 } } }],
    ['capacity.capture', { vendors: {}, capacity: { capture: { reservedConcurrency: 10 } } }],
    ['capacity', { vendors: {}, capacity: { identify: { reservedConcurrency: 10 } } }],
  ])('refuses a bad value naming the field: %s', (message, raw) => {
    expect(() => parseConfig(raw)).toThrow(message);
  });
});
