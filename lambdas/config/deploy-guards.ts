/**
 * What must never reach a deployed stack: the local vendor sandbox, the vendors' demo ids and the placeholders of
 * tracking.config.production.example.json. A configuration can be perfectly valid for `npm start` and still send
 * every sale to `http://localhost:3000/sandbox/…` once deployed, where the call cannot connect and the sale is
 * dead-lettered. bin/app.ts refuses such a file at synthesis (`-c allowSandbox=true` lets a test deployment through
 * with a warning), and `npm run smoke` judges the hosts a deployed stack's dry run would call with the same rules.
 *
 * Pure: the file as written (JSON, before defaults) in, one `{field, message}` per offending value out, `field` being
 * its path in the file (`vendors.kelkoo.accounts.fr.comId`). Nothing here resolves a host name: synthesis is offline.
 */
import type { FieldIssue } from '../core/errors';
import { CLICKMETER_PUBLIC_ENDPOINT } from '../vendors/clickmeter/types';
import { KELKOO_PUBLIC_ENDPOINT } from '../vendors/kelkoo/types';
import { KLEVU_PUBLIC_ENDPOINT } from '../vendors/klevu/types';
import { RAPTOR_PUBLIC_ENDPOINT } from '../vendors/raptor/types';

/** The CDK context key (`-c allowSandbox=true`) that lets sandbox endpoints and demo ids through, with a warning. */
export const ALLOW_SANDBOX_CONTEXT = 'allowSandbox';

/** The shipped starting point of a deployment: placeholders, no endpoints, default delivery settings. */
export const PRODUCTION_EXAMPLE_CONFIG_FILE = 'tracking.config.production.example.json';

/**
 * A value still to be filled in: `"<replace: your Kelkoo comId>"`, also inside a longer string
 * (`"https://<replace: your partner programme's domain>/get_trans.cgi"`).
 */
export const PLACEHOLDER = /<replace\b[^>]*>/i;

/**
 * The endpoints the vendors' own documents give (shared/vendor-docs), which the adapters use when `endpoint` is left
 * out. They are accepted wherever they appear, even over plain `http://`: ClickMeter's document writes its postback
 * URL `http://conversions.clickmeter.com/s2s`. QUALITYCLICK has none (each merchant's programme runs on its own
 * domain), nor does a generic postback.
 */
export const DOCUMENTED_ENDPOINTS: readonly string[] = [KELKOO_PUBLIC_ENDPOINT, KLEVU_PUBLIC_ENDPOINT, CLICKMETER_PUBLIC_ENDPOINT, RAPTOR_PUBLIC_ENDPOINT];

/**
 * Ids taken from the vendors' documents, their fixtures and tracking.config.example.json: stand-ins that belong to
 * no merchant, so a deployment carrying one reports every sale to nobody (or to whoever owns the demo account).
 * QUALITYCLICK's `cpid=1` is not among them: a merchant's first programme on its own platform may well be number 1.
 */
export const DEMO_IDS = {
  /** Kelkoo's document ("example of a call": comId=100475501), the example's second account, the fixtures' Belgian one. */
  kelkooComId: ['100475501', '100475502', '200475502'],
  /** Klevu's document examples: `klevu-1234567890` (producttracking), `klevu-12345` and `klevu-1234` (collect). */
  klevuApiKey: ['klevu-1234567890', 'klevu-12345', 'klevu-1234'],
  /** ClickMeter's document postback URL (`id=A531F18FCECC4DEB9B2C3994556FBF41`); ids are compared without case. */
  clickmeterConversionId: ['A531F18FCECC4DEB9B2C3994556FBF41'],
  /** The example's and the fixtures' Raptor customer (the document itself writes `[customerid]`). */
  raptorCustomerId: ['1234'],
  /** The README's alerts example: a Slack workspace and channel id of the shape AWS Chatbot shows. */
  slackId: ['T07ABCDEF12', 'C07ABCDEF12'],
  /** The account id of AWS's own documentation examples, in an SNS topic ARN. */
  awsAccount: ['123456789012'],
} as const;

/**
 * Host names that stand for "some shop" in examples. RFC 2606 and RFC 6761 reserve `.example`, `.test`, `.invalid`
 * and `example.com|net|org` for that; the vendor documents use `your-site.com` and `your-shop.com` (QUALITYCLICK)
 * and `yourwebsite.com` (Kelkoo).
 */
const DEMO_DOMAINS = ['example.com', 'example.net', 'example.org', 'your-site.com', 'your-shop.com', 'yourwebsite.com'];
const DEMO_TLDS = ['example', 'test', 'invalid'];
/** Names only a local network resolves: `localhost` (RFC 6761), mDNS `.local`, `.internal`, `.home.arpa`, `.lan`. */
const LOCAL_TLDS = ['localhost', 'local', 'internal', 'lan'];

const hostIsUnder = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/** Four octets of a dotted-quad IPv4 address, or undefined. */
function ipv4Octets(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

/** Eight 16-bit groups of an IPv6 address (as the URL parser leaves it: lower-case, compressed, maybe a dotted tail). */
function ipv6Groups(host: string): number[] | undefined {
  if (!host.includes(':')) return undefined;
  let text = host;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const octets = ipv4Octets(dotted[2]!);
    if (!octets) return undefined;
    tail.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!);
    // `::ffff:` loses its separator, `::` stays the compression it is.
    text = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - tail.length - head.length - rest.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest, ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : undefined;
}

/** What kind of address an IPv4 address is, when it is not a public one. */
function ipv4Kind(octets: number[]): string | undefined {
  const [a, b, c] = octets as [number, number, number, number];
  if (a === 127) return 'a loopback address';
  if (a === 0) return 'an unspecified ("this network") address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 100 && b >= 64 && b <= 127) return 'a private (shared, carrier-grade NAT) address';
  if (a === 169 && b === 254) return 'a link-local address';
  if ((a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) {
    return 'a documentation (TEST-NET) address';
  }
  return undefined;
}

/** What kind of address an IPv6 address is, when it is not a public one; IPv4 addresses carried in one are judged as such. */
function ipv6Kind(groups: number[]): string | undefined {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const embedded = () => ipv4Kind([groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255]);
  if (zeros(0, 8)) return 'an unspecified address';
  if (zeros(0, 7) && groups[7] === 1) return 'a loopback address';
  // ::ffff:a.b.c.d (IPv4-mapped), ::a.b.c.d (IPv4-compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4 address decides.
  if (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) return embedded();
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return embedded();
  if ((groups[0]! & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((groups[0]! & 0xfe00) === 0xfc00) return 'a private (unique local) address';
  if ((groups[0]! & 0xffc0) === 0xfec0) return 'a private (site-local) address';
  if (groups[0] === 0x2001 && groups[1] === 0x0db8) return 'a documentation address';
  return undefined;
}

/** Why `host` (as `new URL().hostname` gives it) is not a public host a deployed stack can call, or undefined. */
export function hostProblem(host: string): string | undefined {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const v4 = ipv4Octets(name);
  if (v4) return ipv4Kind(v4);
  const v6 = ipv6Groups(name);
  if (v6) return ipv6Kind(v6);
  if (LOCAL_TLDS.some((tld) => hostIsUnder(name, tld))) return name === 'localhost' || name.endsWith('.localhost') ? 'localhost' : 'a local network name';
  if (DEMO_TLDS.some((tld) => hostIsUnder(name, tld)) || DEMO_DOMAINS.some((d) => hostIsUnder(name, d))) return 'an example domain of the documentation';
  return undefined;
}

/** Whether `url` is on one of the vendors' documented endpoints (same scheme and host, the documented path or below). */
export function isDocumentedEndpoint(url: URL): boolean {
  return DOCUMENTED_ENDPOINTS.some((documented) => {
    const known = new URL(documented);
    const path = known.pathname.replace(/\/+$/, '');
    return url.protocol === known.protocol && url.host === known.host && (path === '' || url.pathname === path || url.pathname.startsWith(`${path}/`));
  });
}

/** A URL template's macros (`{order.orderId}`) filled with a neutral value, so that it parses as the URL it becomes. */
const filled = (template: string) => template.replace(/\{[A-Za-z]+(?:\.[A-Za-z]+)?\}/g, 'x');

/**
 * Why a deployed sender must not call `url`: each of loopback, private, link-local or documentation address,
 * `localhost` or a local network name, an example domain, a `/sandbox/` path, plain `http://` (except a vendor's
 * documented endpoint). Undefined for a public https endpoint.
 */
export function endpointProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(filled(url));
  } catch {
    return 'is not an absolute URL';
  }
  const reasons: string[] = [];
  const host = hostProblem(parsed.hostname);
  // The host as the URL parser reads it (`0x7f.1` is 127.0.0.1), unless the reason already says it.
  if (host) reasons.push(host === 'localhost' ? 'on localhost' : `on ${host} (${parsed.hostname})`);
  if (parsed.pathname.split('/').some((segment) => segment.toLowerCase() === 'sandbox')) reasons.push('a /sandbox/ path');
  if (parsed.protocol === 'http:' && !isDocumentedEndpoint(parsed)) reasons.push('plain http://');
  return reasons.length ? reasons.join(', ') : undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const asText = (value: unknown) => (typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined);

/** Every string in `raw` holding a `<replace: …>` placeholder, by its path in the file. */
export function placeholderIssues(raw: unknown, path: string[] = []): FieldIssue[] {
  if (typeof raw === 'string') {
    return PLACEHOLDER.test(raw) ? [{ field: path.join('.'), message: `still the placeholder ${JSON.stringify(raw)}` }] : [];
  }
  if (Array.isArray(raw)) return raw.flatMap((value, index) => placeholderIssues(value, [...path, String(index)]));
  if (isObject(raw)) return Object.entries(raw).flatMap(([key, value]) => placeholderIssues(value, [...path, key]));
  return [];
}

/** Judges one value of the file: why it cannot be deployed, or undefined. */
type Judge = (value: unknown) => string | undefined;

/** A called endpoint: see endpointProblem. */
const calledEndpoint: Judge = (value) => {
  const url = asText(value);
  const problem = url === undefined ? undefined : endpointProblem(url);
  return problem && `${url} is ${problem}: no deployed sender can deliver there`;
};

/** A demo id of DEMO_IDS, compared without case or surrounding blanks. */
const demoId =
  (demos: readonly string[], what: string): Judge =>
  (value) => {
    const text = asText(value);
    return text !== undefined && demos.some((d) => d.toLowerCase() === text.trim().toLowerCase()) ? `${text} is ${what}, not your account` : undefined;
  };

/** The shop's own site (Kelkoo's Referer): not on a local or example host. */
const shopSite: Judge = (value) => {
  const text = asText(value);
  let host: string;
  try {
    host = new URL(text ?? '').hostname;
  } catch {
    return undefined;
  }
  const problem = hostProblem(host);
  return problem && `${text} is on ${problem} (${host}), not your shop's site`;
};

/** An alarm recipient's e-mail address: not on a local or example domain. */
const recipient: Judge = (value) => {
  const address = asText(value);
  const host = address?.split('@').pop();
  const problem = host ? hostProblem(host) : undefined;
  return problem && `${address} is on ${problem}: nobody would receive the alarms`;
};

/** An SNS topic ARN: not in the account of AWS's documentation examples. */
const topicArn: Judge = (value) => {
  const account = asText(value)?.split(':')[4];
  return account && (DEMO_IDS.awsAccount as readonly string[]).includes(account)
    ? `${String(value)} is in account ${account}, the account of AWS's documentation examples`
    : undefined;
};

const SLACK_DEMO = demoId(DEMO_IDS.slackId, "the README's example Slack id");
const KELKOO_DEMO = demoId(DEMO_IDS.kelkooComId, "a demo comId (Kelkoo's document, the shipped example)");

/**
 * What is judged where, by the value's path in the file (`*`: any key or index): the endpoints every sender calls,
 * the demo ids, Kelkoo's Referer, the alarm recipients. Paths are the configuration's own (lambdas/config/schema.ts
 * and each vendor's config.ts).
 */
const RULES: ReadonlyArray<{ path: string; judge: Judge }> = [
  { path: 'vendors.*.endpoint', judge: calledEndpoint },
  { path: 'postbacks.*.url', judge: calledEndpoint },
  { path: 'postbacks.*.cancel.url', judge: calledEndpoint },
  { path: 'vendors.kelkoo.comId', judge: KELKOO_DEMO },
  { path: 'vendors.kelkoo.accounts.*.comId', judge: KELKOO_DEMO },
  { path: 'vendors.kelkoo.referer', judge: shopSite },
  { path: 'vendors.kelkoo.accounts.*.referer', judge: shopSite },
  { path: 'vendors.klevu.apiKey', judge: demoId(DEMO_IDS.klevuApiKey, "a demo API key of Klevu's document") },
  { path: 'vendors.clickmeter.conversionId', judge: demoId(DEMO_IDS.clickmeterConversionId, "the demo conversion id of ClickMeter's document") },
  { path: 'vendors.raptor.customerId', judge: demoId(DEMO_IDS.raptorCustomerId, "the shipped example's Raptor customer id") },
  { path: 'alarmEmail', judge: recipient },
  { path: 'alerts.emails.*', judge: recipient },
  { path: 'alerts.slack.workspaceId', judge: SLACK_DEMO },
  { path: 'alerts.slack.channelId', judge: SLACK_DEMO },
  { path: 'alerts.topicArns.*', judge: topicArn },
];

/** Every value of `raw` at `pattern` (`*` matches any key or index), with its concrete path. */
function valuesAt(raw: unknown, pattern: string[], path: string[] = []): Array<{ field: string; value: unknown }> {
  if (pattern.length === 0) return [{ field: path.join('.'), value: raw }];
  const [step, ...rest] = pattern as [string, ...string[]];
  const entries: Array<[string, unknown]> = Array.isArray(raw)
    ? raw.map((value, index) => [String(index), value])
    : isObject(raw)
      ? Object.entries(raw)
      : [];
  return entries.filter(([key]) => step === '*' || key === step).flatMap(([key, value]) => valuesAt(value, rest, [...path, key]));
}

/**
 * The sandbox endpoints and demo values of a configuration file as written (already valid: `parseConfig` accepted
 * it), each by its path in the file, in the order of RULES. An endpoint left out is the vendor's documented one and
 * is never judged.
 */
export function sandboxIssues(raw: unknown): FieldIssue[] {
  return RULES.flatMap(({ path, judge }) =>
    valuesAt(raw, path.split('.')).flatMap(({ field, value }) => {
      const message = value === undefined ? undefined : judge(value);
      return message ? [{ field, message }] : [];
    }),
  );
}

/** Whether `-c allowSandbox=…` says yes: the CLI passes context values as strings. */
export function allowsSandbox(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

const listed = (issues: FieldIssue[]) => issues.map((issue) => `  ${issue.field}: ${issue.message}`).join('\n');

/** The refusal of a file that still holds placeholders: each one by its path, and what to do. */
export function placeholderRefusal(file: string, issues: FieldIssue[]): string {
  return (
    `Refusing to deploy ${file}: ${issues.length === 1 ? 'a placeholder is' : `${issues.length} placeholders are`} still to be filled in:\n` +
    `${listed(issues)}\n` +
    `Replace each with your own value (README, "Deploy"), or remove the vendor or key you do not use.`
  );
}

/** The refusal of sandbox endpoints and demo values: each by its path, then how to proceed. */
export function sandboxRefusal(file: string, issues: FieldIssue[]): string {
  return (
    `Refusing to deploy ${file}: it holds the local sandbox's endpoints or demo values, so a deployed stack would ` +
    `send no sale to a vendor:\n${listed(issues)}\n` +
    `Start from ${PRODUCTION_EXAMPLE_CONFIG_FILE} (README, "Deploy"): leave a vendor's endpoint out to use the one its ` +
    `document gives, or give your own public https:// one, and use your own account ids and alert recipients. ` +
    `Only for a test deployment that must reach no vendor: -c ${ALLOW_SANDBOX_CONTEXT}=true.`
  );
}

/** The warning printed when `-c allowSandbox=true` let sandbox endpoints or demo values through. */
export function sandboxWarning(issues: FieldIssue[]): string {
  return (
    `${ALLOW_SANDBOX_CONTEXT}=true: deploying ${issues.length} sandbox endpoint${issues.length === 1 ? '' : 's'} or demo ` +
    `value${issues.length === 1 ? '' : 's'} (${issues.map((i) => i.field).join(', ')}). A test deployment only: ` +
    `these calls reach no vendor, and their sales will be dead-lettered.`
  );
}
