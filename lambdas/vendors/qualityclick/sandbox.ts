import { checkQuery, receivedQuery } from '../query';
import type { ReceivedRequest } from '../types';
import { NOCHECK_ON, QUALITYCLICK_FORBIDDEN, QUALITYCLICK_QUERY_ORDER } from './types';

/** A decimal amount with a point: a German decimal comma ("95,50") would not be read as 95.50. */
const AMOUNT = /^\d+(\.\d+)?$/;

/**
 * In every call the document shows, "Pixel with nocheck" included: the program, the transaction (QUALITYCLICK's
 * de-duplication key) and the ClickID it "resolves all information from".
 */
const REQUIRED = ['cpid', 'tid', 'clickid'] as const;

/**
 * What the QUALITYCLICK document requires of a call to get_trans.cgi, checked on a request as received. `produkt` is
 * needed unless `nocheck=1` skips the check of the partner's commission product (the document's "Pixel with nocheck"
 * sends neither `produkt` nor `umsatz`); a missing `umsatz` and a `pid`, `subid` or `wmid` that overrides the ClickID
 * are allowed by the document and only noted as `warning:`.
 */
export function inspectQualityclickRequest(request: ReceivedRequest): string[] {
  const violations = request.method === 'GET' ? [] : [`method must be GET, got ${request.method}`];
  violations.push(...checkQuery(request.url, { mandatory: REQUIRED }));
  const query = receivedQuery(request.url);
  const nocheck = query.get('nocheck');
  if (!query.get('produkt') && nocheck !== NOCHECK_ON) violations.push('missing mandatory parameter produkt (only nocheck=1 skips the check of the commission product)');
  // Which of two values the script would take is unknown; either way the call is ambiguous.
  for (const name of QUALITYCLICK_QUERY_ORDER) {
    if (query.getAll(name).length > 1) violations.push(`parameter ${name} is given more than once`);
  }
  const cpid = query.get('cpid');
  if (cpid && !/^\d+$/.test(cpid)) violations.push('cpid must be a program id (digits only)');
  const umsatz = query.get('umsatz');
  if (umsatz && !AMOUNT.test(umsatz)) violations.push('umsatz must be a non-negative decimal number with a point, e.g. 95.50');
  if (nocheck !== null && nocheck !== NOCHECK_ON) violations.push('nocheck must be absent or 1');
  // "If you additionally pass the parameters pid, subid or wmid …, they override the values from the ClickID. Only pass
  // parameters you can actually populate with values."
  for (const name of QUALITYCLICK_FORBIDDEN) {
    const value = query.get(name);
    if (value === '') violations.push(`${name} is empty: it would override the value from the ClickID with nothing ("only pass parameters you can actually populate")`);
    else if (value !== null) violations.push(`warning: ${name}=${value} overrides the ${name} QUALITYCLICK resolves from the ClickID`);
  }
  if (!umsatz) violations.push('warning: no umsatz: the transaction is created without the net revenue a commission is computed on');
  return violations;
}
