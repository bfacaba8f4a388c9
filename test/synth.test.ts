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

  (process.platform === 'win32' ? test.skip : test)('scripts/synth (the fast command) runs synth.js without NODE_EXTRA_CA_CERTS', () => {
    // Node reads that file at start-up whether or not TLS is used; a missing file shows it.
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(scratch, 'missing-ca.pem') };
    const direct = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'synth.js'), '--outdir', outdir], { cwd: ROOT, encoding: 'utf8', env });
    expect(direct.status).toBe(0);
    expect(direct.stderr).toContain('missing-ca.pem'); // the variable is honoured by plain node
    fs.rmSync(outdir, { recursive: true });
    // started from another directory, through a relative path, with arguments passed on
    const fast = spawnSync(path.relative(scratch, path.join(ROOT, 'scripts', 'synth')), ['--outdir', 'dist'], { cwd: scratch, encoding: 'utf8', env });
    expect(fast.stderr).toBe('');
    expect(fast.status).toBe(0);
    expect(fast.stdout).toContain('wrote dist/ (kubeflow-argo.k8s.yaml; 18 objects, schema-checked)');
    expect(readDir(outdir)).toEqual(readDir(path.join(ROOT, 'dist')));
  }, 60_000);

  test('an app that uses crypto and child_process at synth time gets the real modules', () => {
    // The bundle replaces both with stand-ins that load them on first use (scripts/synth.js,
    // LAZY_BUILTINS); namespace imports, named imports and generated (hashed) names must work.
    const entry = path.join(scratch, 'builtins-app.ts');
    fs.writeFileSync(entry, [
      `import { App, ApiObject, Chart, Names } from 'cdk8s';`,
      `import * as crypto from 'crypto';`,
      `import { execFileSync } from 'child_process';`,
      `export function buildApp(outdir?: string) {`,
      `  const app = new App({ outdir });`,
      `  const chart = new Chart(app, 'c');`,
      `  const cm = new ApiObject(chart, 'unnamed', { apiVersion: 'v1', kind: 'ConfigMap' });`, // name from node.addr (sha1)
      `  new ApiObject(chart, 'named', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'named' }, data: {`,
      `    sha256: crypto.createHash('sha256').update('kfa').digest('hex'),`,
      `    child: execFileSync(process.execPath, ['-p', '6 * 7'], { encoding: 'utf8' }).trim(),`,
      `    label: Names.toDnsLabel(cm),`,
      `  } } as any);`,
      `  return app;`,
      `}`,
    ].join('\n'));
    const res = synth(outdir, '--entry', entry);
    expect(res.output).toContain('wrote');
    expect(res.status).toBe(0);
    const text = fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8');
    // c/unnamed has the same address in any process: compute it with the real modules here
    const { App, Chart, Names } = require('cdk8s');
    const probe = new Chart(new App(), 'c');
    const label = Names.toDnsLabel(new (require('constructs').Construct)(probe, 'unnamed'));
    expect(text).toContain(`  name: ${label}\n`);
    expect(text).toContain(`  label: ${label}\n`);
    expect(text).toContain(`  sha256: ${require('crypto').createHash('sha256').update('kfa').digest('hex')}\n`);
    expect(text).toContain('  child: "42"\n');
  }, 60_000);

  test('a synth of the default app loads neither crypto nor child_process', () => {
    // Each costs several ms of start-up (see LAZY_BUILTINS in scripts/synth.js).
    const list = path.join(scratch, 'modules.json');
    const probe = path.join(scratch, 'probe.js');
    fs.writeFileSync(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(process.moduleLoadList)));`);
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS; // Node loads crypto at start-up for it (see scripts/synth)
    expect(synth(outdir).status).toBe(0); // a rebuild of the bundle loads both; probe a warm synth
    const res = spawnSync(process.execPath, ['-r', probe, path.join(ROOT, 'scripts', 'synth.js'), '--outdir', outdir], { cwd: ROOT, encoding: 'utf8', env });
    expect(res.status).toBe(0);
    const loaded: string[] = JSON.parse(fs.readFileSync(list, 'utf8'));
    expect(loaded).toContain('NativeModule fs'); // the probe saw the module list
    expect(loaded).not.toContain('NativeModule crypto');
    expect(loaded).not.toContain('NativeModule child_process');
  }, 60_000);

  test('builds a new entry from any working directory; relative paths are the caller\'s', () => {
    const entry = path.join(scratch, 'elsewhere-app.ts');
    fs.writeFileSync(entry, [
      `import { App } from 'cdk8s';`,
      `import { KubeflowArgoChart } from '${path.join(ROOT, 'lib').split(path.sep).join('/')}';`,
      `export function buildApp(outdir?: string) { const app = new App({ outdir }); new KubeflowArgoChart(app, 'c', { argoServer: { baseHref: '/elsewhere/' } }); return app; }`,
    ].join('\n'));
    const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'synth.js'), '--entry', 'elsewhere-app.ts', '--outdir', 'out'], { cwd: scratch, encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(fs.readFileSync(path.join(scratch, 'out', 'c.k8s.yaml'), 'utf8')).toContain('value: /elsewhere/');
  }, 60_000);

  test('refuses unknown arguments', () => {
    const res = synth(outdir, '--app', 'x');
    expect(res.status).toBe(64);
    expect(res.output).toContain('unknown argument "--app"');
    const missing = run([path.join(ROOT, 'scripts', 'synth.js'), '--outdir']);
    expect(missing.status).toBe(64);
    expect(missing.output).toContain('synth: --outdir needs a value, e.g. --outdir dist');
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
