/**
 * Jest reporter of the fault suite: when FAULT_REPORT names a file, it clears the rows left by an earlier run
 * before the tests start and, once they have all run, writes the rows the fault tests recorded (harness.ts,
 * recordRow) as one markdown table to that file. Without FAULT_REPORT it does nothing.
 *
 * Plain JavaScript because Jest loads reporters without the TypeScript transform the tests go through.
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');

/** Must match rowsDirectory() in harness.ts: both sides derive it from the report's path. */
function rowsDirectory(reportPath) {
  const digest = createHash('sha256').update(resolve(reportPath)).digest('hex').slice(0, 12);
  return join(tmpdir(), `fault-report-rows-${digest}`);
}

const num = (value) => (Number.isFinite(value) ? String(value) : '–');

function table(rows) {
  const header = [
    'fault',
    'N',
    'delivery (attempts / base s / timeout ms)',
    'conversions 5xx',
    'vendor calls received',
    'accepted',
    'lost',
    'duplicated',
    'late 2xx (caller gone)',
    'dropped after receipt',
    'calls beyond one per order',
    'dead-lettered',
    'redriven',
    'max attempts on a delivery',
    's to all delivered',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.description,
        r.n,
        `${r.delivery.maxAttempts} / ${r.delivery.retryBaseSeconds} / ${r.delivery.timeoutMs}`,
        r.conversions5xx,
        r.received,
        r.accepted,
        `**${r.lost}**`,
        `**${r.duplicated}**`,
        r.lateAnswers,
        r.droppedAfterReceipt,
        r.extraReceived,
        r.deadLettered,
        r.redriven,
        r.maxAttempts,
        num(r.secondsToDelivered),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

class FaultReportReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
    this.report = process.env.FAULT_REPORT;
    this.startedAt = Date.now();
  }

  onRunStart() {
    this.startedAt = Date.now();
    if (!this.report) return;
    rmSync(rowsDirectory(this.report), { recursive: true, force: true });
  }

  onRunComplete(_contexts, results) {
    if (!this.report) return;
    const dir = rowsDirectory(this.report);
    const rows = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.endsWith('.json'))
          .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')))
          .sort((a, b) => a.rank - b.rank)
      : [];
    const seconds = Math.round((Date.now() - this.startedAt) / 1000);
    const cpu = cpus();
    const failed = results.numFailedTests;
    const text = [
      '# Fault-injection report',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run test:faults\` on ${cpu.length} cores` +
        ` (${(cpu[0]?.model ?? 'unknown CPU').trim()}), Node ${process.version}; whole run ${seconds} s,` +
        ` ${results.numPassedTests} tests passed, ${failed} failed.`,
      '',
      'Each fault: a fresh local stack, N orders each eligible for Kelkoo and QUALITYCLICK; the fault is injected,',
      'the vendor (or SQS) recovers, both dead-letter queues are redriven, and the vendor double counts per order and',
      'vendor the calls it received and the calls it accepted (a 2xx written in full to a caller still waiting).',
      '**lost** = (order, vendor) pairs never accepted; **duplicated** = accepted calls beyond the first.',
      'See docs/RELIABILITY.md for how to read the other columns.',
      '',
      rows.length ? table(rows) : '_No fault recorded a row._',
      '',
      ...rows.filter((r) => r.notes).map((r) => `- ${r.description}: ${r.notes}`),
      '',
    ].join('\n');
    mkdirSync(dirname(resolve(this.report)), { recursive: true });
    writeFileSync(this.report, text);
    rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = FaultReportReporter;
