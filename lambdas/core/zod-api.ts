/**
 * The part of `zod/mini` the request schemas of capture and identify use (and their shared pieces), with the English
 * messages of zod's own issues configured (as core/zod-en.ts does): what core/zod-mini.ts loads on first use. Named
 * exports, so that esbuild bundles only these checks, not the whole package and its every locale.
 */
import { en } from 'zod/locales';
import { boolean, config, gte, iso, lte, maxLength, minLength, NEVER, number, optional, pipe, record, refine, regex, safeParse, strictObject, string, transform, url } from 'zod/mini';

config(en());

export { boolean, gte, iso, lte, maxLength, minLength, NEVER, number, optional, pipe, record, refine, regex, safeParse, strictObject, string, transform, url };
