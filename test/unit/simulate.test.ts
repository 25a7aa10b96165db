/** The sender pipeline simulation (bench/simulate.ts) against queueing theory. */
import { prng, simulate, SimulationInput } from '../../bench/simulate';

const base: SimulationInput = {
  seed: 7,
  arrivalsPerSecond: 20,
  seconds: 600,
  batchSize: 1,
  batchingWindowSeconds: 0,
  maxConcurrency: 3,
  invocationOverheadMs: 0,
  cpuMsPerMessage: 0,
  dynamoMsPerMessage: 0,
  vendor: { medianMs: 100, p99Ms: 100 },
  callsPerMessage: 1,
  parallelCalls: 1,
};

describe('simulate', () => {
  it('is deterministic for a seed, and the seed matters', () => {
    expect(simulate(base)).toEqual(simulate(base));
    expect(simulate({ ...base, seed: 8 }).arrived).not.toBe(simulate(base).arrived);
    const a = prng(1);
    const b = prng(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('M/D/c: utilisation is λ·S/c, and throughput equals arrivals below capacity', () => {
    // λ = 20/s, S = 100 ms, c = 3: ρ = 2/3.
    const r = simulate(base);
    expect(r.utilisation).toBeGreaterThan(0.64);
    expect(r.utilisation).toBeLessThan(0.69);
    expect(r.drainPerSecond).toBeGreaterThan(19);
    expect(r.drainPerSecond).toBeLessThan(21);
    expect(r.backlogAtEnd).toBeLessThan(20);
    // Deterministic service never waits less than it takes: every latency is at least S.
    expect(r.p50Ms).toBeGreaterThanOrEqual(100);
  });

  it('throughput is capped at capacity when arrivals exceed it, and the backlog grows by the difference', () => {
    // Capacity: c = 3 slots × 1 message / 100 ms = 30/s; arrivals 50/s.
    const r = simulate({ ...base, arrivalsPerSecond: 50, seconds: 120 });
    expect(r.drainPerSecond).toBeGreaterThan(29);
    expect(r.drainPerSecond).toBeLessThan(30.5);
    expect(r.queueGrowthPerSecond).toBeGreaterThan(18);
    expect(r.queueGrowthPerSecond).toBeLessThan(22);
    expect(r.utilisation).toBeGreaterThan(0.98);
  });

  it("Little's law holds on its output: mean in system = arrival rate × mean latency", () => {
    for (const input of [base, { ...base, batchSize: 10, batchingWindowSeconds: 1, vendor: { medianMs: 150, p99Ms: 600 } }]) {
      const r = simulate(input);
      const lambda = r.arrived / (r.horizonMs / 1000);
      expect(Math.abs(r.meanInSystem - (lambda * r.meanLatencyMs) / 1000) / r.meanInSystem).toBeLessThan(0.01);
    }
  });

  it('batches wait for the window at low rates and fill at high rates', () => {
    const low = simulate({ ...base, arrivalsPerSecond: 1, seconds: 600, batchSize: 10, batchingWindowSeconds: 1 });
    // A lone message waits about the window: ~1 s plus the call.
    expect(low.p50Ms).toBeGreaterThan(900);
    expect(low.meanBatch).toBeLessThan(3);
    const high = simulate({ ...base, arrivalsPerSecond: 200, seconds: 60, batchSize: 10, batchingWindowSeconds: 1 });
    expect(high.meanBatch).toBeGreaterThan(9);
  });

  it("parallel calls of one message cut its time: a 4-line order in one round instead of four", () => {
    const sequential = simulate({ ...base, arrivalsPerSecond: 2, callsPerMessage: 4, parallelCalls: 1 });
    const parallel = simulate({ ...base, arrivalsPerSecond: 2, callsPerMessage: 4, parallelCalls: 4 });
    expect(sequential.p50Ms).toBeGreaterThanOrEqual(400);
    expect(parallel.p50Ms).toBeLessThan(sequential.p50Ms / 3);
  });
});
