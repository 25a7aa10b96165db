import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VendorFixtures } from '../../../lambdas/vendors/fixture-types';
import { postback } from '../../../lambdas/vendors/postback/adapter';
import { vendorAdapters } from '../../../lambdas/vendors/registry';
import type { VendorAdapter } from '../../../lambdas/vendors/types';

const VENDORS_DIR = join(__dirname, '../../../lambdas/vendors');
/** The files every vendor folder has, so that each is read and changed the same way. */
const VENDOR_FILES = ['README.md', 'adapter.ts', 'config.ts', 'fixtures.ts', 'mapping.ts', 'sandbox.ts', 'types.ts'];

const adapters: Array<[string, VendorAdapter<any, any>]> = [...Object.entries(vendorAdapters), ['postback', postback]];

describe('vendor registry', () => {
  it.each(adapters)('%s has a folder with the same files as every other vendor', (id, adapter) => {
    expect(adapter.id).toBe(id);
    expect(readdirSync(join(VENDORS_DIR, id)).filter((f) => VENDOR_FILES.includes(f)).sort()).toEqual(VENDOR_FILES);
  });

  it.each(adapters)('%s has request and response fixtures built from its document', (id) => {
    const path = join(VENDORS_DIR, id, 'fixtures.ts');
    expect(existsSync(path)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fixtures } = require(path) as { fixtures: VendorFixtures };
    expect(fixtures.requests.length).toBeGreaterThan(0);
    expect(fixtures.responses.length).toBeGreaterThan(0);
    expect(fixtures.requests.some((f) => 'requests' in f.expected)).toBe(true);
    expect(fixtures.requests.every((f) => f.source.length > 0)).toBe(true);
  });

  it('has a fixture test file for every vendor folder', () => {
    const folders = readdirSync(VENDORS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.sort()).toEqual(adapters.map(([id]) => id).sort());
    for (const folder of folders) expect(existsSync(join(__dirname, `${folder}.test.ts`))).toBe(true);
  });
});
