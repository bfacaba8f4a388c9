// The npm package as a consumer gets it: `npm pack`, install the tarball (peers from the
// registry or npm's cache) into a temporary copy of examples/consumer, compile it with tsc,
// synthesize, and check the output.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateObjects, formatViolations } = require('../../packages/library/plugins/schema-validation');

const ROOT = path.join(__dirname, '..', '..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

let work: string;
let tarball: string;
let files: string[];

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-pack-'));
  const out = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT));
  tarball = path.join(work, out[0].filename);
  files = out[0].files.map((f: { path: string }) => f.path);
}, 180_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the tarball holds compiled lib/ and imports/ with declarations, the plugin, README and LICENSE; no tests or dist/', () => {
  for (const f of ['package.json', 'README.md', 'LICENSE', 'build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/argo-server/argo-server.d.ts',
    'build/imports/argoproj.io.js', 'build/imports/argoproj.io.d.ts', 'build/imports/istio-1.30.3/networking.istio.io.js',
    'plugins/schema-validation/index.js', 'plugins/schema-validation/schemas/index.json']) {
    expect(files).toContain(f);
  }
  for (const f of files) {
    expect(f).not.toMatch(/^(test|dist|__snapshots__|examples|bench|scripts|\.ci)\//);
    if (f.endsWith('.ts')) expect(f).toMatch(/\.d\.ts$/); // no TypeScript sources
    expect(f).not.toMatch(/^build\/main\./);
  }
});

test('package.json: entry points exist, peers for the construct tree, license and repository', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(files).toContain(pkg.main);
  expect(files).toContain(pkg.types);
  expect(files).toContain(pkg.exports['.'].default.replace(/^\.\//, ''));
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'constructs']);
  expect(pkg.dependencies ?? {}).toEqual({});
  expect(pkg.license).toBe('Apache-2.0');
  expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
});

test('a separate cdk8s app installs the tarball, compiles with tsc and synthesizes its own chart', () => {
  const app = path.join(work, 'consumer');
  fs.cpSync(path.join(ROOT, 'examples', 'consumer'), app, { recursive: true, filter: (src) => !/node_modules|build|dist/.test(path.relative(path.join(ROOT, 'examples', 'consumer'), src)) });
  const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
  pkg.dependencies['cdk8s-kubeflow-argo'] = `file:${tarball}`;
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

test('a fresh app with the packed library under the official cdk8s synth gets the complete output, as the CLI writes it', () => {
  const app = path.join(work, 'fresh-app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'fresh-app', version: '0.0.0', private: true,
    dependencies: { 'cdk8s': '2.70.106', 'constructs': '10.8.1', 'cdk8s-kubeflow-argo': `file:${tarball}` },
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
  // the synth command writes only into --outdir: the app's own writeFiles() call writes nothing under it
  const cwd = path.join(work, 'fresh-app-cwd');
  fs.mkdirSync(path.join(cwd, 'dist'), { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'packages', 'cli', 'lib', 'synth.js'), '--entry', path.join(app, 'main.js'), '--outdir', cli], { cwd, stdio: 'pipe' });
  expect(filesOf(cwd)).toEqual({});

  const official = filesOf(path.join(app, 'dist'));
  const ours = filesOf(cli);
  expect(Object.keys(official).sort()).toEqual(['kubeflow-argo.k8s.yaml', 'kubeflow-patches/dex-static-client.yaml', 'kubeflow-patches/kustomization.yaml']);
  for (const [file, text] of Object.entries(official)) expect([file, text === ours[file]]).toEqual([file, true]);
  // the CLI adds only what applying and pruning need (docs/synth.md)
  expect(Object.keys(ours).filter((f) => !(f in official)).sort()).toEqual(['.synth-output', 'Kustomization', 'prune.sh']);
  expect(official['kubeflow-patches/kustomization.yaml']).toContain('istio-ingressgateway-oauth2-proxy');
}, 300_000);
