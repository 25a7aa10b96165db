/**
 * A sender's credentials kept in Secrets Manager (`{"secret": "<name>"}` in the configuration): read when the sender
 * handles a batch, through Powertools' parameters cache as the API keys are (lambdas/api/api-keys.ts), so a warm sender
 * asks Secrets Manager at most once per VENDOR_SECRET_CACHE_SECONDS, and a rotated value is used within that time.
 * Only the sender of the destination whose calls carry a credential holds its `secrets` entry and may read the secret
 * (TrackingFunction.bindVendorSecrets).
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { resolveSecretFields, secretNames } from '../config/credentials';
import type { RuntimeConfig } from '../contract/runtime-config';
// zod's English messages for the credentials checked against their vendor's schema (resolveSecretFields).
import '../core/zod-en';

/** How long a vendor credential read from Secrets Manager is used before it is read again. */
export const VENDOR_SECRET_CACHE_SECONDS = 300;

/** Reads one secret's value (its SecretString). */
export type SecretReader = (name: string) => Promise<string>;

/** A secret's SecretString through the parameters cache; a binary or missing value is an error naming the secret. */
export const secretsManagerReader: SecretReader = async (name) => {
  const value = await getSecret(name, { maxAge: VENDOR_SECRET_CACHE_SECONDS });
  if (typeof value !== 'string') throw new Error(`Secret ${name} holds no text (SecretString)`);
  return value;
};

type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The sender built by `create` from the configuration with its secrets filled in. Without secrets that is the
 * sender itself; with some, each batch first reads them (cached), and the sender is built again only when a value
 * changed. A secret that cannot be read or whose value breaks the field's rules fails the invocation, naming the
 * secret and the field and never the value: the batch returns to the queue, is retried and, once its attempts are
 * spent, dead-lettered – the sender-errors alarm fires meanwhile.
 */
export function withVendorSecrets(config: RuntimeConfig, create: (config: RuntimeConfig) => BatchHandler, read: SecretReader = secretsManagerReader): BatchHandler {
  const names = secretNames(config);
  if (names.length === 0) return create(config);
  let current: { values: string[]; handler: BatchHandler } | undefined;
  return async (event, context) => {
    const values = await Promise.all(names.map((name) => read(name)));
    if (!current || current.values.some((value, i) => value !== values[i])) {
      const resolved = resolveSecretFields(config, Object.fromEntries(names.map((name, i) => [name, values[i]!])));
      current = { values, handler: create(resolved) };
    }
    return current.handler(event, context);
  };
}
