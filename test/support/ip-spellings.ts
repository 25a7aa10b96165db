/**
 * Generators of IP addresses in every spelling a shop may send or a vendor may echo, written independently of
 * lambdas/core/redact.ts so that the redaction is checked against a second account of what a spelling is.
 */
import fc from 'fast-check';

/** Eight 16-bit groups; zero runs are made likely, since they are what `::` compresses. */
export const ipv6Groups = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 0xffff })), { minLength: 8, maxLength: 8 });

/** Choices for one spelling of an IPv6 address. */
export const ipv6Spelling = fc.record({
  /** Zero-padding of each group (digits added, cut back to four). */
  padding: fc.array(fc.nat(3), { minLength: 8, maxLength: 8 }),
  upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  /** Which run of zero groups to write as `::` (index into the runs found), if any. */
  compress: fc.option(fc.nat(7), { nil: undefined }),
  /** The last 32 bits as a dotted quad. */
  dotted: fc.boolean(),
});

export type Ipv6Spelling = typeof ipv6Spelling extends fc.Arbitrary<infer T> ? T : never;

/** `groups` written as `choice` says. */
export function spellIpv6(groups: readonly number[], choice: Ipv6Spelling): string {
  const group = (i: number) => {
    const hex = groups[i]!.toString(16);
    const padded = '0'.repeat(Math.min(choice.padding[i]!, 4 - hex.length)) + hex;
    return choice.upper[i] ? padded.toUpperCase() : padded;
  };
  const count = choice.dotted ? 6 : 8;
  const parts = Array.from({ length: count }, (_, i) => group(i));
  const tail = choice.dotted ? [`${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`] : [];
  // Runs of zero groups among the hex ones.
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    if (groups[i] !== 0) continue;
    const start = i;
    while (i < count && groups[i] === 0) i++;
    runs.push([start, i]);
  }
  if (choice.compress === undefined || runs.length === 0) return [...parts, ...tail].join(':');
  const [start, end] = runs[choice.compress % runs.length]!;
  const before = parts.slice(0, start).join(':');
  const after = [...parts.slice(end), ...tail].join(':');
  return `${before}::${after}`;
}

/** An IPv4 address as dotted decimal. */
export const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));

/** The groups of an IPv4 address's IPv4-mapped IPv6 form. */
export function mappedGroups(v4: string): number[] {
  const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
  return [0, 0, 0, 0, 0, 0xffff, (a << 8) | b, (c << 8) | d];
}

/** A shopper IP as a shop may send it, with the groups of the address it names. */
export const shopperIp: fc.Arbitrary<{ ip: string; groups: number[] }> = fc.oneof(
  ipv4.map((ip) => ({ ip, groups: mappedGroups(ip) })),
  fc.tuple(ipv6Groups, ipv6Spelling).map(([groups, choice]) => ({ ip: spellIpv6(groups, choice), groups })),
);
