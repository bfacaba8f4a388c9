// `npm run synth` end to end (scripts/synth.js), and `cdk8s synth` with the validation plugin
// declared in cdk8s.yaml: both write exactly the committed dist/, and a failing app or a
// schema violation leaves the previous output byte-identical with a non-zero exit.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readDir } from './util';

const ROOT = path.join(__dirname, '..');


function run(args: string[]) {
  const res = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', CDK8S_CHECK_UPGRADE: 'false' } });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}
const synth = (outdir: string, ...args: string[]) => run([path.join(ROOT, 'scripts', 'synth.js'), '--outdir', outdir, ...args]);
const cdk8sSynth = (outdir: string, ...args: string[]) => run([path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--output', outdir, ...args]);

let scratch: string;
let outdir: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-synth-'));
  outdir = path.join(scratch, 'dist');
  fs.mkdirSync(outdir);
  // a previous good output, plus a file only a wholesale replace would remove
  fs.writeFileSync(path.join(outdir, 'previous.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: previous\n');
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('npm run synth (scripts/synth.js)', () => {
  test('writes exactly the committed dist/, replacing the old output as a whole', () => {
    const res = synth(outdir);
    expect(res.status).toBe(0);
    expect(readDir(outdir)).toEqual(readDir(path.join(ROOT, 'dist')));
    expect(fs.readdirSync(scratch)).toEqual(['dist']); // no leftover temporary directory
  }, 60_000);

  test('a failing app leaves dist/ byte-identical and exits non-zero with the error', () => {
    const before = readDir(outdir);
    const res = synth(outdir, '--entry', 'test/fixtures/bad-prop-app.ts');
    expect(res.status).toBe(1);
    expect(res.output).toContain('error: ArgoServer: baseHref must start and end with "/", got "argo"');
    expect(readDir(outdir)).toEqual(before);
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  }, 60_000);

  test('a schema violation fails with construct path, object and JSON pointer; dist/ untouched', () => {
    const before = readDir(outdir);
    const res = synth(outdir, '--entry', 'test/fixtures/schema-violation-app.ts');
    expect(res.status).toBe(2);
    expect(res.output).toContain('[kubeflow-argo/ArgoServer/Service] Service kubeflow/argo-server (v1) at /spec/ports/0/port: must be integer');
    expect(readDir(outdir)).toEqual(before);
  }, 60_000);

  test('rebuilds its cached bundle when a source file changes', () => {
    const entry = path.join(scratch, 'app.ts');
    const write = (baseHref: string) => fs.writeFileSync(entry, [
      `import { App } from 'cdk8s';`,
      `import { KubeflowArgoChart } from '${path.join(ROOT, 'lib').split(path.sep).join('/')}';`,
      `export function buildApp(outdir?: string) { const app = new App({ outdir }); new KubeflowArgoChart(app, 'c', { argoServer: { baseHref: '${baseHref}' } }); return app; }`,
    ].join('\n'));
    write('/one/');
    expect(synth(outdir, '--entry', entry).status).toBe(0);
    expect(fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8')).toContain('value: /one/');
    write('/two/');
    // a different size defeats equal-mtime filesystems too
    expect(synth(outdir, '--entry', entry).status).toBe(0);
    expect(fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8')).toContain('value: /two/');
  }, 60_000);

  test('refuses unknown arguments', () => {
    const res = synth(outdir, '--app', 'x');
    expect(res.status).toBe(64);
    expect(res.output).toContain('unknown argument "--app"');
  });
});

describe('cdk8s synth with the validation plugin from cdk8s.yaml', () => {
  test('passes on the default app and writes the same manifests as dist/', () => {
    const res = cdk8sSynth(outdir);
    expect(res.status).toBe(0);
    expect(res.output).toContain('schema-validation: 18 objects checked, 0 violations');
    const files = readDir(outdir);
    delete files['construct-metadata.json'];
    delete files['synth-metadata.json'];
    const dist = readDir(path.join(ROOT, 'dist'));
    delete dist.Kustomization; // written by scripts/synth.js only
    expect(files).toEqual(dist);
  }, 60_000);

  test('fails on a schema violation with the construct path', () => {
    const res = cdk8sSynth(outdir, '--app', 'node -r ts-node/register/transpile-only test/fixtures/schema-violation-app.ts');
    expect(res.status).not.toBe(0);
    expect(res.output).toContain('Construct Path: kubeflow-argo/ArgoServer/Service');
    expect(res.output).toContain('/spec/ports/0/port: must be integer');
  }, 60_000);
});
