/**
 * What the console shows of a vendor call beyond its raw form: what the adapter encodes in the query, decoded with
 * its own decoder (its `decodeQuery` capability: Kelkoo's `productsInfos` as lines, Raptor's `ruid` as the user id),
 * and a JSON body parsed.
 */
import type { VendorAdapter } from '../../lambdas/vendors/types';
import type { RecordedRequest } from '../sandbox';

/** The decoded parts by name (`productsInfos`, `ruid`, …, each a value or `{error}`), and `json` for a JSON body. */
export type DecodedParts = Record<string, unknown> & { json?: unknown };

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Decodes what `adapter` encodes in a recorded call. */
export function decodeRequest(adapter: Pick<VendorAdapter<any, any>, 'capabilities'>, request: Pick<RecordedRequest, 'query' | 'body' | 'json'>): DecodedParts {
  const decoded: DecodedParts = { ...adapter.capabilities?.decodeQuery?.((name) => first(request.query[name])) };
  if (request.json !== undefined) decoded.json = request.json;
  else if (request.body) {
    try {
      decoded.json = JSON.parse(request.body) as unknown;
    } catch {
      // Not JSON: the raw body is shown as it is.
    }
  }
  return decoded;
}
