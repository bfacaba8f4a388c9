// Issue 21: inputs that must never inject, crash or leave a refused construct's traces behind.
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoServer, EventBus, KubeflowArgoChart, KubeflowPatches, Platform, ProfileWorkflowTemplate, ValidationError, WorkflowTrigger } from '../lib';
import { ArgoEventsRbac } from '../lib/argo-events/argo-events-rbac';
import { attachedFiles } from '../lib/synth/attached-files';
import { synthesizeApp } from '../lib/synth/synthesize';
import { yamlComment } from '../lib/synth/yaml';

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
