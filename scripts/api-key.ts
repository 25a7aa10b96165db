/**
 * `npm run api-key -- list|add|promote <key>|retire <key> [--stage <name> | --stack <name>] [--region <region>]`
 *
 * Rotates the deployed API keys without editing JSON by hand. The keys live in the stack's Secrets Manager secret
 * (output `ApiKeysSecretArn`) as a JSON object: every non-empty string in it is an accepted key
 * (lambdas/api/api-keys.ts), `primary` is the one the operator commands use. The API functions cache the secret for
 * API_KEY_CACHE_SECONDS, so every change takes effect within five minutes.
 *
 * - `list`: the accepted keys by name and fingerprint, never the keys themselves.
 * - `add`: a new key beside the primary one (40 letters and digits, like the key the stack generates), shown once.
 *   Refused while two keys are accepted: retire one first.
 * - `promote <key>`: makes an accepted key the primary one; the old primary stays accepted. A key the secret does not
 *   hold is refused: promoting a typo would leave the operator commands without a working key.
 * - `retire <key>`: stops accepting a key. The last key is refused: the API would then answer 401 to everyone.
 *
 * `<key>` is the key itself, its fingerprint as `list` prints it (`sha256:…`, or a prefix of at least 8 hex digits),
 * or its name in the secret (`primary`, `secondary`). Deployed stack only: the local stack's keys are `local.apiKeys`
 * in its configuration file.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { API_KEY_CACHE_SECONDS } from '../lambdas/api/api-keys';
import { CommandError, CommandIo, commandFailure, describeStack, outputValue, parseCommand, runAsScript, TARGET_USAGE, targetArguments } from './target';

const USAGE =
  'Usage: npm run api-key -- <list | add | promote <key> | retire <key>> [--stage <name> | --stack <name>] [--region <region>]\n' +
  '  list           the accepted keys: name in the secret and fingerprint (never the key)\n' +
  '  add            a new key beside the primary one, shown once\n' +
  '  promote <key>  makes an accepted key the primary one (the old one stays accepted)\n' +
  '  retire <key>   stops accepting a key; never the last one\n' +
  '  <key>          the key, its fingerprint (sha256:…) or its name (primary, secondary)\n' +
  TARGET_USAGE.split('\n').filter((line) => !/--local|--port/.test(line)).join('\n');

/** How many keys may be accepted at once: the one in use and its successor. */
export const MAX_ACCEPTED_KEYS = 2;
/** The names the stack and this command give the keys, in order: the one in use, its successor. */
const KEY_NAMES = ['primary', 'secondary'] as const;
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_LENGTH = 40;

/** One accepted key: its name in the secret and the key. */
export interface ApiKeyEntry {
  name: string;
  key: string;
}

/** The secret's content: the accepted keys in order (primary first) and any other value it holds, kept as it is. */
export interface ApiKeySet {
  keys: ApiKeyEntry[];
  others: Record<string, unknown>;
}

/** What identifies a key in the output: `sha256:` and the first 12 hex digits of its SHA-256. */
export function fingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)}`;
}

/** A new key: 40 letters and digits from the operating system's random source, without modulo bias. */
export function generateKey(random: (size: number) => Buffer = randomBytes): string {
  let key = '';
  while (key.length < KEY_LENGTH) {
    for (const byte of random(KEY_LENGTH)) {
      // 248 = 4 × 62: bytes above it would favour the first letters.
      if (byte < 248 && key.length < KEY_LENGTH) key += KEY_ALPHABET[byte % KEY_ALPHABET.length];
    }
  }
  return key;
}

/** Reads the secret's JSON as the API does: every non-empty string is an accepted key, `primary` first. */
export function parseKeySet(secretString: string | undefined, secretId: string): ApiKeySet {
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    throw new CommandError(`Secret ${secretId} is not the JSON object of API keys the stack creates; fix it in the Secrets Manager console`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new CommandError(`Secret ${secretId} is not the JSON object of API keys the stack creates; fix it in the Secrets Manager console`);
  }
  const keys: ApiKeyEntry[] = [];
  const others: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(value as Record<string, unknown>)) {
    if (typeof key === 'string' && key.length > 0) keys.push({ name, key });
    else others[name] = key;
  }
  const rank = (name: string) => ((KEY_NAMES as readonly string[]).includes(name) ? KEY_NAMES.indexOf(name as (typeof KEY_NAMES)[number]) : KEY_NAMES.length);
  keys.sort((a, b) => rank(a.name) - rank(b.name));
  return { keys: named(keys), others };
}

/**
 * The keys under the names they go by in that order: the first `primary`, the second `secondary`; a further one (a
 * secret edited by hand) keeps its own name unless it is one of those.
 */
function named(keys: ApiKeyEntry[]): ApiKeyEntry[] {
  return keys.map((entry, index) => ({
    key: entry.key,
    name: KEY_NAMES[index] ?? ((KEY_NAMES as readonly string[]).includes(entry.name) ? `key${index + 1}` : entry.name),
  }));
}

/** The secret's JSON for `set`: its other values as they were, then the keys by name. */
export function serializeKeySet(set: ApiKeySet): string {
  return JSON.stringify({ ...set.others, ...Object.fromEntries(set.keys.map((entry) => [entry.name, entry.key])) });
}

/** The accepted key `ref` names: the key itself, its fingerprint (or a prefix of 8 hex digits or more), or its name. */
export function findKey(set: ApiKeySet, ref: string): ApiKeyEntry | undefined {
  const hex = /^(?:sha256:)?([0-9a-f]{8,64})$/i.exec(ref)?.[1]?.toLowerCase();
  const byValue = set.keys.find((entry) => entry.key === ref);
  if (byValue) return byValue;
  const byName = set.keys.find((entry) => entry.name === ref);
  if (byName) return byName;
  if (!hex) return undefined;
  const matches = set.keys.filter((entry) => createHash('sha256').update(entry.key, 'utf8').digest('hex').startsWith(hex));
  if (matches.length > 1) throw new CommandError(`${ref} matches ${matches.length} keys: give more of the fingerprint`);
  return matches[0];
}

const described = (entry: ApiKeyEntry) => `${entry.name} (${fingerprint(entry.key)})`;

/** `add`: the new key goes beside the primary one; refused while MAX_ACCEPTED_KEYS are accepted. */
export function addKey(set: ApiKeySet, key: string): ApiKeySet {
  if (set.keys.length >= MAX_ACCEPTED_KEYS) {
    throw new CommandError(
      `${set.keys.length} keys are accepted already (${set.keys.map(described).join(', ')}): retire the one the shop no longer ` +
        'uses first (npm run api-key -- retire <key>)',
    );
  }
  return { ...set, keys: named([...set.keys, { name: '', key }]) };
}

/** `promote`: an accepted key becomes the primary one, the others stay accepted behind it. */
export function promoteKey(set: ApiKeySet, ref: string): { set: ApiKeySet; promoted: ApiKeyEntry; changed: boolean } {
  const promoted = findKey(set, ref);
  if (!promoted) {
    throw new CommandError(
      `${ref} is not an accepted key (accepted: ${set.keys.map(described).join(', ') || 'none'}). Only a key the API already ` +
        'accepts can be promoted: add one with npm run api-key -- add, switch the shop to it, then promote it',
    );
  }
  if (set.keys[0] === promoted) return { set, promoted, changed: false };
  const keys = named([promoted, ...set.keys.filter((entry) => entry !== promoted)]);
  return { set: { ...set, keys }, promoted: keys[0]!, changed: true };
}

/** `retire`: an accepted key is no longer accepted; the last one never goes. */
export function retireKey(set: ApiKeySet, ref: string): { set: ApiKeySet; retired: ApiKeyEntry } {
  const retired = findKey(set, ref);
  if (!retired) throw new CommandError(`${ref} is not an accepted key (accepted: ${set.keys.map(described).join(', ') || 'none'}): nothing to retire`);
  if (set.keys.length === 1) {
    throw new CommandError(
      `${described(retired)} is the last accepted key: without it the API answers 401 to every call. Add its successor first ` +
        '(npm run api-key -- add), switch the shop to it, then retire this one',
    );
  }
  return { set: { ...set, keys: named(set.keys.filter((entry) => entry !== retired)) }, retired };
}

/** Where the command reads and writes the keys; tests pass a client of the Secrets Manager stand-in. */
export interface ApiKeyStore {
  read(): Promise<ApiKeySet>;
  write(set: ApiKeySet): Promise<void>;
  /** For messages: `secret <name> of stack <stack> in <region>`. */
  description: string;
  destroy(): void;
}

/** The deployed stack's API keys secret (its output ApiKeysSecretArn), read and written with your AWS credentials. */
export async function deployedKeyStore(stackName: string, region: string | undefined): Promise<ApiKeyStore> {
  const stack = await describeStack(stackName, region);
  const secretId = outputValue(stack, 'ApiKeysSecretArn');
  const secrets = new SecretsManagerClient({ region: stack.region });
  return {
    description: `the API keys of stack ${stack.stackName} in ${stack.region}`,
    read: async () => parseKeySet((await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString, secretId),
    write: async (set) => {
      await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: serializeKeySet(set), ClientRequestToken: randomUUID() }));
    },
    destroy: () => secrets.destroy(),
  };
}

const CACHE_MINUTES = Math.round(API_KEY_CACHE_SECONDS / 60);

export interface ApiKeyDeps {
  /** The store of the stack the arguments name (default: deployedKeyStore). */
  store?: (stackName: string, region: string | undefined) => Promise<ApiKeyStore>;
  /** The new key of `add` (default: generateKey). */
  newKey?: () => string;
  now?: () => Date;
}

/** The whole command; returns the exit code. */
export async function run(argv: string[], io: CommandIo, deps: ApiKeyDeps = {}): Promise<number> {
  let store: ApiKeyStore | undefined;
  try {
    const parsed = parseCommand(argv, USAGE, {}, true);
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    const [command, ref, ...extra] = parsed.positionals;
    const needsKey = command === 'promote' || command === 'retire';
    if (!command || !['list', 'add', 'promote', 'retire'].includes(command)) throw new CommandError(`Name a command: list, add, promote or retire.\n${USAGE}`);
    if (needsKey ? !ref || extra.length : ref !== undefined) throw new CommandError(`${command} ${needsKey ? 'takes one key' : 'takes no argument'}.\n${USAGE}`);
    if (parsed.values.local || parsed.values.port !== undefined) {
      throw new CommandError(`api-key works on a deployed stack only: the local stack's keys are local.apiKeys in its configuration file.\n${USAGE}`);
    }
    const target = targetArguments(parsed.values, USAGE);
    store = await (deps.store ?? deployedKeyStore)(target.stackName, target.region);
    const set = await store.read();
    const effective = () => new Date((deps.now?.() ?? new Date()).getTime() + API_KEY_CACHE_SECONDS * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

    if (command === 'list') {
      io.out(`${set.keys.length} accepted key${set.keys.length === 1 ? '' : 's'} in ${store.description}:`);
      for (const entry of set.keys) io.out(`  ${entry.name.padEnd(9)}  ${fingerprint(entry.key)}`);
      return 0;
    }
    if (command === 'add') {
      const key = (deps.newKey ?? generateKey)();
      const next = addKey(set, key);
      await store.write(next);
      const added = next.keys[next.keys.length - 1]!;
      io.out(`Added ${described(added)} to ${store.description}. The API accepts it within ${CACHE_MINUTES} minutes (by ${effective()}).`);
      io.out(`The new key, shown this once: ${key}`);
      io.out(
        `Next: switch the shop backend to it after ${effective()}, then npm run api-key -- promote ${fingerprint(key)}, ` +
          `and retire the old key with npm run api-key -- retire ${fingerprint(set.keys[0]?.key ?? key)}.`,
      );
      return 0;
    }
    if (command === 'promote') {
      const { set: next, promoted, changed } = promoteKey(set, ref!);
      if (!changed) {
        io.out(`${described(promoted)} is the primary key already: nothing changed.`);
        return 0;
      }
      await store.write(next);
      io.out(`${described(promoted)} is now the primary key of ${store.description}; ${next.keys.slice(1).map(described).join(', ')} stays accepted.`);
      return 0;
    }
    const { set: next, retired } = retireKey(set, ref!);
    await store.write(next);
    io.out(
      `Retired ${described(retired)} from ${store.description}: the API refuses it within ${CACHE_MINUTES} minutes (by ${effective()}). ` +
        `Accepted now: ${next.keys.map(described).join(', ')}.`,
    );
    return 0;
  } catch (error) {
    return commandFailure(error, io, store?.description ?? 'AWS');
  } finally {
    store?.destroy();
  }
}

if (require.main === module) runAsScript(run);
