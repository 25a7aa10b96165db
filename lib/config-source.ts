import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** The configuration file at the repo root that an operator writes; it is git-ignored. */
export const LOCAL_CONFIG_FILE = 'tracking.config.json';
/** The shipped example, whose endpoints point at the local vendor sandbox. */
export const EXAMPLE_CONFIG_FILE = 'tracking.config.example.json';

export interface ConfigSource {
  /** Absolute path of the file to load. */
  path: string;
  /** Where the path came from, for the message printed at synth. */
  origin: 'context' | 'environment' | 'repository' | 'example';
}

export interface ConfigSourceInputs {
  /** Value of the CDK context key `config` (`-c config=<path>`). */
  context?: unknown;
  /** Value of the `TRACKING_CONFIG` environment variable. */
  environment?: string;
  /** Repository root, where `tracking.config.json` and the example live. */
  root: string;
  /** Directory relative paths are resolved against: where the command was run. */
  cwd: string;
}

/**
 * Which configuration file drives the stack: `-c config=<path>`, else `TRACKING_CONFIG`, else `tracking.config.json`
 * at the repository root when present, else the shipped example – the same order as the local stack.
 */
export function resolveConfigSource(inputs: ConfigSourceInputs): ConfigSource {
  const fromCwd = (path: string) => (isAbsolute(path) ? path : resolve(inputs.cwd, path));
  if (typeof inputs.context === 'string' && inputs.context !== '') return { path: fromCwd(inputs.context), origin: 'context' };
  if (inputs.environment) return { path: fromCwd(inputs.environment), origin: 'environment' };
  const local = join(inputs.root, LOCAL_CONFIG_FILE);
  if (existsSync(local)) return { path: local, origin: 'repository' };
  return { path: join(inputs.root, EXAMPLE_CONFIG_FILE), origin: 'example' };
}
