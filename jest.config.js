/** Jest: TypeScript through ts-jest in transpile-only mode (type-checking is `tsc --noEmit`
 * in `npm test`), snapshots in the top-level `__snapshots__/` folder (design card). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
