/**
 * "No error", as vendors write it: the one reading every answer reader asks (classify.ts for Klevu, ClickMeter,
 * Raptor and the postbacks; qualityclick/mapping.ts), so that "Error: none", "error=0", "ERROR: 0", `{"error":null}`
 * or `{"errors":[]}` are acceptances for every vendor alike.
 */

/**
 * A value saying there is no error: a zero count, `none`/`null`/`nil`, `false`/`no`/`nein`, `ok`, German
 * `kein`/`keine`, "no errors"/"keine Fehler", an empty list or object – optionally closed by `.` or `!`. Nothing else:
 * "no such cpid" or "kein Zugriff" are error reports.
 */
const NO_ERROR_TEXT =
  /^\s*(?:0+|none|null|nil|false|no|ok|kein|keine|nein|(?:no|kein|keine)\s+(?:errors?|fehler|problems?|probleme?)|\[\s*\]|\{\s*\})?\s*[.!]?\s*$/i;

/**
 * Whether a value given for an error (a JSON `error`/`errors` field, or the text after "Error:") says there was none:
 * absent, `null`, `false`, `0`, an empty string, a no-error word (NO_ERROR_TEXT), or a list or object holding nothing
 * but such values (`[]`, `{}`, `{"code":0,"message":""}`).
 */
export function isNoError(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0) return true;
  if (typeof value === 'string') return NO_ERROR_TEXT.test(value);
  if (Array.isArray(value)) return value.every(isNoError);
  if (typeof value === 'object') return Object.values(value).every(isNoError);
  return false;
}

/** A word that, with a next word, makes one value: "no errors", "keine Fehler", but also "no such cpid". */
const DETERMINER = /^(?:no|kein|keine)$/i;

/**
 * The value a text gives right after an error word or field, e.g. `none` in "Error: none. Saved", `0` in
 * "errors=0&status=ok", "no errors" in "Error: no errors", "no such" in "Error: no such cpid": the first word after an
 * optional `:` or `=` up to a space or a separator (`& ; , |`), with a closing `.`/`!` dropped – two words when the
 * first is "no"/"kein"/"keine". Empty when nothing follows.
 */
export function valueAfter(rest: string): string {
  const words = rest.replace(/^\s*[:=]?\s*/, '').split(/[\s&;,|]+/);
  const first = words[0] ?? '';
  const bare = first.replace(/[.!]+$/, '');
  if (bare === first && DETERMINER.test(bare) && words[1]) return `${bare} ${words[1].replace(/[.!]+$/, '')}`;
  return bare;
}
