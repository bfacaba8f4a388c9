// Issue 21: inputs that must never inject, crash or leave a refused construct's traces behind.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoServer, EventBus, KubeflowArgoChart, KubeflowPatches, Platform, ProfileWorkflowTemplate, ValidationError, WorkflowTrigger } from '../../packages/library/lib';
import { ArgoEventsRbac } from '../../packages/library/lib/argo-events/argo-events-rbac';
import { attachedFiles } from '../../packages/library/lib/synth/attached-files';
import { checkOutput } from '../../packages/library/lib/synth/output-checks';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { yamlComment } from '../../packages/library/lib/synth/yaml';
import { buildApp } from '../support/reference-app';
import { preflight } from '../../packages/preflight/lib/checks';
import { checkCluster, InputError, readDump } from '../../packages/preflight/lib/input';
import { stringify } from 'yaml';

/** The error `f` throws (fails the test when it throws none). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('nothing was thrown');
}

/** Everything the app would write: manifests and attached files. */
const written = (app: App) => synthesizeApp(app).map((f) => `${f.file}\n${f.text}`).join('\n---\n');

describe('text written outside the YAML serializer cannot carry a line break', () => {
  test.each(['secretName', 'clientIdKey', 'clientSecretKey'])('KubeflowPatches dexClient.%s with a newline is refused, in one line', (key) => {
    const dexClient = { redirectUri: '/argo/oauth2/callback', secretName: 'argo-server-sso', clientIdKey: 'id', clientSecretKey: 'secret', [key]: 'x\n- id: evil\n  secret: s' };
    const app = Testing.app();
    const e = thrown(() => new KubeflowPatches(new Chart(app, 'c'), 'p', { dexClient }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toContain(`KubeflowPatches: dexClient.${key} must be`);
    expect(e.message).not.toMatch(/[\n\r]/);
    expect(attachedFiles(app)).toEqual([]);
  });

  test.each([['LF', '\n'], ['CR', '\r'], ['NEL', '\u0085'], ['LS', '\u2028'], ['PS', '\u2029']])('yamlComment refuses a line that holds %s (YAML reads it as a line break)', (_name, br) => {
    expect(() => yamlComment([`a${br}b: c`])).toThrow('yamlComment: a comment line holds a line break');
    expect(yamlComment(['a', 'b'])).toBe('# a\n# b\n');
  });
});

describe('refused means unchanged', () => {
  test('a WorkflowTrigger refused on its name grants the sensor account nothing in the target namespace', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    Platform.use(chart, Platform.KUBEFLOW_1_9);
    const rbac = new ArgoEventsRbac(chart, 'rbac', { namespaces: [] });
    const bus = new EventBus(chart, 'bus', {});
    const source = bus.addWebhookEventSource('src', { type: 'github', repositories: ['a/b'], webhookSecret: { name: 's', key: 'k' } });
    const template = new ProfileWorkflowTemplate(chart, 'tpl', { namespace: 'team-b' });
    const before = written(app);
    expect(() => new WorkflowTrigger(chart, 't', { eventSource: source, template, rbac, name: 'Not A Name' })).toThrow(ValidationError);
    expect(written(app)).toBe(before);
    expect(written(app)).not.toContain('namespace: team-b\nroleRef');
  });

  test('a construct refused after it attached a file leaves no file behind', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const parent = new Construct(chart, 'mine');
    new KubeflowPatches(parent, 'p', { webhookPaths: ['/hook/'] });
    expect(attachedFiles(app).map((f) => f.file)).toEqual(['kubeflow-patches/kustomization.yaml']);
    chart.node.tryRemoveChild('mine'); // what a refused construct does with itself
    expect(attachedFiles(app)).toEqual([]);
    const fresh = Testing.app();
    new Chart(fresh, 'c');
    expect(written(app)).toBe(written(fresh));
  });
});

describe('no raw errors: every refusal is a ValidationError with a one-line message', () => {
  const server = (sso: unknown) => new ArgoServer(Testing.chart(), 's', { platform: Platform.KUBEFLOW_1_11, sso: sso as any });
  test.each([
    ['a symbol', Symbol('x')],
    ['a function', () => 1],
    ['a bigint', BigInt(1)],
  ])('%s inside sso.artifactRepository', (_name, value) => {
    const e = thrown(() => server({ artifactRepository: { s3: { bucket: value } } }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toMatch(/^ArgoServer: sso\.artifactRepository\.s3\.bucket must be plain data/);
  });

  test('an array with its own constructor property is read as an array', () => {
    const profiles: any = ['team-a'];
    profiles.constructor = 1;
    const app = Testing.app();
    expect(() => new KubeflowArgoChart(app, 'c', { profiles })).not.toThrow();
    const bad: any = ['Not A Namespace'];
    bad.constructor = 1;
    expect(thrown(() => new KubeflowArgoChart(Testing.app(), 'c', { profiles: bad }))).toBeInstanceOf(ValidationError);
  });

  test('a prop key or value with line breaks gives a one-line message', () => {
    const e = thrown(() => new KubeflowArgoChart(Testing.app(), 'c', { ['bad\nkey\u2028x']: 1 } as any));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toContain('bad\\u000akey\\u2028x is not a known prop');
    expect(e.message).not.toMatch(/[\n\r\u2028\u2029]/);
  });
});

describe('preflight on what users really feed it (issue 21)', () => {
  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const bad: Array<[string, string | Buffer, RegExp]> = [
    ['an empty file', '', /^x\.yaml: holds no Kubernetes objects/],
    ['a scalar', 'hello', /^x\.yaml: document 1: not a Kubernetes object \(a string/],
    ['base64 text', 'QUJD'.repeat(1000), /^x\.yaml: document 1: not a Kubernetes object/],
    ['UTF-16 (PowerShell\'s >)', Buffer.from('\ufeffapiVersion: v1\n', 'utf16le'), /^x\.yaml: is UTF-16 or binary/],
    ['a Namespace without metadata', 'apiVersion: v1\nkind: Namespace\n', /^x\.yaml: document 1: not a Kubernetes object \(a mapping/],
    ['List items that are not objects', 'apiVersion: v1\nkind: List\nitems: [1, "a"]\n', /^x\.yaml: document 1, item 1: not a Kubernetes object \(a number/],
    ['labels that are not strings', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {x: [1]}}\n', /^x\.yaml: document 1: Namespace a: metadata\.labels is not a map of strings$/],
    ['a YAML syntax error', 'apiVersion: v1\nkind: [\n', /^x\.yaml:\d+:\d+: not YAML: [^\n]+$/],
    ['an alias bomb', `a: &a [1]\nb: [${Array(200).fill('*a').join(',')}]\n`, /^x\.yaml: document 1: .*\(at most 100 aliases\)$/],
  ];
  test.each(bad)('%s is refused in one line naming the file', (_name, content, message) => {
    const e = thrown(() => readDump('x.yaml', Buffer.isBuffer(content) ? content : Buffer.from(content)));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  test('JSON (kubectl -o json) and YAML are read without managedFields and kubectl\'s last-applied copy; a file over the limit is refused', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', managedFields: [{ manager: 'x' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' } } }] };
    const read = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', annotations: { keep: 'me' } } }];
    expect(readDump('c.json', Buffer.from(JSON.stringify(list)))).toEqual(read);
    expect(readDump('c.yaml', stringify(list))).toEqual(read);
    expect(readDump('c.yaml', stringify(list), { maxWholeYaml: 0, maxYamlPiece: 1000 })).toEqual(read);
    expect(thrown(() => readDump('c.yaml', `# ${'x'.repeat(3 * 1048576)}\n`, { maxDump: 2 * 1048576 })).message)
      .toBe('c.yaml: is 3 MB, over the 2 MB a dump may have (preflight keeps its memory under 500 MiB); dump fewer kinds per file');
  });

  describe('YAML over the one-parse limit is read document by document and item by item, as if whole', () => {
    const item = (i: number) => ({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: `c${i}`, namespace: 'n', labels: { a: 'b' }, managedFields: [{ manager: 'kubectl' }] },
      data: { block: 'line 1\nline 2\n', folded: `${'long '.repeat(40)}end`, quoted: '- not an item', dash: '-', empty: '' },
    });
    const list = { apiVersion: 'v1', items: [0, 1, 2].map(item), kind: 'List', metadata: { resourceVersion: '' } };
    // kubectl's go-yaml: items at column 0; the yaml library's default: indented by two
    const goYaml = stringify(list, { indentSeq: false, lineWidth: 80 });
    const layouts: Array<[string, string]> = [
      ['a List as kubectl -o yaml writes it', goYaml],
      ['a List with indented items', stringify(list, { lineWidth: 80 })],
      ['a List with CRLF line ends', goYaml.replace(/\n/g, '\r\n')],
      ['comments and blank lines between and inside items', goYaml.replace(/^- /gm, '# an item\n\n- ').replace('  kind: ConfigMap', '# inside\n  kind: ConfigMap')],
      ['documents with markers, a List among them', `---\n${stringify(item(7))}---\n${goYaml}...\n---\n${stringify(item(8))}`],
      ['an empty List and an inline one', `apiVersion: v1\nitems: []\nkind: List\n---\napiVersion: v1\nitems:\nkind: List\n---\n${goYaml}`],
    ];
    test.each(layouts)('%s', (_what, text) => {
      const whole = readDump('d.yaml', text);
      expect(whole.length).toBeGreaterThan(2);
      expect(readDump('d.yaml', text, { maxWholeYaml: 0, maxYamlPiece: 1000 })).toEqual(whole);
    });

    test('an error inside an item is reported at the file\'s own line and column', () => {
      for (const [text, bad] of [[goYaml.replace('name: c1', 'name: c1: x'), 'name: c1: x'], [goYaml.replace('kind: List', 'kind: List\nfoo: : bar'), 'foo: : bar']]) {
        const line = text.split('\n').indexOf(text.split('\n').find((l) => l.includes(bad))!) + 1;
        const e = thrown(() => readDump('d.yaml', text, { maxWholeYaml: 0, maxYamlPiece: 1000 }));
        expect(e).toBeInstanceOf(InputError);
        expect(e.message).toMatch(new RegExp(`^d\\.yaml:${line}:\\d+: not YAML: [^\\n]+$`));
        expect(e.message).toBe(thrown(() => readDump('d.yaml', text)).message); // as a whole parse says it
      }
    });

    test.each([
      ['content after a document marker', `--- ${JSON.stringify(item(1))}\n`],
      ['items that are a mapping', 'apiVersion: v1\nitems:\n  a: 1\nkind: List\n'],
      ['a top-level sequence (one piece over the limit)', stringify(list.items, { indentSeq: false })],
    ])('%s is refused in one line, since only a whole parse would read it', (_what, text) => {
      const e = thrown(() => readDump('d.yaml', text, { maxWholeYaml: 0, maxYamlPiece: 1000 }));
      expect(e).toBeInstanceOf(InputError);
      expect(e.message).toMatch(/^d\.yaml: is 0 MB of YAML that is not laid out as kubectl writes it .*take it as JSON \(kubectl get \.\.\. -o json\)$/);
    });
  });

  test('a dump without Namespaces, or with a mesh config that is not YAML, is unusable', () => {
    expect(() => checkCluster([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'a' } }])).toThrow('the dump holds no Namespaces');
    expect(() => checkCluster([ns('a'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: `a: &a [1]\nb: [${Array(200).fill('*a').join(',')}]` } }]))
      .toThrow('ConfigMap istio-system/istio: data.mesh is not usable YAML');
  });

  test('a check never passes on what the dump lacks: "cannot tell"', () => {
    const output = synthesizeApp(buildApp()).flatMap((f) => f.objects);
    const results = preflight([ns('kubeflow'), ns('argo-events'), ns('kubeflow-user-example-com'),
      { apiVersion: 'security.istio.io/v1beta1', kind: 'AuthorizationPolicy', metadata: { name: 'login', namespace: 'istio-system' }, spec: { action: 'CUSTOM', provider: { name: 'oauth2-proxy' } } }], output);
    const gatewayOrRbac = results.filter((r) => /^(a browser|a webhook|Sensor|default-editor|argo-server \(|no object labelled)/.test(r.check));
    expect(gatewayOrRbac.length).toBe(6);
    for (const r of gatewayOrRbac) expect([r.check, r.pass, r.detail]).toEqual([r.check, false, expect.stringMatching(/^cannot tell: the dump holds no /)]);
  });

  test('npm run preflight: exit 2 and one line for unusable input, paths from the caller\'s directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-preflight-'));
    try {
      fs.writeFileSync(path.join(dir, 'dump.yaml'), 'hello');
      // INIT_CWD is where npm was run from (npm itself runs scripts in the project root)
      const r = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'packages', 'cli', 'lib', 'preflight.js'), 'dump.yaml'], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, INIT_CWD: dir, npm_lifecycle_event: 'preflight' } });
      expect([r.status, r.stdout, r.stderr]).toEqual([2, '', 'preflight: dump.yaml: document 1: not a Kubernetes object (a string without apiVersion, kind and metadata.name)\n']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('route prefixes that collide with the release\'s own gateway routes are refused (issue 21)', () => {
  test.each([
    ['ArgoServer baseHref', () => new ArgoServer(Testing.chart(), 's', { platform: Platform.KUBEFLOW_1_11, baseHref: '/dex/' }), 'ArgoServer: baseHref overlaps "/dex/", which Kubeflow v1.11.0 routes on its gateway (common/dex/overlays/istio/virtual-service.yaml)'],
    ['a pipelines prefix', () => new ArgoServer(Testing.chart(), 's', { platform: Platform.KUBEFLOW_1_4, baseHref: '/pipelines-ui/' }), 'ArgoServer: baseHref overlaps "/pipeline"'],
    ['kfam', () => new KubeflowArgoChart(Testing.app(), 'c', { argoServer: { baseHref: '/kfam/argo/' } }), 'ArgoServer: baseHref overlaps "/kfam/"'],
    ['Jupyter (from the whole release, not only the files ../shared holds)', () => new ArgoServer(Testing.chart(), 's', { platform: Platform.KUBEFLOW_1_8, baseHref: '/jupyter/argo/' }), 'ArgoServer: baseHref overlaps "/jupyter/", which Kubeflow v1.8.1 routes on its gateway (apps/jupyter/jupyter-web-app/upstream/overlays/istio/virtual-service.yaml)'],
    ['KServe\'s web app (moved onto the Kubeflow gateway by a kustomize patch)', () => new ArgoServer(Testing.chart(), 's', { platform: Platform.KUBEFLOW_1_11, baseHref: '/kserve-endpoints/argo/' }), 'ArgoServer: baseHref overlaps "/kserve-endpoints/"'],
    ['the model registry on 1.10+', () => new ArgoServer(Testing.chart(), 's', { platform: Platform.KUBEFLOW_1_10, baseHref: '/model-registry/' }), 'ArgoServer: baseHref overlaps "/model-registry/"'],
    ['/oauth2/ on 1.9+', () => new KubeflowArgoChart(Testing.app(), 'c', { platform: Platform.KUBEFLOW_1_9, profiles: ['a'], events: { sources: [{ type: 'github', repositories: ['a/b'], webhookSecret: { name: 's', key: 'k' }, pathPrefix: '/oauth2/hooks/' }] } }), 'WebhookEventSource: pathPrefix overlaps "/oauth2/"'],
  ] as const)('%s', (_name, make, message) => {
    const e = thrown(make);
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toContain(message);
  });

  test('/oauth2/ is free on 1.4 (oidc-authservice has no such route), and the defaults never collide', () => {
    expect(() => new ArgoServer(Testing.chart(), 's', { platform: Platform.KUBEFLOW_1_4, baseHref: '/oauth2/argo/' })).not.toThrow();
    for (const platform of Platform.ALL) expect(() => new KubeflowArgoChart(Testing.app(), 'c', { platform, profiles: ['a'], kubeflowRoles: true })).not.toThrow();
  });
});

describe('accepted only what Kubernetes accepts (issue 21)', () => {
  const template = (container: Record<string, unknown>, extra: Record<string, unknown> = {}) => () => new ProfileWorkflowTemplate(Testing.chart(), 't', {
    namespace: 'team-a', templates: [{ name: 'main', container: { name: 'main', image: 'docker.io/library/busybox:1.36', ...container }, ...extra } as any],
  });
  const objects = (make: () => ProfileWorkflowTemplate) => Testing.synth(Chart.of(make())) as any[];

  test('quantities given as strings or numbers are written as given, not as null; a bad one is refused', () => {
    const [wt] = objects(template({ resources: { limits: { cpu: '1', memory: '64Mi' }, requests: { cpu: 0.5 } } }));
    expect(wt.spec.templates[0].container.resources).toEqual({ limits: { cpu: '1', memory: '64Mi' }, requests: { cpu: '0.5' } });
    expect(thrown(template({ resources: { limits: { cpu: 'lots' } } })).message).toContain('ProfileWorkflowTemplate: templates[0].container.resources.limits.cpu must be a Kubernetes quantity, got "lots"');
  });

  test('environment variable names and template label values are checked', () => {
    expect(thrown(template({ env: [{ name: '1BAD', value: 'x' }] })).message).toContain('templates[0].container.env[0].name must be an environment variable name');
    expect(thrown(template({ env: [{ name: 'A=B', value: 'x' }] })).message).toContain('env[0].name must be an environment variable name');
    expect(thrown(template({}, { metadata: { labels: { app: 'has space' } } })).message).toContain('templates[0].metadata.labels["app"] must be a valid label value');
  });

  test('a lone UTF-16 surrogate is refused in any prop, value or key', () => {
    const e = thrown(template({ env: [{ name: 'A', value: 'x\uD800' }] }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toContain('templates[0].container.env[0].value holds a lone UTF-16 surrogate');
    expect(thrown(() => new KubeflowArgoChart(Testing.app(), 'c', { labels: { ['k\uDC00']: 'v' } })).message).toContain('is a key with a lone UTF-16 surrogate');
    // a pair is one character, and fine
    expect(() => template({ env: [{ name: 'A', value: 'x😀' }] })()).not.toThrow();
  });

  test('the synth refuses what the API server would: annotations over 256 KiB, objects over 1.5 MiB, lone surrogates', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'big-annotations', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'x', annotations: { note: 'x'.repeat(256 * 1024) } } });
    new ApiObject(chart, 'big', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'x' }, data: { d: 'x'.repeat(1.6 * 1024 * 1024) } } as any);
    new ApiObject(chart, 'surrogate', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'x' }, data: { d: 'x\uDFFF', fine: '\\ud800 written out, and 😀' } } as any);
    new ApiObject(chart, 'ok', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'x' }, data: { d: '\\ud800 is text here' } } as any);
    const problems = checkOutput(synthesizeApp(app));
    expect(problems).toEqual([
      expect.stringMatching(/^\[c\/big-annotations\] ConfigMap a: its annotations take 262148 bytes, over the API server's 262144/),
      expect.stringMatching(/^\[c\/big\] ConfigMap b: is \d+ bytes, over etcd's 1572864-byte request limit/),
      expect.stringMatching(/^\[c\/surrogate\] ConfigMap c: holds a lone UTF-16 surrogate/),
    ]);
  });
});
