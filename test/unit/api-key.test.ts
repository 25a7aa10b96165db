/**
 * `npm run api-key`: rotation of the deployed API keys against a Secrets Manager stand-in reached the way AWS is
 * (AWS_ENDPOINT_URL, the real SDK clients, the stack found by its outputs). `add` shows the new key once, `promote`
 * refuses a key that is not already accepted, `retire` refuses the last key; after a whole rotation the API's own
 * reader (lambdas/api/api-keys.ts) accepts the new key and no longer the old one.
 */
import { fingerprint, generateKey, parseKeySet, run, serializeKeySet, findKey } from '../../scripts/api-key';
import { SecretsManagerDouble, startSecretsManagerDouble } from '../support/secrets-manager-double';

const REGION = 'eu-west-1';
const STACK = 'ConversionTracking-prod';
const SECRET = 'ApiKeys3BB3983D-a1b2c3d4e5f6';
const OLD_KEY = 'Old0key0the0shop0uses0today0000000000000';
const NEW_KEY = 'New1key1for1the1shop1after1rotation11111';

let aws: SecretsManagerDouble;
const saved = { ...process.env };

async function standIn(secret: Record<string, unknown>, options: { denyPut?: boolean } = {}): Promise<void> {
  await aws?.stop();
  aws = await startSecretsManagerDouble({
    region: REGION,
    account: '000000000000',
    secrets: { [SECRET]: JSON.stringify(secret) },
    stacks: { [STACK]: { ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/', ApiKeysSecretName: SECRET, ApiKeysSecretArn: `arn:aws:secretsmanager:${REGION}:000000000000:secret:${SECRET}-AbCdEf` } },
    ...options,
  });
  Object.assign(process.env, { AWS_ENDPOINT_URL: aws.endpoint, AWS_ACCESS_KEY_ID: 'operator', AWS_SECRET_ACCESS_KEY: 'operator', AWS_REGION: REGION });
}

afterAll(async () => {
  await aws?.stop();
  process.env = saved;
});

async function apiKey(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...argv, '--stack', STACK, '--region', REGION], { out: (l) => out.push(l), err: (l) => err.push(l) }, { newKey: () => NEW_KEY });
  return { code, out, err };
}

const secret = () => JSON.parse(aws.current(SECRET)) as Record<string, unknown>;
const puts = () => aws.operations.filter((op) => op === 'secretsmanager:PutSecretValue').length;

/** The keys the deployed API accepts, read by its own code (a fresh module: its cache would otherwise answer). */
async function acceptedByTheApi(): Promise<readonly string[]> {
  let source: { activeKeys(): Promise<readonly string[]> } | undefined;
  jest.isolateModules(() => {
    const { SecretsManagerApiKeys } = require('../../lambdas/api/api-keys') as typeof import('../../lambdas/api/api-keys');
    source = new SecretsManagerApiKeys(aws.arnOf(SECRET));
  });
  return source!.activeKeys();
}

describe('add', () => {
  it('puts a new key beside the primary one and shows it exactly once, never the old one', async () => {
    await standIn({ primary: OLD_KEY });
    const { code, out, err } = await apiKey('add');
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(secret()).toEqual({ primary: OLD_KEY, secondary: NEW_KEY });
    expect(out.join('\n').split(NEW_KEY)).toHaveLength(2);
    expect(out.join('\n')).not.toContain(OLD_KEY);
    expect(out[0]).toMatch(new RegExp(`^Added secondary \\(${fingerprint(NEW_KEY)}\\) to the API keys of stack ${STACK} in ${REGION}\\. The API accepts it within 5 minutes`));
    expect(out).toContain(`The new key, shown this once: ${NEW_KEY}`);
    expect(await acceptedByTheApi()).toEqual([OLD_KEY, NEW_KEY]);
  });

  it('is refused while two keys are accepted, and writes nothing', async () => {
    await standIn({ primary: OLD_KEY, secondary: NEW_KEY });
    const { code, err } = await apiKey('add');
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^2 keys are accepted already \(primary \(sha256:[0-9a-f]{12}\), secondary \(sha256:[0-9a-f]{12}\)\): retire the one/)]);
    expect(puts()).toBe(0);
  });

  it('generates 40 letters and digits, uniformly', () => {
    const keys = Array.from({ length: 200 }, () => generateKey());
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(new Set(keys).size).toBe(200);
    // Bytes from 248 up are skipped rather than folded onto the first letters.
    const bytes = [255, 248, 0, 61, 62];
    let call = 0;
    expect(generateKey(() => Buffer.from(call++ === 0 ? bytes : Array(40).fill(1)))).toBe(`A9A${'B'.repeat(37)}`);
  });
});

describe('promote', () => {
  it('refuses a key that is not accepted – a typo – and writes nothing', async () => {
    await standIn({ primary: OLD_KEY, secondary: NEW_KEY });
    const typo = `${NEW_KEY.slice(0, -1)}2`;
    const { code, err } = await apiKey('promote', typo);
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringContaining(`${typo} is not an accepted key (accepted: primary (${fingerprint(OLD_KEY)}), secondary (${fingerprint(NEW_KEY)})). Only a key the API already accepts can be promoted`)]);
    expect(await apiKey('promote', 'sha256:00000000')).toMatchObject({ code: 1 });
    expect(await apiKey('promote', 'tertiary')).toMatchObject({ code: 1 });
    expect(puts()).toBe(0);
    expect(secret()).toEqual({ primary: OLD_KEY, secondary: NEW_KEY });
  });

  it('makes an accepted key the primary one, by fingerprint, key or name, and keeps the old one accepted', async () => {
    for (const ref of [fingerprint(NEW_KEY), fingerprint(NEW_KEY).slice('sha256:'.length, 'sha256:'.length + 8), NEW_KEY, 'secondary']) {
      await standIn({ primary: OLD_KEY, secondary: NEW_KEY });
      const { code, out } = await apiKey('promote', ref);
      expect({ ref, code }).toEqual({ ref, code: 0 });
      expect(secret()).toEqual({ primary: NEW_KEY, secondary: OLD_KEY });
      expect(out).toEqual([`primary (${fingerprint(NEW_KEY)}) is now the primary key of the API keys of stack ${STACK} in ${REGION}; secondary (${fingerprint(OLD_KEY)}) stays accepted.`]);
      expect(out.join('\n')).not.toContain(NEW_KEY);
    }
  });

  it('changes nothing for the primary key itself', async () => {
    await standIn({ primary: OLD_KEY, secondary: NEW_KEY });
    expect((await apiKey('promote', 'primary')).out).toEqual([`primary (${fingerprint(OLD_KEY)}) is the primary key already: nothing changed.`]);
    expect(puts()).toBe(0);
  });
});

describe('retire', () => {
  it('refuses the last key, and writes nothing', async () => {
    await standIn({ primary: OLD_KEY });
    const { code, err } = await apiKey('retire', OLD_KEY);
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringContaining(`primary (${fingerprint(OLD_KEY)}) is the last accepted key: without it the API answers 401 to every call`)]);
    expect(puts()).toBe(0);
    expect(secret()).toEqual({ primary: OLD_KEY });
  });

  it('refuses a key that is not accepted', async () => {
    await standIn({ primary: OLD_KEY, secondary: NEW_KEY });
    expect(await apiKey('retire', 'not-a-key-we-have')).toMatchObject({ code: 1, err: [expect.stringContaining('not-a-key-we-have is not an accepted key')] });
    expect(puts()).toBe(0);
  });

  it('removes a key; a retired primary leaves the other key primary', async () => {
    await standIn({ primary: OLD_KEY, secondary: NEW_KEY });
    const { code, out } = await apiKey('retire', fingerprint(OLD_KEY));
    expect(code).toBe(0);
    expect(secret()).toEqual({ primary: NEW_KEY });
    expect(out).toEqual([expect.stringMatching(new RegExp(`^Retired primary \\(${fingerprint(OLD_KEY)}\\) from .*: the API refuses it within 5 minutes .*Accepted now: primary \\(${fingerprint(NEW_KEY)}\\)\\.$`))]);
  });
});

describe('a whole rotation', () => {
  it('add, promote, retire: the API then accepts the new key only, and no output ever held the old one', async () => {
    await standIn({ primary: OLD_KEY });
    const printed: string[] = [];
    for (const step of [['add'], ['promote', fingerprint(NEW_KEY)], ['retire', fingerprint(OLD_KEY)], ['list']]) {
      const { code, out, err } = await apiKey(...step);
      expect({ step, code, err }).toEqual({ step, code: 0, err: [] });
      printed.push(...out);
    }
    expect(await acceptedByTheApi()).toEqual([NEW_KEY]);
    expect(secret()).toEqual({ primary: NEW_KEY });
    expect(printed.join('\n')).not.toContain(OLD_KEY);
    expect(printed.slice(-2)).toEqual([`1 accepted key in the API keys of stack ${STACK} in ${REGION}:`, `  primary    ${fingerprint(NEW_KEY)}`]);
    // Three writes, each a new version: the previous value stays recoverable as AWSPREVIOUS.
    expect(aws.history(SECRET).map((v) => Object.values(JSON.parse(v) as object))).toEqual([[OLD_KEY], [OLD_KEY, NEW_KEY], [NEW_KEY, OLD_KEY], [NEW_KEY]]);
  });
});

describe('the secret and the target', () => {
  it('keeps what else the secret holds, and reads keys by name order whatever the JSON order', async () => {
    await standIn({ note: { rotated: '2026-01-01' }, secondary: NEW_KEY, primary: OLD_KEY, empty: '' });
    expect((await apiKey('retire', 'secondary')).code).toBe(0);
    expect(secret()).toEqual({ note: { rotated: '2026-01-01' }, empty: '', primary: OLD_KEY });
    const set = parseKeySet(JSON.stringify({ old: 'a', secondary: 'b', primary: 'c' }), 's');
    expect(set.keys).toEqual([
      { name: 'primary', key: 'c' },
      { name: 'secondary', key: 'b' },
      { name: 'old', key: 'a' },
    ]);
    expect(JSON.parse(serializeKeySet(set))).toEqual({ primary: 'c', secondary: 'b', old: 'a' });
    // A fingerprint prefix too short to be one is no fingerprint; a prefix two keys share names neither.
    expect(findKey(set, 'sha256:')).toBeUndefined();
    expect(findKey(set, fingerprint('c').slice(7, 15))).toEqual({ name: 'primary', key: 'c' });
  });

  it('says in one line what is wrong: a missing stack, a refused write, a local target, a missing or unknown command', async () => {
    await standIn({ primary: OLD_KEY });
    const err: string[] = [];
    expect(await run(['list', '--stack', 'Nope', '--region', REGION], { out: () => undefined, err: (l) => err.push(l) })).toBe(1);
    expect(err).toEqual([expect.stringContaining(`Stack Nope does not exist in ${REGION}`)]);

    await standIn({ primary: OLD_KEY }, { denyPut: true });
    const denied = await apiKey('add');
    expect(denied.code).toBe(1);
    expect(denied.err).toEqual([expect.stringMatching(/^Access denied on the API keys of stack .*secretsmanager:PutSecretValue/)]);
    expect(denied.out.join('\n')).not.toContain(NEW_KEY);

    await standIn({ primary: OLD_KEY });
    const local = await run(['list', '--local'], { out: () => undefined, err: (l) => err.push(l) });
    expect(local).toBe(1);
    expect(err.at(-1)).toMatch(/^api-key works on a deployed stack only/);
    expect((await apiKey('promote')).err[0]).toMatch(/^promote takes one key/);
    expect((await apiKey('rotate')).err[0]).toMatch(/^Name a command: list, add, promote or retire/);
  });

  it('finds the stack of --stage, the default stage without it, as every operator command does', async () => {
    await standIn({ primary: OLD_KEY });
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await run(['list', '--region', REGION], io)).toBe(0);
    expect(lines.at(-2)).toBe(`1 accepted key in the API keys of stack ${STACK} in ${REGION}:`);
    expect(await run(['list', '--stage', 'dev', '--region', REGION], io)).toBe(1);
    expect(lines.at(-1)).toContain(`Stack ConversionTracking-dev does not exist in ${REGION}`);
    expect(await run(['list', '--stage', 'dev', '--stack', STACK], io)).toBe(1);
    expect(lines.at(-1)).toMatch(/^Give --stage or --stack, not both/);
  });

  it('refuses a secret that is not the JSON object of keys', () => {
    expect(() => parseKeySet('primary=abc', 'arn:x')).toThrow('Secret arn:x is not the JSON object of API keys the stack creates');
    expect(() => parseKeySet('["abc"]', 'arn:x')).toThrow('is not the JSON object');
  });
});
