import { createHash, timingSafeEqual } from 'node:crypto';
import { getSecret, SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/** Where the active API keys come from. Two may be active at once, for rotation without downtime. */
export interface ApiKeySource {
  activeKeys(): Promise<readonly string[]>;
}

/** Keys held in memory: the local stack (from `local.apiKeys`) and tests. */
export class StaticApiKeys implements ApiKeySource {
  constructor(private readonly keys: readonly string[]) {}
  async activeKeys(): Promise<readonly string[]> {
    return this.keys;
  }
}

/** How long a fetched secret is trusted before it is fetched again: a revoked key stops working within this. */
export const API_KEY_CACHE_SECONDS = 300;

/**
 * Keys in a Secrets Manager secret holding a JSON object whose string values are the active keys
 * (`{"primary": "…", "secondary": "…"}`). Cached in memory for API_KEY_CACHE_SECONDS, so a warm function
 * does not call Secrets Manager per request.
 */
export class SecretsManagerApiKeys implements ApiKeySource {
  /** `provider`: the Secrets Manager client's settings (timeouts); default Powertools' own. */
  constructor(
    private readonly secretId: string,
    private readonly provider?: Pick<SecretsProvider, 'get'>,
  ) {}
  async activeKeys(): Promise<readonly string[]> {
    const options = { transform: 'json', maxAge: API_KEY_CACHE_SECONDS } as const;
    const secret = (await (this.provider ? this.provider.get(this.secretId, options) : getSecret(this.secretId, options))) as Record<string, unknown> | undefined;
    return Object.values(secret ?? {}).filter((v): v is string => typeof v === 'string' && v.length > 0);
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * The digests of the active keys, kept between requests: the keys change only at a rotation, so a request hashes
 * only the key it presents. Bounded, so that no sequence of rotations makes it grow without end.
 */
const activeDigests = new Map<string, Buffer>();
const MAX_KEPT_DIGESTS = 8;

function activeDigest(key: string): Buffer {
  let kept = activeDigests.get(key);
  if (kept === undefined) {
    if (activeDigests.size >= MAX_KEPT_DIGESTS) activeDigests.clear();
    kept = digest(key);
    activeDigests.set(key, kept);
  }
  return kept;
}

/**
 * Whether `presented` equals one of `keys`, in time independent of where they differ: both sides are hashed to
 * equal length and every key is compared, match or not.
 */
export function matchesAnyKey(presented: string, keys: readonly string[]): boolean {
  const candidate = digest(presented);
  let match = false;
  for (const key of keys) match = timingSafeEqual(candidate, activeDigest(key)) || match;
  return match;
}
