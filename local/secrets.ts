/**
 * The local stack's stand-in for Secrets Manager: a credential written as `{"secret": "<name>"}` in the configuration
 * takes its value from a JSON file of secret name → value, read once when `npm start` starts. The file is
 * `local.secretsFile` of the configuration (relative to the configuration file), else `.local-stack/secrets.json` at the
 * repository root, which git ignores. Each value is checked with the rules the file's own value would have been
 * checked with (resolveSecretFields), as the deployed sender checks what it reads from Secrets Manager.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { resolveSecretFields, secretNames } from '../lambdas/config/credentials';
import { REPO_ROOT } from '../lambdas/config/load';
import type { TrackingConfig } from '../lambdas/config/schema';
import { ConfigurationError } from '../lambdas/core/errors';

/** Where the local stack reads secrets from when the configuration does not say (`local.secretsFile`). */
export const DEFAULT_LOCAL_SECRETS_FILE = join(REPO_ROOT, '.local-stack', 'secrets.json');

/** The secrets file of a configuration read from `configPath`. */
export function localSecretsFile(config: Pick<TrackingConfig, 'local'>, configPath: string): string {
  const given = config.local?.secretsFile;
  if (given === undefined) return DEFAULT_LOCAL_SECRETS_FILE;
  return isAbsolute(given) ? given : resolve(dirname(configPath), given);
}

/**
 * The configuration with every `{"secret": …}` credential filled in from the local secrets file; the configuration
 * itself when it has none (the file is then never read). A missing file, a secret it does not hold, or a value that
 * breaks its field's rules is a ConfigurationError naming the file and the secret, never a value.
 */
export function withLocalSecrets(config: TrackingConfig, configPath: string): TrackingConfig {
  const names = secretNames(config);
  if (names.length === 0) return config;
  const file = localSecretsFile(config, configPath);
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigurationError(
      `The configuration reads ${names.join(', ')} from Secrets Manager; the local stack reads secrets from ${file} ` +
        `({"<secret name>": "<value>"}), which cannot be read: ${(error as Error).message}`,
    );
  }
  const missing = names.filter((name) => typeof values?.[name] !== 'string');
  if (missing.length) {
    throw new ConfigurationError(`The local secrets file ${file} has no text value for ${missing.join(', ')}`);
  }
  return resolveSecretFields(config, values as Record<string, string>);
}
