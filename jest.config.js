/**
 * Jest, everyday suite (`npm test`): constructs, validation, in-process synthesis and checks.
 * The slow suites (subprocesses, packing, external tools, regeneration) are SLOW below and run
 * with `npm run test:slow` (jest.slow.config.js); `.ci/run` runs both.
 * TypeScript goes through ts-jest in transpile-only mode (type-checking is `tsc` in the scripts),
 * snapshots live in the top-level `__snapshots__/` folder (design card).
 */
const SLOW = [
  'synth', // scripts/synth and cdk8s synth end to end, in subprocesses
  'package', // npm pack, install into examples/consumer, tsc there
  'docs', // typedoc freshness
  'imports', // cdk8s import regeneration
  'yaml-k8s', // Go reader on sigs.k8s.io/yaml, kubectl kustomize
  'helm', // the real Helm: lint, template, package
  'upstream', // upstream manifests with kubectl kustomize
  'schemas-upstream', // schema regeneration from ../shared, Ajv on every emitted object
  'fuzz', // 1,000 seeded wrong inputs per public construct
  'yaml', // the YAML writer against Yaml.stringify on thousands of generated strings
  'kubeflow-patches', // the Kubeflow-side Component with kubectl kustomize on each release's manifests
  'preflight-releases', // the preflight checks on each release's own objects (kubectl kustomize)
  'sso-releases', // SSO rules with the real expr library (Go), RBAC on each release's roles, Lua, kubectl kustomize
];

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};

module.exports = {
  ...common,
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...SLOW.map((s) => `/test/${s}\\.test\\.ts$`)],
};
module.exports.SLOW = SLOW;
module.exports.common = common;
