import { checkQuery, receivedQuery } from '../query';
import type { ReceivedRequest } from '../types';
import { NOCHECK_ON, QUALITYCLICK_FORBIDDEN, QUALITYCLICK_MANDATORY, QUALITYCLICK_QUERY_ORDER } from './types';

/** A decimal amount with a point: a German decimal comma ("95,50") would not be read as 95.50. */
const AMOUNT = /^\d+(\.\d+)?$/;

/** What the QUALITYCLICK document requires of a call to get_trans.cgi, checked on a request as received. */
export function inspectQualityclickRequest(request: ReceivedRequest): string[] {
  const violations = request.method === 'GET' ? [] : [`method must be GET, got ${request.method}`];
  violations.push(...checkQuery(request.url, { mandatory: QUALITYCLICK_MANDATORY, forbidden: QUALITYCLICK_FORBIDDEN }));
  const query = receivedQuery(request.url);
  // Which of two values the script would take is unknown; either way the call is ambiguous.
  for (const name of QUALITYCLICK_QUERY_ORDER) {
    if (query.getAll(name).length > 1) violations.push(`parameter ${name} is given more than once`);
  }
  const cpid = query.get('cpid');
  if (cpid && !/^\d+$/.test(cpid)) violations.push('cpid must be a program id (digits only)');
  const umsatz = query.get('umsatz');
  if (umsatz && !AMOUNT.test(umsatz)) violations.push('umsatz must be a non-negative decimal number with a point, e.g. 95.50');
  const nocheck = query.get('nocheck');
  if (nocheck !== null && nocheck !== NOCHECK_ON) violations.push('nocheck must be absent or 1');
  return violations;
}
