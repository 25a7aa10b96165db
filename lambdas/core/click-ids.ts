import { FieldIssue, ValidationError } from './errors';
import { SECONDS_PER_DAY } from './time';

/** Where a click identifier arrives: a landing-page query parameter, or an id the shop keeps in its own cookies. */
export type ClickIdSource = { query: string } | { identifier: { vendor: string; field: string } };

/** One click identifier a destination attributes on, and how long a captured value stays attributable to it. */
export interface ClickIdSpec {
  source: ClickIdSource;
  /** Attribution window: a click older than this at conversion time is not attributed to the destination. */
  windowSeconds: number;
}

/** A click identifier as known to the whole service, merged over every destination that uses it. */
export interface CatalogueEntry {
  /** Storage name: the query parameter (`kk`), or `vendor.field` for cookie ids (`raptor.coid`). */
  key: string;
  source: ClickIdSource;
  /** Destination id → its attribution window in seconds. */
  windows: Record<string, number>;
  /** The longest window: how long the stored record is kept. */
  retentionSeconds: number;
}

export type ClickIdCatalogue = ReadonlyMap<string, CatalogueEntry>;

export const MAX_CLICK_ID_LENGTH = 512;

/** A click id arriving as a landing-page query parameter, attributable for `days`. */
export function queryClickId(query: string, days: number): ClickIdSpec {
  return { source: { query }, windowSeconds: days * SECONDS_PER_DAY };
}

export function clickIdKey(source: ClickIdSource): string {
  return 'query' in source ? source.query : `${source.identifier.vendor}.${source.identifier.field}`;
}

/** Merges the click ids of every enabled destination into one catalogue keyed by storage name. */
export function buildCatalogue(destinations: ReadonlyArray<{ id: string; clickIds: ClickIdSpec[] }>): ClickIdCatalogue {
  const catalogue = new Map<string, CatalogueEntry>();
  for (const destination of destinations) {
    for (const spec of destination.clickIds) {
      const key = clickIdKey(spec.source);
      const entry = catalogue.get(key) ?? { key, source: spec.source, windows: {}, retentionSeconds: 0 };
      entry.windows[destination.id] = Math.max(entry.windows[destination.id] ?? 0, spec.windowSeconds);
      entry.retentionSeconds = Math.max(entry.retentionSeconds, spec.windowSeconds);
      catalogue.set(key, entry);
    }
  }
  return catalogue;
}

export interface ClickInput {
  landingUrl?: string;
  params?: Record<string, string>;
  identifiers?: Record<string, Record<string, string>>;
}

export interface ExtractedClickId {
  entry: CatalogueEntry;
  value: string;
}

// C0 controls, DEL, C1 controls (U+0080–U+009F, NEL U+0085 among them) and the line and paragraph separators
// U+2028/U+2029: never part of a real click id, and each one breaks a line in some log viewer, console or parser.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Finds every known click identifier in a capture (or conversion) request.
 * Precedence, per key: `identifiers` > `params` > `landingUrl` – the more explicit the source, the more it is trusted.
 * Throws a ValidationError naming the field when a known click id is too long or holds control characters.
 */
export function extractClickIds(input: ClickInput, catalogue: ClickIdCatalogue): ExtractedClickId[] {
  const fromUrl = input.landingUrl ? firstValues(new URL(input.landingUrl).searchParams) : new Map<string, string>();
  const issues: FieldIssue[] = [];
  const found: ExtractedClickId[] = [];
  for (const entry of catalogue.values()) {
    let value: string | undefined;
    let field: string;
    if ('query' in entry.source) {
      const name = entry.source.query;
      const fromParams = input.params?.[name];
      value = nonEmpty(fromParams) ?? nonEmpty(fromUrl.get(name));
      field = nonEmpty(fromParams) !== undefined ? `params.${name}` : `landingUrl.${name}`;
    } else {
      const { vendor, field: idField } = entry.source.identifier;
      value = nonEmpty(input.identifiers?.[vendor]?.[idField]);
      field = `identifiers.${vendor}.${idField}`;
    }
    if (value === undefined) continue;
    if (value.length > MAX_CLICK_ID_LENGTH) {
      issues.push({ field, message: `click identifier must be at most ${MAX_CLICK_ID_LENGTH} characters` });
    } else if (CONTROL_CHARACTERS.test(value)) {
      issues.push({ field, message: 'click identifier must not contain control characters' });
    } else {
      found.push({ entry, value });
    }
  }
  if (issues.length) throw new ValidationError(`Invalid click identifier: ${issues.map((i) => i.field).join(', ')}`, issues);
  return found;
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The first value of each query parameter (a repeated `kk` keeps its first occurrence). */
function firstValues(params: URLSearchParams): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of params) {
    if (!values.has(name) && value.trim() !== '') values.set(name, value);
  }
  return values;
}
