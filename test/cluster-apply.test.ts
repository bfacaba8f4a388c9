// Issue 22, items 1 and 2, on a real API server per preset (test/cluster.ts): over the CRDs and the
// release's own objects (test/fixtures/cluster, test/cluster-fixtures.ts: namespaces with their Pod
// Security labels, roles, NetworkPolicies, the gateway's policies), the output of every preset
// (with sso, a GitHub and a generic webhook trigger, Kubeflow roles) is server-side applied: no
// rejection, no warning (the PodSecurity admission warns on a workload whose pods its namespace's
// level would refuse), and a second apply changes nothing; every Deployment's pod, created as a
// Pod, is admitted without a warning. kubectl's -o yaml of the result is what preflight reads
// item by item (issue 21).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { KubeflowArgoChart, Platform } from '../lib';
import { synthesizeApp } from '../lib/synth/synthesize';
import { readDump } from '../preflight/input';
import { Cluster, clusterBinaries, startCluster } from './cluster';
import { loadClusterFixture } from './cluster-fixtures';
import { describeUnless, hasKubectl, PRESETS } from './util';

const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const fixtureMissing = PRESETS.map((p) => loadClusterFixture(p)).map((f) => ('skipped' in f ? f.skipped : undefined)).find(Boolean);
const why = bins.skipped ?? fixtureMissing;
// eslint-disable-next-line no-console
if (why) console.log(`cluster apply tests skipped: ${why}`);

/** Applies the preset's CRDs and the release's own objects. */
export function installRelease(cluster: Cluster, platform: Platform): void {
  const fixture = loadClusterFixture(platform) as { crds: any[]; release: any[] };
  const crds = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: fixture.crds }));
  expect([crds.status, crds.stderr.replace(/^Warning: .*\n/gm, '')]).toEqual([0, '']); // upstream schemas carry formats Kubernetes warns about
  expect(cluster.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']).status).toBe(0);
  // namespaces first: the release's objects live in them
  const ordered = [...fixture.release.filter((o) => o.kind === 'Namespace'), ...fixture.release.filter((o) => o.kind !== 'Namespace')];
  const release = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: ordered }));
  expect([release.status, release.stderr]).toEqual([0, '']);
}

/** Everything a user of the preset would turn on. */
function output(platform: Platform): string {
  const app = new App();
  new KubeflowArgoChart(app, 'kfa', {
    platform, kubeflowRoles: true,
    profiles: [{ namespace: 'team-a', owner: 'alice@example.com', contributors: ['bob@example.com'] }],
    sso: platform.spec.argoWorkflows.sso.accountLookup === 'cluster-informer-with-secrets' ? { allowClusterWideSecretList: true } : {},
    events: {
      sources: [{ type: 'github', repositories: ['o/r'], webhookSecret: { name: 'gh', key: 'secret' } }, { type: 'webhook', name: 'hook', webhookSecret: { name: 'hook', key: 'token' } }],
      triggers: [{ source: 'github', profile: 'team-a' }, { source: 'hook', profile: 'team-a' }],
    },
  });
  return synthesizeApp(app).filter((f) => !f.attached).map((f) => f.text).join('---\n');
}

/**
 * Every Deployment's pod, created as a Pod in its namespace (server-side dry run: admission runs,
 * nothing is scheduled): the PodSecurity admission enforces the namespace's level on Pods (on
 * Deployments it only warns), so this is what the cluster would really refuse.
 */
function podsAdmitted(cluster: Cluster, file: string): void {
  const deployments = readDump('output.yaml', fs.readFileSync(file, 'utf8')).filter((o) => o.kind === 'Deployment');
  expect(deployments.length).toBeGreaterThan(0);
  for (const d of deployments) {
    const r = createPod(cluster, d, d.spec.template.spec);
    expect([`${d.metadata.namespace}/${d.metadata.name}`, r.status, r.stderr]).toEqual([`${d.metadata.namespace}/${d.metadata.name}`, 0, '']);
    // the check can fail: the same pod without its security settings is refused where the
    // namespace enforces "restricted" (Kubeflow 1.11's kubeflow namespace)
    const ns = cluster.kubectl(['get', 'namespace', d.metadata.namespace, '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}']).stdout;
    if (ns === 'restricted') {
      const bare = { ...d.spec.template.spec, securityContext: undefined, containers: d.spec.template.spec.containers.map((c: any) => ({ ...c, securityContext: undefined })) };
      expect(createPod(cluster, d, bare).stderr).toMatch(/violates PodSecurity "restricted:/);
    }
  }
}

/** `kubectl create --dry-run=server` of Deployment `d`'s pod with `spec`. */
function createPod(cluster: Cluster, d: any, spec: any) {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${d.metadata.name}-pod`, namespace: d.metadata.namespace, labels: d.spec.template.metadata?.labels }, spec };
  return cluster.kubectl(['create', '--dry-run=server', '-o', 'name', '-f', '-'], JSON.stringify(pod));
}

describeUnless(why).each(PRESETS.map((p) => [p.id, p] as const))('%s: the output on a real API server', (_id, platform) => {
  test('server-side apply over the release\'s objects: no rejection, no warning; a second apply changes nothing; every Deployment\'s pod admitted', async () => {
    const cluster = await startCluster({ etcd: (bins as any).etcd, kubernetes: (bins as any).kubernetes });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-apply-'));
    try {
      installRelease(cluster, platform);
      const file = path.join(dir, 'output.yaml');
      fs.writeFileSync(file, output(platform));
      const first = cluster.kubectl(['apply', '--server-side', '--field-manager=cdk8s-kubeflow-argo', '-f', file]);
      expect([first.status, first.stderr]).toEqual([0, '']);
      const again = cluster.kubectl(['diff', '--server-side', '--field-manager=cdk8s-kubeflow-argo', '-f', file]);
      expect([again.status, again.stdout, again.stderr]).toEqual([0, '', '']);
      podsAdmitted(cluster, file);
      // issue 21: what preflight reads, as kubectl really writes it: its -o yaml read item by
      // item (preflight/input.ts, as for a dump over 8 MB) gives the objects its -o json gives
      const kinds = 'namespaces,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings,deployments,services,configmaps';
      const asJson = cluster.kubectl(['get', kinds, '-A', '-o', 'json']);
      const asYaml = cluster.kubectl(['get', kinds, '-A', '-o', 'yaml']);
      expect([asJson.status, asYaml.status]).toEqual([0, 0]);
      const objects = readDump('dump.json', asJson.stdout);
      expect(objects.length).toBeGreaterThan(50);
      expect(readDump('dump.yaml', asYaml.stdout, { maxWholeYaml: 0, maxYamlPiece: 64 * 1024 })).toEqual(objects);
    } finally {
      cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
