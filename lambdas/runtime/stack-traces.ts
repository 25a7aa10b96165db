/**
 * Stack traces that point at the TypeScript sources, from the bundle's source map, read when a trace is first
 * formatted – not at every cold start.
 *
 * Node's own `--enable-source-maps` reads and parses the source map of every module as it loads (and measures the
 * length of each of its lines): a quarter of a function's module init in docs/PERFORMANCE.md, paid at every cold start
 * for traces most invocations never print. Here V8's `Error.prepareStackTrace` hook renders each frame that lies in
 * the bundle at its original file, line and column, with the original function name where the map has one (the
 * bundle is minified), as Node renders them with the flag; frames elsewhere (Node's own) are left as V8 writes them.
 * The map is read and decoded (Node's `module.SourceMap`) by the first trace that needs it; if it cannot be, every
 * frame stays as generated. Formatting a trace never throws.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

type CallSite = NodeJS.CallSite & {
  /** Where the frame's function starts (V8 ≥ 10.x; absent on older runtimes). */
  getEnclosingLineNumber?: () => number | null;
  getEnclosingColumnNumber?: () => number | null;
};

/** `at` lines in the form V8 and Node use, so that tools reading `(file:line:column)` keep working. */
const FRAME = '\n    at ';

/**
 * Installs the hook for the bundle at `bundlePath` (the deployed function's index.js), whose source map the stack
 * ships beside it as `<bundlePath>.map`.
 */
export function mapStackTraces(bundlePath: string): void {
  // undefined: not read yet; null: unreadable, frames stay as generated.
  let map: SourceMap | null | undefined;
  const sourceMap = (): SourceMap | null => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')));
      } catch {
        map = null;
      }
    }
    return map;
  };

  const original = (line: number | null, column: number | null) => {
    if (line === null || column === null) return undefined;
    const m = sourceMap();
    if (!m) return undefined;
    const entry = m.findEntry(line - 1, column - 1) as Partial<{ originalSource: string; originalLine: number; originalColumn: number; name: string }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return undefined;
    return { source: sourcePath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1, name: entry.name };
  };

  /**
   * The function's name before minification: the name the map gives the function's own start, or else the name at the
   * place its caller called it from, when the caller is in the bundle too.
   */
  const originalName = (site: CallSite, caller: CallSite | undefined): string | undefined => {
    const enclosing = original(site.getEnclosingLineNumber?.() ?? null, site.getEnclosingColumnNumber?.() ?? null);
    if (enclosing?.name) return enclosing.name;
    if (caller && caller.getFileName() === bundlePath) return original(caller.getLineNumber(), caller.getColumnNumber())?.name;
    return undefined;
  };

  const frame = (site: CallSite, caller: CallSite | undefined): string => {
    if (site.getFileName() !== bundlePath) return String(site);
    const at = original(site.getLineNumber(), site.getColumnNumber());
    if (!at) return String(site);
    const type = site.getTypeName();
    const generated = `${type !== null && type !== 'global' ? `${type}.` : ''}${site.getFunctionName() ?? site.getMethodName() ?? '<anonymous>'}`;
    const name = originalName(site, caller) ?? generated;
    const prefix = `${site.isAsync() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}`;
    return `${prefix}${name} (${at.source}:${at.line}:${at.column})`;
  };

  Error.prepareStackTrace = (error: Error, sites: CallSite[]): string => {
    const head = headline(error);
    try {
      return head + sites.map((site, i) => FRAME + frame(site, sites[i + 1])).join('');
    } catch {
      return head + sites.map((site) => FRAME + String(site)).join('');
    }
  };
}

/** The first line of a trace, as V8 writes it: `Name: message`. */
function headline(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/**
 * A source as the project names it: the map's paths are relative to the bundle's build directory
 * (`../../lambdas/api/capture.ts`), which says nothing on Lambda; without the climb it is the repository's path.
 */
export function sourcePath(source: string): string {
  return source.replace(/^(\.\.\/)+/, '').replace(/^\.\//, '');
}
