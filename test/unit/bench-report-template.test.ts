/**
 * docs/PERFORMANCE.md is bench/PERFORMANCE.template.md filled by bench/report.ts: the fill refuses a placeholder
 * without a value and a value without a placeholder, and the real renderer fills every part of the real template.
 */
import type { InitFigures } from '../../bench/bundles';
import { captureModel, conversionModel, monthlyItems } from '../../bench/cost-model';
import { MeasuredRequests, requestCountsHash, ScenarioCount, SCENARIOS, ScenarioId } from '../../bench/measured-requests';
import { BenchResults, chooseApiMemory, fillTemplate, readTemplate, renderReport, templateParts } from '../../bench/report';
import { BEFORE_SETTINGS } from '../../bench/report-model';
import type { LevelFigures } from '../../bench/throughput';

describe('fillTemplate', () => {
  it('puts each value in place of its placeholders, as written', () => {
    expect(fillTemplate('{{a}} and {{b}}, {{a}} again', { a: 'one', b: 2 })).toBe('one and 2, one again');
    // Values are not read again: no replacement patterns, no placeholders inside a value.
    expect(fillTemplate('costs {{price}}', { price: "$& $' {{price}}" })).toBe("costs $& $' {{price}}");
    expect(fillTemplate('no placeholders', {})).toBe('no placeholders');
  });

  it('throws, naming it, on a placeholder without a value', () => {
    expect(() => fillTemplate('{{a}} and {{missing}}', { a: 'one' }, 'the part')).toThrow('the part: no value for the placeholder {{missing}}');
    expect(() => fillTemplate('{{a}}', { a: undefined as unknown as string })).toThrow('{{a}}');
    expect(() => fillTemplate('{{constructor}}', {})).toThrow('{{constructor}}');
  });

  it('throws, naming it, on a value without a placeholder', () => {
    expect(() => fillTemplate('{{a}}', { a: 'one', unused: 'x', other: 1 }, 'the part')).toThrow('the part: no placeholder for {{unused}}, {{other}}');
  });
});

describe('templateParts', () => {
  it('splits at the part markers, drops the preamble and the blank lines around each part, keeps the rest as written', () => {
    const text = '<!-- about -->\n\n<!-- part: doc -->\n\n# Title\n\n{{x}}\n\n<!-- part: inline -->\n (aside)\n\n';
    expect(templateParts(text)).toEqual({ doc: '# Title\n\n{{x}}', inline: ' (aside)' });
    expect(templateParts(text.replace(/\n/g, '\r\n'))).toEqual({ doc: '# Title\n\n{{x}}', inline: ' (aside)' });
  });

  it('refuses two parts of the same name', () => {
    expect(() => templateParts('<!-- part: a -->\nx\n<!-- part: a -->\ny\n')).toThrow('two parts named "a"');
  });
});

describe('the performance report', () => {
  it('fills every placeholder of every part of the real template, over measurements that call for each part', () => {
    const template = readTemplate();
    const used = new Set<string>();
    const tracked = new Proxy(template, {
      get: (parts, name: string) => {
        used.add(name);
        return parts[name];
      },
    });
    for (const kind of ['missed', 'met', 'partial'] as const) {
      // fillTemplate throws on any placeholder left without a value, so rendering at all means every part used was filled.
      const doc = renderReport(measurements(kind), tracked);
      expect(doc).not.toMatch(/\{\{|\}\}|undefined|NaN/);
      expect(doc.startsWith('# Performance and cost\n\nWritten by `npm run bench`')).toBe(true);
      expect(doc.endsWith('bench/prices.ts, the cost model in bench/cost-model.ts.\n')).toBe(true);
      expect(doc).toMatch(/<!-- request-counts-hash: [0-9a-f]{16} -->/);
    }
    expect([...used].sort()).toEqual(Object.keys(template).sort());
  });

  it('shows the passages the measurements call for, and only those', () => {
    const missed = renderReport(measurements('missed'));
    const met = renderReport(measurements('met'));
    expect(missed).toContain('### What stands in the way of ≤ 1.15 × the floor');
    // Conversion deployed at 1.35 (ratioCpu 1.3 + 0.05), 1.2 with Powertools and middy stood in for, 1.08 without zod too.
    expect(missed).toContain('conversion starts at 1.08 × its floor, the sender at\n1.12 and capture at 1.02 – as deployed, 1.35,');
    expect(missed).toContain('The service\'s own code fits within 1.15 × the floor');
    expect(missed).toContain('Powertools and middy\ntake about 0.15 of the floor, zod about 0.12, where the target leaves\n0.15');
    expect(renderReport(measurements('partial'))).not.toContain('The libraries, measured away');
    expect(missed).not.toContain('noise, not the code');
    // Level with its floor, as a bundle little bigger than it measures: not a contradiction.
    const level = measurements('met');
    level.bundles.variants.push({ ...level.bundles.variants[0]!, label: 'capture: zod, Powertools and middy stood in for', ratioCpu: 0.97 });
    expect(renderReport(level)).not.toContain('noise, not the code');
    expect(renderReport(measurements('partial'))).toContain(
      "yet here capture: zod, Powertools and middy stood in for: 75.3 ms CPU against its floor's 55.0 ms, 0.93 × paired in rounds. Run",
    );
    expect(missed).toContain('| 32 | 1820/s |');
    expect(missed).toContain('\n\nNot delivered when read: {"pending":10}.\n\n### What stands in the way\n');
    // 120 ms of init CPU: 415 ms at 512 MB with the capture's 15 ms; 160 ms: 553 + 59 ms at 512 MB, so 1024 MB.
    expect(missed).toContain('Deployed instead: capture class 1024 MB; `API_MEMORY_MB` should follow.');
    expect(missed).toContain('- **capture, identify, status, deliveries: 512 MB**, a cold start of about **430 ms**.');
    expect(missed).toContain('- **conversion, cancellation: 1024 MB**');
    // A batch of ten's 20 ms of CPU and ten 1.5 ms TLS handshakes fit 128 MB's share of the 5 s timeout: 256 MB
    // deployed is called out.
    expect(missed).toContain('**Choice: 128 MB for the senders**');
    expect(missed).toMatch(/ \(deployed: 256 MB, \$[\d.]+ at typical volume – the rule's choice moves between sizes/);
    const partial = renderReport(measurements('partial'));
    expect(partial).toContain('**Choice: 512 MB for the senders**');
    expect(partial).toMatch(/ \(deployed: 256 MB, \$[\d.]+ at typical volume; the default `senderMemorySize` should follow\)/);
    // The cost rows of the targets table: each volume, each kind, with its ratio to the floor.
    expect(missed).toMatch(
      /\| Conversions, high volume \(batches of 10\): handling cost ≤ 1\.1 × floor \| \$[\d.]+ ÷ \$[\d.]+ per million = [\d.]+ > 1\.1 ✘; keeping what it leaves \$[\d.]+ more \([\d.]+ × its floor's records, section 7\); what meeting it would take: section 7 \| \*\*no\*\* \|/,
    );
    // Storage stays out of the ratio and is shown beside its own floor.
    expect(missed).toContain('| **Kept ÷ its floor** | **4.00** |');
    expect(met).toContain('### Target met\n\nEvery function initialises within 1.15 × its SDK floor.\n\n## 2. Warm CPU');
    expect(met).not.toMatch(/What stands in the way|Not delivered|should follow/);
    expect(met).toContain('| 32 | 1820/s |');
  });

  it('refuses a template that asks for a figure the renderer does not compute, or drops one it does', () => {
    const template = readTemplate();
    expect(() => renderReport(measurements('met'), { ...template, report: `${template.report}\n{{surplus}}` })).toThrow('{{surplus}}');
    expect(() => renderReport(measurements('met'), { ...template, report: template.report.replace('{{priceTable}}', '') })).toThrow(
      'no placeholder for {{priceTable}}',
    );
    const withoutPart = { ...template };
    delete withoutPart.initTargetMet;
    expect(() => renderReport(measurements('met'), withoutPart)).toThrow('has no part "initTargetMet"');
  });
});

/**
 * A made-up benchmark run. `missed` misses every target and measured every variant; `met` meets them all and lacks the
 * optional variants and building blocks; `partial` misses them with some figures absent.
 */
function measurements(kind: 'missed' | 'met' | 'partial'): BenchResults {
  const missed = kind !== 'met';
  const init = (id: string, bytes: number, initMs: number, initCpuMs: number, rssMb = 60): InitFigures => ({ id, bytes, mapBytes: bytes * 3, initMs, initCpuMs, rssMb, samples: [] });
  const functions = (['capture', 'conversion', 'identify', 'status', 'sender'] as const).map((name, i) => ({
    name,
    deployed: init(name, 310_000, 41.234, 38.7, 71.4),
    floor: init(`floor(dynamodb+secretsManager)/${name}`, 220_000, 30.1, 28.44),
    ratio: missed ? 1.45 - i * 0.02 : 1.2,
    ratioCpu: missed ? 1.3 + i * 0.05 : 1.1 + i * 0.01,
    composition: [
      { source: '@aws-sdk', bytes: 200_000 },
      { source: 'zod', bytes: 60_000 },
    ],
  }));
  const variant = (label: string, ratioCpu = 1.4) => ({ label, explanation: 'how it differs', subject: init('v', 900_000, 80.5, 75.25), floor: init('vf', 700_000, 60, 55), ratio: 1.5, ratioCpu, deployed: functions[0]!.deployed });
  const block = (label: string, addedCpuMs: number) => ({ label, figures: init('b', 250_000, 35, 33), addedMs: addedCpuMs + 1, addedCpuMs });
  const level = (concurrency: number, captureRatio: number): LevelFigures => ({
    concurrency,
    rawPerSecond: 1500 + concurrency * 10,
    capturePerSecond: (1500 + concurrency * 10) * captureRatio,
    captureRatio,
    captureP50Ms: 3.21,
    captureP99Ms: 12.5,
    conversionPerSecond: 400,
    conversionRatio: 0.26,
    conversionP50Ms: 9.1,
    conversionP99Ms: 30.2,
    healthPerSecond: 5000,
    unexpected: concurrency === 32 && missed ? { '503': 2 } : {},
  });
  const sender = (batchSize: number, maxConcurrency: number, meanInvocationMs: number) => ({
    batchSize,
    maxBatchingWindowSeconds: 1,
    maxConcurrency,
    messages: 600,
    delivered: 600,
    p50Ms: 420,
    p99Ms: 980,
    invocationsPerMessage: 1 / batchSize,
    billedMsPerMessage: 40,
    meanInvocationMs,
    sqsRequestsPerMessage: 0.3,
    maxOpenVendorCalls: batchSize * maxConcurrency,
    logBytesPerMessage: 500,
  });
  const account = (label: string, dynamoRoundTrips: number, writeUnits: number) => ({
    label,
    dynamoCalls: { BatchWriteItem: dynamoRoundTrips },
    dynamoRoundTrips,
    writeUnits,
    readUnits: 0.5,
    sqsRequests: 3,
    sqsChunks: 3,
    sqsMessageBytes: 900,
    logLines: 2.5,
    logBytes: 812,
  });
  const handler = <N extends 'capture' | 'conversion' | 'bare PutItem'>(name: N, cpuP50: number) => ({
    name,
    calls: 300,
    cpuMs: { p50: cpuP50, p90: cpuP50 * 1.4, mean: cpuP50 * 1.1 },
    wallMs: { p50: cpuP50 * 2, p90: cpuP50 * 3, mean: cpuP50 * 2.2 },
    ioWaitMsP50: cpuP50,
  });
  return {
    machine: { date: '2026-01-02T03:04:05.000Z', cores: 4, cpuModel: 'Test CPU', node: 'v24.1.0', loadAverage: [1.234, 0.5, 0.25] },
    bundles: {
      rounds: 9,
      functions,
      variants: [
        variant("capture: AWS SDK external (runtime's copy)"),
        variant("sender: AWS SDK external (runtime's copy)"),
        ...(kind === 'met'
          ? []
          : [variant('capture: CommonJS builds (esbuild default main fields)'), variant("capture: Node's --enable-source-maps instead"), variant('sender: with the code no deployed function runs')]),
        ...(kind === 'missed'
          ? [
              variant('capture: zod, Powertools and middy stood in for', 1.02),
              variant('conversion: zod, Powertools and middy stood in for', 1.08),
              variant('sender: zod, Powertools and middy stood in for', 1.12),
              variant('conversion: Powertools and middy stood in for', 1.2),
            ]
          : []),
        // Below its floor in the paired rounds: a run the machine's noise decided.
        ...(kind === 'partial' ? [variant('capture: zod, Powertools and middy stood in for', 0.93)] : []),
      ],
      apiFloor: init('api-floor', 220_000, 30, 28),
      blocks: [
        block('Powertools Logger (constructed)', 2.1),
        ...(kind === 'missed'
          ? [
              block("zod imported by name (`import { z } from 'zod'`), one schema", 9.3),
              block("zod imported as a namespace (`import * as z from 'zod'`), one schema", 6.7),
              block("the service's configuration schemas, built", 14.2),
              block('… and validating the bundled runtime configuration with them once, at init', 19.9),
            ]
          : []),
      ],
      healthStatus: kind === 'partial' ? undefined : 200,
      seconds: 100,
    },
    cpu: {
      handlers: [handler('capture', 1.234), handler('conversion', 4.56)],
      bareWrite: handler('bare PutItem', 0.61),
      accounts: [account('capture (1 visitor key, 1 click id)', 1, 1), account('conversion (2 lines, 3 vendors)', 2, 3.5)],
      seconds: 30,
    },
    throughput: { levels: [level(1, 0.9), level(8, missed ? 0.6 : 0.85), level(32, missed ? 0.55 : 0.82)], buyers: 200, seconds: 60 },
    latency: {
      rate: 50,
      seconds: 20.04,
      conversionsSent: 1000,
      conversionsAccepted: 1000,
      deliveries: 3000,
      delivered: missed ? 2990 : 3000,
      notDelivered: missed ? { pending: 10 } : {},
      p50Ms: 320,
      p99Ms: missed ? 4500 : 900,
      maxMs: 5000,
      perVendor: [
        { vendor: 'kelkoo', p50Ms: 300, p99Ms: 800 },
        { vendor: 'qualityclick', p50Ms: 310, p99Ms: 850 },
      ],
      acceptP50Ms: 4.44,
      acceptP99Ms: 15.55,
      drainSeconds: 3.3,
    },
    senders: {
      vendorDelayMs: 200,
      rate: 20,
      candidates: [sender(1, 5, 220), sender(10, 2, 330), sender(10, 3, 340), sender(10, 5, 350)],
      deployed: { batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 3 },
      seconds: 90,
    },
    facts: { memoryMb: { capture: 512, sender: kind === 'met' ? 128 : 256 }, platformLogs: false, alarms: 10, alarmMetrics: 12, dashboards: 1, secrets: 1, queues: 6, pitr: true, accessLogFormat: '{}', accessLogBytes: 384, metricFilters: 1 },
    model: model(),
    // 'partial': handshakes slow enough that only 512 MB fits the rule, with 256 MB deployed.
    tls: kind === 'partial' ? { handshakeCpuMs: 10, freshCallCpuMs: 10.3, keptAliveCallCpuMs: 0.3 } : { handshakeCpuMs: 1.5, freshCallCpuMs: 1.8, keptAliveCallCpuMs: 0.3 },
    memoryChoice: chooseApiMemory(
      { capture: 2, conversion: 10 },
      { capture: 120, identify: 110, status: 100, deliveries: 100, conversion: 160, cancellation: 150 },
      kind === 'missed' ? { capture: 1024, conversion: 1024 } : { capture: 512, conversion: 1024 },
    ),
    totalSeconds: 456.7,
  };
}

/** Request counts as bench/measured-requests.ts reports them, made up, and the cost model over them. */
function model(): BenchResults['model'] {
  const scenario = (id: ScenarioId, calls: number, invocations: number, dynamo: Record<string, number>, sqs: Record<string, number>, units: { w: number; r: number }): ScenarioCount => ({
    id,
    label: SCENARIOS[id],
    calls,
    invocations,
    dynamo,
    sqs,
    writeUnits: units.w * calls,
    readUnits: units.r * calls,
    strongReads: 0,
    refusedWrites: id === 'captureAgain' ? calls : 0,
    logLines: calls,
    emfLines: id.startsWith('conversion') ? 3 * calls : id === 'senderBatch1' ? calls : invocations,
    logShapes: ['level,message,timestamp'],
    logBytes: 600 * calls,
    emfBytes: 270 * calls,
    cpuMs: 2 * calls,
    wallMs: 6 * calls,
  });
  const scenarios: MeasuredRequests['scenarios'] = {
    capture1: scenario('capture1', 3, 3, { PutItem: 3 }, {}, { w: 1, r: 0 }),
    capture3: scenario('capture3', 3, 3, { PutItem: 9 }, {}, { w: 3, r: 0 }),
    capture10: scenario('capture10', 3, 3, { PutItem: 30 }, {}, { w: 10, r: 0 }),
    captureAgain: scenario('captureAgain', 3, 3, { PutItem: 3 }, {}, { w: 1, r: 0 }),
    conversion1: scenario('conversion1', 20, 20, { Query: 60, PutItem: 20 }, { SendMessage: 60 }, { w: 1, r: 1.5 }),
    conversion10: scenario('conversion10', 1, 1, { Query: 12, PutItem: 1 }, { SendMessage: 3 }, { w: 1, r: 6.5 }),
    conversion100: scenario('conversion100', 1, 1, { Query: 102, PutItem: 1 }, { SendMessage: 3 }, { w: 1, r: 51.5 }),
    senderBatch1: scenario('senderBatch1', 30, 30, { GetItem: 30, UpdateItem: 60 }, {}, { w: 2, r: 1 }),
    senderBatch10: scenario('senderBatch10', 30, 3, { GetItem: 30, UpdateItem: 60 }, {}, { w: 2, r: 1 }),
  };
  const counts = {
    scenarios,
    stored: { capture: { items: 1, bytes: 185, floorBytes: 170, retentionDays: 33 }, conversion: { items: 4, bytes: 2800, floorBytes: 700, retentionDays: 400 } },
    metricSeries: ['a', 'b'],
    vendors: ['kelkoo', 'qualityclick', 'clickmeter'],
    samples: [],
  };
  const measured: MeasuredRequests = { ...counts, hash: requestCountsHash(counts) };
  const facts = { memoryMb: { capture: 1024, conversion: 1024, sender: 256 }, platformLogs: false, accessLogBytes: 384, pitr: true };
  const inputs = { measured, facts, cpuMs: { capture: 1.2, conversion: 4.5 }, requestCpuMs: 1.1, initCpuMs: { capture: 150, conversion: 160, sender: 150 }, vendorMs: 150 };
  return {
    measured,
    facts,
    capture: captureModel(inputs),
    conversion: conversionModel(inputs),
    monthly: monthlyItems({ metricSeries: 2, metricFilters: 1, alarmMetrics: 12, alarms: 10, dashboards: 1, secrets: 1 }),
    cpuMs: inputs.cpuMs,
    inputs,
    vendorTimeoutMs: 5000,
    after: { batchSize: 10, batchingWindowSeconds: 1, maxConcurrency: 3, parallelCalls: 4 },
    before: BEFORE_SETTINGS,
  };
}
