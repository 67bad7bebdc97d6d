// `npm run test:scale`: the scale tests (test/scale) alone, at full load (SCALE_TEST_LOAD=full).
// They start multi-node engines (a 3-broker Kafka cluster takes 40 s to several minutes on a loaded
// 2-core machine); `npm test` runs them too, at a light load.
const base = require('./jest.config.cjs');
const e2e = base.projects.find((p) => p.displayName === 'e2e');

module.exports = {
  ...base,
  projects: [{ ...e2e, displayName: 'scale', testMatch: ['<rootDir>/test/scale/**/*.scale-spec.ts'], testTimeout: 600000 }],
};
