/**
 * What the Jest configurations share. The folder of a test says which suite runs it
 * (test/README.md): test/everyday/ (`npm test`), test/slow/ (`npm run test:slow`: subprocesses,
 * external tools, regeneration) and test/cluster/ (`npm run test:cluster`: a real API server,
 * test/support/cluster.ts). Helpers live in test/support/, fixtures in test/fixtures/.
 */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  // the workspace packages from their sources, as tsconfig.json's paths map them for tsc and esbuild
  moduleNameMapper: {
    '^cdk8s-kubeflow-argo$': '<rootDir>/packages/library/lib/index.ts',
    '^cdk8s-kubeflow-argo/synth$': '<rootDir>/packages/library/lib/synth-api.ts',
    '^cdk8s-kubeflow-argo/imports/(.*)$': '<rootDir>/packages/library/imports/$1',
    '^cdk8s-kubeflow-argo-preflight$': '<rootDir>/packages/preflight/lib/index.ts',
  },
};

/** A configuration that runs the tests of one folder of test/. */
const suite = (folder) => ({ ...common, testMatch: [`<rootDir>/test/${folder}/**/*.test.ts`] });

module.exports = { common, suite };
