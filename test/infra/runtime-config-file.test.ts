/**
 * The bundling step that writes a function's runtime configuration into its asset: the file holds exactly the
 * configuration, whatever characters it contains (quotes, `$`, backticks, newlines, non-ASCII), under the shell CDK
 * runs bundling commands with.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { withRuntimeConfigFile } from '../../lib/constructs/tracking-function';
import { RUNTIME_CONFIG_FILE } from '../../lambdas/contract/runtime-config';

it('writes any configuration text byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-config-'));
  try {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom(`{"url":"https://x/?a=1&b='$(id)'\`uname\`\\"\\n"}`, 'é€😀')), (text) => {
        const [command] = withRuntimeConfigFile(text).commandHooks!.afterBundling('/input', dir);
        execFileSync('bash', ['-c', command!]);
        expect(readFileSync(join(dir, RUNTIME_CONFIG_FILE), 'utf8')).toBe(text);
      }),
      { numRuns: 10 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
