/**
 * Which configuration file the local stack runs with, and the one adjustment made to the shipped example.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig, TrackingConfig } from '../lambdas/core/config';
import { ConfigurationError } from '../lambdas/core/errors';

const REPO_ROOT = resolve(__dirname, '..');

/** The merchant's own configuration, used by default when present (it is git-ignored). */
export const DEFAULT_CONFIG_PATH = join(REPO_ROOT, 'tracking.config.json');

/** Shipped with the project: every vendor enabled, every endpoint pointing at the local vendor sandbox. */
export const EXAMPLE_CONFIG_PATH = join(REPO_ROOT, 'tracking.config.example.json');

/** The base URL the example's sandbox endpoints are written with: the local stack on its default port. */
/** While `npm start` runs: where its endpoints, table and queues are, for other local tools (`npm run redrive`). */
export const LOCAL_STATE_FILE = join(REPO_ROOT, '.local-stack', 'stack.json');

export const EXAMPLE_BASE_URL = 'http://localhost:3000';

export interface ConfigChoice {
  path: string;
  /** Why this file: an explicit option, TRACKING_CONFIG, the repo's tracking.config.json, or the shipped example. */
  source: 'option' | 'TRACKING_CONFIG' | 'tracking.config.json' | 'example';
  /** Whether it is the shipped example, whose sandbox URLs follow the port the stack listens on. */
  isExample: boolean;
}

/** options.configPath ?? TRACKING_CONFIG ?? tracking.config.json at the repo root if present ?? the shipped example. */
export function chooseConfig(configPath?: string, env: NodeJS.ProcessEnv = process.env): ConfigChoice {
  const pick = (path: string, source: ConfigChoice['source']): ConfigChoice => {
    const absolute = resolve(path);
    return { path: absolute, source, isExample: absolute === EXAMPLE_CONFIG_PATH };
  };
  if (configPath) return pick(configPath, 'option');
  if (env.TRACKING_CONFIG) return pick(env.TRACKING_CONFIG, 'TRACKING_CONFIG');
  if (existsSync(DEFAULT_CONFIG_PATH)) return pick(DEFAULT_CONFIG_PATH, 'tracking.config.json');
  return pick(EXAMPLE_CONFIG_PATH, 'example');
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

/**
 * Reads and validates the chosen file; throws a ConfigurationError naming the bad field. For the shipped example
 * only, `http://localhost:3000` is replaced by `baseUrl` so that its vendor calls reach this stack's sandbox on
 * whatever port it listens on. A merchant's own file is used exactly as written.
 */
export function loadLocalConfig(choice: ConfigChoice, baseUrl?: string): TrackingConfig {
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
  if (choice.isExample && baseUrl && baseUrl !== EXAMPLE_BASE_URL) raw = rebase(raw, EXAMPLE_BASE_URL, baseUrl);
  try {
    return parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError && error.details.length) {
      throw new ConfigurationError(`Invalid configuration in ${choice.path}`, error.details);
    }
    throw error;
  }
}
