/**
 * The part of `zod/mini` the request schemas of capture and identify use (and their shared pieces), with the English
 * messages of zod's own issues configured (core/zod-en.ts): what core/zod-mini.ts loads on first use. Named exports,
 * so that esbuild bundles only these checks, not the whole package.
 */
import './zod-en';

export { boolean, gte, iso, lte, maxLength, minLength, NEVER, number, optional, pipe, record, refine, regex, safeParse, strictObject, string, transform, url } from 'zod/mini';
