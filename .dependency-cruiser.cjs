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
    {
      name: 'adapters-stay-in-infrastructure',
      severity: 'error',
      comment: 'Only the binding table (graph-infrastructure.module.ts) and its library name adapter classes; everyone else injects the port.',
      from: { pathNot: '^libs/graph-infrastructure/' },
      to: {
        path: '^libs/graph-infrastructure/src/(postgres/typeorm-|cache/(cached-|cache-maintaining-|redis-graph-cache|memory-graph-cache|graph-cache-admin)|redis/redis-rate-limiter|memory/|kafka/outbox-monitor)',
      },
    },
    {
      name: 'app-uses-the-infrastructure-index',
      severity: 'error',
      comment: 'The app sees the infrastructure through @graph/infrastructure (its index) only.',
      from: { path: '^apps/' },
      to: { path: '^libs/graph-infrastructure/src/', pathNot: '^libs/graph-infrastructure/src/index\\.ts$' },
    },
    {
      name: 'filters-read-domain-codes-only',
      severity: 'error',
      comment: 'The adapters translate driver errors; the HTTP and RPC filters and the user.events consumer only map domain codes.',
      from: { path: '^apps/graph-service/src/(http/errors/|kafka/(rpc-error\\.filter|user-events\\.controller))' },
      to: { path: ['^libs/graph-infrastructure/', 'node_modules/(pg|typeorm)/'] },
    },
    {
      name: 'first-page-cache-is-not-domain',
      severity: 'error',
      comment: 'FirstPageCache stores rendered HTTP bodies: it lives in apps/graph-service/src/http/first-page/, not in the domain.',
      from: {},
      to: { path: '^libs/graph-domain/.*first-page' },
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
