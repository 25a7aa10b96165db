import { join, resolve } from 'node:path';

const dir = resolve(__dirname, '..', '..');

/** Where the code the functions are bundled from lives, independent of the directory `cdk` runs in. */
export const PROJECT_ROOT = {
  dir,
  lockFile: join(dir, 'package-lock.json'),
} as const;

/** The entry point of a function: `lambdas/entry/<name>.ts`, exporting `handler`. */
export function entryPath(name: string): string {
  return join(dir, 'lambdas', 'entry', `${name}.ts`);
}
