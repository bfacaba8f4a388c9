// Issue 20 item 5 and issue 22 item 5 on a real API server (test/support/cluster.ts): an SSO output is
// applied, a profile and a member leave it, the new output is applied and prune.sh deletes
// exactly what left, in every namespace, with the real kubectl, and the removed accounts' old
// tokens are refused; run before the apply it deletes nothing. The CRDs come from
// the committed fixtures (test/support/cluster-fixtures.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { App } from 'cdk8s';
import { KubeflowArgoChart, Platform } from '../../packages/library/lib';
import { outputFiles } from '../../packages/library/lib/synth/output-formats';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { Cluster, clusterBinaries, startCluster } from '../support/cluster';
import { loadClusterFixture } from '../support/cluster-fixtures';
import { describeUnless, hasKubectl } from '../support/util';

const FIXTURE = loadClusterFixture(Platform.KUBEFLOW_1_9);

const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const why = bins.skipped ?? ('skipped' in FIXTURE ? FIXTURE.skipped : undefined);
// eslint-disable-next-line no-console
if (why) console.log(`cluster prune tests skipped: ${why}`);
const describeCluster = describeUnless(why);

/** Writes the synth's files for `profiles` (Kubeflow 1.9, sso) into a new directory. */
function output(dir: string, profiles: any[]): string {
  const app = new App();
  new KubeflowArgoChart(app, 'kfa', { platform: Platform.KUBEFLOW_1_9, profiles, sso: {} });
  for (const f of outputFiles(synthesizeApp(app))) {
    fs.mkdirSync(path.join(dir, path.dirname(f.file)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.file), f.text);
  }
  return dir;
}

describeCluster('prune.sh on a real API server (issue 20, item 5)', () => {
  let cluster: Cluster;
  let work: string;
  const kubectlDir = () => path.dirname(spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim());
  const prune = (dir: string, ...args: string[]) => spawnSync('sh', [path.join(dir, 'prune.sh'), ...args, '--kubeconfig', cluster.kubeconfig], { encoding: 'utf8', env: { ...process.env, PATH: `${kubectlDir()}:${process.env.PATH}` } });
  const exists = (kind: string, ns: string, name: string) => cluster.kubectl(['get', kind, name, '-n', ns, '-o', 'name']).status === 0;
  const apply = (dir: string) => {
    const r = cluster.kubectl(['apply', '-k', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  };

  beforeAll(async () => {
    cluster = await startCluster({ etcd: (bins as any).etcd, kubernetes: (bins as any).kubernetes });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-prune-'));
    const applied = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: (FIXTURE as { crds: any[] }).crds }));
    expect([applied.status, applied.stderr.replace(/^Warning: .*\n/gm, '')]).toEqual([0, '']); // upstream schemas carry formats Kubernetes warns about
    expect(cluster.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']).status).toBe(0);
    for (const ns of ['kubeflow', 'argo-events', 'alice', 'carol']) expect(cluster.kubectl(['create', 'namespace', ns]).status).toBe(0);
    // Kubeflow's own account in carol: no label, never ours to delete
    expect(cluster.kubectl(['-n', 'carol', 'create', 'serviceaccount', 'default-editor']).status).toBe(0);
  }, 20 * 60_000);
  afterAll(() => {
    cluster?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** The token the token controller wrote into Secret `ns/name`, once it has. */
  const tokenIn = async (ns: string, name: string): Promise<string> => {
    for (let i = 0; i < 80; i++) {
      const t = cluster.kubectl(['-n', ns, 'get', 'secret', name, '-o', 'jsonpath={.data.token}']).stdout.trim();
      if (t) return Buffer.from(t, 'base64').toString('utf8');
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the token controller filled no token into ${ns}/${name}`);
  };
  const whoami = (token: string) => cluster.kubectl(['auth', 'whoami', `--token=${token}`]);

  test('a dropped profile and a removed member lose their accounts, tokens and bindings; their old tokens are refused; nothing else goes', async () => {
    const before = output(path.join(work, 'before'), [{ namespace: 'alice', owner: 'alice@example.com', contributors: ['bob@example.com'] }, { namespace: 'carol', owner: 'carol@example.com' }]);
    const after = output(path.join(work, 'after'), [{ namespace: 'alice', owner: 'alice@example.com' }]);
    apply(before);
    expect(exists('serviceaccount', 'carol', 'argo-sso-editor')).toBe(true);
    const oldToken = cluster.kubectl(['-n', 'alice', 'get', 'secrets', '-o', 'jsonpath={.items[*].metadata.name}']).stdout.trim();
    // the tokens the controller manager's token controller put in the Secrets: they work now
    const carolToken = await tokenIn('carol', cluster.kubectl(['-n', 'carol', 'get', 'secrets', '-o', 'jsonpath={.items[*].metadata.name}']).stdout.trim());
    const aliceToken = await tokenIn('alice', oldToken);
    for (const t of [carolToken, aliceToken]) expect(whoami(t).status).toBe(0);

    // run before the new output is applied, it deletes nothing
    const early = prune(after);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('is not applied yet');
    expect(exists('serviceaccount', 'carol', 'argo-sso-editor')).toBe(true);

    apply(after);
    const dry = prune(after, '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('would delete serviceaccounts argo-sso-editor (--namespace=carol)');
    expect(exists('serviceaccount', 'carol', 'argo-sso-editor')).toBe(true);

    const r = prune(after);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(exists('serviceaccount', 'carol', 'argo-sso-editor')).toBe(false);
    expect(exists('rolebinding', 'carol', 'argo-sso-editor')).toBe(false);
    expect(exists('workflowtemplate', 'carol', 'hello-kubeflow')).toBe(false);
    expect(exists('serviceaccount', 'carol', 'default-editor')).toBe(true);
    // bob's removal renamed alice's token Secret: the old one is gone, the new one is there
    const newToken = cluster.kubectl(['-n', 'alice', 'get', 'secrets', '-o', 'jsonpath={.items[*].metadata.name}']).stdout.trim();
    expect(newToken).not.toBe(oldToken);
    expect(newToken).toMatch(/^argo-sso-editor-[0-9a-f]{8}\.service-account-token$/);
    // issue 22, item 5: the removed accounts' old tokens are refused, once the API server's cache
    // of successful token authentications (10 s: k8s.io/kubernetes v1.34.2
    // pkg/kubeapiserver/options/authentication.go TokenSuccessCacheTTL, applied in
    // pkg/kubeapiserver/authenticator/config.go) no longer holds their use above
    for (const t of [carolToken, aliceToken]) {
      const deadline = Date.now() + 20_000;
      let w = whoami(t);
      while (w.status === 0 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 1000));
        w = whoami(t);
      }
      expect([w.status, /Unauthorized/.test(w.stderr)]).toEqual([1, true]);
    }
    // every object of the new output is still there, and a second prune finds nothing
    const again = prune(after, '--dry-run');
    expect([again.status, again.stdout]).toEqual([0, '']);
  }, 120_000);
});
