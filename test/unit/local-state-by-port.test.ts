/**
 * The state files of local stacks, one per port (issue 20, point 14; local/state.ts): what `npm start` writes and
 * removes, which stacks count as running, and which one an operator command acts on. The stacks themselves are
 * started in test/e2e/local-stacks-by-port.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseLocalStack, LocalStackState, localStateDir, LOCAL_STATE_DIR, removeLocalState, runningLocalStacks, writeLocalState } from '../../local/state';
import { chosenLocalState, CommandError, targetArguments } from '../../scripts/target';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

function state(port: number, pid = process.pid): LocalStackState {
  return {
    pid,
    port,
    baseUrl: `http://localhost:${port}`,
    sandboxUrl: `http://localhost:${port}/sandbox`,
    configFile: '/config.json',
    region: 'us-east-1',
    dynamoEndpoint: 'http://127.0.0.1:8000',
    sqsEndpoint: 'http://127.0.0.1:9324',
    tableName: `table-${port}`,
    queueUrls: { kelkoo: { queue: `q-${port}`, deadLetterQueue: `dlq-${port}` } },
  };
}

const choose = (options: { port?: number; required?: boolean; env?: NodeJS.ProcessEnv } = {}) =>
  chooseLocalStack({ required: false, env: {}, dir, ...options });

describe('the state files', () => {
  it('are one per port: a second stack never overwrites the first one’s, and each removes only its own', () => {
    writeLocalState(state(3000), dir);
    writeLocalState(state(3001), dir);
    expect(readdirSync(dir).sort()).toEqual(['stack-3000.json', 'stack-3001.json']);
    expect(JSON.parse(readFileSync(join(dir, 'stack-3000.json'), 'utf8'))).toEqual(state(3000));

    // A stack that started later on the same port owns the file now: the earlier one's exit leaves it.
    writeLocalState(state(3001, 424242), dir);
    removeLocalState(3001, process.pid, dir);
    expect(readdirSync(dir).sort()).toEqual(['stack-3000.json', 'stack-3001.json']);
    removeLocalState(3001, 424242, dir);
    expect(readdirSync(dir)).toEqual(['stack-3000.json']);
  });

  it('count as running only when their process lives; junk and other files are skipped', () => {
    writeLocalState(state(3002), dir);
    writeLocalState(state(3000), dir);
    writeLocalState(state(3001, deadPid()), dir);
    writeFileSync(join(dir, 'stack-3003.json'), '{not json');
    writeFileSync(join(dir, 'stack-3004.json'), '"a string"');
    writeFileSync(join(dir, 'stack.json'), JSON.stringify(state(3005)));
    expect(runningLocalStacks(dir).map((s) => [s.port, s.state.tableName])).toEqual([
      [3000, 'table-3000'],
      [3002, 'table-3002'],
    ]);
    expect(runningLocalStacks(join(dir, 'missing'))).toEqual([]);
  });

  it('live in .local-stack at the repo root unless LOCAL_STACK_STATE_DIR says otherwise', () => {
    expect(localStateDir({})).toBe(LOCAL_STATE_DIR);
    expect(localStateDir({ LOCAL_STACK_STATE_DIR: dir })).toBe(dir);
  });
});

describe('the stack a command acts on', () => {
  it('is the only one running, or none (the deployed stack then) unless the local one was asked for', () => {
    expect(choose()).toEqual({ kind: 'none' });
    expect(choose({ required: true })).toEqual({ kind: 'refused', message: 'The local stack is not running: start it with npm start' });
    writeLocalState(state(3001), dir);
    expect(choose()).toMatchObject({ kind: 'chosen', stack: { port: 3001 } });
  });

  it('is never a guess between several: one line lists their ports and says how to choose', () => {
    for (const port of [3000, 3001, 3007]) writeLocalState(state(port), dir);
    expect(choose()).toEqual({ kind: 'refused', message: 'Local stacks are running on ports 3000, 3001 and 3007: choose one with --port <port> (or PORT=<port>)' });
    expect(choose({ required: true })).toMatchObject({ kind: 'refused' });
  });

  it('is the one --port names, else the one PORT names (as npm start reads it)', () => {
    writeLocalState(state(3000), dir);
    writeLocalState(state(3001), dir);
    expect(choose({ port: 3001 })).toMatchObject({ kind: 'chosen', stack: { port: 3001, state: { tableName: 'table-3001' } } });
    expect(choose({ env: { PORT: '3000' } })).toMatchObject({ kind: 'chosen', stack: { port: 3000 } });
    expect(choose({ port: 3001, env: { PORT: '3000' } })).toMatchObject({ kind: 'chosen', stack: { port: 3001 } });
    // PORT=0 (any free port) or a value npm start would refuse names nothing.
    expect(choose({ env: { PORT: '0' } })).toMatchObject({ kind: 'refused', message: expect.stringMatching(/^Local stacks are running/) });
    expect(choose({ env: { PORT: 'http' } })).toMatchObject({ kind: 'refused', message: expect.stringMatching(/^Local stacks are running/) });
  });

  it('is refused with the running ports when the named one does not run', () => {
    writeLocalState(state(3000), dir);
    expect(choose({ port: 3009 })).toEqual({
      kind: 'refused',
      message: 'No local stack is running on port 3009 (--port 3009); local stacks run on port 3000: choose one with --port',
    });
    expect(choose({ env: { PORT: '3009' } })).toMatchObject({ kind: 'refused', message: expect.stringContaining('(PORT=3009)') });
    rmSync(join(dir, 'stack-3000.json'));
    expect(choose({ port: 3009, required: true })).toEqual({
      kind: 'refused',
      message: 'No local stack is running on port 3009 (--port 3009): start it with PORT=3009 npm start',
    });
    // PORT set for another reason, nothing local running: the command works on the deployed stack as before.
    expect(choose({ env: { PORT: '3009' } })).toEqual({ kind: 'none' });
  });
});

describe('--port', () => {
  const USAGE = 'usage';
  it('implies the local target, takes a port number only, and does not go with the deployed options', () => {
    expect(targetArguments({ port: '3001' }, USAGE)).toMatchObject({ target: 'local', port: 3001 });
    expect(targetArguments({}, USAGE)).toMatchObject({ target: 'auto' });
    for (const port of ['0', '65536', '30a', '', '-1', '3e3']) {
      expect(() => targetArguments({ port }, USAGE)).toThrow(`--port must be a port number (1-65535), got ${JSON.stringify(port)}.\nusage`);
    }
    expect(() => targetArguments({ port: '3001', stack: 'Other' }, USAGE)).toThrow(CommandError);
    expect(() => targetArguments({ local: true, deployed: true }, USAGE)).toThrow(/^--local and --port cannot be combined/);
  });

  it('with a state file given (tests), reads that file whatever the port', () => {
    const file = writeLocalState(state(3000), dir);
    expect(chosenLocalState({ target: 'local', port: 3001 }, file)).toMatchObject({ tableName: 'table-3000' });
    expect(() => chosenLocalState({ target: 'local' }, join(dir, 'none.json'))).toThrow('The local stack is not running: start it with npm start');
  });
});
