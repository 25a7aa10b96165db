import { checkQuery, receivedQuery } from '../query';
import type { ReceivedRequest } from '../types';
import { CLICKMETER_MANDATORY, CONVERSION_ID_PATTERN, DOCUMENT_PLACEHOLDERS } from './types';

/** A plain non-negative decimal, as the document's values are written ("Eg.: 20", `val=1`, `com=0.5`). */
const DECIMAL = /^\d+(?:\.\d+)?$/;

/** What the ClickMeter document requires of a postback to /s2s, checked on a request as received. */
export function inspectClickmeterRequest(request: ReceivedRequest): string[] {
  const violations = request.method === 'GET' ? [] : [`method must be GET, got ${request.method}`];
  violations.push(...checkQuery(request.url, { mandatory: CLICKMETER_MANDATORY }));
  const query = receivedQuery(request.url);

  for (const name of ['val', 'com', 'comperc'] as const) {
    const value = query.get(name);
    if (value !== null && !DECIMAL.test(value)) violations.push(`${name} must be a number, got "${value}"`);
  }
  const comperc = query.get('comperc');
  if (comperc !== null) {
    const com = query.get('com');
    if (com !== null && DECIMAL.test(com) && Number(com) !== 0) violations.push('comperc can be used only if com is set to 0');
  }

  const id = query.get('id');
  if (id && !CONVERSION_ID_PATTERN.test(id)) violations.push('id must be the conversion id ClickMeter generated, unmodified');
  for (const [name, value] of query) {
    if ((DOCUMENT_PLACEHOLDERS as readonly string[]).includes(value)) {
      violations.push(`${name} is the document's placeholder "${value}", not a value`);
    }
  }
  for (const name of CLICKMETER_MANDATORY) {
    if (query.getAll(name).length > 1) violations.push(`${name} is given more than once`);
  }
  return violations;
}
