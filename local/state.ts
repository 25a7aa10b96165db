/**
 * Where running local stacks say what they are, for the operator commands (`npm run redrive`, `status`, `report`,
 * `smoke`).
 *
 * Each `npm start` writes `.local-stack/stack-<port>.json` (git-ignored) once it listens, and removes it on exit:
 * stacks started from one checkout on two ports (`PORT=3001 npm start`, which a busy port suggests) each keep their
 * own, and stopping one leaves the other's in place. A command acts on the stack its `--port` (else `PORT`) names,
 * else on the only one running; when several run and none is named, it refuses to guess and says how to choose.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lambdas/config/load';

/** Where the state files go unless LOCAL_STACK_STATE_DIR says otherwise. */
export const LOCAL_STATE_DIR = join(REPO_ROOT, '.local-stack');

/** The directory of the state files: LOCAL_STACK_STATE_DIR when set (tests use their own), else LOCAL_STATE_DIR. */
export function localStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_STACK_STATE_DIR || LOCAL_STATE_DIR;
}

/** The state file of the stack listening on `port`. */
export function localStateFile(port: number, dir: string = localStateDir()): string {
  return join(dir, `stack-${port}.json`);
}

const STATE_FILE = /^stack-(\d{1,5})\.json$/;

/** What a running `npm start` tells the operator commands (scripts/target.ts reads it). */
export interface LocalStackState {
  pid: number;
  port: number;
  baseUrl: string;
  sandboxUrl: string;
  configFile: string;
  region: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueUrls: Record<string, { queue: string; deadLetterQueue: string }>;
}

/** Writes the state of the stack on `state.port`; a reader never sees half a file. Returns its path. */
export function writeLocalState(state: LocalStackState, dir: string = localStateDir()): string {
  mkdirSync(dir, { recursive: true });
  const file = localStateFile(state.port, dir);
  const partial = `${file}.${state.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(partial, file);
  return file;
}

/** Removes the state file of `port` if process `pid` wrote it: a later stack on that port may have replaced it. */
export function removeLocalState(port: number, pid: number = process.pid, dir: string = localStateDir()): void {
  const file = localStateFile(port, dir);
  if (readState(file)?.pid === pid) rmSync(file, { force: true });
}

/** Whether process `pid` is alive (a process of another user counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readState(file: string): Partial<LocalStackState> | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof state === 'object' && state !== null ? (state as Partial<LocalStackState>) : undefined;
  } catch {
    return undefined;
  }
}

export interface RunningLocalStack {
  port: number;
  file: string;
  state: LocalStackState;
}

/**
 * The stacks running from this checkout, by port: every state file whose process is alive. A file left by a stack
 * that was killed outright (no exit handler ran) is skipped, and replaced when a stack next starts on its port.
 */
export function runningLocalStacks(dir: string = localStateDir()): RunningLocalStack[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const running: RunningLocalStack[] = [];
  for (const name of names) {
    const port = Number(STATE_FILE.exec(name)?.[1]);
    if (!port) continue;
    const file = join(dir, name);
    const state = readState(file);
    if (typeof state?.pid !== 'number' || !isAlive(state.pid)) continue;
    running.push({ port, file, state: { ...state, port } as LocalStackState });
  }
  return running.sort((a, b) => a.port - b.port);
}

export type LocalStackChoice =
  | { kind: 'chosen'; stack: RunningLocalStack }
  /** None runs and none was asked for: a command that may also work on the deployed stack does. */
  | { kind: 'none' }
  /** One line to print, and fail with. */
  | { kind: 'refused'; message: string };

const NOT_RUNNING = 'The local stack is not running: start it with npm start';

function listPorts(ports: number[]): string {
  return ports.length === 1 ? `port ${ports[0]}` : `ports ${ports.slice(0, -1).join(', ')} and ${ports.at(-1)}`;
}

/**
 * The running stack a command acts on.
 *
 * @param port from `--port`; when absent, `PORT` from `env` (as `npm start` reads it), when set.
 * @param required the command was told to act on a local stack (`--local`, `--port`): none running is a refusal,
 *   where otherwise it is `none` (the command then works on the deployed stack).
 */
export function chooseLocalStack(options: { port?: number; required: boolean; env?: NodeJS.ProcessEnv; dir?: string }): LocalStackChoice {
  const env = options.env ?? process.env;
  const running = runningLocalStacks(options.dir ?? localStateDir(env));
  const fromEnv = options.port === undefined && env.PORT !== undefined && /^\d{1,5}$/.test(env.PORT) && Number(env.PORT) > 0;
  const port = options.port ?? (fromEnv ? Number(env.PORT) : undefined);
  if (port !== undefined) {
    const named = running.find((s) => s.port === port);
    if (named) return { kind: 'chosen', stack: named };
    if (!running.length && !options.required) return { kind: 'none' };
    const source = fromEnv ? `PORT=${port}` : `--port ${port}`;
    if (!running.length) return { kind: 'refused', message: `No local stack is running on port ${port} (${source}): start it with PORT=${port} npm start` };
    return {
      kind: 'refused',
      message: `No local stack is running on port ${port} (${source}); local stacks run on ${listPorts(running.map((s) => s.port))}: choose one with --port`,
    };
  }
  if (running.length === 1) return { kind: 'chosen', stack: running[0]! };
  if (running.length > 1) {
    return { kind: 'refused', message: `Local stacks are running on ${listPorts(running.map((s) => s.port))}: choose one with --port <port> (or PORT=<port>)` };
  }
  return options.required ? { kind: 'refused', message: NOT_RUNNING } : { kind: 'none' };
}
