/**
 * Two local stacks started from one checkout (issue 20, point 14): `npm start`, then `PORT=<other> npm start`. Each
 * keeps its own state file, so the operator commands act on the stack they are pointed at (`--port`, PORT), refuse
 * to guess while both run, and still find the first once the second has stopped. Runs local/start.ts as `npm start`
 * does, in child processes, with the state files in a directory of the test's own (LOCAL_STACK_STATE_DIR).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_CONFIG_PATH } from '../../lambdas/config/load';
import { freePort } from '../../local/services';
import { run as status } from '../../scripts/status';

const REPO = join(__dirname, '..', '..');
const READY = 'Local conversion tracking stack ready';

interface Started {
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout: () => string;
}

let stateDir: string;
const saved = { dir: process.env.LOCAL_STACK_STATE_DIR, port: process.env.PORT };
const children: Started[] = [];

/** `npm start` on `port`: `ready` resolves once it says so, and fails if it exits first. */
function npmStart(port: number): Started & { ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: REPO,
    env: { HOME: process.env.HOME, PATH: process.env.PATH, PORT: String(port), TRACKING_CONFIG: EXAMPLE_CONFIG_PATH, LOCAL_STACK_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => stdout.includes(READY) && resolve());
    void exited.then((code) => reject(new Error(`npm start on ${port} exited with ${code}: ${stdout} ${stderr}`)));
  });
  // A start expected to fail is awaited through `exited`: its `ready` failing is no unhandled rejection.
  ready.catch(() => undefined);
  const started = { port, child, exited, stdout: () => `${stdout}${stderr}`, ready };
  children.push(started);
  return started;
}

async function stop(stack: Started): Promise<void> {
  stack.child.kill('SIGTERM');
  expect(await stack.exited).toBe(0);
}

async function command(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await status(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

let first: Started;
let second: Started;
const orderId = `two-stacks-${Date.now()}`;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'local-stacks-'));
  process.env.LOCAL_STACK_STATE_DIR = stateDir;
  delete process.env.PORT;
  const [a, b] = [await freePort(), await freePort()].sort((x, y) => x - y);
  // One after the other, as a developer would: the second starts while the first runs.
  const one = npmStart(a!);
  await one.ready;
  const two = npmStart(b!);
  await two.ready;
  [first, second] = [one, two];
  // An order reported to the first stack only.
  const answer = await fetch(`http://localhost:${first.port}/v1/conversions`, {
    method: 'POST',
    headers: { authorization: 'Bearer local-dev-key', 'content-type': 'application/json' },
    body: JSON.stringify({
      orderId,
      visitor: { sessionId: `s-${orderId}` },
      currency: 'EUR',
      orderValue: 10,
      items: [{ productId: 'p-1', name: 'Product', unitPrice: 10, quantity: 1 }],
      shopper: { ip: '192.0.2.1' },
    }),
  });
  expect(answer.status).toBe(202);
}, 180_000);

afterAll(async () => {
  for (const started of children) {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
  for (const [name, value] of [['LOCAL_STACK_STATE_DIR', saved.dir], ['PORT', saved.port]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

it('keeps one state per stack, and the commands act on the stack they name, never on a guess', async () => {
  // Both run and none is named: one line naming both ports, instead of the answer of whichever started last.
  expect(await command([orderId])).toEqual({
    code: 1,
    out: [],
    err: [`Local stacks are running on ports ${first.port} and ${second.port}: choose one with --port <port> (or PORT=<port>)`],
  });

  const onFirst = await command([orderId, '--port', String(first.port)]);
  expect(onFirst.code).toBe(0);
  expect(onFirst.out[0]).toMatch(new RegExp(`^Order ${orderId}, received `));
  // The second stack has its own table: the order is not there.
  expect((await command([orderId, '--port', String(second.port)])).code).toBe(1);

  // PORT, as `npm start` reads it, names a stack too; --port wins over it.
  process.env.PORT = String(first.port);
  try {
    expect((await command([orderId])).code).toBe(0);
    expect((await command([orderId, '--port', String(second.port)])).code).toBe(1);
  } finally {
    delete process.env.PORT;
  }
  const unused = await freePort();
  expect((await command([orderId, '--port', String(unused)])).err).toEqual([
    `No local stack is running on port ${unused} (--port ${unused}); local stacks run on ports ${first.port} and ${second.port}: choose one with --port`,
  ]);
  expect((await command([orderId, '--port', '3000', '--deployed'])).err[0]).toMatch(/^--local and --port cannot be combined with --deployed/);
  expect(readdirSync(stateDir).sort()).toEqual([`stack-${first.port}.json`, `stack-${second.port}.json`]);
});

it('still finds the first stack once the second has stopped', async () => {
  await stop(second);
  const shown = await command([orderId]);
  expect(shown.err).toEqual([]);
  expect(shown.out[0]).toMatch(new RegExp(`^Order ${orderId}, received `));
  expect(shown.code).toBe(0);
  expect(readdirSync(stateDir)).toEqual([`stack-${first.port}.json`]);
});

it('says a port is held by a stack of this checkout, and once none runs, that none does', async () => {
  const third = npmStart(first.port);
  expect(await third.exited).toBe(1);
  expect(third.stdout()).toContain(`Port ${first.port} is already in use by a local stack from this checkout (pid ${first.child.pid}).`);
  expect(existsSync(join(stateDir, `stack-${first.port}.json`))).toBe(true);

  await stop(first);
  expect(readdirSync(stateDir)).toEqual([]);
  expect((await command([orderId, '--local'])).err).toEqual(['The local stack is not running: start it with npm start']);
});
