/**
 * The layering of the project, enforced on every `npm test` (`npm run test:layers`): folders are layers and imports
 * point only downwards (docs/ARCHITECTURE.md draws them). A forbidden import fails the suite with the rule's name.
 *
 *   entry → runtime → api, sender → store, observability → contract → config → vendors → core
 *
 * lib/ (the CDK stack), local/ (the local stack), scripts/ and bench/ sit above lambdas/ and import from it; nothing
 * under lambdas/ imports them.
 */
const layer = (name, mayImport) => ({ from: `^lambdas/${name}/`, mayImport });
const LAYERS = [
  layer('core', ['core']),
  layer('vendors', ['core', 'vendors']),
  layer('config', ['core', 'vendors', 'config']),
  layer('contract', ['core', 'vendors', 'config', 'contract']),
  layer('observability', ['core', 'observability']),
  layer('store', ['core', 'config', 'contract', 'store']),
  layer('api', ['core', 'vendors', 'config', 'contract', 'observability', 'store', 'api']),
  layer('sender', ['core', 'vendors', 'config', 'contract', 'observability', 'store', 'sender']),
  layer('runtime', ['core', 'vendors', 'config', 'contract', 'observability', 'store', 'api', 'sender', 'runtime']),
  layer('entry', ['core', 'vendors', 'config', 'contract', 'observability', 'store', 'api', 'sender', 'runtime']),
];
const FOLDERS = ['core', 'vendors', 'config', 'contract', 'observability', 'store', 'api', 'sender', 'runtime', 'entry'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lambdas-own-their-contract',
      comment: 'The functions are self-contained: lib/, local/, scripts/, bench/ and test/ import lambdas/, never the reverse.',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: '^(lib|local|scripts|bench|test|bin)/' },
    },
    {
      name: 'lambdas-in-known-layers',
      comment: 'Every file under lambdas/ belongs to one of the layers below; a new folder gets a rule first.',
      severity: 'error',
      from: { path: '^lambdas/', pathNot: `^lambdas/(${FOLDERS.join('|')})/` },
      to: {},
    },
    ...LAYERS.map(({ from, mayImport }) => ({
      name: `layer-${from.split('/')[1]}-imports-downwards`,
      comment: `lambdas/${from.split('/')[1]}/ may import only from ${mayImport.map((l) => `lambdas/${l}/`).join(', ')}.`,
      severity: 'error',
      from: { path: from },
      to: { path: '^lambdas/', pathNot: `^lambdas/(${mayImport.join('|')})/` },
    })),
    {
      name: 'core-has-no-aws-and-no-io',
      comment: 'lambdas/core/ is the pure domain: no AWS SDK, no Powertools, no file system or network.',
      severity: 'error',
      from: { path: '^lambdas/core/' },
      to: { path: '(^node_modules/(@aws-sdk|@aws-lambda-powertools|@middy)/)|^(fs|node:fs|fs/promises|node:fs/promises|net|node:net|http|node:http|https|node:https|child_process|node:child_process)$' },
    },
    {
      name: 'vendors-are-pure',
      comment: 'An adapter is pure: no AWS SDK, no Powertools; lambdas/vendors/http-sender.ts is the only HTTP.',
      severity: 'error',
      from: { path: '^lambdas/vendors/' },
      to: { path: '^node_modules/(@aws-sdk|@aws-lambda-powertools|@middy)/' },
    },
    {
      name: 'lib-is-the-stack',
      comment: 'The CDK stack builds on lambdas/ alone: it never imports the local stack, the scripts or the benchmarks.',
      severity: 'error',
      from: { path: '^(lib|bin)/' },
      to: { path: '^(local|scripts|bench|test)/' },
    },
    {
      name: 'local-and-scripts-do-not-import-bench-or-tests',
      severity: 'error',
      from: { path: '^(local|scripts)/' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'no-circular',
      comment: 'Modules that import each other cannot be read, tested or layered one at a time (type-only cycles aside).',
      severity: 'error',
      from: { path: '^(lambdas|lib|local|scripts|bin)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|reports|\\.stryker-tmp|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
