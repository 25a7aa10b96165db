/**
 * `npm start` on a newcomer's machine: without Java, with a Java too old for DynamoDB Local, or with the port taken,
 * it says so in one line with the fix and exits non-zero – no stack trace, nothing started. When it does start, the
 * console URL is its first line. Runs local/start.ts as `npm start` does (node --import tsx), in a child process.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/services';

const REPO = join(__dirname, '..', '..');
let bin: string;

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'start-preflight-'));
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm start`'s command with PATH and PORT as given; kills it after `timeoutMs` (a failure: it should exit). */
function start(env: { PATH: string; PORT: string }, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      cwd: REPO,
      env: { HOME: process.env.HOME, TRACKING_CONFIG: join(REPO, 'tracking.config.example.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`still running after ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A directory holding `node` only, plus the given executables: PATH stripped of everything else, Java included. */
function pathWith(name: string, executables: Record<string, string> = {}): string {
  const dir = join(bin, name);
  mkdirSync(dir);
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const [file, script] of Object.entries(executables)) {
    writeFileSync(join(dir, file), script);
    chmodSync(join(dir, file), 0o755);
  }
  return dir;
}

/** What a newcomer sees must be one line: no stack frames, no raw error codes. */
function expectOneCleanLine(run: Run): string {
  expect(run.code).toBe(1);
  const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/ENOENT|EADDRINUSE|Error:/);
  return lines[0]!;
}

it('without Java on PATH: one line naming Java 17 and how to install it on Debian/Ubuntu, macOS and Windows', async () => {
  const run = await start({ PATH: pathWith('no-java'), PORT: String(await freePort()) });
  const line = expectOneCleanLine(run);
  expect(line).toMatch(/^DynamoDB Local needs Java 17 or later, but no `java` command was found on PATH\./);
  expect(line).toContain('Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless');
  expect(line).toContain('macOS: brew install openjdk@17');
  expect(line).toContain('Windows: winget install Microsoft.OpenJDK.17');
  // Nothing was started, so nothing was announced.
  expect(run.stdout).toBe('');
});

it('with Java 11 on PATH: one line saying which version was found', async () => {
  const java = '#!/bin/sh\necho \'openjdk version "11.0.21" 2023-10-17\' >&2\nexit 0\n';
  const run = await start({ PATH: pathWith('java-11', { java }), PORT: String(await freePort()) });
  const line = expectOneCleanLine(run);
  expect(line).toMatch(/^DynamoDB Local needs Java 17 or later, but `java` on PATH is Java 11\. Install Java 17 or later/);
  expect(run.stdout).toBe('');
});

it('with the port taken: one line naming the port and the PORT variable, before anything starts', async () => {
  const port = await freePort();
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
  try {
    const run = await start({ PATH: process.env.PATH ?? '', PORT: String(port) });
    const line = expectOneCleanLine(run);
    expect(line).toBe(`Port ${port} is already in use by another program. Stop it, or start on another port: PORT=3001 npm start`);
    expect(run.stdout).toBe('');
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

it('prints the console URL first, and a start-up failure after it as one line', async () => {
  // A java that passes the version check but cannot run DynamoDB Local: start-up gets as far as the services.
  const java = '#!/bin/sh\nif [ "$1" = "-version" ]; then echo \'openjdk version "21.0.1" 2023-10-17\' >&2; exit 0; fi\necho "cannot run" >&2\nexit 3\n';
  const port = await freePort();
  const run = await start({ PATH: pathWith('broken-java', { java }), PORT: String(port) });
  expect(run.stdout.split('\n')[0]).toBe(`Console   http://localhost:${port}/  – starting the local stack…`);
  const failure = run.stderr.split('\n').filter((line) => line.startsWith('The local stack failed to start'));
  expect(failure).toEqual([expect.stringContaining('exited with code 3')]);
  expect(run.code).toBe(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
});
