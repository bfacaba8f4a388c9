// Issue 20, item 5: removing a member or a profile revokes access. Every object of the chart
// carries the output label; prune.sh deletes, in every namespace, the labelled objects that left
// the output. Run here with a stand-in kubectl (test/fixtures/fake-kubectl); the cluster suite
// runs it against a real API server.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { KubeflowArgoChart, KubeflowArgoChartProps, Platform } from '../../packages/library/lib';
import { OUTPUT_LABEL } from '../../packages/library/lib/synth/prune';
import { ArgoServer } from '../../packages/library/lib/argo-server/argo-server';
import { groupKind } from '../../packages/library/lib/synth/output-checks';
import { PRUNED_RESOURCES, pruneKey, pruneScript } from '../../packages/library/lib/synth/prune';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { CONFIGS } from '../support/configs';
import { PRESETS } from '../support/util';

const FAKE = path.join(__dirname, '..', 'fixtures', 'fake-kubectl');

function chartObjects(props: KubeflowArgoChartProps, id = 'kfa'): any[] {
  const app = new App();
  new KubeflowArgoChart(app, id, props);
  return synthesizeApp(app).flatMap((f) => f.objects);
}

interface Live { type: string; namespace?: string; name: string; labels?: Record<string, string> }
const live = (objects: readonly any[]): Live[] => objects.map((o) => {
  const [type, ns, name] = pruneKey(o)!.split(' ');
  return { type, ...(ns === '<none>' ? {} : { namespace: ns }), name, labels: o.metadata.labels };
});

/** Runs `script` with the stand-in kubectl over `objects`; returns its result, the calls and what is left. */
function runPrune(script: string, objects: Live[], args: string[] = [], extra: { resources?: string[]; fail?: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-'));
  try {
    const row = (o: Live) => [o.type, o.namespace ?? '<none>', o.name, o.labels?.[OUTPUT_LABEL] ?? '-'].join('\t');
    fs.writeFileSync(path.join(dir, 'resources'), (extra.resources ?? Object.values(PRUNED_RESOURCES)).map((r) => `${r}\n`).join(''));
    fs.writeFileSync(path.join(dir, 'objects'), objects.map((o) => `${row(o)}\n`).join(''));
    fs.writeFileSync(path.join(dir, 'log'), '');
    if (extra.fail) fs.writeFileSync(path.join(dir, 'fail'), extra.fail);
    fs.writeFileSync(path.join(dir, 'prune.sh'), script);
    const r = spawnSync('sh', [path.join(dir, 'prune.sh'), ...args], {
      encoding: 'utf8', env: { ...process.env, PATH: `${FAKE}:${process.env.PATH}`, FAKE_KUBECTL_DIR: dir },
    });
    const calls = fs.readFileSync(path.join(dir, 'log'), 'utf8').split('--end--\n').filter(Boolean).map((c) => c.split('\n').slice(0, -1));
    const left = fs.readFileSync(path.join(dir, 'objects'), 'utf8').split('\n').filter(Boolean).map((l): Live => {
      const [type, ns, name, output] = l.split('\t');
      return { type, ...(ns === '<none>' ? {} : { namespace: ns }), name, ...(output === '-' ? {} : { labels: { [OUTPUT_LABEL]: output } }) };
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls, left };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const key = (o: Live) => `${o.type} ${o.namespace ?? '<none>'} ${o.name}`;

describe('every object of the chart carries the output label, and prune.sh knows every kind', () => {
  test.each(CONFIGS)('%s', (_name, props) => {
    const objects = chartObjects(props);
    expect(objects.filter((o) => o.metadata.labels?.[OUTPUT_LABEL] !== 'kfa').map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([]);
    expect(objects.map(groupKind).filter((gk) => !PRUNED_RESOURCES[gk])).toEqual([]);
  });

  test.each(PRESETS.map((p) => [p.id, p] as const))('%s with sso, events and Kubeflow roles', (_id, platform) => {
    const objects = chartObjects({
      platform, kubeflowRoles: true,
      profiles: [{ namespace: 'alice', owner: 'alice@example.com' }],
      sso: { ...(platform.spec.argoWorkflows.sso.accountLookup === 'cluster-informer-with-secrets' ? { allowClusterWideSecretList: true } : {}) },
      events: { sources: [{ type: 'webhook', name: 'hook', webhookSecret: { name: 'hook', key: 'k' } }, { type: 'github', name: 'gh', repositories: ['a/b'], webhookSecret: { name: 's', key: 'k' } }], triggers: [{ source: 'hook', profile: 'alice' }] },
    });
    expect(objects.map(groupKind).filter((gk) => !PRUNED_RESOURCES[gk])).toEqual([]);
    expect(objects.filter((o) => o.metadata.labels?.[OUTPUT_LABEL] !== 'kfa')).toEqual([]);
  });

  test('the Kubeflow-side Component labels nothing: its objects are Kubeflow\'s, which prune.sh must never reach', () => {
    const app = new App();
    new KubeflowArgoChart(app, 'kfa', { profiles: ['alice'], events: { sources: [{ type: 'webhook', name: 'hook', webhookSecret: { name: 'hook', key: 'k' } }] } });
    const component = synthesizeApp(app).filter((f) => f.attached);
    expect(component.length).toBeGreaterThan(0);
    for (const f of component) expect(f.text).not.toContain(OUTPUT_LABEL);
  });

  test('outputName sets the label; a bad one, or the label set through labels, is refused and leaves the app as it was', () => {
    expect(chartObjects({ outputName: 'prod.argo' }).every((o) => o.metadata.labels[OUTPUT_LABEL] === 'prod.argo')).toBe(true);
    const app = new App();
    expect(() => new KubeflowArgoChart(app, 'a', { outputName: 'has space' })).toThrow('KubeflowArgoChart: outputName must be a label value (1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit), got "has space". Fix: e.g. "kubeflow-argo"');
    expect(() => new KubeflowArgoChart(app, 'b', { labels: { [OUTPUT_LABEL]: 'x' } })).toThrow(`KubeflowArgoChart: labels["${OUTPUT_LABEL}"] is set by the chart itself (the prune label), got "x". Fix: set outputName instead`);
    expect(() => new KubeflowArgoChart(app, 'c/d'.replace('/', '_').padEnd(70, 'x'))).toThrow('is not set, and the chart\'s id');
    expect(app.node.children).toHaveLength(0);
  });

  test('pruneLabels makes your own chart\'s objects prunable; a bad name is refused', () => {
    const app = new App();
    const chart = new Chart(app, 'mine', { labels: KubeflowArgoChart.pruneLabels('mine') });
    new ArgoServer(chart, 'server', { platform: Platform.KUBEFLOW_1_9 });
    const script = pruneScript(synthesizeApp(app).flatMap((f) => f.objects))!;
    expect(script).toContain('\nprune mine \'\ndeployments.apps kubeflow argo-server\n');
    expect(KubeflowArgoChart.OUTPUT_LABEL).toBe(OUTPUT_LABEL);
    expect(() => KubeflowArgoChart.pruneLabels('')).toThrow('KubeflowArgoChart.pruneLabels: outputName must be a label value (1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit), got "". Fix: e.g. "kubeflow-argo"');
  });
});

describe('prune.sh (issue 20, item 5): a dropped profile and a removed member lose their accounts', () => {
  const profile = (namespace: string, owner: string, contributors: string[] = []) => ({ namespace, owner, contributors });
  const before = chartObjects({ platform: Platform.KUBEFLOW_1_9, profiles: [profile('alice', 'alice@example.com', ['bob@example.com']), profile('carol', 'carol@example.com')], sso: {} });
  const after = chartObjects({ platform: Platform.KUBEFLOW_1_9, profiles: [profile('alice', 'alice@example.com')], sso: {} });
  const script = pruneScript(after)!;
  // Kubeflow's own objects in the dropped profile, and another output's, are not ours to delete
  const foreign: Live[] = [
    { type: 'serviceaccounts', namespace: 'carol', name: 'default-editor' },
    { type: 'serviceaccounts', namespace: 'carol', name: 'other-tool', labels: { [OUTPUT_LABEL]: 'other-output' } },
  ];
  // the cluster after applying `after` over `before` (kubectl apply changes and adds, never deletes)
  const applied = [...live(before).filter((b) => !live(after).some((a) => key(a) === key(b))), ...live(after), ...foreign];

  test('exactly what left the output is deleted, in every namespace, and nothing else', () => {
    const gone = live(before).filter((b) => !live(after).some((a) => key(a) === key(b))).map(key).sort();
    // the dropped profile's account, its token and binding are among them (kubectl apply --prune would miss them: nothing was applied in carol)
    expect(gone).toEqual(expect.arrayContaining(['serviceaccounts carol argo-sso-editor', 'rolebindings.rbac.authorization.k8s.io carol argo-sso-editor']));
    const r = runPrune(script, applied);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.left.map(key).sort()).toEqual([...live(after), ...foreign].map(key).sort());
    expect(r.calls.filter((c) => c[0] === 'delete').map((c) => `${c[1]} ${(c.find((a) => a.startsWith('--namespace=')) ?? '--namespace=<none>').slice(12)} ${c[2]}`).sort()).toEqual(gone);
  });

  test('run before the apply it deletes nothing and says to apply first', () => {
    const r = runPrune(script, [...live(before), ...foreign]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^prune\.sh: output kfa is not applied yet \(not in the cluster: .+\); apply this directory first\. Nothing deleted\.\n$/);
    expect(r.calls.filter((c) => c[0] === 'delete')).toEqual([]);
  });

  test('--dry-run lists what it would delete; kubectl flags reach every call', () => {
    const r = runPrune(script, applied, ['--dry-run', '--context', 'prod']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('would delete serviceaccounts argo-sso-editor (--namespace=carol)\n');
    expect(r.calls.filter((c) => c[0] === 'delete')).toEqual([]);
    expect(r.calls.length).toBeGreaterThan(1);
    for (const c of r.calls) expect(c.slice(-2)).toEqual(['--context', 'prod']);
  });

  test('types the server does not serve are not asked for (the output\'s own then count as not applied); a failing kubectl stops it', () => {
    const r = runPrune(script, applied, [], { resources: Object.values(PRUNED_RESOURCES).filter((t) => !t.endsWith('argoproj.io')) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('(not in the cluster: workflowtemplates.argoproj.io alice ');
    const asked = r.calls.filter((c) => c[0] === 'get').map((c) => c[1]);
    expect(asked.some((t) => t.endsWith('argoproj.io'))).toBe(false);
    const failed = runPrune(script, applied, [], { fail: 'error: You must be logged in to the server (Unauthorized)' });
    expect(failed.status).not.toBe(0);
    expect(failed.calls.filter((c) => c[0] === 'delete')).toEqual([]);
  });

  test('a member removed from a profile: the login account\'s token Secret changes name, and the old one is pruned', () => {
    const token = (objs: any[], ns: string) => objs.filter((o) => o.kind === 'Secret' && o.metadata.namespace === ns).map((o) => o.metadata.name);
    expect(token(after, 'alice')).not.toEqual(token(before, 'alice'));
    const r = runPrune(script, applied);
    expect(r.left.filter((o) => o.type === 'secrets').map(key).sort()).toEqual(live(after).filter((o) => o.type === 'secrets').map(key).sort());
  });
});
