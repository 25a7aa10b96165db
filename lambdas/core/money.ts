/**
 * Money on the wire: one formatter for every vendor format, so that an amount reaches every vendor as the same
 * plain decimal at the currency's precision – never `1e-7`, never `0.30000000000000004`, never `1.005`.
 *
 * - Plain decimal notation with a point, no grouping, no exponent.
 * - Exactly the currency's minor units (ISO 4217): 2 for EUR and USD, 0 for JPY, 3 for KWD.
 * - Rounded half away from zero on the decimal value the shop sent (`1.005` → `1.01`), computed on the decimal
 *   digits of the number (BigInt), not on its binary approximation (`1.005 * 100` is `100.49999…`).
 *
 * An amount with more decimals than its currency has is rounded, not refused: JSON numbers computed by a shop in
 * floating point (`0.1 + 0.2`) carry such tails without any error in the shop's books, and refusing them would lose
 * the sale for every vendor. docs/RELIABILITY.md ("Input limits") states the rule.
 */

import { lazy } from './lazy';

/**
 * ISO 4217 minor units of the currencies that do not have 2 (List One). Not taken from `Intl.NumberFormat`: ICU's
 * data follows CLDR's usage digits, which differ from ISO 4217 for several currencies (HUF, IQD, … – see
 * test/unit/money.test.ts).
 */
const NOT_TWO: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0,
  XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/**
 * The minor units of every currency an order may be priced in, by upper-case code (built on first use). Besides
 * NOT_TWO, every code of ISO 4217 List One that has a minor unit: 2. With a few codes replaced in recent years that
 * Node's `Intl` still lists (HRK, ANG, ZWL, SLL, CUC), since refusing them would only lose a sale, and the newest
 * (XCG, ZWG). Not the codes ISO gives no minor unit – precious metals (XAU, XAG, XPT, XPD), the units of account
 * (XDR, XSU, XUA, XBA–XBD), the testing code XTS and "no currency" XXX – in which no order is priced.
 */
export const currencyMinorUnits = /* @__PURE__ */ lazy((): ReadonlyMap<string, number> => {
  const two = `
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF
    CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK
    HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP
    SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER
    ZAR ZMW ZWG ZWL`;
  return new Map([...two.trim().split(/\s+/).map((code): [string, number] => [code, 2]), ...Object.entries(NOT_TWO)]);
});

/** Whether `code` (any case) is a currency an order may be priced in: one of currencyMinorUnits(). */
export function isCurrency(code: string): boolean {
  return currencyMinorUnits().has(code.toUpperCase());
}

/**
 * Decimal places of `currency` (a 3-letter ISO 4217 code, any case). The API accepts only the codes of
 * currencyMinorUnits(); any other (in a message queued before that check) is formatted with 2.
 */
export function minorUnits(currency: string): number {
  return currencyMinorUnits().get(currency.toUpperCase()) ?? 2;
}

/** A finite number as an exact decimal: `mantissa × 10^exponent`, from its shortest round-trip digits. */
function decimalOf(value: number): { negative: boolean; mantissa: bigint; exponent: number } {
  if (!Number.isFinite(value)) throw new RangeError(`An amount must be a finite number, got ${value}`);
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(value)))!;
  const fraction = match[2] ?? '';
  return { negative: value < 0, mantissa: BigInt(match[1]! + fraction), exponent: Number(match[3] ?? 0) - fraction.length };
}

/** `value` in units of 10^-digits, rounded half away from zero on its decimal digits. */
export function roundToUnits(value: number, digits: number): bigint {
  const { negative, mantissa, exponent } = decimalOf(value);
  const shift = exponent + digits;
  let units: bigint;
  if (shift >= 0) {
    units = mantissa * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    units = mantissa / divisor;
    if ((mantissa % divisor) * 2n >= divisor) units += 1n;
  }
  return negative ? -units : units;
}

/** `units × 10^-digits` written as a plain decimal with exactly `digits` decimals; never `-0.00`. */
export function unitsToDecimal(units: bigint, digits: number): string {
  const sign = units < 0n ? '-' : '';
  const text = (units < 0n ? -units : units).toString().padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** An amount of `currency` as every wire format sends it: `609.07`, `30.50`, `0.00`, `1000` (JPY). */
export function formatMoney(amount: number, currency: string): string {
  const digits = minorUnits(currency);
  return unitsToDecimal(roundToUnits(amount, digits), digits);
}

/** `unitPrice × quantity` at the currency's precision: the rounded unit price times the quantity, exactly. */
export function formatLineMoney(unitPrice: number, quantity: number, currency: string): string {
  const digits = minorUnits(currency);
  return unitsToDecimal(roundToUnits(unitPrice, digits) * BigInt(quantity), digits);
}

/** A number that is not money (a percentage) in plain decimal notation, all its digits kept: `1e-7` → `0.0000001`. */
export function formatDecimal(value: number): string {
  const { negative, mantissa, exponent } = decimalOf(value);
  if (exponent >= 0) return `${negative && mantissa !== 0n ? '-' : ''}${mantissa * 10n ** BigInt(exponent)}`;
  return unitsToDecimal(negative ? -mantissa : mantissa, -exponent);
}
