import * as z from 'zod/mini';
import { lazy } from '../../core/lazy';
import { KELKOO_PUBLIC_ENDPOINT } from './types';

const COUNTRY = /^[A-Za-z]{2}$/;
/** The largest Java `long`: the document types comId "Long". */
const LONG_MAX = 9223372036854775807n;

export const kelkooConfigSchema = /* @__PURE__ */ lazy(() => {
  const country = z.pipe(
    z.string().check(z.regex(COUNTRY, 'must be a 2-letter country code')),
    z.transform((c: string) => c.toLowerCase()),
  );
  /** The shop's id in Kelkoo Group ("Long" in the document): 19 digits may still exceed a Long. */
  const comId = z.pipe(
    z.pipe(z.union([z.string(), z.number().check(z.int())]), z.transform(String)),
    z.string().check(
      z.regex(/^\d{1,19}$/, { error: 'must be a number', abort: true }),
      z.refine((c) => BigInt(c) <= LONG_MAX, `must be at most ${LONG_MAX} (a Long)`),
    ),
  );
  const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

  /** One country listing: `comId` identifies the shop's account for that country only. */
  const account = z.strictObject({
    comId,
    /** The shop's site for that country (e.g. https://www.shop.be), sent as Referer; defaults to the top-level `referer`. */
    referer: z.optional(httpUrl),
  });

  const shape = z
    .strictObject({
      /**
       * With `comId`: the one country the shop is listed in. With `accounts`: the default listing, used for an order
       * that carries no `country` of its own; it must be one of the accounts. `defaultCountry` says the same.
       */
      country: z.optional(country),
      /** With `accounts`: the listing for an order that carries no `country` (SPEC's name for `country` there). */
      defaultCountry: z.optional(country),
      /** Single-account form: the shop's id for `country`. Give either `comId` or `accounts`, not both. */
      comId: z.optional(comId),
      /** Several country listings, by 2-letter country code: `{"fr": {"comId": …}, "be": {"comId": …}}`. */
      accounts: z.optional(z.record(z.string().check(z.regex(COUNTRY, 'account keys must be 2-letter country codes')), account)),
      /** Sent as the Referer header, as the document recommends, so Kelkoo sees the shop's domain. */
      referer: httpUrl,
      attributionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(365)), 30),
      endpoint: z._default(httpUrl, KELKOO_PUBLIC_ENDPOINT),
    })
    .check(
      z.superRefine((config, ctx) => {
        if (config.country !== undefined && config.defaultCountry !== undefined && config.country !== config.defaultCountry) {
          ctx.addIssue({ code: 'custom', path: ['defaultCountry'], message: `differs from country (${config.country}); give one of them` });
          return;
        }
        if (config.comId !== undefined && config.accounts !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['accounts'], message: 'give either comId (one country) or accounts (one per country), not both' });
          return;
        }
        if (config.comId === undefined && config.accounts === undefined) {
          ctx.addIssue({ code: 'custom', path: ['comId'], message: 'is required (or accounts, one per country)' });
          return;
        }
        const defaultCountry = config.defaultCountry ?? config.country;
        if (!config.accounts) {
          if (defaultCountry === undefined) ctx.addIssue({ code: 'custom', path: ['country'], message: 'is required: the country of the comId listing' });
          return;
        }
        const keys = Object.keys(config.accounts).map((k) => k.toLowerCase());
        if (keys.length === 0) ctx.addIssue({ code: 'custom', path: ['accounts'], message: 'must hold at least one country account' });
        const twice = keys.find((k, i) => keys.indexOf(k) !== i);
        if (twice) ctx.addIssue({ code: 'custom', path: ['accounts', twice], message: 'is given twice (country codes are case-insensitive)' });
        const field = config.defaultCountry !== undefined ? 'defaultCountry' : 'country';
        if (defaultCountry === undefined && keys.length > 1) {
          ctx.addIssue({ code: 'custom', path: ['defaultCountry'], message: `is required with several accounts: the listing of an order without a country (${keys.join(', ')})` });
        } else if (defaultCountry !== undefined && keys.length && !keys.includes(defaultCountry)) {
          ctx.addIssue({ code: 'custom', path: [field], message: `the default country must be one of the accounts (${keys.join(', ')})` });
        }
      }),
    );

  return z.pipe(
    shape,
    z.transform(({ comId: single, accounts, defaultCountry, country: given, ...rest }: z.output<typeof shape>) => {
      const byCountry: Record<string, KelkooAccount> = {};
      if (accounts) {
        for (const [code, a] of Object.entries(accounts)) byCountry[code.toLowerCase()] = { comId: a.comId, referer: a.referer ?? rest.referer };
      }
      // Validated above: a default is given, or there is exactly one account to be it.
      const country = (defaultCountry ?? given ?? Object.keys(byCountry)[0])!;
      if (!accounts) byCountry[country] = { comId: single!, referer: rest.referer };
      return { ...rest, country, accounts: byCountry };
    }),
  );
});

/** The account of one country listing, after defaults: the comId and the Referer to send with it. */
export interface KelkooAccount {
  comId: string;
  referer: string;
}

export type KelkooConfig = z.infer<ReturnType<typeof kelkooConfigSchema>>;

/**
 * The listing an order is reported under: the order's own country when it has one, else the configured default.
 * `comId` and `country` go together – a Belgian sale under the French comId would credit the wrong account – so a
 * country without an account has none, and the delivery is skipped.
 */
export function kelkooAccountFor(order: { country?: string }, config: Pick<KelkooConfig, 'country' | 'accounts'>): { country: string; account?: KelkooAccount } {
  const country = order.country?.toLowerCase() ?? config.country;
  return { country, account: Object.prototype.hasOwnProperty.call(config.accounts, country) ? config.accounts[country] : undefined };
}
