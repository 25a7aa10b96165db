/**
 * The RuntimeConfig contract (lambdas/contract/runtime-config.ts): what the stack writes into every asset, a function
 * reads at cold start and the local stack runs with – written and read back unchanged, nothing the functions must not
 * carry, and a clear error naming the file when it is missing or not the stack's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuntimeConfig, RUNTIME_CONFIG_FILE, runtimeConfigOf, serializeRuntimeConfig } from '../../lambdas/contract/runtime-config';
import { parseConfig } from '../../lambdas/config/schema';
import { SPEC_VENDORS } from '../support/config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtime-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function merchantConfig() {
  return parseConfig({
    vendors: { kelkoo: SPEC_VENDORS.kelkoo, klevu: SPEC_VENDORS.klevu },
    postbacks: { awin: { clickIdParam: 'awc', url: 'https://pb.example/s?ref={order.orderId}&cks={clickId}' } },
    alarmEmail: 'ops@shop.example',
    lateReportHours: 24,
    local: { apiKeys: ['local-key-0123456789'] },
  });
}

describe('runtimeConfigOf', () => {
  it('keeps what the functions run with, defaults filled in, and leaves out local keys and the alarm address', () => {
    const config = merchantConfig();
    const runtime = runtimeConfigOf(config, { kelkoo: 'Stack-delivery-kelkoo' });
    expect(runtime).toEqual({
      vendors: { kelkoo: config.vendors.kelkoo, klevu: config.vendors.klevu },
      postbacks: config.postbacks,
      delivery: { maxAttempts: 5, retryFor: '24h', retryBaseSeconds: 30, maxRetryDelay: '15m', timeoutMs: 5000, minDeliveryRatio: 0.95 },
      retentionDays: 400,
      lateReportHours: 24,
      attribution: { exclusive: {} },
      deliveryQueues: { kelkoo: 'Stack-delivery-kelkoo' },
    });
    expect(serializeRuntimeConfig(runtime)).not.toContain('local-key-0123456789');
    expect(serializeRuntimeConfig(runtime)).not.toContain('ops@shop.example');
  });

  it('has no deliveryQueues key unless given', () => {
    expect(runtimeConfigOf(merchantConfig())).not.toHaveProperty('deliveryQueues');
  });
});

describe('readRuntimeConfig', () => {
  it('reads back exactly what was written', () => {
    const runtime = runtimeConfigOf(merchantConfig(), { kelkoo: 'q' });
    writeFileSync(join(dir, RUNTIME_CONFIG_FILE), serializeRuntimeConfig(runtime));
    expect(readRuntimeConfig(dir)).toEqual(runtime);
  });

  it('fails at once, naming the file, when it is missing or not JSON', () => {
    expect(() => readRuntimeConfig(dir)).toThrow(`The runtime configuration ${join(dir, RUNTIME_CONFIG_FILE)} is missing or not JSON`);
    writeFileSync(join(dir, RUNTIME_CONFIG_FILE), '{"vendors":');
    expect(() => readRuntimeConfig(dir)).toThrow(/is missing or not JSON/);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['no vendors', { postbacks: {}, delivery: {}, retentionDays: 1 }],
    ['no postbacks', { vendors: {}, delivery: {}, retentionDays: 1 }],
    ['no delivery', { vendors: {}, postbacks: {}, retentionDays: 1 }],
    ['a retention that is not a number', { vendors: {}, postbacks: {}, delivery: {}, retentionDays: '400' }],
  ])('refuses a file that is not what the stack writes: %s', (_, value) => {
    writeFileSync(join(dir, RUNTIME_CONFIG_FILE), JSON.stringify(value));
    expect(() => readRuntimeConfig(dir)).toThrow(`${join(dir, RUNTIME_CONFIG_FILE)} is not a configuration written by the stack`);
  });
});
