// The npm packages as a consumer gets them: `npm pack --workspaces`, check each tarball and
// manifest, install the library's tarball (peers from the registry or npm's cache) into a
// temporary copy of examples/consumer, compile it with tsc, synthesize and check the output; then
// a fresh app with all three tarballs under the official `cdk8s synth` and the packed commands,
// and the app template copied out of the repository with the tarballs.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateObjects, formatViolations } = require('../../packages/library/plugins/schema-validation');

const ROOT = path.join(__dirname, '..', '..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

let work: string;
/** Per package name: its tarball and the files in it (npm pack of every workspace). */
const packs: Record<string, { tarball: string; files: string[] }> = {};
const LIBRARY = 'cdk8s-kubeflow-argo';
const PREFLIGHT = 'cdk8s-kubeflow-argo-preflight';
const CLI = 'cdk8s-kubeflow-argo-cli';
const FOLDERS: Record<string, string> = { [LIBRARY]: 'library', [PREFLIGHT]: 'preflight', [CLI]: 'cli' };
const manifest = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', FOLDERS[name], 'package.json'), 'utf8'));

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-pack-'));
  for (const p of JSON.parse(npm(['pack', '--workspace', 'packages', '--json', '--pack-destination', work], ROOT))) {
    packs[p.name] = { tarball: path.join(work, p.filename), files: p.files.map((f: { path: string }) => f.path) };
  }
}, 180_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('npm pack -w packages packs exactly the three published packages; the app template and the root are private', () => {
  expect(Object.keys(packs).sort()).toEqual([LIBRARY, CLI, PREFLIGHT].sort());
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(root.private).toBe(true); // the harness is never published
  expect(root.workspaces.sort()).toEqual(['app', ...Object.values(FOLDERS).map((f) => `packages/${f}`)].sort());
  expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'app', 'package.json'), 'utf8')).private).toBe(true);
});

test('npm publish --dry-run is clean for each package: no warning but the login a dry run cannot have', () => {
  const res = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts', '--workspace', 'packages'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  expect(res.status).toBe(0);
  const warnings = res.stderr.split('\n').filter((l) => /\b(warn|ERR)/i.test(l) && !/requires you to be logged in/.test(l));
  expect(warnings).toEqual([]);
  for (const name of [LIBRARY, PREFLIGHT, CLI]) expect(res.stdout).toContain(`+ ${name}@${manifest(name).version}`);
}, 120_000);

test('the library tarball holds compiled lib/ and imports/ with declarations, the plugin, README and LICENSE; no tests or dist/', () => {
  const files = packs[LIBRARY].files;
  for (const f of ['package.json', 'README.md', 'LICENSE', 'build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/argo-server/argo-server.d.ts',
    'build/lib/synth-api.js', 'build/lib/synth-api.d.ts',
    'build/imports/argoproj.io.js', 'build/imports/argoproj.io.d.ts', 'build/imports/istio-1.30.3/networking.istio.io.js',
    'plugins/schema-validation/index.js', 'plugins/schema-validation/schemas/index.json']) {
    expect(files).toContain(f);
  }
  for (const f of files) {
    expect(f).not.toMatch(/^(test|dist|__snapshots__|examples|bench|scripts|\.ci)\//);
    if (f.endsWith('.ts')) expect(f).toMatch(/\.d\.ts$/); // no TypeScript sources
    expect(f).not.toMatch(/tsbuildinfo$/);
  }
});

test('the preflight tarball holds the compiled model with declarations; the CLI tarball its commands', () => {
  const pre = packs[PREFLIGHT].files;
  for (const f of ['package.json', 'README.md', 'LICENSE', 'build/index.js', 'build/index.d.ts', 'build/checks.js', 'build/rbac.js']) expect(pre).toContain(f);
  for (const f of pre) {
    if (f.endsWith('.ts')) expect(f).toMatch(/\.d\.ts$/);
    expect(f).not.toMatch(/tsbuildinfo$/);
  }
  const cli = packs[CLI].files;
  expect(cli.sort()).toEqual(['LICENSE', 'README.md', 'lib/cli.js', 'lib/helm.js', 'lib/output-dir.js', 'lib/preflight.js', 'lib/synth.js', 'package.json']);
  for (const bin of Object.values(manifest(CLI).bin) as string[]) {
    expect(cli).toContain(bin);
    expect(fs.readFileSync(path.join(ROOT, 'packages', 'cli', bin), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  }
});

test.each([LIBRARY, PREFLIGHT, CLI])('%s: entry points exist, dependencies point one way, license and repository', (name) => {
  const pkg = manifest(name);
  const files = packs[name].files;
  for (const entry of [pkg.main, pkg.types].filter(Boolean)) expect(files).toContain(entry);
  for (const target of Object.values(pkg.exports ?? {})) {
    const paths = typeof target === 'string' ? [target] : Object.values(target as Record<string, string>);
    for (const p of paths) if (!p.includes('*') && p !== './package.json') expect([p, files.includes(p.replace(/^\.\//, ''))]).toEqual([p, true]);
  }
  expect(pkg.license).toBe('Apache-2.0');
  expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
  expect(pkg.repository.directory).toBe(`packages/${FOLDERS[name]}`);
  expect(pkg.version).toBe(manifest(LIBRARY).version);
  const ours = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((d) => d in FOLDERS);
  // the arrows: the library depends on none of ours, the preflight on the library, the CLI on both
  expect(ours.sort()).toEqual({ [LIBRARY]: [], [PREFLIGHT]: [LIBRARY], [CLI]: [LIBRARY, PREFLIGHT] }[name]);
  for (const d of ours) expect(pkg.dependencies[d]).toBe(manifest(d).version);
  if (name === LIBRARY) {
    // the construct tree needs one cdk8s and one constructs: the app's
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'constructs']);
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['yaml']); // the plugin reads schema files
  }
});

test('a separate cdk8s app installs the tarball, compiles with tsc and synthesizes its own chart', () => {
  const app = path.join(work, 'consumer');
  fs.cpSync(path.join(ROOT, 'examples', 'consumer'), app, { recursive: true, filter: (src) => !/node_modules|build|dist/.test(path.relative(path.join(ROOT, 'examples', 'consumer'), src)) });
  const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
  pkg.dependencies['cdk8s-kubeflow-argo'] = `file:${packs[LIBRARY].tarball}`;
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(pkg, null, 2));
  npm(['install', '--prefer-offline', '--no-package-lock'], app);
  execFileSync(process.execPath, [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(app, 'build', 'main.js')], { cwd: app, stdio: 'pipe', env: { ...process.env, CDK8S_OUTDIR: path.join(app, 'dist') } });

  const objs = parseAllDocuments(fs.readFileSync(path.join(app, 'dist', 'ml-platform-argo.k8s.yaml'), 'utf8')).map((d) => d.toJS());
  const find = (kind: string) => objs.find((o) => o.kind === kind);
  expect(find('Deployment').metadata.namespace).toBe('ml-platform');
  expect(find('Deployment').spec.template.spec.containers[0].env).toEqual([{ name: 'BASE_HREF', value: '/workflows/' }]);
  expect(find('RoleBinding').subjects[0].namespace).toBe('ml-platform');
  expect(find('VirtualService').spec.gateways).toEqual(['istio-system/public-gateway']);
  expect(find('VirtualService').spec.hosts).toEqual(['ml.example.com']);
  expect(find('WorkflowTemplate').metadata).toMatchObject({ name: 'nightly-report', namespace: 'team-data' });
  expect(find('WorkflowTemplate').spec.templates[0].metadata.annotations['sidecar.istio.io/inject']).toBe('false');
  expect(find('ConfigMap')).toMatchObject({ metadata: { name: 'nightly-report-settings', namespace: 'team-data' }, data: { OUTPUT: 's3://reports/nightly/' } });
  expect(formatViolations(validateObjects(objs))).toBe('');
  // one construct tree: the consumer resolved the peers to a single cdk8s / constructs copy
  expect(fs.existsSync(path.join(app, 'node_modules', 'cdk8s-kubeflow-argo', 'node_modules', 'cdk8s'))).toBe(false);
  expect(fs.existsSync(path.join(app, 'node_modules', 'cdk8s-kubeflow-argo', 'node_modules', 'constructs'))).toBe(false);
}, 300_000);

/** Every file under `dir`, relative, with its text. */
function filesOf(dir: string, prefix = ''): Record<string, string> {
  return Object.assign({}, ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory()
    ? filesOf(path.join(dir, e.name), `${prefix}${e.name}/`)
    : { [`${prefix}${e.name}`]: fs.readFileSync(path.join(dir, e.name), 'utf8') })));
}

test('a fresh app with the packed packages under the official cdk8s synth gets the complete output, as its kfa-synth writes it', () => {
  const app = path.join(work, 'fresh-app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'fresh-app', version: '0.0.0', private: true,
    dependencies: { 'cdk8s': '2.70.106', 'constructs': '10.8.1', [LIBRARY]: `file:${packs[LIBRARY].tarball}` },
    devDependencies: { [PREFLIGHT]: `file:${packs[PREFLIGHT].tarball}`, [CLI]: `file:${packs[CLI].tarball}` },
  }, null, 2));
  fs.writeFileSync(path.join(app, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\noutput: dist\n');
  // what the README's library example does: SSO, a profile, a GitHub trigger, then the Kubeflow-side files
  fs.writeFileSync(path.join(app, 'main.js'), `const { App } = require('cdk8s');
const { KubeflowArgoChart, KubeflowPatches, Platform } = require('cdk8s-kubeflow-argo');
const app = new App();
new KubeflowArgoChart(app, 'kubeflow-argo', {
  platform: Platform.KUBEFLOW_1_11,
  profiles: [{ namespace: 'team-a', owner: 'alice@example.com', contributors: ['bob@example.com'] }],
  sso: {},
  events: { sources: [{ type: 'github', repositories: ['org/repo'], webhookSecret: { name: 'github-webhook', key: 'secret' } }],
            triggers: [{ source: 'github', profile: 'team-a' }] },
});
app.synth();
KubeflowPatches.writeFiles(app);
`);
  npm(['install', '--prefer-offline', '--no-package-lock'], app);
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade'], { cwd: app, stdio: 'pipe' });
  const cli = path.join(work, 'fresh-app-cli');
  // the app's own kfa-synth (installed from the tarball), from another directory: it writes only
  // into --outdir, and the app's own writeFiles() call writes nothing under the current one
  const cwd = path.join(work, 'fresh-app-cwd');
  fs.mkdirSync(path.join(cwd, 'dist'), { recursive: true });
  execFileSync(path.join(app, 'node_modules', '.bin', 'kfa-synth'), ['--entry', path.join(app, 'main.js'), '--outdir', cli], { cwd, stdio: 'pipe' });
  expect(filesOf(cwd)).toEqual({});

  const official = filesOf(path.join(app, 'dist'));
  const ours = filesOf(cli);
  expect(Object.keys(official).sort()).toEqual(['kubeflow-argo.k8s.yaml', 'kubeflow-patches/dex-static-client.yaml', 'kubeflow-patches/kustomization.yaml']);
  for (const [file, text] of Object.entries(official)) expect([file, text === ours[file]]).toEqual([file, true]);
  // the CLI adds only what applying and pruning need (docs/synth.md)
  expect(Object.keys(ours).filter((f) => !(f in official)).sort()).toEqual(['.synth-output', 'Kustomization', 'prune.sh']);
  expect(official['kubeflow-patches/kustomization.yaml']).toContain('istio-ingressgateway-oauth2-proxy');
  // and its other commands run from the tarballs: the compiled preflight model, the Helm export
  fs.writeFileSync(path.join(app, 'dump.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubeflow' } }] }));
  const pre = spawnSync(path.join(app, 'node_modules', '.bin', 'kfa-preflight'), ['--output', cli, 'dump.json'], { cwd: app, encoding: 'utf8' });
  expect(pre.stderr).toBe('');
  expect([pre.status, pre.stdout]).toEqual([1, expect.stringMatching(/^(PASS|FAIL) .*\n(.*\n)*\d+ of \d+ checks pass\n$/)]);
  expect(pre.stdout).toContain('cannot tell: the dump holds no ServiceAccounts');
  const helm = spawnSync(path.join(app, 'node_modules', '.bin', 'kfa-helm'), ['--chart-version', '0.1.0', '--input', cli, '--outdir', 'chart'], { cwd: app, encoding: 'utf8' });
  expect([helm.status, helm.stderr]).toEqual([0, '']);
  expect(fs.readFileSync(path.join(app, 'chart', 'Chart.yaml'), 'utf8')).toContain(`cdk8s-kubeflow-argo/version: "${manifest(CLI).version}"`);
}, 300_000);

test('the app template, copied out with the packed packages, synthesizes the committed app/dist/ byte for byte', () => {
  const app = path.join(work, 'template');
  fs.cpSync(path.join(ROOT, 'app'), app, { recursive: true, filter: (src) => !/node_modules|dist/.test(path.relative(path.join(ROOT, 'app'), src)) });
  const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
  // what app/README.md says to do: the tarballs for the packages, and the plugin under ./node_modules
  pkg.dependencies[LIBRARY] = `file:${packs[LIBRARY].tarball}`;
  pkg.devDependencies = { [PREFLIGHT]: `file:${packs[PREFLIGHT].tarball}`, [CLI]: `file:${packs[CLI].tarball}` };
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(pkg, null, 2));
  const config = fs.readFileSync(path.join(app, 'cdk8s.yaml'), 'utf8');
  expect(config).toContain('package: ./../node_modules/cdk8s-kubeflow-argo/plugins/schema-validation');
  fs.writeFileSync(path.join(app, 'cdk8s.yaml'), config.replace('./../node_modules/', './node_modules/'));
  npm(['install', '--prefer-offline', '--no-package-lock'], app);
  const out = npm(['run', 'synth', '--silent'], app);
  expect(out).toMatch(/^wrote dist\/ /);
  expect(filesOf(path.join(app, 'dist'))).toEqual(filesOf(path.join(ROOT, 'app', 'dist')));
  // and under the official cdk8s synth with the plugin: the same manifests
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', 'dist-cdk8s'], { cwd: app, stdio: 'pipe' });
  expect(fs.readFileSync(path.join(app, 'dist-cdk8s', 'kubeflow-argo.k8s.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'app', 'dist', 'kubeflow-argo.k8s.yaml'), 'utf8'));
}, 300_000);
