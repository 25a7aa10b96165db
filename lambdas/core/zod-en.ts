/**
 * The English messages of zod's own issues ("Invalid input: expected string, received number", "Unrecognized key:
 * …"), which the full `zod` package configures when it is imported and the API has always answered with. The
 * functions validate with `zod/mini`, which loads no locale – every such issue would read "Invalid input" – and
 * bundles only the checks a schema uses. Imported for this effect by every module that parses with zod/mini.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());
