// Wrong input from JavaScript or JSON, generated (seeded): every public construct either builds
// output that passes every check a synth makes, or throws a ValidationError, and a refused
// construct leaves the tree as it was. Never a TypeError, never output that a cluster refuses.
import { App, Chart, Testing } from 'cdk8s';
import {
  ArgoEventsRbac, ArgoServer, ArgoServerRoute, EventBus, EventField, KubeflowArgoChart, KubeflowArgoRoles, KubeflowPatches, Platform, ProfileSsoAccess, ProfileWorkflowTemplate,
  WebhookEventSource, WorkflowTrigger,
} from '../../packages/library/lib';
import { checkOutput } from '../../packages/library/lib/synth/output-checks';
import { checkDuration, checkGateway, parseImageReference } from '../../packages/library/lib/validation';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { helmBinary, k8sYamlReader, readAsKubernetes } from '../support/util';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkObjects, formatViolations } = require('../../packages/library/plugins/schema-validation');

/** Cases per target: 15 targets, over 50,000 in all (issue 21). */
const CASES = 3500;

/** A seeded generator (same sequence on every run). */
function rng(seed: number) {
  let s = seed;
  const next = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)], int: (n: number) => Math.floor(next() * n) };
}

/** Values of every JavaScript type a caller could pass by mistake. */
function junk(r: ReturnType<typeof rng>): unknown {
  const cyclic: any = { a: 1 };
  cyclic.self = cyclic;
  const throwing = Object.defineProperty({}, 'name', { enumerable: true, get() { throw new Error('getter exploded'); } });
  const nullProto = Object.assign(Object.create(null), { a: 'b' });
  return r.pick<() => unknown>([
    () => null, () => undefined, () => 0, () => -1, () => 1.5, () => NaN, () => Infinity, () => 2 ** 53, () => '', () => ' ', () => 'UPPER_case',
    () => 'a'.repeat(300), () => '/', () => '-x', () => ':v1', () => 'x:latest', () => 'a b', () => '../..', () => '*', () => true, () => false,
    () => [], () => [null], () => [{}], () => ['a', 'a'], () => {}, () => ({}), () => nullProto, () => ({ a: nullProto }), () => cyclic,
    () => BigInt(1), () => [BigInt(2)], () => throwing, () => () => 1, () => new Date(0), () => Symbol('s'), () => ({ name: 1, key: [] }),
    () => 'kubeflow', () => 'default', () => '0o755', () => '1µs', () => '99999999999999999999999s', () => 70000, () => 'x'.repeat(64),
    // issue 21: text that ends comments or YAML lines, half characters, the release's own routes, quantities as text
    () => 'a\nb: c', () => 'x\r\n- id: evil', () => 'a\u2028b', () => 'x\uD800', () => '\uDC00', () => '😀', () => '/dex/', () => '/pipeline/', () => '/oauth2/',
    () => ({ 'bad\nkey': 1 }), () => '1', () => '500m', () => '1.5', () => 0.5, () => '-1', () => '${IFS}', () => '$(VAR)', () => '{{workflow.name}}',
  ])();
}

/** Every path (as key lists) of plain objects and arrays inside `value`, the root included. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  }
  return out;
}

/**
 * `base` with `value` put at `path` ([] replaces the whole); only the objects along the path are
 * copied (with their property descriptors, so junk getters elsewhere are never invoked).
 */
function mutate(base: any, path: (string | number)[], value: unknown): any {
  if (path.length === 0) return value;
  const plain = (v: any) => v !== null && typeof v === 'object' && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype);
  if (!plain(base)) return base; // an earlier mutation replaced this parent
  const [k, ...rest] = path;
  const descriptors = Object.getOwnPropertyDescriptors(base);
  for (const d of Object.values(descriptors)) d.configurable = true; // junk getters are defined non-configurable
  const copy = Array.isArray(base) ? base.slice() : Object.defineProperties({}, descriptors);
  const desc = Object.getOwnPropertyDescriptor(base, k);
  const child = desc && 'value' in desc ? desc.value : undefined;
  Object.defineProperty(copy, k, { value: rest.length ? mutate(child, rest, value) : value, enumerable: true, writable: true, configurable: true });
  return copy;
}

interface Target {
  readonly name: string;
  /** Makes the related constructs in `chart`, and returns what builds the construct from props. */
  readonly build: (chart: Chart) => (props: any) => void;
  readonly base: () => any;
}

const SECRET = { name: 'hook', key: 'token' };
const TEMPLATES = [{
  name: 'main', inputs: { parameters: [{ name: 'rev' }] },
  container: { name: 'main', image: 'busybox:1.36', command: ['echo'], args: ['{{inputs.parameters.rev}}'], env: [{ name: 'REV', value: '{{inputs.parameters.rev}}' }] },
}];
const TARGETS: Target[] = [
  { name: 'ArgoServer', build: (c) => (p) => new ArgoServer(c, 'x', p), base: () => ({ namespace: 'kubeflow', baseHref: '/argo/', authModes: ['client'], extraArgs: ['--namespaced'], resources: { requests: { cpu: '50m' } } }) },
  {
    name: 'ArgoServerRoute',
    build: (c) => {
      const server = new ArgoServer(c, 's');
      return (p) => new ArgoServerRoute(c, 'x', p && typeof p === 'object' && !Array.isArray(p) && p.server === 'server' ? { ...p, server } : p);
    }, base: () => ({ server: 'server', gateway: 'kubeflow/kubeflow-gateway', hosts: ['*'], timeout: '300s' }) },
  { name: 'ArgoServer with sso', build: (c) => (p) => new ArgoServer(c, 'x', p), base: () => ({ sso: { sessionExpiry: '8h', clientSecret: { name: 'argo-sso', clientIdKey: 'id', clientSecretKey: 'secret' }, redirectUrl: '/argo/oauth2/callback', browserIssuer: '/dex' } }) },
  {
    name: 'ProfileSsoAccess',
    build: (c) => {
      const server = new ArgoServer(c, 's', { sso: {} });
      return (p) => new ProfileSsoAccess(c, 'x', p && typeof p === 'object' && !Array.isArray(p) && p.server === 'server' ? { ...p, server } : p);
    }, base: () => ({ server: 'server', profiles: [{ namespace: 'alice', owner: 'alice@example.com', contributors: ['bob@example.com'] }], clusterRole: 'kubeflow-edit' }) },
  { name: 'ArgoEventsRbac', build: (c) => (p) => new ArgoEventsRbac(c, 'x', p), base: () => ({ namespace: 'argo-events', operations: ['submit', 'retry'], namespaces: ['alice'] }) },
  { name: 'EventBus', build: (c) => (p) => new EventBus(c, 'x', p), base: () => ({ namespace: 'argo-events', replicas: 3 }) },
  { name: 'WebhookEventSource', build: (c) => (p) => new WebhookEventSource(c, 'x', p), base: () => ({ type: 'github', repositories: ['o/r'], webhookSecret: SECRET, pathPrefix: '/argo-events/gh/', events: ['push'] }) },
  {
    name: 'WorkflowTrigger',
    build: (c) => {
      const source = new WebhookEventSource(c, 'src', { type: 'github', repositories: ['o/r'], webhookSecret: SECRET });
      const template = new ProfileWorkflowTemplate(c, 'tpl', { namespace: 'alice', name: 'build', arguments: { parameters: [{ name: 'rev', value: 'x' }] }, templates: TEMPLATES });
      const rbac = new ArgoEventsRbac(c, 'rbac');
      // the named helpers replace their placeholders without invoking any junk getter
      const swap = (p: any) => {
        if (!p || typeof p !== 'object' || Array.isArray(p)) return p;
        const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(p));
        const named: Record<string, [string, unknown]> = { eventSource: ['source', source], template: ['template', template], rbac: ['rbac', rbac] };
        for (const [k, [placeholder, value]] of Object.entries(named)) {
          const d = Object.getOwnPropertyDescriptor(p, k);
          if (d && 'value' in d && d.value === placeholder) Object.defineProperty(out, k, { value, enumerable: true });
        }
        return out;
      };
      return (p) => new WorkflowTrigger(c, 'x', swap(p));
    },
    base: () => ({ eventSource: 'source', template: 'template', rbac: 'rbac', parameters: { rev: 'revision' }, branches: ['main'] }),
  },
  { name: 'ProfileWorkflowTemplate', build: (c) => (p) => new ProfileWorkflowTemplate(c, 'x', p), base: () => ({ namespace: 'alice', name: 'build', arguments: { parameters: [{ name: 'rev', value: 'x' }] }, templates: TEMPLATES, labels: { team: 'a' } }) },
  { name: 'KubeflowArgoRoles', build: (c) => (p) => new KubeflowArgoRoles(c, 'x', p), base: () => ({ view: true, verbs: ['get', 'list'] }) },
  { name: 'KubeflowPatches', build: (c) => (p) => new KubeflowPatches(c, 'x', p), base: () => ({ webhookPaths: ['/argo-events/github/push'], menuLinks: [{ text: 'Argo', link: '/argo/', icon: 'av:playlist-play' }], directory: 'kubeflow-patches', dexClient: { redirectUri: '/argo/oauth2/callback', secretName: 'argo-server-sso', clientIdKey: 'client-id', clientSecretKey: 'client-secret' } }) },
  { name: 'ProfileWorkflowTemplate.fromWorkflowTemplateName', build: (c) => (p) => ProfileWorkflowTemplate.fromWorkflowTemplateName(c, 'x', 'build', p), base: () => ({ namespace: 'alice', parameterNames: ['rev'] }) },
  { name: 'WebhookEventSource.fromEventSourceName', build: (c) => (p) => WebhookEventSource.fromEventSourceName(c, 'x', 'github', p), base: () => ({ type: 'github', namespace: 'argo-events', eventNames: ['push'] }) },
  {
    name: 'KubeflowArgoChart',
    build: (c) => (p) => new KubeflowArgoChart(c.node.scope as App, 'k', p), // a chart of its own, beside c
    base: () => ({
      profiles: ['alice'], kubeflowRoles: true, labels: { team: 'a' }, argoServer: { baseHref: '/argo/' }, route: { timeout: '300s' },
      workflowTemplate: { arguments: { parameters: [{ name: 'rev', value: 'x' }] }, templates: TEMPLATES },
      events: { sources: [{ type: 'github', repositories: ['o/r'], webhookSecret: SECRET }], triggers: [{ source: 'github', profile: 'alice', parameters: { rev: 'revision' } }] },
    }),
  },
  {
    name: 'KubeflowArgoChart with sso',
    build: (c) => (p) => new KubeflowArgoChart(c.node.scope as App, 'k', p),
    base: () => ({ profiles: [{ namespace: 'alice', owner: 'alice@example.com', contributors: ['bob@example.com'] }], kubeflowRoles: true, sso: { sessionExpiry: '8h' } }),
  },
];

/** EventFields in the base props are written as their names; swap them in before building. */
function withEventFields(value: any): any {
  if (value === 'revision') return EventField.revision();
  if (Array.isArray(value)) return value.map(withEventFields);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'parameters' && v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, withEventFields(pv)])) : withEventFields(v)]));
  }
  return value;
}

/** Every (JSON path, value) pair of an object. */
function* walk(value: unknown, at = ''): Generator<[string, unknown]> {
  yield [at, value];
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* walk(v, `${at}/${k}`);
}

/**
 * What a cluster would refuse beyond the schemas: images that are not pinned, valid references
 * (`image` fields of containers), Istio durations and gateways Istio would refuse, object names
 * outside Kubernetes' limits, and Service names Argo Events derives from event source names.
 */
function clusterProblems(objects: any[]): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const id = `${o.kind} ${o.metadata?.name}`;
    const name = o.metadata?.name;
    if (typeof name !== 'string' || name.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) out.push(`${id}: object name`);
    if (o.kind === 'EventSource' && `${name}-eventsource-svc`.length > 63) out.push(`${id}: derived Service name over 63`);
    for (const [at, v] of walk(o)) {
      if (at.endsWith('/image') && typeof v === 'string') {
        const ref = parseImageReference(v);
        if (!ref || (ref.tag === undefined && ref.digest === undefined) || ref.tag === 'latest') out.push(`${id}${at}: image ${v}`);
      }
      if (o.kind === 'VirtualService' && at.endsWith('/timeout')) {
        try { checkDuration({ owner: 'audit', prop: at }, v); } catch { out.push(`${id}${at}: duration ${String(v)}`); }
      }
      if (o.kind === 'VirtualService' && /\/gateways\/\d+$/.test(at)) {
        try { checkGateway({ owner: 'audit', prop: at }, v); } catch { out.push(`${id}${at}: gateway ${String(v)}`); }
      }
    }
  }
  return out;
}

/** Everything a synth checks, as problem lines: whole-output checks and schemas (with platform releases), and clusterProblems. */
function outputProblems(app: App): string[] {
  const files = synthesizeApp(app);
  const problems = checkOutput(files, { allowEmpty: true });
  problems.push(...clusterProblems(files.flatMap((f) => f.objects)));
  const objects = files.flatMap((f) => f.objects);
  const { violations } = checkObjects(objects, () => files.flatMap((f) => f.paths), { releases: Platform.KUBEFLOW_1_4.schemaReleases });
  if (violations.length) problems.push(formatViolations(violations));
  return problems;
}

const reader = k8sYamlReader();
const helm = helmBinary();
// eslint-disable-next-line no-console
if (helm.skipped) console.log(`fuzz: accepted output is not rendered with Helm: ${helm.skipped}`);
// eslint-disable-next-line no-console
if (reader.skipped) console.log(`fuzz: accepted output is not read back with sigs.k8s.io/yaml: ${reader.skipped}`);

describe.each(TARGETS.map((t) => [t.name, t] as const))('%s, given 3,500 seeded wrong inputs', (name, target) => {
  test('throws only ValidationErrors, leaves the tree unchanged when it does, and otherwise builds output every check accepts', () => {
    const r = rng(name.length * 7919);
    const failures: string[] = [];
    let accepted = 0;
    let refused = 0;
    const texts: string[] = [];
    for (let i = 0; i < CASES && failures.length < 5; i++) {
      const base = withEventFields(target.base());
      const all = paths(base);
      let props = base;
      for (let n = 1 + r.int(2); n > 0; n--) props = mutate(props, r.pick(all), junk(r));
      if (r.next() < 0.05) props = mutate(props, [`unknownProp${i}`], 'x');
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      const build = target.build(chart);
      const before = app.node.findAll().length;
      const label = () => { try { return JSON.stringify(props, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)).slice(0, 300); } catch { return String(Object.prototype.toString.call(props)); } };
      try {
        build(props);
      } catch (e: any) {
        if (e?.name !== 'ValidationError') {
          failures.push(`case ${i}: ${e?.name}: ${e?.message} <- ${label()}`);
          continue;
        }
        refused++;
        const after = app.node.findAll().length;
        if (after !== before) failures.push(`case ${i}: refused (${e.message}) but left ${after - before} constructs in the tree <- ${label()}`);
        continue;
      }
      accepted++;
      try {
        texts.push(synthesizeApp(app).filter((f) => !f.attached).map((f) => f.text).join('---\n'));
        const problems = outputProblems(app);
        if (problems.length) failures.push(`case ${i}: accepted, but the output fails its checks: ${problems.join(' | ').slice(0, 400)} <- ${label()}`);
      } catch (e: any) {
        failures.push(`case ${i}: accepted, but synthesis threw ${e?.name}: ${e?.message} <- ${label()}`);
      }
    }
    // the first 40 accepted outputs, as one Helm chart (scripts/helm.js): Helm renders every object of them
    if (helm.bin && texts.length) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-fuzz-helm-'));
      try {
        const sample = texts.slice(0, 40);
        sample.forEach((t, i) => fs.writeFileSync(path.join(dir, `case-${i}.k8s.yaml`), t));
        const expected = sample.map((t) => parseAllDocuments(t).filter((d) => d.toJS()).length).reduce((a, b) => a + b, 0);
        const chart = path.join(dir, 'chart');
        const made = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'packages', 'cli', 'lib', 'helm.js'), '--chart-version', '0.1.0', '--input', dir, '--outdir', chart], { encoding: 'utf8' });
        const rendered = made.status === 0 ? spawnSync(helm.bin, ['template', 'fuzz', chart], { encoding: 'utf8', maxBuffer: 1 << 28 }) : undefined;
        const count = rendered?.status === 0 ? parseAllDocuments(rendered.stdout).filter((d) => d.toJS()).length : -1;
        if (count !== expected) failures.push(`Helm renders ${count} of the ${expected} objects of ${sample.length} accepted outputs: ${(made.stderr || rendered?.stderr || '').slice(0, 300)}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    // everything accepted is read by Kubernetes' own YAML reader (sigs.k8s.io/yaml, as kubectl), in one batch
    if (reader.bin && texts.length) {
      const docs = texts.filter(Boolean).join('---\n');
      try {
        readAsKubernetes(reader.bin, docs);
      } catch (e: any) {
        const bad = texts.findIndex((t) => { try { readAsKubernetes(reader.bin!, t); return false; } catch { return true; } });
        failures.push(`accepted output ${bad} is refused by sigs.k8s.io/yaml: ${e.message.slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(accepted + refused).toBe(CASES);
    expect(refused).toBeGreaterThan(100); // the generator does produce wrong input
  }, 120_000);
});

test('the audit of accepted output does catch what a cluster would refuse', () => {
  expect(clusterProblems([
    { kind: 'Deployment', metadata: { name: 'ok' }, spec: { template: { spec: { containers: [{ image: 'alpine:latest' }, { image: 'Bad/Ref:1' }, { image: 'busybox:1.36' }] } } } },
    { kind: 'VirtualService', metadata: { name: 'Bad_Name' }, spec: { gateways: ['bare'], http: [{ timeout: '1µs' }] } },
    { kind: 'EventSource', metadata: { name: 'e'.repeat(48) } },
  ])).toEqual([
    'Deployment ok/spec/template/spec/containers/0/image: image alpine:latest',
    'Deployment ok/spec/template/spec/containers/1/image: image Bad/Ref:1',
    'VirtualService Bad_Name: object name',
    'VirtualService Bad_Name/spec/gateways/0: gateway bare',
    'VirtualService Bad_Name/spec/http/0/timeout: duration 1µs',
    `EventSource ${'e'.repeat(48)}: derived Service name over 63`,
  ]);
});
