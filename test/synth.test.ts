// `npm run synth` end to end through cdk8s-cli: the output equals the committed dist/, and a
// failing app or a schema violation leaves the previous output byte-identical with a
// non-zero exit. Runs scripts/synth.js with SYNTH_OUTDIR pointing at a scratch copy.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const TS_NODE = 'node -r ts-node/register/transpile-only';

function snapshotDir(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

function runSynth(outdir: string, ...args: string[]) {
  const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'synth.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SYNTH_OUTDIR: outdir, FORCE_COLOR: '0' },
  });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

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

test('npm run synth writes exactly the committed dist/ (and no validation metadata)', () => {
  const res = runSynth(outdir);
  expect(res.status).toBe(0);
  expect(snapshotDir(outdir)).toEqual(snapshotDir(path.join(ROOT, 'dist')));
  expect(fs.readdirSync(scratch)).toEqual(['dist']); // no leftover temporary directory
}, 60_000);

test('a failing app leaves dist/ byte-identical and exits non-zero with the error', () => {
  const before = snapshotDir(outdir);
  const res = runSynth(outdir, '--app', `${TS_NODE} test/fixtures/bad-prop-app.ts`);
  expect(res.status).not.toBe(0);
  expect(res.output).toMatch(/baseHref must start and end with "\/", got "argo"/);
  expect(snapshotDir(outdir)).toEqual(before);
  expect(fs.readdirSync(scratch)).toEqual(['dist']);
}, 60_000);

test('a schema violation fails the synth with construct path, object and JSON pointer; dist/ untouched', () => {
  const before = snapshotDir(outdir);
  const res = runSynth(outdir, '--app', `${TS_NODE} test/fixtures/schema-violation-app.ts`);
  expect(res.status).not.toBe(0);
  expect(res.output).toContain('Construct Path: kubeflow-argo/ArgoServer/Service');
  expect(res.output).toContain('Service kubeflow/argo-server');
  expect(res.output).toContain('/spec/ports/0/port: must be integer');
  expect(snapshotDir(outdir)).toEqual(before);
}, 60_000);
