// lib/synth/synthesize.ts: in-memory synthesis gives exactly the files app.synth() writes.
import { App, Chart, YamlOutputType } from 'cdk8s';
import { ArgoServer, KubeflowArgoChart } from '../lib';
import { synthesizeApp } from '../lib/synth/synthesize';
import { synthToDir } from './util';

const inMemory = (app: App) => Object.fromEntries(synthesizeApp(app).map((f) => [f.file, f.text]));

test('one chart (the fast path)', () => {
  const build = (outdir: string) => { const app = new App({ outdir }); new KubeflowArgoChart(app, 'kfa', { profiles: ['alice'] }); return app; };
  expect(inMemory(build('unused'))).toEqual(synthToDir(build));
  expect(synthesizeApp(build('unused'))[0].objects.map((o: any) => o.kind)).toContain('WorkflowTemplate');
});

test('several charts and a nested chart (cdk8s orders and numbers them) go through cdk8s itself', () => {
  const build = (outdir: string) => {
    const app = new App({ outdir });
    const a = new Chart(app, 'first');
    new ArgoServer(a, 'server', { namespace: 'one' });
    const b = new KubeflowArgoChart(app, 'second', { argoServer: { namespace: 'two' } });
    new Chart(b, 'nested');
    return app;
  };
  const app = build('keep-me');
  const files = synthesizeApp(app);
  expect(Object.fromEntries(files.map((f) => [f.file, f.text]))).toEqual(synthToDir(build));
  expect(app.outdir).toBe('keep-me'); // restored after the scratch synth
  expect(files.flatMap((f) => f.objects).filter((o: any) => o.kind === 'Deployment').map((o: any) => o.metadata.namespace).sort()).toEqual(['one', 'two']);
});

test('file per resource output type goes through cdk8s itself', () => {
  const build = (outdir: string) => { const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_RESOURCE }); new Chart(app, 'c'); new ArgoServer(app.charts[0], 's'); return app; };
  expect(inMemory(build('unused'))).toEqual(synthToDir(build));
});
