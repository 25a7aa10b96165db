/**
 * What the API functions' bundles hold, built as the stack builds them (TRACKING_BUNDLING): module init is paid per
 * byte bundled and per top-level statement run (docs/PERFORMANCE.md, "Bundles and module init"), so a function that
 * never plans nor sends must not carry the vendors' wire formats, nor the stores of the records it never touches.
 * A module that only some of a bundle's code reaches is still bundled when one of its top-level statements may have
 * an effect (a call, a spread, a `new RegExp`): these tests catch such a statement creeping back.
 */
import { build, Metafile } from 'esbuild';
import { esbuildOptions } from '../../bench/bundles';
import { entryPath } from '../../lib/constructs/paths';
import { TRACKING_BUNDLING } from '../../lib/constructs/tracking-function';

/** The source files (relative to the project) of which the function's bundle holds at least one byte. */
async function bundledSources(name: string): Promise<string[]> {
  const result = await build({ ...esbuildOptions(TRACKING_BUNDLING), entryPoints: [entryPath(name)], write: false, outdir: 'out', metafile: true, logLevel: 'silent' });
  const outputs = Object.values((result.metafile as Metafile).outputs).filter((o) => o.entryPoint !== undefined);
  return outputs.flatMap((o) => Object.entries(o.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path));
}

/** A vendor's wire format: its adapter, request mapping, configuration schema, sandbox checks, answer classification. */
const WIRE_FORMAT = /^lambdas\/vendors\/(?:[a-z]+\/(?:adapter|mapping|config|sandbox|cancel)|classify|template|query|no-error|click-id-plan|registry)\.ts$/;

const LEAN: ReadonlyArray<{ name: string; stores: string[] }> = [
  { name: 'capture', stores: ['visitor-store'] },
  { name: 'identify', stores: ['visitor-store'] },
  { name: 'status', stores: ['order-store'] },
  { name: 'deliveries', stores: ['delivery-store'] },
];
const STORES = ['visitor-store', 'order-store', 'delivery-store', 'tracking-store'];

describe.each(LEAN)('the $name bundle', ({ name, stores }) => {
  let sources: string[];
  beforeAll(async () => {
    sources = await bundledSources(name);
  }, 60_000);

  it('holds no vendor wire format', () => {
    expect(sources.filter((s) => WIRE_FORMAT.test(s))).toEqual([]);
  });

  it(name === 'status' ? 'holds no zod: it validates its one path parameter by hand' : 'validates with zod/mini', () => {
    expect(sources.some((s) => s.includes('node_modules/zod/'))).toBe(name !== 'status');
  });

  it(`holds of the data layer only ${stores.join(', ')}`, () => {
    const held = STORES.filter((store) => sources.includes(`lambdas/store/${store}.ts`));
    expect(held).toEqual(stores);
  });
});

describe.each(['capture', 'identify', 'status', 'deliveries', 'conversion', 'cancellation', 'sender'])('the %s bundle', (name) => {
  it('validates with zod/mini and its English messages alone, never the full zod (the configuration schema, synthesis only, uses it)', async () => {
    const sources = await bundledSources(name);
    expect(sources.filter((s) => s.includes('node_modules/zod/') && !/node_modules\/zod\/v4\/(?:core|mini)\/|node_modules\/zod\/v4\/locales\/en\.js$/.test(s))).toEqual([]);
    // A function that validates answers with zod's English messages (core/zod-en.ts), never "Invalid input" alone.
    if (sources.some((s) => s.includes('node_modules/zod/v4/mini/'))) expect(sources).toContain('node_modules/zod/v4/locales/en.js');
  }, 60_000);
});

describe('the conversion bundle', () => {
  it('holds the visitor and order stores, never the delivery records’ (a conversion writes its deliveries with the order)', async () => {
    const sources = await bundledSources('conversion');
    expect(STORES.filter((store) => sources.includes(`lambdas/store/${store}.ts`))).toEqual(['visitor-store', 'order-store']);
  }, 60_000);
});
