import { checkQuery } from '../query';
import type { ReceivedRequest } from '../types';

/**
 * A generic postback has no vendor document to check against; the sandbox checks what every postback must be:
 * no macro left unfilled, every query value percent-encoded, no empty value where a click id belongs.
 */
export function inspectPostbackRequest(request: ReceivedRequest): string[] {
  const violations = checkQuery(request.url, { mandatory: [] });
  if (/[{}]|%7B[^%]*%7D/i.test(request.url)) violations.push('a macro was left unfilled in the URL');
  if (request.method === 'POST' && request.body === '') violations.push('POST without a body');
  return violations;
}
