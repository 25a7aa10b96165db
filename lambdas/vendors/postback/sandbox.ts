import { checkQuery } from '../query';
import { templateMacros } from '../template';
import type { ReceivedRequest } from '../types';

/**
 * A generic postback has no vendor document to check against; the sandbox checks what every postback must be:
 * no macro left unfilled, every query value percent-encoded, no POST without its body.
 *
 * An unfilled macro is found as the template writes it: a `{order.orderId}` or `{clickId}` standing literally in
 * the URL (or in a form body). The service fills every macro with its value percent-encoded, so a literal macro can
 * only be template text left unfilled – while a value that merely holds braces arrives encoded (`ref=ORD-%7B2026%7D-7`)
 * and is the shop's own text, never read as a macro. A JSON body's values are JSON-escaped, braces included as they
 * are, so a JSON body is not searched.
 */
export function inspectPostbackRequest(request: ReceivedRequest): string[] {
  const violations = checkQuery(request.url, { mandatory: [] });
  const unfilled = templateMacros(request.url);
  if (unfilled.length) violations.unshift(`a macro was left unfilled in the URL: ${unfilled.map((m) => `{${m}}`).join(', ')}`);
  const contentType = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (/x-www-form-urlencoded/i.test(contentType)) {
    const inBody = templateMacros(request.body);
    if (inBody.length) violations.push(`a macro was left unfilled in the body: ${inBody.map((m) => `{${m}}`).join(', ')}`);
  }
  if (request.method === 'POST' && request.body === '') violations.push('POST without a body');
  return violations;
}
