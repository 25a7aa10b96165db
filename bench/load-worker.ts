/**
 * The load generator, on a thread of its own so that the local stack's event loop (on the main thread) does not also
 * run the client. Each job is bounded by a request count and a duration; every request by a timeout.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { buyerCaptureBody, captureBody, conversionBody } from './bodies';
import { BENCH_API_KEY } from './setup';

export type LoadKind = 'capture' | 'buyer' | 'conversion' | 'health';

export interface LoadJob {
  baseUrl: string;
  kind: LoadKind;
  /** Distinguishes the ids of this job from every other's (sessions, orders). */
  run: string;
  concurrency: number;
  maxRequests: number;
  maxSeconds: number;
  timeoutMs: number;
  /** Conversions name buyers 0..buyers-1, captured beforehand by a `buyer` job tagged `buyersRun`. */
  buyers?: number;
  buyersRun?: string;
  /** Open-loop pacing instead of back-to-back requests: this many requests per second in total. */
  ratePerSecond?: number;
}

export interface LoadResult {
  completed: number;
  seconds: number;
  statuses: Record<string, number>;
  latenciesMs: number[];
  /** For paced conversion jobs: the order id and when its 202 arrived (epoch ms), for the delivery latency. */
  accepted: Array<{ orderId: string; at: number }>;
}

const PATHS: Record<LoadKind, string> = { capture: '/v1/clicks', buyer: '/v1/clicks', conversion: '/v1/conversions', health: '/v1/health' };

function bodyFor(job: LoadJob, i: number): Record<string, unknown> | undefined {
  if (job.kind === 'health') return undefined;
  if (job.kind === 'capture') return captureBody(i, job.run);
  if (job.kind === 'buyer') return buyerCaptureBody(i, job.run);
  return conversionBody(i, job.run, i % (job.buyers ?? 1), job.buyersRun);
}

function send(agent: Agent, url: URL, body: string | undefined, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}`, 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(-1));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const url = new URL(PATHS[job.kind], job.baseUrl);
  const statuses: Record<string, number> = {};
  const latenciesMs: number[] = [];
  const accepted: LoadResult['accepted'] = [];
  const started = performance.now();
  const deadline = started + job.maxSeconds * 1000;
  let next = 0;
  const one = async (i: number) => {
    const body = bodyFor(job, i);
    const sent = performance.now();
    const status = await send(agent, url, body === undefined ? undefined : JSON.stringify(body), job.timeoutMs);
    latenciesMs.push(performance.now() - sent);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (job.kind === 'conversion' && status === 202) accepted.push({ orderId: String(body!.orderId), at: Date.now() });
  };
  if (job.ratePerSecond) {
    // Open loop: each request starts on schedule whether or not earlier ones have answered (up to `concurrency` open).
    const inFlight = new Set<Promise<void>>();
    while (next < job.maxRequests && performance.now() < deadline) {
      const due = started + (next * 1000) / job.ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (inFlight.size >= job.concurrency) await Promise.race(inFlight);
      const p: Promise<void> = one(next++).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } else {
    const lane = async () => {
      while (next < job.maxRequests && performance.now() < deadline) await one(next++);
    };
    await Promise.all(Array.from({ length: job.concurrency }, lane));
  }
  agent.destroy();
  return { completed: latenciesMs.length, seconds: (performance.now() - started) / 1000, statuses, latenciesMs, accepted };
}

parentPort?.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) => parentPort!.postMessage({ ok: false, error: String(error) }),
  );
});
