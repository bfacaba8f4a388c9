/**
 * What the Jest configurations share: the slow suites (jest.config.js leaves them out,
 * jest.slow.config.js runs them), the cluster suites (test/cluster-*.test.ts, jest.cluster.config.js:
 * a real API server, test/cluster.ts) and the common settings.
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
  'fuzz', // 3,500 seeded wrong inputs per public construct, read back with sigs.k8s.io/yaml
  'yaml', // the YAML writer against Yaml.stringify on thousands of generated strings
  'kubeflow-patches', // the Kubeflow-side Component with kubectl kustomize on each release's manifests
  'preflight-releases', // the preflight checks on each release's own objects (kubectl kustomize)
  'fixtures-cluster', // test/fixtures/cluster regenerated from ../shared with kubectl kustomize
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

module.exports = { SLOW, common };
