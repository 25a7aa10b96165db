import fc from 'fast-check';

/**
 * Reference model: rounds a plain decimal string half away from zero to `digits` decimals by digit arithmetic on the
 * string itself (carry propagation), independently of the BigInt division in lambdas/core/money.ts.
 */
export function referenceRound(decimal: string, digits: number): string {
  const [int, frac = ''] = decimal.split('.');
  const padded = (frac + '0'.repeat(digits + 1)).slice(0, digits + 1);
  const kept = (int! + padded.slice(0, digits)).split('').map(Number);
  if (Number(padded[digits]) >= 5) {
    let i = kept.length - 1;
    while (i >= 0 && kept[i] === 9) kept[i--] = 0;
    if (i < 0) kept.unshift(1);
    else kept[i]! += 1;
  }
  const text = kept.join('').replace(/^0+/, '').padStart(digits + 1, '0');
  return digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
}

/** Amounts as a shop writes them: up to 1e12, up to 6 decimals, at most 15 significant digits (exact in a double). */
export const decimalAmount = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 6 }), fc.bigInt({ min: 0n, max: 999_999n }))
  .map(([whole, places, fraction]) => (places === 0 ? whole.toString() : `${whole}.${(fraction % 10n ** BigInt(places)).toString().padStart(places, '0')}`))
  .filter((text) => text.replace('.', '').replace(/^0+/, '').length <= 15);

/** The decimal text of a non-negative number, exponent forms expanded by string shifting (`1e-7` → `0.0000001`). */
export function plainDecimal(value: number): string {
  const text = String(value);
  const match = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const digits = match[1]! + (match[2] ?? '');
  const point = match[1]!.length + Number(match[3]);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Extreme but valid amounts: 1e-7, 0.1 + 0.2, 1e12, more decimals than any currency has, half-way cases that binary
 * floating point gets wrong (1.005, 2.675) – and random ones.
 */
export const extremeAmount: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1e-7, 0.1 + 0.2, 1e12, 1.005, 2.675, 0.5, 9.995, 0.125, 999999999999.995, 1e-300, 0),
  decimalAmount.map(Number),
);
