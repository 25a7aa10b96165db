/** The cost model of docs/PERFORMANCE.md (bench/cost-model.ts): floors by the architecture's rules, lines by the counts. */
import { chooseSenderMemory, senderMemoryRows } from '../../bench/report';
import { billedMs, captureModel, conversionModel, ModelInputs } from '../../bench/cost-model';
import { aboveFloor, conversionRatioWith, senderDrainPerSecond, withMemory, withoutSaleRecords } from '../../bench/report-model';
import { MeasuredRequests, ScenarioCount, SCENARIOS, ScenarioId } from '../../bench/measured-requests';

const scenario = (id: ScenarioId, calls: number, invocations: number, counts: Partial<ScenarioCount> = {}): ScenarioCount => ({
  id,
  label: SCENARIOS[id],
  calls,
  invocations,
  dynamo: {},
  sqs: {},
  writeUnits: 0,
  readUnits: 0,
  strongReads: 0,
  refusedWrites: 0,
  logLines: calls,
  emfLines: 0,
  logShapes: [],
  logBytes: 600 * calls,
  emfBytes: 0,
  cpuMs: calls,
  wallMs: 5 * calls,
  ...counts,
});

function inputs(change: { retentionDays?: number; platformLogs?: boolean; senderWriteUnits?: number } = {}): ModelInputs {
  const scenarios = {
    capture1: scenario('capture1', 3, 3, { dynamo: { PutItem: 3 }, writeUnits: 3 }),
    conversion1: scenario('conversion1', 10, 10, { dynamo: { Query: 30, PutItem: 10 }, sqs: { SendMessage: 30 }, writeUnits: 10, readUnits: 15 }),
    senderBatch1: scenario('senderBatch1', 30, 30, { dynamo: { GetItem: 30, UpdateItem: 60 }, writeUnits: change.senderWriteUnits ?? 60, readUnits: 30 }),
    senderBatch10: scenario('senderBatch10', 30, 3, { dynamo: { GetItem: 30, UpdateItem: 60 }, writeUnits: change.senderWriteUnits ?? 60, readUnits: 30 }),
  } as MeasuredRequests['scenarios'];
  const measured: MeasuredRequests = {
    scenarios,
    stored: { capture: { items: 1, bytes: 200, floorBytes: 180, retentionDays: 30 }, conversion: { items: 4, bytes: 2800, floorBytes: 700, retentionDays: change.retentionDays ?? 400 } },
    metricSeries: [],
    vendors: ['kelkoo', 'qualityclick', 'clickmeter'],
    samples: [],
    hash: '0000000000000000',
  };
  return {
    measured,
    facts: { memoryMb: { capture: 1024, conversion: 1024, sender: 256 }, platformLogs: change.platformLogs ?? false, accessLogBytes: 384, pitr: true },
    cpuMs: { capture: 1, conversion: 4 },
    requestCpuMs: 1.5,
    initCpuMs: { capture: 100, conversion: 100, sender: 100 },
    vendorMs: 150,
  };
}

const line = (c: ReturnType<typeof conversionModel>, item: string) => c.lines.find((l) => l.item === item)!;

describe('the cost model', () => {
  it("derives the conversions' floor from the rules: the request, the invocations, the exactly-once writes, SQS per vendor and per batch, the attribution reads and the invocations' waits and requests", () => {
    const c = conversionModel(inputs());
    // Lambda time at 128 MB per million invocations, each lasting `ms` of waiting plus `requests` bare requests of
    // 1.5 ms CPU at a full core, stretched by 128 MB's CPU share (128 / 1769 of a vCPU), rounded up to the millisecond.
    const time = (invocations: number, ms: number, requests: number) =>
      invocations * 1e6 * (Math.ceil((requests * 1.5 * 1769) / 128 + ms) / 1000) * (128 / 1024) * 0.0000133334;
    // Three visitor keys read (30 Queries over 10 calls), 0.5 RRU each at $0.125 per million.
    const reads = 3 * 0.5 * 0.125;
    // Typical: $1 + (1 + 3) × $0.20 + (1 + 2 × 3) × $0.625 + 3 × (1 + 2) × $0.40, the reads, the conversion's 24 ms
    // with its 7 requests (the order's write, 3 attribution reads, 3 sends) and three sender invocations of 24 ms of
    // DynamoDB and the vendor's 150 ms, each with its claim and its record.
    expect(c.floor.total.typical).toBeCloseTo(1 + 0.8 + 4.375 + 3.6 + reads + time(1, 24, 7) + time(3, 174, 2), 6);
    // High volume: the sender invocations, receives and deletes – and the senders' waits – shared by ten messages;
    // each invocation's requests are its ten messages' claims and records.
    expect(c.floor.total.high).toBeCloseTo(1 + 1.3 * 0.2 + 4.375 + 3 * 1.2 * 0.4 + reads + time(1, 24, 7) + time(0.3, 174, 20), 6);
    expect(captureModel(inputs()).floor.total.typical).toBeCloseTo(1 + 0.2 + 0.625 + time(1, 8, 1), 6);
  });

  it('costs what the counts say, and never less than the floor', () => {
    const c = conversionModel(inputs());
    expect(line(c, 'DynamoDB writes (senders)').typical).toBeCloseTo(3 * 2 * 0.625, 6);
    expect(conversionModel(inputs({ senderWriteUnits: 90 })).total.typical - c.total.typical).toBeCloseTo(3 * 1 * 0.625, 6);
    // Batches of ten: a tenth of the event source's requests and of the sender invocations.
    expect(line(c, 'SQS (event source + senders)').high).toBeCloseTo(line(c, 'SQS (event source + senders)').typical / 10, 6);
    expect(c.ratio.typical).toBeGreaterThan(1);
    expect(c.ratio.high).toBeGreaterThan(1);
  });

  it('charges storage and PITR over the retention apart from handling, beside the floor records kept as long; Lambda platform lines only when the stack keeps them', () => {
    const short = conversionModel(inputs({ retentionDays: 200 }));
    const long = conversionModel(inputs({ retentionDays: 400 }));
    const kept = (c: ReturnType<typeof conversionModel>, item: string) => c.kept.lines.find((l) => l.item === item)!;
    expect(kept(long, 'DynamoDB storage').typical).toBeCloseTo(2 * kept(short, 'DynamoDB storage').typical, 6);
    expect(kept(long, 'DynamoDB PITR').typical).toBeCloseTo(0.8 * kept(long, 'DynamoDB storage').typical, 6);
    // 2,800 bytes stored against the floor's 700: four times the floor's storage, and none of it in the handling total.
    expect(long.kept.ratio).toBeCloseTo(4, 6);
    expect(long.lines.some((l) => /storage|PITR/.test(l.item))).toBe(false);
    expect(long.total.typical).toBeCloseTo(short.total.typical, 9);
    const platform = conversionModel(inputs({ platformLogs: true }));
    expect(line(platform, 'CloudWatch Logs (senders)').typical).toBeGreaterThan(line(long, 'CloudWatch Logs (senders)').typical);
  });

  it('bills CPU stretched by the CPU share of the memory size', () => {
    expect(billedMs(10, 8, 1769)).toBe(18);
    expect(billedMs(10, 8, 1769 / 2)).toBe(28);
  });

  it("chooses the senders' memory: the cheapest size whose batch of ten's CPU stays within 15 % of the vendor timeout", () => {
    // 80 ms of CPU a batch: 1,106 ms at 128 MB (over 750), 738 ms at 192 MB, 553 at 256.
    const rows = senderMemoryRows(inputs(), 80);
    expect(rows.map((r) => r.batchCpuMs)).toEqual([1106, 738, 553, 277]);
    // Cost grows with memory for a sender that mostly waits.
    expect(rows.map((r) => r.typicalUsd)).toEqual([...rows.map((r) => r.typicalUsd)].sort((a, b) => a - b));
    expect(chooseSenderMemory(rows, 5000)).toBe(192);
    expect(chooseSenderMemory(rows, 4900)).toBe(256);
    expect(chooseSenderMemory(rows, 7400)).toBe(128);
    expect(chooseSenderMemory(senderMemoryRows(inputs(), 800), 5000)).toBe(512);
  });

  it('splits what handling costs above the floor into kinds that add up to the whole difference', () => {
    for (const model of [captureModel(inputs()), conversionModel(inputs()), conversionModel(inputs({ platformLogs: true }))]) {
      const rows = aboveFloor(model);
      for (const key of ['typical', 'high'] as const) {
        expect(rows.reduce((a, r) => a + r[key], 0)).toBeCloseTo(model.total[key] - model.floor.total[key], 9);
      }
      // Only the requests the rules need: nothing above the floor's requests, writes and queues.
      expect([rows.at(-1)!.typical, rows.at(-1)!.high]).toEqual([0, 0]);
    }
    const logs = (platformLogs: boolean) => aboveFloor(conversionModel(inputs({ platformLogs }))).find((r) => r.label.startsWith('Logs'))!.typical;
    expect(logs(true)).toBeGreaterThan(logs(false));
  });

  describe('what 1.10 × the floor would take (the changes it costs again)', () => {
    /** The run's inputs with metric records on every scenario a sale goes through: 3 on a conversion, 1 a batch. */
    const recorded = (): ModelInputs => {
      const base = inputs();
      const s = base.measured.scenarios;
      const withRecords = (x: ScenarioCount, lines: number) => ({ ...x, emfLines: lines, emfBytes: lines * 350 });
      return {
        ...base,
        measured: {
          ...base.measured,
          scenarios: { ...s, conversion1: withRecords(s.conversion1, 30), senderBatch1: withRecords(s.senderBatch1, 30), senderBatch10: withRecords(s.senderBatch10, 3) },
        },
      };
    };

    it('drops the sale records and nothing else: every other line and the floor stay as they were', () => {
      const before = conversionModel(recorded());
      const after = conversionModel(withoutSaleRecords(recorded()));
      expect(after.floor).toEqual(before.floor);
      for (const l of after.lines) {
        const was = line(before, l.item);
        if (l.item.startsWith('EMF metric records')) {
          expect([was.typical, was.high].every((x) => x > 0)).toBe(true);
          expect([l.typical, l.high]).toEqual([0, 0]);
        } else {
          expect(l).toEqual(was);
        }
      }
      // What the ratio loses is what the records cost.
      const emf = (c: typeof before) => c.lines.filter((l) => l.item.startsWith('EMF')).reduce((a, l) => a + l.typical, 0);
      expect((before.ratio.typical - after.ratio.typical) * before.floor.total.typical).toBeCloseTo(emf(before), 9);
      // The inputs given are not changed.
      expect(recorded().measured.scenarios.conversion1.emfLines).toBe(30);
    });

    it('changes only the sizes it names, and the model follows them', () => {
      const base = recorded();
      const smaller = withMemory(base, { sender: 128 });
      expect(smaller.facts.memoryMb).toEqual({ ...base.facts.memoryMb, sender: 128 });
      const senderTime = (i: ModelInputs) => line(conversionModel(i), 'Lambda duration (senders)').typical;
      const apiTime = (i: ModelInputs) => line(conversionModel(i), 'Lambda duration (API)').typical;
      // A sender that mostly waits costs less at a smaller size; the API's line is untouched.
      expect(senderTime(smaller)).toBeLessThan(senderTime(base));
      expect(apiTime(smaller)).toBe(apiTime(base));
      expect(apiTime(withMemory(base, { conversion: 512 }))).toBeLessThan(apiTime(base));
    });

    it('applies its changes in turn: none is the model as it is, each one lowers the ratio, all together lower it most', () => {
      const base = recorded();
      const changes = [withoutSaleRecords, (i: ModelInputs) => withMemory(i, { sender: 128 }), (i: ModelInputs) => withMemory(i, { conversion: 512 })];
      expect(conversionRatioWith(base, [])).toEqual(conversionModel(base).ratio);
      const all = conversionRatioWith(base, changes);
      for (const change of changes) {
        const one = conversionRatioWith(base, [change]);
        for (const volume of ['typical', 'high'] as const) {
          expect(one[volume]).toBeLessThan(conversionModel(base).ratio[volume]);
          expect(all[volume]).toBeLessThan(one[volume]);
        }
      }
      // The order does not matter.
      expect(conversionRatioWith(base, [...changes].reverse())).toEqual(all);
    });

    it("drains a vendor's queue slower at a smaller size: full batches at the concurrency cap over the billed time of one", () => {
      // 60 ms of CPU a batch of ten: 60 × 1769 / 128 ≈ 830 ms + 24 ms of DynamoDB + 150 ms of vendor at 128 MB.
      expect(senderDrainPerSecond(60, 150, 128, 3, 10)).toBeCloseTo(30_000 / Math.ceil((60 * 1769) / 128 + 174), 9);
      expect(senderDrainPerSecond(60, 150, 128, 3, 10)).toBeLessThan(senderDrainPerSecond(60, 150, 256, 3, 10));
    });
  });
});

