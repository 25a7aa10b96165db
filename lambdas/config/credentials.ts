/**
 * Vendor credentials: the fields of the configuration that authenticate the service to a vendor – the Klevu `apiKey`,
 * a postback's `url` and `cancel.url` (networks put tokens in them) and its `headers` – where each may come from, and
 * which destination's sender uses it.
 *
 * A credential is written in the file as it is, or as `{"secret": "<Secrets Manager name or ARN>"}`. The file is
 * parsed into a configuration holding a placeholder at such a field (SECRET_PLACEHOLDER, SECRET_URL_PLACEHOLDER: the
 * vendor schemas still validate the rest of the entry) and a `secrets` list of where each secret goes. Only the sender
 * that uses a credential receives it: inline in its bundled configuration, or as a `secrets` entry it reads at run time
 * (lambdas/runtime/secrets.ts) with the same rules the file's value would have been checked with
 * (`resolveSecretFields`). Every other function gets the field redacted (`redactCredentials`).
 */
import * as z from 'zod/mini';
import { ConfigurationError, FieldIssue } from '../core/errors';
import { lazy } from '../core/lazy';
import { REDACTED } from '../core/redact';
import { postbackConfigSchema } from '../vendors/postback/config';
import { vendorAdapters, VendorId } from '../vendors/registry';
import type { VendorAdapter } from '../vendors/types';
import { cancelDestinationId } from './cancellation';

/**
 * A Secrets Manager secret by name (`shop/klevu-api-key`) or by its full ARN; its value (SecretString) is the field's
 * value, as the file would have held it.
 */
export const SECRET_ID = /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}|[A-Za-z0-9/_+=.@-]{1,512})$/;

/** Where one credential of the configuration is read from at run time. */
export interface SecretField {
  /** The field, from the configuration's root: `['vendors', 'klevu', 'apiKey']`, `['postbacks', 'awin', 'headers', 'X-Token']`. */
  path: string[];
  /** The Secrets Manager secret (name or ARN) whose value the field takes. */
  secret: string;
}

export const secretFieldsSchema = /* @__PURE__ */ lazy(() => z.array(z.strictObject({ path: z.array(z.string()).check(z.minLength(1)), secret: z.string().check(z.regex(SECRET_ID)) })));

/** What a text credential read from Secrets Manager holds until its sender reads the secret. */
export const SECRET_PLACEHOLDER = REDACTED;
/** What a URL credential read from Secrets Manager holds until its sender reads the secret. */
export const SECRET_URL_PLACEHOLDER = 'https://secret.invalid/';

/** Which of a postback's calls use a field: its sale call (`<name>`), its cancellation call (`<name>-cancel`). */
type Call = 'sale' | 'cancel';

interface CredentialField {
  /** From the destination's entry: `['apiKey']`, `['cancel', 'url']`, `['headers', 'X-Token']`. */
  field: string[];
  kind: 'text' | 'url';
  usedBy: readonly Call[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The credential fields of a vendor's entry, by vendor; a vendor absent here has none. */
const VENDOR_CREDENTIALS: Partial<Record<VendorId, readonly CredentialField[]>> = {
  klevu: [{ field: ['apiKey'], kind: 'text', usedBy: ['sale'] }],
};

/** The credential fields of a postback's entry (raw or parsed): its URLs and each of its headers. */
function postbackCredentials(entry: Record<string, unknown>): CredentialField[] {
  const headers = isObject(entry.headers) ? Object.keys(entry.headers) : [];
  return [
    { field: ['url'], kind: 'url', usedBy: ['sale'] },
    ...(isObject(entry.cancel) ? [{ field: ['cancel', 'url'], kind: 'url' as const, usedBy: ['cancel'] as const }] : []),
    // The cancellation call is made with the sale call's headers.
    ...headers.map((name) => ({ field: ['headers', name], kind: 'text' as const, usedBy: ['sale', 'cancel'] as const })),
  ];
}

/** A credential field of a configuration: where it is, what it holds, and the destinations whose senders use it. */
export interface CredentialLocation {
  path: string[];
  kind: 'text' | 'url';
  /** Queued destination ids (`klevu`, `awin`, `awin-cancel`) whose calls carry it. */
  destinations: string[];
}

/** Every credential field present in a configuration – raw (as read from the file) or parsed. */
export function credentialLocations(config: { vendors?: unknown; postbacks?: unknown }): CredentialLocation[] {
  const locations: CredentialLocation[] = [];
  const add = (root: 'vendors' | 'postbacks', id: string, entry: Record<string, unknown>, fields: readonly CredentialField[]) => {
    for (const { field, kind, usedBy } of fields) {
      if (valueAt(entry, field) === undefined) continue;
      const destinations = usedBy.map((call) => (call === 'sale' ? id : cancelDestinationId(id)));
      locations.push({ path: [root, id, ...field], kind, destinations });
    }
  };
  if (isObject(config.vendors)) {
    for (const [id, entry] of Object.entries(config.vendors)) {
      const fields = VENDOR_CREDENTIALS[id as VendorId];
      if (fields && isObject(entry)) add('vendors', id, entry, fields);
    }
  }
  if (isObject(config.postbacks)) {
    for (const [id, entry] of Object.entries(config.postbacks)) if (isObject(entry)) add('postbacks', id, entry, postbackCredentials(entry));
  }
  return locations;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** A copy of `root` with `value` at `path` (every object on the way copied; the path must exist). */
function withValueAt<T>(root: T, path: readonly string[], value: unknown): T {
  if (path.length === 0) return value as T;
  const [key, ...rest] = path as [string, ...string[]];
  const object = root as Record<string, unknown>;
  return { ...object, [key]: withValueAt(object[key], rest, value) } as T;
}

const isSecretReference = (value: unknown): value is { secret: unknown } => isObject(value) && Object.hasOwn(value, 'secret');

/** `{"secret": …}` objects anywhere under `value`, by path, for refusing them where no credential is. */
function secretReferencesUnder(value: unknown, path: string[]): string[][] {
  if (isSecretReference(value)) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretReferencesUnder(v, [...path, String(i)]));
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => secretReferencesUnder(v, [...path, k]));
  return [];
}

/**
 * The configuration file's content with each `{"secret": …}` credential replaced by its placeholder and listed under
 * `secrets`, for the schema to validate (a zod preprocess step of configSchema): the issues name a reference that is
 * malformed, one where no credential is, and a `secrets` key written in the file.
 */
export function extractSecretReferences(raw: unknown): { input: unknown; issues: Array<{ path: string[]; message: string }> } {
  if (!isObject(raw)) return { input: raw, issues: [] };
  const issues: Array<{ path: string[]; message: string }> = [];
  let input: Record<string, unknown> = { ...raw };
  const credentialPaths = new Set(credentialLocations(raw).map(({ path }) => JSON.stringify(path)));
  // A configuration parsed before (tests, tools) carries its `secrets` already: kept where they name a credential.
  const secrets: SecretField[] = [];
  if (Object.hasOwn(raw, 'secrets')) {
    const given = secretFieldsSchema().safeParse(raw.secrets);
    const misplaced = given.success ? given.data.filter((s) => !credentialPaths.has(JSON.stringify(s.path))) : [];
    if (!given.success || misplaced.length) {
      issues.push({ path: ['secrets'], message: 'is not for writing: put {"secret": "<name>"} in place of the credential instead' });
    } else {
      secrets.push(...given.data);
    }
  }
  for (const { path, kind } of credentialLocations(raw)) {
    const value = valueAt(raw, path);
    if (!isSecretReference(value)) continue;
    const secret = value.secret;
    if (Object.keys(value).length !== 1 || typeof secret !== 'string' || !SECRET_ID.test(secret)) {
      issues.push({ path, message: 'must be {"secret": "<Secrets Manager secret name or ARN>"} with nothing else, or the value itself' });
      continue;
    }
    secrets.splice(0, secrets.length, ...secrets.filter((s) => JSON.stringify(s.path) !== JSON.stringify(path)), { path, secret });
    input = withValueAt(input, path, kind === 'url' ? SECRET_URL_PLACEHOLDER : SECRET_PLACEHOLDER);
  }
  for (const root of ['vendors', 'postbacks'] as const) {
    for (const path of secretReferencesUnder(raw[root], [root])) {
      if (credentialPaths.has(JSON.stringify(path))) continue;
      issues.push({
        path,
        message:
          'only a credential may be read from Secrets Manager: vendors.klevu.apiKey, and a postback\'s url, cancel.url and headers',
      });
    }
  }
  return { input: { ...input, secrets }, issues };
}

/** How every function but a credential's own sender sees it: a URL keeps its origin and its length, nothing else. */
export function redactCredential(value: string, kind: 'text' | 'url'): string {
  if (kind === 'text' || value === SECRET_URL_PLACEHOLDER) return kind === 'text' ? REDACTED : value;
  return redactUrlTemplate(value);
}

/**
 * A URL template without its literal path, query and fragment: the origin (scheme, host, port), the separators and
 * the macros stay, every other character becomes `*` (one per byte), so that the conversion function still judges a
 * call's URL length exactly (MAX_URL_BYTES) and a dry run still shows where the call goes. A token may be anywhere in
 * the path or query; a user name and password before the host are dropped as well.
 */
export function redactUrlTemplate(template: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)(?:[^/?#@]*@)?([^/?#]*)(.*)$/s.exec(template);
  if (!match) return REDACTED;
  const [, scheme, host, rest] = match as unknown as [string, string, string, string];
  const masked = rest
    .split(/(\{[A-Za-z]+(?:\.[A-Za-z]+)?\})/)
    .map((part, i) => (i % 2 === 1 ? part : [...part].map((c) => ('/?&=#'.includes(c) ? c : '*'.repeat(Buffer.byteLength(c, 'utf8')))).join('')))
    .join('');
  return `${scheme}${host}${masked}`;
}

interface WithDestinations {
  vendors: Record<string, unknown>;
  postbacks: Record<string, unknown>;
  secrets?: SecretField[];
}

/** The configuration with every credential redacted and no `secrets`: what the API functions run with. */
export function redactCredentials<C extends WithDestinations>(config: C): C {
  let redacted = config;
  for (const { path, kind } of credentialLocations(config)) {
    const value = valueAt(config, path);
    if (typeof value === 'string') redacted = withValueAt(redacted, path, redactCredential(value, kind));
  }
  const { secrets: _dropped, ...rest } = redacted;
  return rest as C;
}

/**
 * The configuration of one queued destination's sender: its own vendor's or postback's entry alone, the credentials
 * of its own calls as they are (and the `secrets` entries of those read at run time), any other credential of the
 * entry redacted – a postback's sale sender never holds its cancellation URL, nor its cancellation sender the sale URL.
 */
export function configForDestination<C extends WithDestinations>(config: C, destinationId: string): C {
  const own = (root: 'vendors' | 'postbacks', id: string) => Object.hasOwn(config[root], id);
  const entryId = own('vendors', destinationId) || own('postbacks', destinationId) ? destinationId : saleIdOf(destinationId);
  if (entryId === undefined || !(own('vendors', entryId) || own('postbacks', entryId))) {
    throw new Error(`${destinationId} is not a destination of this configuration`);
  }
  const pick = (root: 'vendors' | 'postbacks') => (own(root, entryId) ? { [entryId]: config[root][entryId] } : {});
  let narrowed: C = { ...config, vendors: pick('vendors'), postbacks: pick('postbacks') };
  const used = new Set<string>();
  for (const { path, kind, destinations } of credentialLocations(narrowed)) {
    if (destinations.includes(destinationId)) {
      used.add(JSON.stringify(path));
      continue;
    }
    const value = valueAt(narrowed, path);
    if (typeof value === 'string') narrowed = withValueAt(narrowed, path, redactCredential(value, kind));
  }
  const secrets = (config.secrets ?? []).filter((s) => used.has(JSON.stringify(s.path)));
  return { ...narrowed, secrets };
}

/** `awin-cancel` → `awin`. */
function saleIdOf(destinationId: string): string | undefined {
  const suffix = cancelDestinationId('');
  return destinationId.endsWith(suffix) ? destinationId.slice(0, -suffix.length) : undefined;
}

/** The secret names a configuration reads at run time, each once. */
export function secretNames(config: { secrets?: SecretField[] }): string[] {
  return [...new Set((config.secrets ?? []).map((s) => s.secret))];
}

/**
 * The configuration with each `secrets` field set to its secret's value, checked as the file's value would have been
 * (the vendor's or postback's schema, on the whole entry): a secret holding a URL without a scheme, or with a macro
 * the template does not know, fails here, naming the field and the secret – never the value. Values not found in
 * `values` fail too. The result has no `secrets` left.
 */
export function resolveSecretFields<C extends WithDestinations>(config: C, values: Readonly<Record<string, string>>): C {
  const fields = config.secrets ?? [];
  const issues: FieldIssue[] = [];
  let resolved = config;
  for (const { path, secret } of fields) {
    const value = values[secret];
    if (typeof value !== 'string') {
      issues.push({ field: path.join('.'), message: `secret ${secret} has no value` });
      continue;
    }
    resolved = withValueAt(resolved, path, value);
  }
  const touched = new Set(fields.map((f) => JSON.stringify(f.path.slice(0, 2))));
  for (const key of touched) {
    const [root, id] = JSON.parse(key) as ['vendors' | 'postbacks', string];
    const schema = root === 'postbacks' ? postbackConfigSchema() : (vendorAdapters[id as VendorId] as VendorAdapter<any, any> | undefined)?.configSchema();
    if (!schema) continue;
    const entry = resolved[root][id] as Record<string, unknown>;
    let result = schema.safeParse(entry);
    // Keys the vendor's own schema does not know (`paused`) were judged with the whole configuration at synthesis.
    const foreign = result.success ? [] : result.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : []));
    if (foreign.length) result = schema.safeParse(Object.fromEntries(Object.entries(entry).filter(([key]) => !foreign.includes(key))));
    if (result.success) {
      const kept = Object.fromEntries(Object.entries(entry).filter(([key]) => foreign.includes(key)));
      resolved = withValueAt(resolved, [root, id], { ...(result.data as Record<string, unknown>), ...kept });
      continue;
    }
    for (const issue of result.error.issues) {
      const path = [root, id, ...issue.path.map(String)];
      const from = fields.find((f) => path.join('.').startsWith(f.path.join('.')));
      issues.push({ field: path.join('.'), message: from ? `${issue.message} (from secret ${from.secret})` : issue.message });
    }
  }
  if (issues.length) throw new ConfigurationError('Invalid credentials read from Secrets Manager', issues);
  return { ...resolved, secrets: [] };
}
