// imports/ is generated and committed: regenerate it and compare, so a hand edit or a changed
// generator shows up. Needs ../shared/upstream (present in development and CI only).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UPSTREAM } from '../support/upstream-dir';

const ROOT = path.join(__dirname, '..', '..');
const present = fs.existsSync(UPSTREAM);
if (!present) {
  // eslint-disable-next-line no-console
  console.log(`imports regeneration test skipped: ${UPSTREAM} not found`);
}

(present ? test : test.skip)('imports/ is exactly what scripts/import.sh generates', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-imports-'));
  try {
    execFileSync(path.join(ROOT, 'scripts', 'import.sh'), [out], { cwd: ROOT, stdio: 'pipe' });
    const list = (dir: string, prefix = ''): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name), `${prefix}${e.name}/`) : /\.(ts|json)$/.test(e.name) ? [`${prefix}${e.name}`] : []))
      .sort();
    const generated = list(out);
    const committed = list(path.join(ROOT, 'packages', 'library', 'imports'));
    expect(committed).toEqual(generated);
    for (const f of generated) {
      expect(fs.readFileSync(path.join(ROOT, 'packages', 'library', 'imports', f), 'utf8') === fs.readFileSync(path.join(out, f), 'utf8')).toBe(true);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 60_000);

describe('imports/k8s (generated core kinds) against cdk8s-plus-25 k8s classes', () => {
  // Same generator and Kubernetes 1.25 definitions: every class we ship must exist there with
  // the same GVK and write the same JSON for the same props.
  const ours = require('../../packages/library/imports/k8s');
  const plus = require('cdk8s-plus-25/lib/imports/k8s');
  const { App, Chart } = require('cdk8s');

  test('every generated construct class has a cdk8s-plus-25 twin with the same GVK', () => {
    const kinds = Object.keys(ours).filter((k) => ours[k]?.GVK);
    expect(kinds.sort()).toEqual(['KubeClusterRole', 'KubeClusterRoleBinding', 'KubeConfigMap', 'KubeDeployment', 'KubeNamespace', 'KubeNetworkPolicy', 'KubeRole', 'KubeRoleBinding', 'KubeSecret', 'KubeService', 'KubeServiceAccount']);
    for (const k of kinds) expect(ours[k].GVK).toEqual(plus[k].GVK);
  });

  /** Props that reach renamed keys, int-or-string and quantity values, and nested lists. */
  const propsFor = (m: any): Record<string, unknown> => ({
    KubeDeployment: {
      metadata: { name: 'd', namespace: 'n', labels: { app: 'd' }, annotations: { a: 'b' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'd' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: m.IntOrString.fromString('25%'), maxUnavailable: m.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: { app: 'd' }, annotations: { 'sidecar.istio.io/inject': 'false' } },
          spec: {
            serviceAccountName: 'sa',
            automountServiceAccountToken: true,
            hostAliases: [{ ip: '10.0.0.1', hostnames: ['h'] }],
            securityContext: { runAsNonRoot: true, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'c', image: 'i:1', args: ['--x=y'], ports: [{ name: 'web', containerPort: 2746, hostIp: '0.0.0.0' }],
              env: [{ name: 'E', value: 'v' }, { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } }],
              readinessProbe: { httpGet: { path: '/', port: m.IntOrString.fromNumber(2746), scheme: 'HTTPS' }, initialDelaySeconds: 10 },
              livenessProbe: { tcpSocket: { port: m.IntOrString.fromString('web') } },
              resources: { limits: { cpu: m.Quantity.fromString('500m'), memory: m.Quantity.fromString('256Mi') }, requests: { cpu: m.Quantity.fromNumber(1) } },
              securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: m.Quantity.fromString('64Mi') } },
              { name: 'ebs', awsElasticBlockStore: { volumeId: 'vol-1', fsType: 'ext4' } },
              { name: 'vs', vsphereVolume: { volumePath: '/p', storagePolicyId: 'sp' } },
            ],
          },
        },
      },
    },
    KubeService: {
      metadata: { name: 's', namespace: 'n' },
      spec: { selector: { app: 'd' }, ports: [{ name: 'web', port: 2746, targetPort: m.IntOrString.fromNumber(2746), protocol: 'TCP' }], type: 'ClusterIP', clusterIp: 'None' },
    },
    KubeServiceAccount: { metadata: { name: 'sa', namespace: 'n' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'p' }] },
    KubeClusterRole: {
      metadata: { name: 'r' },
      rules: [{ apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['get', 'list'], resourceNames: ['x'] }, { nonResourceUrLs: ['/healthz'], verbs: ['get'] }],
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] },
    },
    KubeClusterRoleBinding: {
      metadata: { name: 'b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'n' }],
    },
    KubeRole: {
      metadata: { name: 'r', namespace: 'n' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'watch'], resourceNames: ['x'] }],
    },
    KubeRoleBinding: {
      metadata: { name: 'b', namespace: 'n' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'm' }],
    },
    KubeNetworkPolicy: {
      metadata: { name: 'p', namespace: 'n' },
      spec: {
        podSelector: { matchLabels: { app: 'a' } },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] } }],
          ports: [{ protocol: 'TCP', port: m.IntOrString.fromNumber(2746), endPort: 2750 }],
        }],
      },
    },
  });

  test.each(['KubeDeployment', 'KubeService', 'KubeServiceAccount', 'KubeClusterRole', 'KubeClusterRoleBinding', 'KubeRole', 'KubeRoleBinding', 'KubeNetworkPolicy'])('%s writes the same JSON as cdk8s-plus-25', (kind) => {
    const render = (m: any) => {
      const chart = new Chart(new App(), 'c');
      return new m[kind](chart, 'o', propsFor(m)[kind]).toJson();
    };
    const json = render(ours);
    expect(json).toEqual(render(plus));
    // the props really reached the renamed JSON keys
    const text = JSON.stringify(json);
    if (kind === 'KubeDeployment') {
      for (const key of ['"hostIP"', '"volumeID"', '"storagePolicyID"', '"maxSurge":"25%"', '"cpu":"500m"', '"port":2746']) expect(text).toContain(key);
    }
    if (kind === 'KubeService') expect(text).toContain('"clusterIP":"None"');
    if (kind === 'KubeClusterRole') expect(text).toContain('"nonResourceURLs":["/healthz"]');
  });
});
