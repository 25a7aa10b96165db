/**
 * Which configuration file drives a command, and reading it: the one loader of the CDK app (bin/), the local stack
 * and the scripts. Never bundled into a function: those read the runtime configuration the stack wrote
 * (lambdas/contract/runtime-config.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigurationError } from '../core/errors';
import { parseConfig, TrackingConfig } from './schema';

/** The repository root, where the operator's configuration and the shipped example live. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** The configuration file at the repo root that an operator writes; it is git-ignored. */
export const LOCAL_CONFIG_FILE = 'tracking.config.json';
/** The shipped example, whose endpoints point at the local vendor sandbox. */
export const EXAMPLE_CONFIG_FILE = 'tracking.config.example.json';

export const DEFAULT_CONFIG_PATH = join(REPO_ROOT, LOCAL_CONFIG_FILE);
export const EXAMPLE_CONFIG_PATH = join(REPO_ROOT, EXAMPLE_CONFIG_FILE);

/** The base URL the example's sandbox endpoints are written with: the local stack on its default port. */
export const EXAMPLE_BASE_URL = 'http://localhost:3000';

export interface ConfigChoice {
  /** Absolute path of the file to load. */
  path: string;
  /** Why this file: given explicitly (`-c config=`, an option), TRACKING_CONFIG, the repo's tracking.config.json, or the example. */
  source: 'option' | 'TRACKING_CONFIG' | 'tracking.config.json' | 'example';
  /** Whether it is the shipped example, whose sandbox URLs follow the port the local stack listens on. */
  isExample: boolean;
}

export interface ConfigChoiceInputs {
  /** A path given explicitly: `-c config=<path>` or a command's option. */
  explicit?: unknown;
  /** Default: process.env (for TRACKING_CONFIG). */
  env?: NodeJS.ProcessEnv;
  /** Default: REPO_ROOT. */
  root?: string;
  /** Directory relative paths are resolved against: where the command was run. Default: process.cwd(). */
  cwd?: string;
}

/** The explicit path, else TRACKING_CONFIG, else tracking.config.json at the repository root when present, else the example. */
export function chooseConfig(inputs: ConfigChoiceInputs = {}): ConfigChoice {
  const root = inputs.root ?? REPO_ROOT;
  const env = inputs.env ?? process.env;
  const example = join(root, EXAMPLE_CONFIG_FILE);
  const pick = (path: string, source: ConfigChoice['source']): ConfigChoice => {
    const absolute = isAbsolute(path) ? path : resolve(inputs.cwd ?? process.cwd(), path);
    return { path: absolute, source, isExample: absolute === example };
  };
  if (typeof inputs.explicit === 'string' && inputs.explicit !== '') return pick(inputs.explicit, 'option');
  if (env.TRACKING_CONFIG) return pick(env.TRACKING_CONFIG, 'TRACKING_CONFIG');
  const local = join(root, LOCAL_CONFIG_FILE);
  if (existsSync(local)) return pick(local, 'tracking.config.json');
  return pick(example, 'example');
}

/** Every string in `value` that starts with `from`, re-based onto `to`. */
function rebase(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.startsWith(from) ? to + value.slice(from.length) : value;
  if (Array.isArray(value)) return value.map((v) => rebase(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebase(v, from, to)]));
  }
  return value;
}

export interface LoadOptions {
  /**
   * For the shipped example only: `http://localhost:3000` is replaced by this base URL, so that its vendor calls
   * reach a local stack's sandbox on whatever port it listens on. A merchant's own file is used exactly as written.
   */
  baseUrl?: string;
}

/** Reads and validates the chosen file; throws a ConfigurationError naming the file, and each bad field. */
export function loadConfig(choice: Pick<ConfigChoice, 'path' | 'isExample'>, options: LoadOptions = {}): TrackingConfig {
  let text: string;
  try {
    text = readFileSync(choice.path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(`Cannot read configuration file ${choice.path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`Configuration file ${choice.path} is not valid JSON: ${(error as Error).message}`);
  }
  if (choice.isExample && options.baseUrl && options.baseUrl !== EXAMPLE_BASE_URL) raw = rebase(raw, EXAMPLE_BASE_URL, options.baseUrl);
  try {
    return parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError && error.details.length) {
      throw new ConfigurationError(`Invalid configuration in ${choice.path}`, error.details);
    }
    throw error;
  }
}
