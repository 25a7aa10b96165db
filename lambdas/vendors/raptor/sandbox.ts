import { checkQuery, receivedQuery } from '../query';
import type { ReceivedRequest } from '../types';
import { decodeRuid } from './mapping';
import { PURCHASE_PARAM_NAME, RAPTOR_KNOWN_PARAMS, RAPTOR_MANDATORY } from './types';

/** The document asks for "a Guid (uuid v4)"; any GUID version is accepted, the shape is what is checked. */
const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** What the Raptor document requires of a server-side tracking call, checked on a request as received. */
export function inspectRaptorRequest(request: ReceivedRequest): string[] {
  const violations = request.method === 'GET' ? [] : [`method must be GET, got ${request.method}`];
  const path = request.url.split('?')[0] ?? '';
  // Only the last segment is checked: the sandbox may serve Raptor under a prefix of its own.
  if (!/\/[A-Za-z0-9_-]+\.rsa$/.test(path)) violations.push(`path must end in /{customerid}.rsa, got ${path}`);
  violations.push(...checkQuery(request.url, { mandatory: RAPTOR_MANDATORY }));

  const query = receivedQuery(request.url);
  const names = [...query.keys()];
  for (const name of new Set(names)) {
    if (names.filter((n) => n === name).length > 1) violations.push(`parameter ${name} is given more than once`);
    if (!PURCHASE_PARAM_NAME.test(name) && !RAPTOR_KNOWN_PARAMS.includes(name)) violations.push(`parameter ${name} is not in the document`);
  }

  // Not fatal for Raptor's server as far as the document says, but its personalisation and KPIs key on GUIDs.
  for (const name of ['coid', 'sid']) {
    const value = query.get(name);
    if (value && !GUID.test(value)) violations.push(`warning: ${name} should be a GUID (uuid v4), got ${value}`);
  }

  if (query.has('ruid')) {
    // Read decoded, so an unencoded `+` has turned into a space and fails here as well as in checkQuery.
    if (decodeRuid(query.get('ruid') ?? '') === undefined) violations.push('ruid must be the Base64 of the user id');
  }

  if (query.has('xuid') && (query.has('reaid') || query.has('ruid'))) {
    violations.push('xuid must not be sent together with reaid or ruid');
  }

  return violations;
}
