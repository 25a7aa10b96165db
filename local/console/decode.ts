/**
 * What the console shows of a vendor call beyond its raw form: the encoded parts decoded with the adapters' own
 * decoders – Kelkoo's `productsInfos` as lines, Raptor's `ruid` as the user id, a JSON body parsed.
 */
import { decodeProductsInfos } from '../../lambdas/vendors/kelkoo/mapping';
import type { KelkooProductInfo } from '../../lambdas/vendors/kelkoo/types';
import { decodeRuid } from '../../lambdas/vendors/raptor/mapping';
import type { RecordedRequest } from '../sandbox';

export interface DecodedParts {
  /** Kelkoo: the lines `productsInfos` carries, or why they could not be read. */
  productsInfos?: { lines: KelkooProductInfo[] } | { error: string };
  /** Raptor: the user id `ruid` is the Base64 of, or why it is not. */
  ruid?: { userId: string } | { error: string };
  /** A JSON body (Klevu's events), parsed. */
  json?: unknown;
}

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Decodes what `vendorType` (the adapter id: kelkoo, raptor, klevu, …) encodes in a recorded call. */
export function decodeRequest(vendorType: string, request: Pick<RecordedRequest, 'query' | 'body' | 'json'>): DecodedParts {
  const decoded: DecodedParts = {};
  const productsInfos = first(request.query.productsInfos);
  if (vendorType === 'kelkoo' && productsInfos !== undefined) {
    try {
      const lines = decodeProductsInfos(productsInfos);
      decoded.productsInfos = Array.isArray(lines) ? { lines } : { error: 'productsInfos is not a JSON array' };
    } catch {
      decoded.productsInfos = { error: 'productsInfos is not Base64 of JSON' };
    }
  }
  const ruid = first(request.query.ruid);
  if (vendorType === 'raptor' && ruid !== undefined) {
    const userId = decodeRuid(ruid);
    decoded.ruid = userId === undefined ? { error: 'ruid is not standard Base64' } : { userId };
  }
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
