// The synth command end to end (scripts/synth.js, what `scripts/synth` and `npm run synth` run),
// and `cdk8s synth` with the validation plugin declared in cdk8s.yaml: the output directory is
// only ever replaced when it holds nothing but earlier output, is never left missing, every
// cdk8s app shape gives what cdk8s itself writes, and every refusal is one line, a documented
// exit code and an unchanged output directory.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasKubectl, readDir } from '../support/util';

const ROOT = path.join(__dirname, '..', '..');
/** The app template: the project whose main.ts and dist/ the command defaults to. */
const APP = path.join(ROOT, 'app');
const LIB = path.join(ROOT, 'packages', 'library', 'lib').split(path.sep).join('/');
const SYNTH = path.join(ROOT, 'packages', 'cli', 'lib', 'synth.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RECORD_FILE } = require('../../packages/cli/lib/output-dir');

interface Run { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; output: string }
function run(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Run {
  const res = spawnSync(process.execPath, args, {
    cwd: opts.cwd ?? APP, encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', CDK8S_CHECK_UPGRADE: 'false', CDK8S_OUTDIR: undefined, ...opts.env },
  });
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr, output: `${res.stdout}\n${res.stderr}` };
}
const synth = (outdir: string, ...args: string[]) => run([SYNTH, '--outdir', outdir, ...args]);
const cdk8sSynth = (outdir: string, ...args: string[]) => run([path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', outdir, ...args]);

let scratch: string;
let outdir: string;
beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-synth-test-'));
  outdir = path.join(scratch, 'dist');
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Writes an entry file into the scratch directory; `body` may use App, Chart, ApiObject, YamlOutputType and the library. */
function entry(name: string, body: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, [
    `import { ApiObject, App, Chart, JsonPatch, YamlOutputType } from 'cdk8s';`,
    `import * as kfa from '${LIB}';`,
    `void ApiObject; void Chart; void JsonPatch; void YamlOutputType; void kfa;`,
    body,
  ].join('\n'));
  return file;
}
const cm = (chart: string, id: string, name: string, extra = '') =>
  `new ApiObject(${chart}, '${id}', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '${name}' }${extra} } as any);`;

describe('scripts/synth: the output directory', () => {
  test('writes exactly the committed dist/ (manifests, Kustomization, prune.sh, record) and leaves nothing else behind', () => {
    const res = synth(outdir);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('wrote');
    expect(readDir(outdir)).toEqual(readDir(path.join(APP, 'dist')));
    // the record lists every file the synth wrote, itself excepted (main.ts is the user's: any app)
    const written = Object.keys(readDir(outdir)).filter((f) => f !== RECORD_FILE).sort();
    expect(fs.readFileSync(path.join(outdir, RECORD_FILE), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(written);
    expect(written).toEqual(expect.arrayContaining(['Kustomization', 'kubeflow-argo.k8s.yaml', 'prune.sh']));
    expect(fs.readdirSync(scratch)).toEqual(['dist']); // no staging directory, no lock
  }, 60_000);

  test('replaces its own earlier output as a whole: files the new output lacks are gone', () => {
    const one = entry('one.ts', `export function buildApp() { const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_RESOURCE }); const c = new Chart(app, 'c'); ${cm('c', 'a', 'a')} ${cm('c', 'b', 'b')} return app; }`);
    const two = entry('two.ts', `export function buildApp() { const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_RESOURCE }); const c = new Chart(app, 'c'); ${cm('c', 'a', 'a')} return app; }`);
    expect(synth(outdir, '--entry', one).status).toBe(0);
    expect(Object.keys(readDir(outdir)).sort()).toEqual(['.synth-output', 'ConfigMap.a.k8s.yaml', 'ConfigMap.b.k8s.yaml', 'Kustomization']);
    expect(synth(outdir, '--entry', two).status).toBe(0);
    expect(Object.keys(readDir(outdir)).sort()).toEqual(['.synth-output', 'ConfigMap.a.k8s.yaml', 'Kustomization']);
  }, 60_000);

  test('refuses a git work tree as --outdir: nothing is deleted', () => {
    const repo = path.join(scratch, 'repo');
    fs.mkdirSync(path.join(repo, '.git', 'objects'), { recursive: true });
    fs.writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(repo, 'main.ts'), 'source');
    const before = readDir(repo);
    const res = run([SYNTH, '--project', APP, '--outdir', '.'], { cwd: repo });
    expect(res.status).toBe(3);
    expect(res.stderr.trim().split('\n')).toEqual([
      'synth: refusing to replace ./: it holds ".git", which no synth wrote (there is no .synth-output record). Fix: choose a new or empty --outdir, or move ".git" out of it; ./ left unchanged',
    ]);
    expect(readDir(repo)).toEqual(before);
    expect(fs.readdirSync(scratch).sort()).toEqual(['repo']);
  }, 60_000);

  test('refuses earlier output that now holds a file the synth did not write', () => {
    expect(synth(outdir).status).toBe(0);
    fs.writeFileSync(path.join(outdir, 'notes.txt'), 'mine');
    const before = readDir(outdir);
    const res = synth(outdir);
    expect(res.status).toBe(3);
    expect(res.stderr).toContain('it holds "notes.txt", which the synth that wrote it did not write (see .synth-output)');
    expect(readDir(outdir)).toEqual(before);
  }, 60_000);

  test('refuses a directory of manifests without a record, and says how to migrate', () => {
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'old.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n');
    const res = synth(outdir);
    expect(res.status).toBe(3);
    expect(res.stderr).toContain('it has no .synth-output record of what a synth wrote there (first entry: "old.k8s.yaml"). Fix: if it holds only the output of an older synth or of cdk8s synth, delete it once');
    expect(fs.readdirSync(outdir)).toEqual(['old.k8s.yaml']);
  }, 60_000);

  test('refuses a file as --outdir', () => {
    fs.writeFileSync(outdir, 'a file');
    const res = synth(outdir);
    expect(res.status).toBe(3);
    expect(res.stderr).toContain('is a file, not a directory');
    expect(fs.readFileSync(outdir, 'utf8')).toBe('a file');
  }, 60_000);

  test('writes through a symlinked output directory: the link stays a link', () => {
    const real = path.join(scratch, 'real-out');
    fs.mkdirSync(real);
    fs.symlinkSync(real, outdir);
    expect(synth(outdir).status).toBe(0);
    expect(synth(outdir).status).toBe(0); // and replaces its own output through the link
    expect(fs.lstatSync(outdir).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(outdir)).toBe(real);
    expect(readDir(real)).toEqual(readDir(path.join(APP, 'dist')));
    expect(fs.readdirSync(scratch).sort()).toEqual(['dist', 'real-out']);
  }, 60_000);

  test('killed between its two renames, the next run restores the old output first, then writes; nothing is left behind', () => {
    const v1 = entry('v1.ts', `export function buildApp() { const app = new App(); const c = new Chart(app, 'c'); ${cm('c', 'a', 'one')} return app; }`);
    const v2 = entry('v2.ts', `export function buildApp() { const app = new App(); const c = new Chart(app, 'c'); ${cm('c', 'a', 'two')} return app; }`);
    expect(synth(outdir, '--entry', v1).status).toBe(0);
    const old = readDir(outdir);
    const killed = run([SYNTH, '--outdir', outdir, '--entry', v2], { env: { KFA_SYNTH_FAULT: 'after-first-rename' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(fs.existsSync(outdir)).toBe(false); // the window: the old output is aside, the new one not in place
    const staging = fs.readdirSync(scratch).filter((f) => f.startsWith('.dist.synth-') && !f.endsWith('lock'));
    expect(staging).toHaveLength(1);
    expect(readDir(path.join(scratch, staging[0], 'old'))).toEqual(old); // complete, waiting to be restored

    // the next run, even one whose app fails, first restores the old output
    const bad = entry('bad.ts', 'export function buildApp() { throw new Error("boom"); }');
    const failing = synth(outdir, '--entry', bad);
    expect(failing.status).toBe(1);
    expect(failing.stderr.trim().split('\n')).toEqual([
      `synth: restored ${outdir}/ from an interrupted run (${staging[0]})`,
      `synth: removed ${path.join(scratch, staging[0])} left by an interrupted run`,
      'error: the app threw Error: boom',
      `synth failed; ${outdir}/ left unchanged`,
    ]);
    expect(readDir(outdir)).toEqual(old);

    const res = synth(outdir, '--entry', v2);
    expect(res.status).toBe(0);
    expect(res.stderr).toBe('');
    expect(fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8')).toContain('name: two');
    expect(fs.readdirSync(scratch).sort()).toEqual(['bad.ts', 'dist', 'v1.ts', 'v2.ts']);
  }, 60_000);

  test('issue 21: a directory or file only named like a leftover is never touched; a proven staging directory is', () => {
    expect(synth(outdir).status).toBe(0);
    // the user's: named like staging directories (with and without an old/), a file named like an old lock temp file, old-version staging
    const mine = ['.dist.synth-notes', '.dist.synth-123-abcdef', '.dist.new-abc123'];
    for (const d of mine) fs.mkdirSync(path.join(scratch, d, 'old'), { recursive: true });
    fs.writeFileSync(path.join(scratch, '.dist.synth-123-abcdef', 'old', 'precious.txt'), 'mine');
    fs.writeFileSync(path.join(scratch, '.dist.synth-lock.999999999.mine'), 'my notes\n');
    // a marker that names another directory proves nothing
    fs.writeFileSync(path.join(scratch, '.dist.synth-notes', '.cdk8s-kubeflow-argo-staging'), 'cdk8s-kubeflow-argo synth staging .dist.synth-other\n');
    fs.rmSync(outdir, { recursive: true });
    const res = synth(outdir);
    expect(res.status).toBe(0);
    expect(res.stderr).toBe('');
    expect(fs.readdirSync(scratch).sort()).toEqual(['.dist.new-abc123', '.dist.synth-123-abcdef', '.dist.synth-lock.999999999.mine', '.dist.synth-notes', 'dist']);
    expect(fs.readFileSync(path.join(scratch, '.dist.synth-123-abcdef', 'old', 'precious.txt'), 'utf8')).toBe('mine');
    // a file named like the lock that is not ours is refused, never removed
    fs.writeFileSync(path.join(scratch, '.dist.synth-lock'), 'not a lock\n');
    const refused = synth(outdir);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('.dist.synth-lock is named like this synth\'s lock but was not written by it');
    expect(fs.readFileSync(path.join(scratch, '.dist.synth-lock'), 'utf8')).toBe('not a lock\n');
  }, 60_000);

  test('issue 21: a file written into dist/ while the synth replaces it is kept: the synth puts everything back and refuses', () => {
    expect(synth(outdir).status).toBe(0);
    const before = readDir(outdir);
    const res = run([SYNTH, '--outdir', outdir], { env: { KFA_SYNTH_RACE: 'notes.txt' } });
    expect(res.status).toBe(3);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^synth: refusing to replace .*dist\/: while the synth ran, it came to hold "notes\.txt", which the synth that wrote it did not write .*nothing was replaced; .*left unchanged$/)]);
    expect(readDir(outdir)).toEqual({ ...before, 'notes.txt': 'written by the user during the synth\n' });
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  }, 60_000);

  test.each([
    ['beside the output\'s own files', 'notes.txt'],
    ['inside a directory the synth wrote', 'kubeflow-patches/mine/notes.txt'],
  ])('issue 21: a file written into the old dist/ after the swap (a process working inside it) is kept beside it: %s', (_where, file) => {
    expect(synth(outdir).status).toBe(0);
    const res = run([SYNTH, '--outdir', outdir], { env: { KFA_SYNTH_RACE_OLD: file } });
    expect(res.status).toBe(0);
    expect(readDir(outdir)).toEqual(readDir(path.join(APP, 'dist')));
    const kept = fs.readdirSync(scratch).filter((e) => e !== 'dist');
    expect(kept).toEqual([expect.stringMatching(/^dist\.kept-/)]);
    // only what no synth wrote, nothing of the old output
    expect(readDir(path.join(scratch, kept[0]))).toEqual({ [file]: 'written by the user during the synth\n' });
    expect(res.stderr.trim().split('\n')).toEqual([`synth: something was written into the old dist/ after the new output replaced it (by a process working inside it); what no synth wrote is kept in ${path.join(scratch, kept[0])}/`]);
  }, 60_000);

  test('issue 21: a run killed after the swap leaves the old output in staging; the next run removes only what a synth wrote there', () => {
    expect(synth(outdir).status).toBe(0);
    expect(run([SYNTH, '--outdir', outdir], { env: { KFA_SYNTH_FAULT: 'after-swap' } }).signal).toBe('SIGKILL');
    const [staging] = fs.readdirSync(scratch).filter((e) => e.startsWith('.dist.synth-'));
    fs.writeFileSync(path.join(scratch, staging, 'old', 'late.txt'), 'mine');
    const res = synth(outdir);
    expect(res.status).toBe(0);
    const kept = fs.readdirSync(scratch).filter((e) => e !== 'dist');
    expect(kept).toEqual([expect.stringMatching(/^dist\.kept-/)]);
    expect(readDir(path.join(scratch, kept[0]))).toEqual({ 'late.txt': 'mine' });
  }, 60_000);

  test.each([
    ['disk full while writing', 'write:ENOSPC', 'cannot write the new output into', 'no space left on device (ENOSPC)'],
    ['read-only file system while writing', 'write:EROFS', 'cannot write the new output into', 'read-only file system (EROFS)'],
    ['permission denied while writing', 'write:EACCES', 'cannot write the new output into', 'permission denied (EACCES)'],
    ['a rename across devices', 'second-rename:EXDEV', 'cannot move the new output to /', 'cross-device rename (EXDEV)'],
  ])('%s: one line, exit 4, dist/ unchanged, nothing left behind', (_what, fault, doing, reason) => {
    expect(synth(outdir).status).toBe(0);
    const before = readDir(outdir);
    const res = run([SYNTH, '--outdir', outdir], { env: { KFA_SYNTH_FAULT: fault } });
    expect(res.status).toBe(4);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`synth: ${doing}`);
    expect(lines[0]).toContain(`${reason}; ${outdir}/ left unchanged`);
    expect(readDir(outdir)).toEqual(before);
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  }, 60_000);

  // Real file systems, not injected errors: a private tmpfs (unshare --mount) that is filled up,
  // remounted read-only, and used as --outdir itself (a mount point).
  const canMount = process.platform === 'linux'
    && spawnSync('unshare', ['--mount', 'sh', '-c', 'mount -t tmpfs -o size=64k none /mnt'], { stdio: 'ignore' }).status === 0;
  if (!canMount) {
    // eslint-disable-next-line no-console
    console.log('real ENOSPC/EROFS/mount-point synth test skipped: cannot mount a private tmpfs here (needs unshare --mount and CAP_SYS_ADMIN)');
  }
  (canMount ? test : test.skip)('on a real full disk, a read-only file system and a mount point: one line, exit 4 or 3, output unchanged, nothing left behind', () => {
    const m = path.join(scratch, 'small');
    const m2 = path.join(scratch, 'mounted');
    fs.mkdirSync(m);
    fs.mkdirSync(m2);
    const big = entry('big.ts', `export function buildApp() { const app = new App(); new kfa.KubeflowArgoChart(app, 'kubeflow-argo', { profiles: Array.from({ length: 40 }, (_, i) => 'p' + i) }); return app; }`);
    const step = (name: string, cmd: string) => `${cmd} 2> "$S/${name}.err"; echo $? > "$S/${name}.code"; ls -A "$M" > "$S/${name}.ls"`;
    const script = [
      'set -u',
      'mount -t tmpfs -o size=256k none "$M" && mount -t tmpfs -o size=64k none "$M2" || exit 99',
      'node "$SYNTH" --outdir "$M/dist" > /dev/null || exit 98',
      'cp -r "$M/dist" "$S/before"',
      // fill all but one page: the bigger app's output does not fit
      'avail=$(df --output=avail -B4096 "$M" | tail -1); dd if=/dev/zero of="$M/fill" bs=4096 count=$((avail - 1)) 2> /dev/null',
      step('enospc', 'node "$SYNTH" --entry "$BIG" --outdir "$M/dist"'),
      'rm "$M/fill"; mount -o remount,ro "$M"',
      step('erofs', 'node "$SYNTH" --outdir "$M/dist"'),
      'cp -r "$M/dist" "$S/after"',
      step('mountpoint', 'node "$SYNTH" --outdir "$M2"'),
      'ls -A "$M2" > "$S/mountpoint.contents"',
    ].join('\n');
    const res = spawnSync('unshare', ['--mount', 'sh', '-c', script], {
      cwd: APP, encoding: 'utf8', env: { ...process.env, M: m, M2: m2, S: scratch, SYNTH, BIG: big, CDK8S_OUTDIR: '' },
    });
    expect(res.status).toBe(0);
    const read = (f: string) => fs.readFileSync(path.join(scratch, f), 'utf8').trim();
    expect([read('enospc.code'), read('enospc.err')]).toEqual(['4', expect.stringMatching(/^synth: cannot .*: no space left on device \(ENOSPC\); .*dist\/ left unchanged$/)]);
    expect(read('enospc.ls').split('\n')).toEqual(['dist', 'fill']); // no staging directory, no lock
    expect([read('erofs.code'), read('erofs.err')]).toEqual(['4', expect.stringMatching(/^synth: cannot .*: read-only file system \(EROFS\); .*dist\/ left unchanged$/)]);
    expect(read('erofs.ls')).toBe('dist');
    expect(readDir(path.join(scratch, 'after'))).toEqual(readDir(path.join(scratch, 'before')));
    expect([read('mountpoint.code'), read('mountpoint.err')]).toEqual(['3', expect.stringContaining('is a mount point, which cannot be swapped in one step. Fix: use a directory inside it as --outdir')]);
    expect(read('mountpoint.contents')).toBe('');
  }, 120_000);

  test('a lock left by a killed run is taken over once stale; a live writer\'s lock is waited for, then refused', () => {
    // proper-lockfile's lock: a directory; a live writer keeps its mtime fresh
    const lock = path.join(scratch, '.dist.synth-lock');
    fs.mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old); // left by a run killed a minute ago
    expect(synth(outdir).status).toBe(0);
    expect(fs.existsSync(lock)).toBe(false);
    fs.mkdirSync(lock); // fresh: another synth is writing
    const before = readDir(outdir);
    const res = run([SYNTH, '--outdir', outdir], { env: { KFA_SYNTH_LOCK_WAIT_MS: '300' } });
    expect(res.status).toBe(3);
    expect(res.stderr).toContain('dist/ is being written by another synth (lock ');
    expect(readDir(outdir)).toEqual(before);
    expect(fs.existsSync(lock)).toBe(true); // not ours to remove
  }, 60_000);

  test('a failing app leaves dist/ byte-identical and exits 1 with the error', () => {
    expect(synth(outdir).status).toBe(0);
    const before = readDir(outdir);
    const res = synth(outdir, '--entry', '../test/fixtures/bad-prop-app.ts');
    expect(res.status).toBe(1);
    expect(res.output).toContain('error: ArgoServer: baseHref must start and end with "/", got "argo"');
    expect(readDir(outdir)).toEqual(before);
    expect(fs.readdirSync(scratch)).toEqual(['dist']);
  }, 60_000);

  test('a schema violation fails (exit 2) with construct path, object and JSON pointer; dist/ untouched', () => {
    expect(synth(outdir).status).toBe(0);
    const before = readDir(outdir);
    const res = synth(outdir, '--entry', '../test/fixtures/schema-violation-app.ts');
    expect(res.status).toBe(2);
    expect(res.output).toContain('[kubeflow-argo/ArgoServer/Service] Service kubeflow/argo-server (v1) at /spec/ports/0/port: must be integer');
    expect(readDir(outdir)).toEqual(before);
  }, 60_000);
});

describe('scripts/synth: whole-output checks', () => {
  test('a duplicate object (same group, kind, namespace, name) fails with both construct paths', () => {
    const e = entry('dup.ts', `export function buildApp() { const app = new App(); const a = new Chart(app, 'a', { namespace: 'x' }); const b = new Chart(app, 'b', { namespace: 'x' }); ${cm('a', 'one', 'same')} ${cm('b', 'two', 'same')} new ApiObject(b, 'other-ns', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same', namespace: 'y' } }); return app; }`);
    const res = synth(outdir, '--entry', e);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('duplicate object ConfigMap x/same (v1): defined by [a/one] and [b/two]. Fix: give one of them another name or namespace, or remove one');
    expect(res.stderr).not.toContain('other-ns');
    expect(fs.existsSync(outdir)).toBe(false);
  }, 60_000);

  test('an app with no objects is refused unless --allow-empty says it is intended', () => {
    const e = entry('empty.ts', `export function buildApp() { const app = new App(); new Chart(app, 'nothing'); return app; }`);
    expect(synth(outdir).status).toBe(0);
    const before = readDir(outdir);
    const res = synth(outdir, '--entry', e);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('the app has no objects to write');
    expect(readDir(outdir)).toEqual(before);
    const allowed = synth(outdir, '--entry', e, '--allow-empty');
    expect(allowed.status).toBe(0);
    expect(fs.readFileSync(path.join(outdir, 'Kustomization'), 'utf8')).toContain('resources: []');
    expect(fs.readFileSync(path.join(outdir, 'nothing.k8s.yaml'), 'utf8')).toBe('');
  }, 60_000);

  test('a chart namespace never reaches the library\'s cluster-scoped objects; a user\'s namespaced ClusterRole is refused', () => {
    const ok = entry('ns.ts', `export function buildApp() {
      const app = new App(); const c = new Chart(app, 'team', { namespace: 'team-a' });
      new kfa.ArgoServer(c, 'server', { authModes: ['server'] }); new kfa.ArgoEventsRbac(c, 'rbac', { clusterWide: true }); new kfa.KubeflowArgoRoles(c, 'roles');
      return app; }`);
    expect(synth(outdir, '--entry', ok).status).toBe(0);
    const text = fs.readFileSync(path.join(outdir, 'team.k8s.yaml'), 'utf8');
    const docs = text.split(/^---\n/m);
    const clusterScoped = docs.filter((d) => /^kind: Cluster(Role|RoleBinding)$/m.test(d));
    expect(clusterScoped).toHaveLength(6); // argo-server and sensor roles and bindings, two Kubeflow roles
    for (const d of clusterScoped) expect(d).not.toMatch(/^ {2}namespace:/m);
    const bad = entry('ns-bad.ts', `export function buildApp() { const app = new App(); const c = new Chart(app, 'team', { namespace: 'team-a' });
      new ApiObject(c, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'mine' } }); return app; }`);
    const res = synth(outdir, '--entry', bad);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('[team/role] ClusterRole mine is cluster-scoped but has metadata.namespace "team-a"');
  }, 60_000);

  test('kinds without a bundled schema sit next to the library\'s objects: not checked by default, refused with --strict, checked with --schema', () => {
    const crd = path.join(scratch, 'widget-crd.yaml');
    fs.writeFileSync(crd, [
      'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata:', '  name: widgets.example.com', 'spec:',
      '  group: example.com', '  scope: Namespaced', '  names: {kind: Widget, plural: widgets}', '  versions:',
      '    - name: v1', '      served: true', '      storage: true', '      schema:', '        openAPIV3Schema:', '          type: object',
      '          properties:', '            spec:', '              type: object', '              properties:',
      '                size: {type: integer, minimum: 1, maximum: 10}', '',
    ].join('\n'));
    const e = (size: number) => entry(`mixed-${size}.ts`, `export function buildApp() {
      const app = new App(); const c = new kfa.KubeflowArgoChart(app, 'mixed', { profiles: ['alice'] });
      new ApiObject(c, 'profile', { apiVersion: 'kubeflow.org/v1', kind: 'Profile', metadata: { name: 'alice' }, spec: { owner: { kind: 'User', name: 'alice@example.com' } } } as any);
      new ApiObject(c, 'ingress', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'alice' } });
      new ApiObject(c, 'widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'alice' }, spec: { size: ${size} } } as any);
      return app; }`);
    const res = synth(outdir, '--entry', e(3));
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/\d+ objects, \d+ schema-checked, 3 not checked \(no schema for example\.com\/v1 Widget, kubeflow\.org\/v1 Profile, networking\.k8s\.io\/v1 Ingress\)/);
    const strict = synth(outdir, '--entry', e(3), '--strict');
    expect(strict.status).toBe(2);
    expect(strict.stderr).toContain('[mixed/profile] Profile alice (kubeflow.org/v1) at /kind: no schema for kubeflow.org/v1 Profile (strict mode)');
    const withCrd = synth(outdir, '--entry', e(3), '--schema', crd);
    expect(withCrd.status).toBe(0);
    expect(withCrd.stdout).toContain('2 not checked (no schema for kubeflow.org/v1 Profile, networking.k8s.io/v1 Ingress)');
    const bad = synth(outdir, '--entry', e(11), '--schema', crd);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('[mixed/widget] Widget alice/w (example.com/v1) at /spec/size: must be <= 10');
    const missing = synth(outdir, '--schema', path.join(scratch, 'nope.yaml'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('schema file');
    expect(missing.stderr).toContain('nope.yaml: cannot read it (ENOENT)');
  }, 60_000);
});

describe('scripts/synth: every cdk8s app shape', () => {
  const twoCharts = (type: string) => `export function buildApp() {
    const app = new App({ yamlOutputType: YamlOutputType.${type} });
    const a = new kfa.KubeflowArgoChart(app, 'platform', { profiles: ['alice'] });
    const b = new Chart(app, 'team', { namespace: 'alice' });
    ${cm('b', 'settings', 'settings', ", data: { mode: '0o755' }")}
    const nested = new Chart(b, 'nested');
    ${cm('nested', 'inner', 'inner')}
    void a;
    return app; }`;

  test.each(['FILE_PER_CHART', 'FILE_PER_APP', 'FILE_PER_RESOURCE', 'FOLDER_PER_CHART_FILE_PER_RESOURCE'])('%s with two charts and a nested chart: the files cdk8s writes, plus a Kustomization kustomize accepts', (type) => {
    const e = entry(`shape-${type}.ts`, twoCharts(type));
    const res = synth(outdir, '--entry', e);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    // what cdk8s' own app.synth() writes for the same app (run in a separate process, plain cdk8s)
    const plain = path.join(scratch, 'plain');
    const runner = path.join(scratch, `run-${type}.js`);
    fs.writeFileSync(runner, `require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } }); const m = require(${JSON.stringify(e)}); const app = m.buildApp(); Object.defineProperty(app, 'outdir', { value: ${JSON.stringify(plain)} }); app.synth();`);
    const ref = spawnSync(process.execPath, [runner], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } });
    expect(ref.stderr).toBe('');
    const ours = readDir(outdir);
    const kustomization = ours.Kustomization;
    delete ours.Kustomization;
    delete ours[RECORD_FILE];
    // the synth command's own additions: the chart's Kubeflow-side Component (app.synth() writes
    // only manifests), and prune.sh for the chart's labelled objects
    expect(ours['kubeflow-patches/kustomization.yaml']).toMatch(/^kind: Component$/m);
    delete ours['kubeflow-patches/kustomization.yaml'];
    expect(ours['prune.sh']).toContain('\nprune platform \'\n');
    delete ours['prune.sh'];
    const theirs = readDir(plain);
    // the one deliberate difference: '0o755' is quoted, because Kubernetes reads the plain form as 493
    expect(JSON.stringify(theirs)).toContain('mode: 0o755');
    expect(ours).toEqual(JSON.parse(JSON.stringify(theirs).replace('mode: 0o755', 'mode: \\"0o755\\"')));
    expect(kustomization.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4)).sort()).toEqual(Object.keys(theirs).sort());
    if (hasKubectl()) {
      const k = spawnSync('kubectl', ['kustomize', outdir], { encoding: 'utf8' });
      expect(k.stderr).toBe('');
      expect(k.stdout.match(/^kind: /gm)!.length).toBe(Object.values(theirs).join('---\n').match(/^kind: /gm)!.length);
    }
  }, 60_000);

  test('an entry that calls app.synth() when loaded (the usual cdk8s main) is synthesized, and its import writes nothing', () => {
    const e = entry('classic.ts', `const app = new App(); const c = new Chart(app, 'classic'); ${cm('c', 'a', 'a')} app.synth();`);
    const res = run([SYNTH, '--entry', e, '--outdir', 'out'], { cwd: scratch });
    expect(res.status).toBe(0);
    expect(fs.readdirSync(scratch).sort()).toEqual(['classic.ts', 'out']); // no dist/ from the app's own synth()
    expect(Object.keys(readDir(path.join(scratch, 'out'))).sort()).toEqual(['.synth-output', 'Kustomization', 'classic.k8s.yaml']);
  }, 60_000);

  test('buildApp() that also calls app.synth() writes only through the command', () => {
    const e = entry('both.ts', `export function buildApp() { const app = new App({ outdir: ${JSON.stringify(path.join(scratch, 'elsewhere'))} }); const c = new Chart(app, 'c'); ${cm('c', 'a', 'a')} app.synth(); return app; }`);
    expect(synth(outdir, '--entry', e).status).toBe(0);
    expect(fs.existsSync(path.join(scratch, 'elsewhere'))).toBe(false);
  }, 60_000);

  test('cdk8s is not patched: the entry\'s App is a subclass that records the app; cdk8s\' own App.prototype.synth and packages\' cdk8s are untouched', () => {
    const e = entry('unpatched.ts', `import * as kplus from 'cdk8s-plus-25';
      export function buildApp() {
        const real = Object.getPrototypeOf(App);
        const own = Object.getOwnPropertyDescriptor(real.prototype, 'synth')!.value.toString();
        if (own.includes('synth-hook')) throw new Error('cdk8s App.prototype.synth was replaced');
        const app = new App();
        if (!(app instanceof real) || App.of(new Chart(app, 'c')) !== app) throw new Error('the subclass is not an App to cdk8s');
        new kplus.ConfigMap(app.charts[0], 'cm', { metadata: { name: 'from-kplus', namespace: 'alice' }, data: { a: 'b' } });
        return app;
      }`);
    const res = synth(outdir, '--entry', e);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(readDir(outdir)['c.k8s.yaml']).toContain('name: from-kplus');
  }, 60_000);

  test('an entry that breaks the contract is refused with the fix (exit 1)', () => {
    const none = entry('none.ts', 'export const x = 1;');
    const res = synth(outdir, '--entry', none);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('none.ts neither exports buildApp(outdir?: string): App nor calls app.synth() when loaded. Fix: add `export function buildApp');
    const undef = entry('undef.ts', `export function buildApp() { new App(); }`);
    expect(synth(outdir, '--entry', undef).stderr).toContain('buildApp() returned undefined, expected the cdk8s App it built. Fix: end buildApp() with `return app;`');
    const two = entry('two-apps.ts', `new App().synth(); new App().synth();`);
    expect(synth(outdir, '--entry', two).stderr).toContain('calls synth() on 2 apps; the command synthesizes one');
    expect(fs.existsSync(outdir)).toBe(false);
  }, 60_000);

  test('bundled code keeps its own __dirname: cdk8s Include (Yaml.load) and files next to the entry work', () => {
    fs.writeFileSync(path.join(scratch, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: included\n');
    fs.writeFileSync(path.join(scratch, 'value.txt'), 'from a file');
    const e = entry('include.ts', `import { Include } from 'cdk8s'; import * as fs from 'fs'; import * as path from 'path';
      export function buildApp() { const app = new App(); const c = new Chart(app, 'c');
        new Include(c, 'inc', { url: path.join(__dirname, 'extra.yaml') });
        ${cm('c', 'v', 'v', ", data: { v: fs.readFileSync(path.join(__dirname, 'value.txt'), 'utf8') }")}
        return app; }`);
    const res = synth(outdir, '--entry', e);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const text = fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8');
    expect(text).toContain('name: included');
    expect(text).toContain('v: from a file');
  }, 60_000);
});

describe('scripts/synth: the command', () => {
  test('two synths at once with a cold bundle cache both succeed with the same output', async () => {
    // a new entry path means a new cache key: both processes build the bundle at the same time
    const e = entry(`cold-${process.pid}-${Date.now()}.ts`, `export function buildApp() { const app = new App(); new kfa.KubeflowArgoChart(app, 'cold', { profiles: ['a', 'b'] }); return app; }`);
    const start = (out: string) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [SYNTH, '--entry', e, '--outdir', out], { cwd: ROOT });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    const [a, b, c] = await Promise.all([start(path.join(scratch, 'a')), start(path.join(scratch, 'b')), start(outdir)]);
    expect([a, b, c]).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }, { code: 0, stderr: '' }]);
    expect(readDir(path.join(scratch, 'a'))).toEqual(readDir(path.join(scratch, 'b')));
    expect(readDir(outdir)).toEqual(readDir(path.join(scratch, 'a')));
    const cache = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-kubeflow-argo');
    expect(fs.readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  test('four synths at once into the same directory, three times over: all succeed, one after the other', async () => {
    const start = () => new Promise<number | null>((resolve) => spawn(process.execPath, [SYNTH, '--outdir', outdir], { cwd: APP, stdio: 'ignore' }).on('close', resolve));
    for (let round = 0; round < 3; round++) {
      expect(await Promise.all([start(), start(), start(), start()])).toEqual([0, 0, 0, 0]);
      expect(readDir(outdir)).toEqual(readDir(path.join(APP, 'dist')));
      expect(fs.readdirSync(scratch)).toEqual(['dist']);
    }
  }, 120_000);

  test('a directory named like the lock that holds anything is refused, never removed', () => {
    const lock = path.join(scratch, '.dist.synth-lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'notes'), 'mine\n');
    const res = synth(outdir);
    expect(res.status).toBe(3);
    expect(res.stderr).toContain('.dist.synth-lock is named like this synth\'s lock but was not written by it');
    expect(fs.readFileSync(path.join(lock, 'notes'), 'utf8')).toBe('mine\n');
  }, 60_000);

  test('rebuilds its cached bundle when a source file changes', () => {
    const file = path.join(scratch, 'app.ts');
    const write = (baseHref: string) => fs.writeFileSync(file, [
      `import { App } from 'cdk8s';`,
      `import { KubeflowArgoChart } from '${LIB}';`,
      `export function buildApp(outdir?: string) { const app = new App({ outdir }); new KubeflowArgoChart(app, 'c', { argoServer: { baseHref: '${baseHref}' } }); return app; }`,
    ].join('\n'));
    write('/one/');
    expect(synth(outdir, '--entry', file).status).toBe(0);
    expect(fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8')).toContain('value: /one/');
    write('/two/');
    // a different size defeats equal-mtime filesystems too
    expect(synth(outdir, '--entry', file).status).toBe(0);
    expect(fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8')).toContain('value: /two/');
  }, 60_000);

  (process.platform === 'win32' ? test.skip : test)('scripts/synth (the fast command) runs synth.js without NODE_EXTRA_CA_CERTS', () => {
    // Node reads that file at start-up whether or not TLS is used; a missing file shows it.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(scratch, 'missing-ca.pem') };
    delete env.CDK8S_OUTDIR;
    const direct = spawnSync(process.execPath, [SYNTH, '--outdir', outdir], { cwd: APP, encoding: 'utf8', env });
    expect(direct.status).toBe(0);
    expect(direct.stderr).toContain('missing-ca.pem'); // the variable is honoured by plain node
    // started from another directory, through a relative path, with arguments passed on
    const fast = spawnSync(path.relative(scratch, path.join(ROOT, 'scripts', 'synth')), ['--outdir', 'dist'], { cwd: scratch, encoding: 'utf8', env });
    expect(fast.stderr).toBe('');
    expect(fast.status).toBe(0);
    expect(fast.stdout).toMatch(/^wrote dist\/ \(kubeflow-argo\.k8s\.yaml, kubeflow-patches\/kustomization\.yaml(, kubeflow-patches\/dex-static-client\.yaml)?; (\d+) objects, \2 schema-checked\)$/m);
    expect(readDir(outdir)).toEqual(readDir(path.join(APP, 'dist')));
  }, 60_000);

  test('an app that uses crypto and child_process at synth time gets the real modules', () => {
    // Bundled code reaches Node's built-ins through the bundle's require: namespace imports,
    // named imports and generated (hashed) names must work.
    const file = path.join(scratch, 'builtins-app.ts');
    fs.writeFileSync(file, [
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
    const res = synth(outdir, '--entry', file);
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

  test('builds a new entry from any working directory; relative paths are the caller\'s', () => {
    fs.writeFileSync(path.join(scratch, 'elsewhere-app.ts'), [
      `import { App } from 'cdk8s';`,
      `import { KubeflowArgoChart } from '${LIB}';`,
      `export function buildApp(outdir?: string) { const app = new App({ outdir }); new KubeflowArgoChart(app, 'c', { argoServer: { baseHref: '/elsewhere/' } }); return app; }`,
    ].join('\n'));
    const res = run([SYNTH, '--entry', 'elsewhere-app.ts', '--outdir', 'out'], { cwd: scratch });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(fs.readFileSync(path.join(scratch, 'out', 'c.k8s.yaml'), 'utf8')).toContain('value: /elsewhere/');
  }, 60_000);

  test('--help documents the entry contract, the output-directory rule and every exit code', () => {
    const res = run([SYNTH, '--help']);
    expect(res.status).toBe(0);
    for (const s of ['buildApp(outdir?: string): App', 'app.synth()', '.synth-output', '--schema FILE', '--strict', '--allow-empty', '$CDK8S_OUTDIR']) expect(res.stdout).toContain(s);
    for (const code of ['0', '1', '2', '3', '4', '64']) expect(res.stdout).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
  });

  test('a project without main.ts: one line naming the file and the fix, exit 1, nothing written', () => {
    const empty = fs.mkdtempSync(path.join(scratch, 'no-app-'));
    const res = run([SYNTH, '--outdir', 'out'], { cwd: empty });
    expect([res.status, res.stdout]).toEqual([1, '']);
    expect(res.stderr.trim().split('\n')).toEqual([
      'synth: main.ts does not exist. Fix: pass --entry FILE, or --project DIR for the folder that holds the app\'s main.ts',
      'synth failed; out/ left unchanged',
    ]);
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  test('refuses unknown or incomplete arguments with exit 64', () => {
    const res = synth(outdir, '--app', 'x');
    expect(res.status).toBe(64);
    expect(res.stderr).toContain("synth: unknown option '--app'");
    const missing = run([SYNTH, '--outdir']);
    expect(missing.status).toBe(64);
    expect(missing.stderr).toContain("synth: Option '--outdir <value>' argument missing");
    expect(run([SYNTH, '--strict=yes']).stderr).toContain("Option '--strict' does not take an argument");
    expect(run([SYNTH, 'main.ts']).stderr).toContain("Unexpected argument 'main.ts'");
    expect(run([SYNTH, '--outdir', '--entry', 'x']).status).toBe(64);
    expect(fs.existsSync(outdir)).toBe(false);
  });
});

describe('cdk8s synth (cdk8s.yaml runs kfa-synth, then the validation plugin)', () => {
  test('writes the same usable dist/: manifests, Kustomization and record, no metadata files', () => {
    const res = cdk8sSynth(outdir);
    expect(res.status).toBe(0);
    expect(res.output).toMatch(/schema-validation: \d+ objects checked, 0 violations/); // as many as the app in main.ts has
    expect(res.output).not.toMatch(/\n\s+at /); // no stack trace (upgrade check off)
    expect(readDir(outdir)).toEqual(readDir(path.join(APP, 'dist')));
  }, 60_000);

  test('an app with sso: Dex\'s client entry beside the Component is no manifest, and passes the plugin', () => {
    const res = cdk8sSynth(outdir, '--app', 'node ../packages/cli/lib/synth.js --entry ../examples/sso/main.ts');
    expect(res.output).not.toContain('is not a Kubernetes object');
    expect(res.status).toBe(0);
    expect(Object.keys(readDir(outdir))).toEqual(expect.arrayContaining(['kubeflow-patches/dex-static-client.yaml']));
  }, 60_000);

  test('a schema violation fails the command with the construct path', () => {
    const res = cdk8sSynth(outdir, '--app', `node ../packages/cli/lib/synth.js --entry ../test/fixtures/schema-violation-app.ts`);
    expect(res.status).not.toBe(0);
    expect(res.output).toContain('[kubeflow-argo/ArgoServer/Service] Service kubeflow/argo-server (v1) at /spec/ports/0/port: must be integer');
  }, 60_000);

  test('a plain cdk8s app: the plugin reports the violation, and says when cdk8s\' name-keyed metadata cannot tell the construct', () => {
    const res = cdk8sSynth(outdir, '--app', 'node -r ts-node/register/transpile-only ../test/fixtures/schema-violation-app.ts');
    expect(res.status).not.toBe(0);
    expect(res.output).toContain('Construct Path: unknown: 7 objects are named "argo-server" (kfa-synth reports exact paths)');
    expect(res.output).toContain('/spec/ports/0/port: must be integer');
    expect(fs.readdirSync(outdir)).toEqual(['kubeflow-argo.k8s.yaml']); // construct-metadata.json removed
  }, 60_000);
});

describe('the validation plugin (plugins/schema-validation, class SchemaValidation)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SchemaValidation } = require('../../packages/library/plugins/schema-validation');
  const context = (dir: string) => {
    const violations: any[] = [];
    const logs: string[] = [];
    const ctx = {
      manifests: fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, f)),
      parseManifest: (f: string) => require('yaml').parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d: any) => d.toJS()),
      metadata: {} as Record<string, { path: string }>,
      logger: { log: (m: string) => logs.push(m) },
      report: { addViolation: (v: any) => violations.push(v), submit: (status: string, meta: any) => Object.assign(ctx, { status, meta }) },
    };
    return Object.assign(ctx, { violations, logs });
  };

  test('exact construct paths from synth-metadata.json, kinds without schema counted, metadata files removed', async () => {
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'a.k8s.yaml'), [
      'apiVersion: v1', 'kind: Service', 'metadata:', '  name: s', '  namespace: n', 'spec:', '  ports:', '    - port: http', '---',
      'apiVersion: kubeflow.org/v1', 'kind: Profile', 'metadata:', '  name: p', '',
    ].join('\n'));
    fs.writeFileSync(path.join(outdir, 'synth-metadata.json'), JSON.stringify({ objectPaths: { 'v1 Service n/s': 'app/chart/Service' } }));
    fs.writeFileSync(path.join(outdir, 'construct-metadata.json'), '{}');
    const ctx = context(outdir);
    await new SchemaValidation({}).validate(ctx);
    expect(ctx.logs).toEqual(['schema-validation: 1 objects checked, 1 not checked (no schema for kubeflow.org/v1 Profile), 1 violations']);
    expect(ctx.metadata['Service n/s (v1)']).toEqual({ path: 'app/chart/Service' });
    expect(ctx.violations[0].violatingResources[0].locations).toEqual(['/spec/ports/0/port: must be integer']);
    expect((ctx as any).status).toBe('failure');
    expect(fs.readdirSync(outdir)).toEqual(['a.k8s.yaml']);

    const strict = context(outdir);
    await new SchemaValidation({ strict: true }).validate(strict);
    expect(strict.violations.map((v: any) => v.ruleName)).toEqual(['schema: v1 Service', 'schema: kubeflow.org/v1 Profile']);
  });

  test('properties: schemas are loaded, unknown or malformed properties refused', async () => {
    const schema = path.join(scratch, 'profile.json');
    fs.writeFileSync(schema, JSON.stringify({ definitions: { Profile: {
      'type': 'object', 'x-kubernetes-group-version-kind': [{ group: 'kubeflow.org', version: 'v1', kind: 'Profile' }],
      'properties': { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', required: ['owner'] } },
    } } }));
    fs.mkdirSync(outdir);
    fs.writeFileSync(path.join(outdir, 'p.k8s.yaml'), 'apiVersion: kubeflow.org/v1\nkind: Profile\nmetadata:\n  name: p\nspec: {}\n');
    const ctx = context(outdir);
    await new SchemaValidation({ schemas: [schema] }).validate(ctx);
    expect(ctx.logs).toEqual(['schema-validation: 1 objects checked, 1 violations']);
    expect(ctx.violations[0].violatingResources[0].locations).toEqual(["/spec: must have required property 'owner'"]);
    expect(() => new SchemaValidation({ schema: [schema] })).toThrow('schema-validation: unknown property "schema" (known: schemas, strict)');
    expect(() => new SchemaValidation({ schemas: schema })).toThrow('property "schemas" must be a list of file paths');
    expect(() => new SchemaValidation({ strict: 'yes' })).toThrow('property "strict" must be true or false, got "yes"');
  });
});
