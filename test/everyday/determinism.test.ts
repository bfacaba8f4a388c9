// Two synths give byte-identical output, whatever order profiles are listed in.
import { execFileSync } from 'child_process';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { Testing } from 'cdk8s';
import { KubeflowArgoChart } from '../../packages/library/lib';
import { buildApp } from '../support/reference-app';
import { synthToDir } from '../support/util';


test('two synths of the default app are byte-identical', () => {
  const a = synthToDir(buildApp);
  const b = synthToDir(buildApp);
  expect(Object.keys(a).length).toBeGreaterThan(0);
  expect(a).toEqual(b);
});

test('profile order does not change the output', () => {
  const yaml = (profiles: string[]) => {
    const app = Testing.app();
    new KubeflowArgoChart(app, 'c', { profiles });
    return app.synthYaml();
  };
  expect(yaml(['carol', 'alice', 'bob'])).toBe(yaml(['alice', 'bob', 'carol']));
  expect(yaml(['carol', 'alice', 'bob']).indexOf('namespace: alice')).toBeLessThan(yaml(['carol', 'alice', 'bob']).indexOf('namespace: carol'));
});

/**
 * The timestamps a synth could write: a date-time, or a `creationTimestamp` field. Argo's
 * `{{workflow.creationTimestamp.Y}}` (KFP's templates use it) is a variable the controller fills
 * in at run time, not a timestamp of the synth.
 */
function timestamps(yaml: string): string[] {
  return [...yaml.matchAll(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|^\s*(?:- )?creationTimestamp:.*$/gm)].map((m) => m[0].trim());
}

test('timestamps() finds a date-time or a creationTimestamp field, not Argo\'s creationTimestamp variable', () => {
  expect(timestamps('metadata:\n  creationTimestamp: null\n  name: x\n')).toEqual(['creationTimestamp: null']);
  expect(timestamps('value: "2026-12-05T10:00:00Z"\n')).toEqual(['2026-12-05T10:00']);
  expect(timestamps('args: ["out/{{workflow.creationTimestamp.Y}}/{{workflow.creationTimestamp.m}}"]\n')).toEqual([]);
});

test('no timestamps or random suffixes: names are the contract', () => {
  const text = synthToDir(buildApp);
  const all = Object.values(text).join('\n');
  expect(timestamps(all)).toEqual([]);
  // cdk8s adds an 8-hex-digit hash to generated names; every name here is set explicitly
  expect(all).not.toMatch(/name: [a-z0-9-]*-[0-9a-f]{8}\b/);
});

test('issue 21: the output is the same under any locale (Danish sorts "aa" after "z")', () => {
  // a fresh process per locale (ICU reads LANG once, at start), running the library bundled by esbuild
  const entry = [
    "import { Testing } from 'cdk8s'; import { KubeflowArgoChart, Platform } from 'cdk8s-kubeflow-argo';",
    'const app = Testing.app();',
    "new KubeflowArgoChart(app, 'c', { platform: Platform.KUBEFLOW_1_9, sso: {}, profiles: [",
    "  { namespace: 'z-team', owner: 'zoe@example.com', contributors: ['aase@example.com'] }, { namespace: 'aa-team', owner: 'aase@example.com' }, { namespace: 'b-team', owner: 'bo@example.com' }] });",
    'process.stdout.write(app.synthYaml());',
  ].join('\n');
  const root = path.join(__dirname, '..', '..');
  const bundle = esbuild.buildSync({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent', define: { __dirname: JSON.stringify(path.join(root, 'packages', 'library', 'lib')) } }).outputFiles[0].text;
  const run = (lang: string, code = bundle) => execFileSync(process.execPath, ['-'], { input: code, cwd: root, encoding: 'utf8', env: { ...process.env, LANG: lang, LC_ALL: lang } });
  // the locale is in effect: localeCompare orders Danish "aa" last
  expect(run('da_DK.UTF-8', 'process.stdout.write(["aa","z"].sort((a,b)=>a.localeCompare(b)).join())')).toBe('z,aa');
  const danish = run('da_DK.UTF-8');
  expect(danish).toBe(run('C.UTF-8'));
  expect(danish.indexOf('namespace: aa-team')).toBeLessThan(danish.indexOf('namespace: z-team'));
}, 60_000);

test('issue 21: maps given in another order (labels, annotations) give the same output', () => {
  const yaml = (labels: Record<string, string>, annotations: Record<string, string>) => {
    const app = Testing.app();
    new KubeflowArgoChart(app, 'c', { profiles: ['alice'], labels, workflowTemplate: { labels, annotations, podMetadata: { labels, annotations } } });
    return app.synthYaml();
  };
  const a = yaml({ team: 'ml', app: 'argo', zone: 'eu' }, { 'b.example.com/x': '1', 'a.example.com/y': '2' });
  expect(a).toBe(yaml({ zone: 'eu', app: 'argo', team: 'ml' }, { 'a.example.com/y': '2', 'b.example.com/x': '1' }));
  expect(a.indexOf('app: argo')).toBeLessThan(a.indexOf('team: ml'));
});
