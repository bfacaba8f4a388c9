// lib/synth/synthesize.ts: in-memory synthesis gives exactly the files app.synth() writes, for
// every YamlOutputType and app shape, with each object's construct path.
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArgoServer, KubeflowArgoChart, KubeflowPatches, Platform } from '../../packages/library/lib';
import { checkOutput } from '../../packages/library/lib/synth/output-checks';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { synthToDir } from '../support/util';

/** The manifests synthesizeApp returns: what app.synth() writes (attached files are the synth command's own). */
const manifests = (app: App) => synthesizeApp(app).filter((f) => !f.attached);
const inMemory = (app: App) => Object.fromEntries(manifests(app).map((f) => [f.file, f.text]));

/** A platform chart, a cdk8s-plus chart that depends on it, a plain chart with a nested chart. */
function mixedApp(yamlOutputType: YamlOutputType) {
  return (outdir: string) => {
    const app = new App({ outdir, yamlOutputType });
    const platform = new KubeflowArgoChart(app, 'platform', { profiles: ['alice'] });
    const web = new Chart(app, 'web', { namespace: 'alice' });
    new kplus.Deployment(web, 'site', { containers: [{ image: 'nginx:1.27', portNumber: 8080 }] });
    web.addDependency(platform);
    const team = new Chart(app, 'team');
    new ApiObject(team, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'alice' } });
    const nested = new Chart(team, 'nested');
    new ApiObject(nested, 'inner', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inner', namespace: 'alice' } });
    return app;
  };
}

test('one chart', () => {
  const build = (outdir: string) => { const app = new App({ outdir }); new KubeflowArgoChart(app, 'kfa', { profiles: ['alice'] }); return app; };
  expect(inMemory(build('unused'))).toEqual(synthToDir(build));
  // and, after the manifests, the file the chart attaches: its Kubeflow-side Component
  expect(synthesizeApp(build('unused')).filter((f) => f.attached).map((f) => [f.file, f.objects.length])).toEqual([['kubeflow-patches/kustomization.yaml', 0]]);
  expect(synthesizeApp(build('unused'))[0].objects.map((o: any) => o.kind)).toContain('WorkflowTemplate');
});

test.each([
  ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART],
  ['FILE_PER_APP', YamlOutputType.FILE_PER_APP],
  ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE],
  ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE],
])('%s: a KubeflowArgoChart, a cdk8s-plus chart depending on it, a nested chart: the files app.synth() writes', (_name, type) => {
  const build = mixedApp(type);
  const files = manifests(build('unused'));
  const written = synthToDir(build);
  expect(Object.fromEntries(files.map((f) => [f.file, f.text]))).toEqual(written);
  expect(Object.keys(written).length).toBeGreaterThan(type === YamlOutputType.FILE_PER_APP ? 0 : 3);
  expect(checkOutput(files)).toEqual([]);
});

test('numbered file names when a chart depends on another (cdk8s IndexedChartNamer), plain names otherwise', () => {
  const names = (build: (o: string) => App) => manifests(build('unused')).map((f) => f.file);
  const mixed = mixedApp(YamlOutputType.FILE_PER_CHART);
  expect(names(mixed)).toEqual(['0000-platform.k8s.yaml', '0001-web.k8s.yaml', '0002-team-nested-c80a7d92.k8s.yaml', '0003-team.k8s.yaml']);
  expect(names(mixed)).toEqual(Object.keys(synthToDir(mixed)).sort());
  const two = (outdir: string) => { const app = new App({ outdir }); new ArgoServer(new Chart(app, 'a'), 's'); new ArgoServer(new Chart(app, 'b', { namespace: 'b' }), 's'); return app; };
  expect(names(two)).toEqual(['a.k8s.yaml', 'b.k8s.yaml']);
  expect(names(two)).toEqual(Object.keys(synthToDir(two)));
});

test('construct paths line up with the objects, in every file', () => {
  const files = synthesizeApp(mixedApp(YamlOutputType.FILE_PER_CHART)('unused'));
  const byPath = new Map<string, any>();
  for (const f of files) {
    expect(f.paths).toHaveLength(f.objects.length);
    f.objects.forEach((o, i) => byPath.set(f.paths[i], o));
  }
  expect(byPath.get('team/settings').metadata.name).toBe('settings');
  expect(byPath.get('team/nested/inner').metadata.name).toBe('inner');
  expect(byPath.get('platform/ArgoServer/Service').kind).toBe('Service');
  expect([...byPath.keys()].find((p) => p.startsWith('web/site/'))).toBeDefined();
});

test('an app without charts gives no files; an empty chart gives an empty file, as app.synth() does', () => {
  expect(synthesizeApp(new App())).toEqual([]);
  const build = (outdir: string) => { const app = new App({ outdir }); new Chart(app, 'empty'); return app; };
  expect(inMemory(build('unused'))).toEqual(synthToDir(build));
  expect(checkOutput(synthesizeApp(build('unused')))).toEqual([expect.stringContaining('the app has no objects to write')]);
  expect(checkOutput(synthesizeApp(build('unused')), { allowEmpty: true })).toEqual([]);
});

test('the app is left as it was: its outdir is untouched', () => {
  const app = mixedApp(YamlOutputType.FILE_PER_CHART)('keep-me');
  synthesizeApp(app);
  expect(app.outdir).toBe('keep-me');
});

describe('KubeflowPatches.writeFiles: the Kubeflow-side files for apps that any synth runs', () => {
  const ssoApp = (outdir: string) => {
    const app = new App({ outdir });
    const chart = new KubeflowArgoChart(app, 'kfa', { platform: Platform.KUBEFLOW_1_11, profiles: [{ namespace: 'team-a', owner: 'alice@example.com' }], sso: {} });
    return { app, chart };
  };

  test('app.synth() writes no Kubeflow-side files; writeFiles writes each as the synth command would, and nothing else changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-writefiles-'));
    try {
      const { app, chart } = ssoApp(dir);
      app.synth();
      const manifests = fs.readdirSync(dir).sort();
      const before = manifests.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
      expect(fs.existsSync(path.join(dir, 'kubeflow-patches'))).toBe(false);
      const written = KubeflowPatches.writeFiles(app);
      expect(written.map((f) => path.relative(dir, f))).toEqual(['kubeflow-patches/kustomization.yaml', 'kubeflow-patches/dex-static-client.yaml']);
      expect(written.map((f) => fs.readFileSync(f, 'utf8'))).toEqual([chart.kubeflowPatches!.component, chart.kubeflowPatches!.dexStaticClient]);
      // the same text the synth command writes
      expect(synthesizeApp(app).filter((f) => f.attached).map((f) => [f.file, f.text])).toEqual(written.map((f) => [path.relative(dir, f), fs.readFileSync(f, 'utf8')]));
      expect(fs.readdirSync(dir).sort()).toEqual([...manifests, 'kubeflow-patches'].sort());
      expect(manifests.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))).toEqual(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an output directory that does not exist is refused, naming the prop, the value and the fix', () => {
    const missing = path.join(os.tmpdir(), `kfa-writefiles-missing-${process.pid}`);
    const { app } = ssoApp(missing);
    expect(() => KubeflowPatches.writeFiles(app)).toThrow(/writeFiles\.outdir is not a directory, got ".*kfa-writefiles-missing-\d+"\. Fix: call app\.synth\(\) first/);
    expect(fs.existsSync(missing)).toBe(false);
  });
});
