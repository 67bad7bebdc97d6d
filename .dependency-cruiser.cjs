/**
 * The layer rule on the import graph: domain ← application ← infrastructure ← app. `npm run lint`
 * fails when the domain imports a framework/client or another layer, when the application imports
 * infrastructure or a client, or when a library imports the app.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'libs/graph-domain is plain TypeScript: no Nest, TypeORM, ioredis, kafkajs, pg, nor other layers.',
      from: { path: '^libs/graph-domain/' },
      to: {
        pathNot: ['^libs/graph-domain/', '^node_modules/@types/', '^node:'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'application-imports-only-domain',
      severity: 'error',
      comment: 'Use cases depend on the domain (ports) and on Nest DI decorators only.',
      from: { path: '^libs/graph-application/' },
      to: { path: ['^libs/graph-infrastructure/', '^apps/', 'node_modules/(typeorm|pg|ioredis|kafkajs|prom-client)/'] },
    },
    {
      name: 'libraries-do-not-import-the-app',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'contracts-are-dependency-free',
      severity: 'error',
      comment: 'libs/graph-contracts (topics, payload types, parsers) is plain TypeScript any service can depend on: no Nest, kafkajs, rxjs, nor another layer.',
      from: { path: '^libs/graph-contracts/' },
      to: { pathNot: ['^libs/graph-contracts/', '^node_modules/@types/', '^node:'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'client-builds-only-on-contracts',
      severity: 'error',
      comment: 'libs/graph-client (the Nest request-reply client) depends on the contracts only, not on the service.',
      from: { path: '^libs/graph-client/' },
      to: { path: ['^libs/graph-(domain|application|infrastructure)/', '^apps/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.spec\\.ts$', '\\.int-spec\\.ts$', '\\.e2e-spec\\.ts$'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
