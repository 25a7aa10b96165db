/**
 * `npm run bench:init`: the quick check of the two cold-start and warm-CPU targets, without the rest of `npm run bench`.
 *
 * 1. Module init (CPU time of the `require` in a fresh process, with the function's environment) of every function
 *    beside its SDK-client floor, in interleaved rounds (bench/bundles.ts, measureFunctionInit).
 * 2. Warm CPU per capture beside a bare PutItem through the same client, in process, against DynamoDB Local
 *    (bench/cpu.ts, measureCaptureCpu).
 *
 * Options: --rounds N (fresh processes per bundle, default 9), --only a,b (functions), --no-cpu, --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../local/services';
import { FUNCTIONS, FunctionName, measureFunctionInit } from './bundles';
import { measureCaptureCpu } from './cpu';
import { benchConfig } from './setup';
import { fixed, kib } from './stats';

/** The targets of the issue: init ≤ 1.15 × the floor (CPU), warm capture CPU ≤ 1.25 × a bare PutItem. */
export const INIT_TARGET = 1.15;
export const CAPTURE_TARGET = 1.25;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const rounds = Number(option('rounds') ?? 9);
  const only = option('only')?.split(',') as FunctionName[] | undefined;
  const unknown = only?.filter((n) => !(FUNCTIONS as readonly string[]).includes(n)) ?? [];
  if (unknown.length) throw new Error(`unknown function ${unknown.join(', ')}; expected ${FUNCTIONS.join(', ')}`);
  const config = benchConfig('http://localhost:3000');
  const workDir = mkdtempSync(join(tmpdir(), 'tracking-bench-init-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    log(`Module init: ${(only ?? FUNCTIONS).length} functions and their floors × ${rounds} fresh processes…`);
    const inits = await measureFunctionInit(workDir, config, rounds, only ?? FUNCTIONS);
    let capture: Awaited<ReturnType<typeof measureCaptureCpu>> | undefined;
    if (!process.argv.includes('--no-cpu')) {
      log('Warm capture CPU against a bare PutItem (DynamoDB Local)…');
      const dynamo = await startDynamoDbLocal();
      try {
        capture = await measureCaptureCpu({ dynamo: dynamo.endpoint }, config);
      } finally {
        await dynamo.stop();
      }
    }
    if (process.argv.includes('--json')) {
      const functions = inits.map((f) => ({ name: f.name, initCpuMs: f.deployed.initCpuMs, floorCpuMs: f.floor.initCpuMs, ratioCpu: f.ratioCpu, ratioWall: f.ratio, bytes: f.deployed.bytes }));
      process.stdout.write(`${JSON.stringify({ rounds, functions, capture: capture && { captureCpuMsP50: capture.capture.cpuMs.p50, bareCpuMsP50: capture.bareWrite.cpuMs.p50, ratio: capture.ratio } })}\n`);
      return;
    }
    const lines = [`| Function | Bundle | Init CPU (median) | Floor CPU (median) | Ratio CPU | Ratio wall | ≤ ${INIT_TARGET} |`, '|---|---|---|---|---|---|---|'];
    for (const f of inits) {
      lines.push(
        `| ${f.name} | ${kib(f.deployed.bytes)} | ${fixed(f.deployed.initCpuMs)} ms | ${fixed(f.floor.initCpuMs)} ms | ${fixed(f.ratioCpu, 2)} | ${fixed(f.ratio, 2)} | ${f.ratioCpu <= INIT_TARGET ? 'yes' : 'no'} |`,
      );
    }
    if (capture) {
      lines.push(
        '',
        `Warm capture CPU p50 ${fixed(capture.capture.cpuMs.p50, 3)} ms, bare PutItem ${fixed(capture.bareWrite.cpuMs.p50, 3)} ms: ratio ${fixed(capture.ratio, 2)} (median of ${capture.rounds} rounds; target ≤ ${CAPTURE_TARGET}: ${capture.ratio <= CAPTURE_TARGET ? 'yes' : 'no'})`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
