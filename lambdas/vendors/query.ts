/** Helpers for the local sandbox's request checks, shared by every vendor folder. */

/** Query parameters of a received URL, decoded; a name given twice keeps every value. */
export function receivedQuery(url: string): URLSearchParams {
  const at = url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
}

/** The raw (undecoded) value of each query parameter, to check percent-encoding itself. */
export function rawQueryValues(url: string): Map<string, string> {
  const at = url.indexOf('?');
  const raw = new Map<string, string>();
  if (at < 0) return raw;
  for (const pair of url.slice(at + 1).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    raw.set(eq < 0 ? pair : pair.slice(0, eq), eq < 0 ? '' : pair.slice(eq + 1));
  }
  return raw;
}

/** Characters that must never appear unencoded inside a query value: they would split or reinterpret it. */
const UNSAFE_IN_VALUE = /[^A-Za-z0-9\-._~%!$'()*,;:@/?]/;

/** Violations: mandatory parameters missing or empty, values not percent-encoded, forbidden parameters present. */
export function checkQuery(
  url: string,
  rules: { mandatory: readonly string[]; forbidden?: readonly string[] },
): string[] {
  const query = receivedQuery(url);
  const raw = rawQueryValues(url);
  const violations: string[] = [];
  for (const name of rules.mandatory) {
    if (!query.get(name)) violations.push(`missing mandatory parameter ${name}`);
  }
  for (const name of rules.forbidden ?? []) {
    if (query.has(name)) violations.push(`parameter ${name} must not be sent`);
  }
  for (const [name, value] of raw) {
    if (UNSAFE_IN_VALUE.test(value)) violations.push(`parameter ${name} is not URL-encoded`);
    if (/%(?![0-9A-Fa-f]{2})/.test(value)) violations.push(`parameter ${name} has a broken percent-escape`);
  }
  return violations;
}
