/**
 * Cold-start cost of where the functions' configuration lives: the runtime configuration of five vendors and twenty
 * postbacks, read and parsed from a file beside the bundle (what the stack does, lambdas/contract/runtime-config.ts) against parsed
 * from an environment variable (what it did before, and what Lambda caps at 4 KB). Each variant runs in fresh `node`
 * processes, as a cold start would, and times only the read and parse inside the process.
 *
 *   npx tsx bench/config-read.ts [processes]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../lambdas/config/schema';
import { runtimeConfigOf, serializeRuntimeConfig } from '../lambdas/contract/runtime-config';

const PROCESSES = Number(process.argv[2] ?? 15);

/** The shipped example's five vendors plus twenty postbacks: the size a configuration must deploy at. */
function largeConfig(): string {
  const example = JSON.parse(readFileSync(join(__dirname, '..', 'tracking.config.example.json'), 'utf8')) as Record<string, any>;
  const postbacks: Record<string, unknown> = { awin: example.postbacks.awin };
  for (let i = 1; i < 20; i++) {
    const id = `network-${String(i).padStart(2, '0')}`;
    postbacks[id] = {
      clickIdParam: `n${String(i).padStart(2, '0')}_click`,
      attributionDays: 30,
      url: `https://${id}.example/conversion?order={order.orderId}&click={clickId}&amount={order.netValue}&currency={order.currency}`,
    };
  }
  return serializeRuntimeConfig(runtimeConfigOf(parseConfig({ ...example, postbacks, local: undefined })));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function timeIn(script: string, env: NodeJS.ProcessEnv): number[] {
  return Array.from({ length: PROCESSES }, () => Number(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }).trim()));
}

const text = largeConfig();
const dir = mkdtempSync(join(tmpdir(), 'config-read-'));
try {
  const file = join(dir, 'runtime-config.json');
  writeFileSync(file, text);
  const clock = 'const t = process.hrtime.bigint();';
  const done = 'console.log(Number(process.hrtime.bigint() - t) / 1e6);';
  const fromFile = timeIn(`${clock} JSON.parse(require('node:fs').readFileSync(process.env.CONFIG_FILE, 'utf8')); ${done}`, { ...process.env, CONFIG_FILE: file });
  const fromEnv = timeIn(`${clock} JSON.parse(process.env.CONFIG_TEXT); ${done}`, { ...process.env, CONFIG_TEXT: text });
  console.log(`runtime configuration of 5 vendors + 20 postbacks: ${Buffer.byteLength(text)} bytes (Lambda's environment holds 4 KB)`);
  console.log(`file beside the bundle:   median ${median(fromFile).toFixed(3)} ms (${PROCESSES} fresh processes)`);
  console.log(`environment variable:     median ${median(fromEnv).toFixed(3)} ms (${PROCESSES} fresh processes)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
