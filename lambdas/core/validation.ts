import type * as z from 'zod/mini';
import { ConfigurationError, FieldIssue, ValidationError } from './errors';
import { zod } from './zod-mini';

/** Turns zod issues into `{field, message}` pairs with dotted paths. */
export function toFieldIssues(error: z.core.$ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    message: issueMessage(issue),
  }));
}

/** A bad record key says why (zod nests that under a generic "Invalid key in record"). */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length) return issue.issues.map((nested) => nested.message).join('; ');
  return issue.message;
}

/** Parses untrusted request input; throws a ValidationError naming every bad field. Any zod schema, zod/mini or not. */
export function parseInput<S extends z.core.$ZodType>(schema: S, input: unknown): z.output<S> {
  const result = zod().safeParse(schema, input);
  if (!result.success) {
    const details = toFieldIssues(result.error);
    throw new ValidationError(`Invalid request: ${details.map((d) => d.field).join(', ')}`, details);
  }
  return result.data;
}

/** Parses configuration; throws a ConfigurationError naming every bad field. */
export function parseConfigInput<S extends z.core.$ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = zod().safeParse(schema, input);
  if (!result.success) {
    const details = toFieldIssues(result.error).map((d) => ({ ...d, field: prefix + d.field }));
    throw new ConfigurationError('Invalid configuration', details);
  }
  return result.data;
}
