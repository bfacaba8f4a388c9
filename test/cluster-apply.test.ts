// Issue 22, items 1 and 2, on a real API server per preset (test/cluster.ts): the output of every
// preset (with sso, a GitHub and a generic webhook trigger, Kubeflow roles) is server-side applied
// over the release's namespaces with their Pod Security labels: no rejection, no warning (the
// PodSecurity admission warns on a workload whose pods its namespace's level would refuse), and a
// second apply changes nothing. kubectl's -o yaml of the result is what preflight reads item by
// item (issue 21).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { KubeflowArgoChart, Platform } from '../lib';
import { synthesizeApp } from '../lib/synth/synthesize';
import { readDump } from '../preflight/input';
import { clusterBinaries, crdsText, platformCrdFiles, startCluster } from './cluster';
import { MANIFESTS, releaseCluster } from './release-cluster';
import { describeUnless, hasKubectl, PRESETS } from './util';

const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const missing = (p: Platform) => platformCrdFiles(p.spec.kubeflow.release, p.spec.argoEvents.release).find((f) => !fs.existsSync(f));
const why = bins.skipped ?? (!fs.existsSync(MANIFESTS) ? `${MANIFESTS} not found` : PRESETS.map(missing).find(Boolean)?.concat(' not found'));
// eslint-disable-next-line no-console
if (why) console.log(`cluster apply tests skipped: ${why}`);

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

describeUnless(why).each(PRESETS.map((p) => [p.id, p] as const))('%s: the output on a real API server', (_id, platform) => {
  test('server-side apply over the release\'s namespaces: no rejection, no warning; a second apply changes nothing', async () => {
    const cluster = await startCluster({ etcd: (bins as any).etcd, apiserver: (bins as any).apiserver });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-apply-'));
    try {
      const crds = cluster.kubectl(['apply', '--server-side', '-f', '-'], crdsText(platformCrdFiles(platform.spec.kubeflow.release, platform.spec.argoEvents.release)));
      expect([crds.status, crds.stderr.replace(/^Warning: .*\n/gm, '')]).toEqual([0, '']); // upstream schemas carry formats Kubernetes warns about
      expect(cluster.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']).status).toBe(0);
      // the release's namespaces, with the Pod Security labels it sets
      const namespaces = releaseCluster(platform, 'team-a').filter((o) => o.kind === 'Namespace')
        .map((o) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.metadata.name, labels: o.metadata.labels ?? {} } }));
      const ns = cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces }));
      expect([ns.status, ns.stderr]).toEqual([0, '']);
      const file = path.join(dir, 'output.yaml');
      fs.writeFileSync(file, output(platform));
      const first = cluster.kubectl(['apply', '--server-side', '--field-manager=cdk8s-kubeflow-argo', '-f', file]);
      expect([first.status, first.stderr]).toEqual([0, '']);
      const again = cluster.kubectl(['diff', '--server-side', '--field-manager=cdk8s-kubeflow-argo', '-f', file]);
      expect([again.status, again.stdout, again.stderr]).toEqual([0, '', '']);
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
