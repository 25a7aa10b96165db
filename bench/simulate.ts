/**
 * A discrete-event simulation of one destination's sender pipeline, for the capacity figures of docs/PERFORMANCE.md:
 * conversions arrive (Poisson), wait in the destination's SQS queue, are taken by Lambda's event source in batches
 * (up to `batchSize`, waiting up to the batching window for a batch to fill) by at most `maxConcurrency` invocations at
 * once, and each invocation spends the sender's CPU per message (one after another, at the function's CPU share),
 * the DynamoDB round trips around each vendor call, and the vendor's answers – a message's calls (Raptor: one per order
 * line) one after another or `parallelCalls` at a time, a batch's messages side by side.
 *
 * Pure and deterministic: the same input (seed included) gives the same output. The measured inputs – CPU and
 * DynamoDB time per message – come from the bench run; the vendor's response time is a log-normal distribution given
 * by its median and p99.
 */

export interface VendorTimes {
  medianMs: number;
  /** p99 of the response time; equal to the median for a vendor that always takes the same time. */
  p99Ms: number;
}

export interface SimulationInput {
  seed: number;
  arrivalsPerSecond: number;
  /** Arrivals stop after this; the simulation then runs until the queue is empty. */
  seconds: number;
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  /** Fixed cost of an invocation: Lambda's invoke and the event source's hand-over. */
  invocationOverheadMs: number;
  /** The sender's own CPU per message, at the function's CPU share (serial within an invocation). */
  cpuMsPerMessage: number;
  /** DynamoDB round trips per message, in wall time (the order's read, the claim, the record). */
  dynamoMsPerMessage: number;
  vendor: VendorTimes;
  /** Vendor calls per message (Raptor: the order's lines). */
  callsPerMessage: number;
  /** Calls of one message made at once: 1 is one after another. */
  parallelCalls: number;
}

export interface SimulationResult {
  arrived: number;
  delivered: number;
  /** Messages delivered per second while arrivals lasted. */
  drainPerSecond: number;
  /** Messages waiting (not yet taken by an invocation) when arrivals stopped. */
  backlogAtEnd: number;
  /** Backlog growth while arrivals lasted, messages per second (0 when the pipeline keeps up). */
  queueGrowthPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanLatencyMs: number;
  /** Time from the first arrival to the last delivery. */
  horizonMs: number;
  /** Time-averaged messages in the system (queued or in an invocation), integrated from arrivals and departures. */
  meanInSystem: number;
  /** Busy invocation time ÷ (maxConcurrency × horizon). */
  utilisation: number;
  invocations: number;
  meanBatch: number;
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const Z99 = 2.3263;

/** A log-normal response time with the given median and p99. */
export function vendorSampler(times: VendorTimes, random: () => number): () => number {
  const sigma = times.p99Ms > times.medianMs ? Math.log(times.p99Ms / times.medianMs) / Z99 : 0;
  return () => (sigma === 0 ? times.medianMs : times.medianMs * Math.exp(sigma * normal(random)));
}

/** Poisson arrivals over `seconds`, in ms. */
export function poissonArrivals(perSecond: number, seconds: number, random: () => number): number[] {
  const times: number[] = [];
  let t = 0;
  for (;;) {
    t += (-Math.log(1 - random()) / perSecond) * 1000;
    if (t > seconds * 1000) return times;
    times.push(t);
  }
}

function percentileOf(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One message's time inside an invocation, apart from the CPU: DynamoDB, then its calls in rounds of `parallelCalls`. */
function messageIoMs(input: SimulationInput, vendor: () => number): number {
  let ms = input.dynamoMsPerMessage;
  for (let done = 0; done < input.callsPerMessage; done += input.parallelCalls) {
    let round = 0;
    for (let i = done; i < Math.min(input.callsPerMessage, done + input.parallelCalls); i++) round = Math.max(round, vendor());
    ms += round;
  }
  return ms;
}

export function simulate(input: SimulationInput): SimulationResult {
  const random = prng(input.seed);
  const arrivals = poissonArrivals(input.arrivalsPerSecond, input.seconds, random);
  const vendor = vendorSampler(input.vendor, random);
  const windowMs = input.batchingWindowSeconds * 1000;
  const slots = Array.from({ length: input.maxConcurrency }, () => 0);
  const departures = new Array<number>(arrivals.length);
  const endMs = input.seconds * 1000;
  let head = 0;
  let busyMs = 0;
  let invocations = 0;
  let backlogAtEnd = -1;
  while (head < arrivals.length) {
    let slot = 0;
    for (let i = 1; i < slots.length; i++) if (slots[i]! < slots[slot]!) slot = i;
    const free = slots[slot]!;
    // The event source closes a batch when it is full or its first message has waited the window, whichever comes
    // first – but not before an invocation is free to take it.
    const full = arrivals[head + input.batchSize - 1] ?? Number.POSITIVE_INFINITY;
    const start = Math.max(free, Math.min(full, arrivals[head]! + windowMs));
    if (backlogAtEnd < 0 && start >= endMs) backlogAtEnd = arrivals.filter((a, i) => i >= head && a <= endMs).length;
    let size = 0;
    while (size < input.batchSize && head + size < arrivals.length && arrivals[head + size]! <= start) size++;
    let io = 0;
    for (let i = 0; i < size; i++) io = Math.max(io, messageIoMs(input, vendor));
    const duration = input.invocationOverheadMs + size * input.cpuMsPerMessage + io;
    const end = start + duration;
    for (let i = 0; i < size; i++) departures[head + i] = end;
    head += size;
    slots[slot] = end;
    busyMs += duration;
    invocations += 1;
  }
  if (backlogAtEnd < 0) backlogAtEnd = 0;
  const latencies = arrivals.map((a, i) => departures[i]! - a).sort((x, y) => x - y);
  const first = arrivals[0] ?? 0;
  const last = Math.max(first, ...departures);
  const horizonMs = last - first;
  // ∫ N(t) dt from the arrival (+1) and departure (−1) events, swept in time order.
  const events = [...arrivals.map((t) => [t, 1] as const), ...departures.map((t) => [t, -1] as const)].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let area = 0;
  let inSystem = 0;
  let previous = first;
  for (const [t, change] of events) {
    area += inSystem * (t - previous);
    inSystem += change;
    previous = t;
  }
  const deliveredByEnd = departures.filter((d) => d <= endMs).length;
  return {
    arrived: arrivals.length,
    delivered: departures.length,
    drainPerSecond: deliveredByEnd / input.seconds,
    backlogAtEnd,
    queueGrowthPerSecond: backlogAtEnd / input.seconds,
    p50Ms: percentileOf(latencies, 50),
    p99Ms: percentileOf(latencies, 99),
    meanLatencyMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    horizonMs,
    meanInSystem: horizonMs > 0 ? area / horizonMs : 0,
    utilisation: horizonMs > 0 ? busyMs / (input.maxConcurrency * horizonMs) : 0,
    invocations,
    meanBatch: arrivals.length / Math.max(1, invocations),
  };
}

/** Messages per second a destination can take at most: full batches back to back in every invocation (mean times). */
export function capacityPerSecond(input: Omit<SimulationInput, 'seed' | 'arrivalsPerSecond' | 'seconds'>, meanBatchIoMs: number): number {
  const batchMs = input.invocationOverheadMs + input.batchSize * input.cpuMsPerMessage + meanBatchIoMs;
  return (input.maxConcurrency * input.batchSize * 1000) / batchMs;
}
