/**
 * Jest, everyday suite (`npm test`): constructs, validation, in-process synthesis and checks.
 * The slow suites (jest.common.js SLOW: subprocesses, packing, external tools, regeneration) run
 * with `npm run test:slow`, the cluster suites (a real API server) with `npm run test:cluster`;
 * `.ci/run` runs all three. TypeScript goes through ts-jest in transpile-only mode
 * (type-checking is `tsc` in the scripts), snapshots live in the top-level `__snapshots__/`.
 */
const { SLOW, common } = require('./jest.common');

module.exports = {
  ...common,
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/cluster-', ...SLOW.map((s) => `/test/${s}\\.test\\.ts$`)],
};
