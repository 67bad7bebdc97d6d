// `npm run test:scale`: the scale tests (test/scale) in full. `npm test` runs them shortened as
// part of the e2e project.
const base = require('./jest.config.cjs');
const e2e = base.projects.find((p) => p.displayName === 'e2e');

module.exports = {
  ...base,
  projects: [{ ...e2e, displayName: 'scale', testMatch: ['<rootDir>/test/scale/**/*.scale-spec.ts'], testTimeout: 600000 }],
};
