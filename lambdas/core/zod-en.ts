/**
 * The English messages of zod's own issues ("Invalid input: expected string, received number", "Unrecognized key:
 * …"), which the full `zod` package configures when it is imported and the API has always answered with. The
 * functions validate with `zod/mini`, which loads no locale – every such issue would read "Invalid input" – and
 * bundles only the checks a schema uses. Imported for this effect where the functions parse: core/zod-api.ts (every
 * request body, through core/zod-mini.ts and core/validation.ts), api/deliveries.ts (its query) and runtime/secrets.ts
 * (a sender's credentials, and the messages it reads). Not by the modules that only define schemas: a module reached
 * by a function that never parses (the status route reaches the vendors through the destinations) would otherwise
 * bundle zod for nothing.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());
