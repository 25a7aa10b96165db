/**
 * `npm run bench`: measures bundles and module init, warm CPU per invocation, throughput and delivery latency through
 * the local stack, and the sender settings; computes the cost on AWS; prints a summary and writes docs/PERFORMANCE.md.
 * Starts its own DynamoDB Local and SQS server, sends traffic only to 127.0.0.1, and stops by itself: every loop is
 * bounded, and a watchdog ends the run if it ever takes far longer than it should.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_MEMORY_MB } from '../lib/tracking-stack';
import { startLocalStack } from '../local/stack';
import { freePort } from '../local/services';
import { measureBundles } from './bundles';
import { stackFacts } from './cost';
import { measureTlsHandshake } from './tls';
import { captureModel, conversionModel, ModelInputs, monthlyItems } from './cost-model';
import { measureRequests } from './measured-requests';
import { BEFORE_SETTINGS, deployedSettings } from './report-model';
import { measureCaptureCpu, measureHandlerCpu } from './cpu';
import { drainQueues, measureDeliveryLatency } from './latency';
import { BenchResults, chooseApiMemory, renderReport, summaryLines } from './report';
import { measureSenderSettings } from './senders';
import { startBenchServices } from './services';
import { BENCH_VENDORS, benchConfig, LIMITS, writeBenchConfig } from './setup';
import { captureBuyers, LoadGenerator, measureThroughput } from './throughput';

/** Far beyond a normal run (a few minutes): only a hung service would reach it. */
const WATCHDOG_MINUTES = 15;
const BUYERS = 200;
const REPORT_PATH = join(__dirname, '..', 'docs', 'PERFORMANCE.md');

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const machine = {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAverage: loadavg(),
  };
  const workDir = mkdtempSync(join(tmpdir(), 'tracking-bench-'));
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(workDir, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((error: unknown) => log(`clean-up: ${String(error)}`));
  };
  const watchdog = setTimeout(() => {
    log(`The benchmark exceeded ${WATCHDOG_MINUTES} minutes; stopping.`);
    void cleanUp().finally(() => process.exit(2));
  }, WATCHDOG_MINUTES * 60_000);
  watchdog.unref();
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

  try {
    log(`Benchmark: ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);
    const offlineConfig = benchConfig('http://localhost:3000');

    log('1/6 Bundles and module init');
    const bundles = await measureBundles(workDir, offlineConfig, LIMITS.initRounds, log);

    log('2/6 Starting DynamoDB Local and the SQS server');
    const services = await startBenchServices();
    cleanups.push(() => services.stop());

    log('3/6 Warm CPU per invocation');
    const cpu = await measureHandlerCpu({ dynamo: services.dynamo.endpoint, sqs: services.sqs.endpoint }, offlineConfig);

    log('  warm capture CPU against a bare PutItem, alternating rounds');
    const captureCpu = await measureCaptureCpu({ dynamo: services.dynamo.endpoint }, offlineConfig);
    log(`  capture ÷ bare PutItem: ${captureCpu.ratio.toFixed(2)}`);
    log('  request counts (every AWS request, capacity units, log and EMF lines, stored items)');
    const measured = await measureRequests({ dynamoEndpoint: services.dynamo.endpoint, sqsEndpoint: services.sqs.endpoint, config: offlineConfig, apiMemoryMb: API_MEMORY_MB.capture });
    log(`  request counts hash ${measured.hash}`);

    log(`4/6 Local stack (${BENCH_VENDORS.join(', ')} on the sandbox)`);
    const port = await freePort();
    const stack = await startLocalStack({
      configPath: writeBenchConfig(workDir, `http://localhost:${port}`),
      port,
      quiet: true,
      dynamoEndpoint: services.dynamo.endpoint,
      sqsEndpoint: services.sqs.endpoint,
    });
    cleanups.push(() => stack.stop());
    const load = new LoadGenerator();
    cleanups.push(() => load.close());
    const buyersRun = `b${Date.now().toString(36)}`;
    await captureBuyers(stack, load, buyersRun, BUYERS);

    log(`  delivery latency at ${LIMITS.latencyRate} conversions/s for ${LIMITS.latencySeconds} s…`);
    const latency = await measureDeliveryLatency(stack, load, buyersRun, BUYERS);
    log(`  p50 ${latency.p50Ms.toFixed(0)} ms, p99 ${latency.p99Ms.toFixed(0)} ms (${latency.delivered}/${latency.deliveries} delivered)`);

    // A backlog left by the latency run would slow every later phase: let it drain first (bounded).
    const drained = await drainQueues(stack, 90);
    if (drained > 1) log(`  waited ${drained.toFixed(0)} s for the delivery queues to drain`);

    log('5/6 Sender settings');
    const senders = await measureSenderSettings(stack, buyersRun, BUYERS, log);
    const tls = await measureTlsHandshake();

    log('6/6 Throughput');
    const throughput = await measureThroughput(stack, load, buyersRun, BUYERS, log);
    await cleanUp();

    log('Cost model (reading the stack’s settings from a synthesised template)…');
    const facts = stackFacts(offlineConfig);
    // A function's init CPU as its same-round ratio to its SDK floor times the floor's median: the paired ratio cancels
    // the machine's drift between rounds, which moved one function's plain median by a quarter from one run to the next.
    const initCpu = (name: string) => {
      const f = bundles.functions.find((fn) => fn.name === name)!;
      return f.ratioCpu * f.floor.initCpuMs;
    };
    const modelFacts = {
      memoryMb: { capture: facts.memoryMb.capture!, conversion: facts.memoryMb.conversion!, sender: facts.memoryMb.sender! },
      platformLogs: facts.platformLogs,
      accessLogBytes: facts.accessLogBytes,
      pitr: facts.pitr,
    };
    const cpuMs = { capture: cpu.handlers.find((h) => h.name === 'capture')!.cpuMs.p50, conversion: cpu.handlers.find((h) => h.name === 'conversion')!.cpuMs.p50 };
    const inputs: ModelInputs = {
      measured,
      facts: modelFacts,
      cpuMs,
      requestCpuMs: cpu.bareWrite.cpuMs.p50,
      initCpuMs: { capture: initCpu('capture'), conversion: initCpu('conversion'), sender: initCpu('sender') },
      vendorMs: senders.vendorDelayMs,
    };
    const results: BenchResults = {
      machine,
      bundles,
      cpu,
      throughput,
      latency,
      senders,
      facts,
      captureCpu,
      tls,
      model: {
        measured,
        facts: modelFacts,
        capture: captureModel(inputs),
        conversion: conversionModel(inputs),
        monthly: monthlyItems({ metricSeries: measured.metricSeries.length, metricFilters: facts.metricFilters, alarmMetrics: facts.alarmMetrics, alarms: facts.alarms, dashboards: facts.dashboards, secrets: facts.secrets }),
        cpuMs,
        inputs,
        vendorTimeoutMs: offlineConfig.delivery.timeoutMs,
        after: deployedSettings(offlineConfig),
        before: BEFORE_SETTINGS,
      },
      memoryChoice: chooseApiMemory(
        cpuMs,
        Object.fromEntries(bundles.functions.map((f) => [f.name, initCpu(f.name)])),
        { capture: API_MEMORY_MB.capture, conversion: API_MEMORY_MB.conversion },
      ),
      totalSeconds: (Date.now() - started) / 1000,
    };
    writeFileSync(REPORT_PATH, renderReport(results));
    process.stdout.write(`${summaryLines(results).join('\n')}\n\nWrote docs/PERFORMANCE.md (${results.totalSeconds.toFixed(0)} s).\n`);
  } finally {
    clearTimeout(watchdog);
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`Benchmark failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
