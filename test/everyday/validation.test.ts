// Table of bad inputs: each must throw at construction with a message that names the prop,
// shows the bad value and says the fix (STYLE: "fails when …").
import { Testing } from 'cdk8s';
import {
  ArgoEventsRbac, ArgoServer, ArgoServerRoute, KubeflowArgoChart, KubeflowArgoRoles, ProfileWorkflowTemplate, ValidationError, WebhookEventSource,
} from '../../packages/library/lib';

const NS = 'kubeflow-user-example-com';
const container = { name: 'main', image: 'alpine:3.14' };
const server = (props: any = {}) => new ArgoServer(Testing.chart(), 's', props);
const route = (props: any = {}) => new ArgoServerRoute(Testing.chart(), 'r', props);
const routeWithServer = (serverProps: any, props: any) => {
  const c = Testing.chart();
  return new ArgoServerRoute(c, 'r', { server: new ArgoServer(c, 's', serverProps), ...props });
};
const rbac = (props: any = {}) => new ArgoEventsRbac(Testing.chart(), 'e', props);
const wft = (props: any = {}) => new ProfileWorkflowTemplate(Testing.chart(), 't', { namespace: NS, ...props });
const roles = (props: any = {}) => new KubeflowArgoRoles(Testing.chart(), 'k', props);
const chart = (props: any = {}) => new KubeflowArgoChart(Testing.app(), 'c', props);

// [what, make, prop as named in the message, bad value as shown in the message]
const cases: Array<[string, () => unknown, string, string]> = [
  ['namespace with capitals', () => server({ namespace: 'Kubeflow' }), 'namespace', '"Kubeflow"'],
  ['namespace over 63 characters', () => server({ namespace: 'a'.repeat(64) }), 'namespace', 'aaaa'],
  ['image tagged latest', () => server({ image: 'quay.io/argoproj/argocli:latest' }), 'image', ':latest"'],
  ['image without tag', () => server({ image: 'quay.io/argoproj/argocli' }), 'image', '"quay.io/argoproj/argocli"'],
  ['image from another Argo line', () => server({ image: 'quay.io/argoproj/argocli:v3.2.0' }), 'image', ':v3.2.0"'],
  ['image with a malformed digest', () => server({ image: 'quay.io/argoproj/argocli@sha256:123' }), 'image', '@sha256:123"'],
  ['image tag+digest with a tag off the line', () => server({ image: `quay.io/argoproj/argocli:v3.4.0@sha256:${'a'.repeat(64)}` }), 'image', ':v3.4.0@sha256:aaaa'],
  ['baseHref without slashes', () => server({ baseHref: 'argo' }), 'baseHref', '"argo"'],
  ['baseHref without trailing slash', () => server({ baseHref: '/argo' }), 'baseHref', '"/argo"'],
  ['baseHref with a space', () => server({ baseHref: '/ar go/' }), 'baseHref', '"/ar go/"'],
  ['baseHref with ..', () => server({ baseHref: '/argo/../x/' }), 'baseHref', '"/argo/../x/"'],
  ['xFrameOptions not a header value', () => server({ xFrameOptions: 'ALLOWALL' }), 'xFrameOptions', '"ALLOWALL"'],
  ['authModes with an unknown mode', () => server({ authModes: ['token'] }), 'authModes[0]', '"token"'],
  ['authModes empty', () => server({ authModes: [] }), 'authModes', '[]'],
  ['authModes listed twice', () => server({ authModes: ['client', 'client'] }), 'authModes[1]', '"client"'],
  ['extraArgs repeating a managed flag', () => server({ extraArgs: ['--secure=true'] }), 'extraArgs[0]', '"--secure=true"'],
  ['extraArgs entry that is not a flag', () => server({ extraArgs: ['server'] }), 'extraArgs[0]', '"server"'],
  ['secure as a string from JSON', () => server({ secure: 'false' }), 'secure', '"false"'],
  ['misspelt prop from plain JavaScript', () => server({ baseHREF: '/argo/' }), 'baseHREF', '"/argo/"'],
  ['gateway with two slashes', () => route({ gateway: 'kubeflow/kubeflow-gateway/x' }), 'gateway', '"kubeflow/kubeflow-gateway/x"'],
  ['gateway with capitals', () => route({ gateway: 'Kubeflow/Gateway' }), 'gateway', '"Kubeflow/Gateway"'],
  ['host given as a URL', () => route({ hosts: ['https://kf.example.com'] }), 'hosts[0]', '"https://kf.example.com"'],
  ['hosts empty', () => route({ hosts: [] }), 'hosts', '[]'],
  ['timeout without unit', () => route({ timeout: '300' }), 'timeout', '"300"'],
  ['timeout of zero', () => route({ timeout: '0s' }), 'timeout', '"0s"'],
  ['port 0', () => route({ port: 0 }), 'port', '0'],
  ['port above 65535', () => route({ port: 70000 }), 'port', '70000'],
  ['principal that is not a SPIFFE id', () => route({ allowedPrincipals: ['istio-ingressgateway'] }), 'allowedPrincipals[0]', '"istio-ingressgateway"'],
  ['route baseHref contradicting the server', () => routeWithServer({}, { baseHref: '/other/' }), 'baseHref', '"/other/"'],
  ['route namespace contradicting the server', () => routeWithServer({}, { namespace: 'other' }), 'namespace', '"other"'],
  ['route to a TLS server', () => routeWithServer({ secure: true }, {}), 'server', 'secure: true'],
  ['allowAllSources together with allowedPrincipals', () => route({ allowAllSources: true, allowedPrincipals: ['cluster.local/ns/a/sa/b'] }), 'allowAllSources', 'true'],
  ['misspelt route prop', () => route({ timeOut: '60s' }), 'timeOut', '"60s"'],
  ['events namespace with underscore', () => rbac({ namespace: 'argo_events' }), 'namespace', '"argo_events"'],
  ['trigger operation of Argo Events 1.8+ on KUBEFLOW_1_4', () => rbac({ operations: ['submit-from'] }), 'operations', '"submit-from"'],
  ['unknown trigger operation', () => rbac({ operations: ['submit_from'] }), 'operations[0]', '"submit_from"'],
  ['operations empty', () => rbac({ operations: [] }), 'operations', '[]'],
  ['serviceAccountName with capitals', () => rbac({ serviceAccountName: 'Operate' }), 'serviceAccountName', '"Operate"'],
  ['allowAllVerbs with narrower props', () => rbac({ allowAllVerbs: true, operations: ['submit'] }), 'allowAllVerbs', 'true'],
  ['template without namespace', () => new ProfileWorkflowTemplate(Testing.chart(), 't', {} as any), 'namespace', 'undefined'],
  ['template in a system namespace', () => wft({ namespace: 'kube-system' }), 'namespace', '"kube-system"'],
  ['templates empty', () => wft({ templates: [] }), 'templates', '[]'],
  ['entrypoint naming no template', () => wft({ entrypoint: 'nope' }), 'entrypoint', '"nope"'],
  ['two templates with one name', () => wft({ templates: [{ name: 'a', container }, { name: 'a', container }] }), 'templates', '"a"'],
  ['template name with capitals', () => wft({ templates: [{ name: 'Main', container }] }), 'templates[0].name', '"Main"'],
  ['sidecar re-enabled on the pods', () => wft({ podMetadata: { annotations: { 'sidecar.istio.io/inject': 'true' } } }), 'podMetadata.annotations["sidecar.istio.io/inject"]', '"true"'],
  ['label value with a space', () => wft({ labels: { team: 'a b' } }), 'labels["team"]', '"a b"'],
  ['label key with a space', () => wft({ labels: { 'bad key': 'x' } }), 'labels key', '"bad key"'],
  ['parameter name with a space', () => wft({ arguments: { parameters: [{ name: 'repo url' }] } }), 'arguments.parameters[0].name', '"repo url"'],
  ['empty serviceAccountName', () => wft({ serviceAccountName: '' }), 'serviceAccountName', '""'],
  ['misspelt podMetadata key', () => wft({ podMetadata: { label: { a: 'b' } } }), 'podMetadata.label', '{"a":"b"}'],
  ['wildcard RBAC verb', () => roles({ verbs: ['*'] }), 'verbs[0]', '"*"'],
  ['unknown RBAC verb', () => roles({ verbs: ['fly'] }), 'verbs[0]', '"fly"'],
  ['profile listed twice', () => chart({ profiles: ['alice', 'alice'] }), 'profiles[1].namespace', '"alice"'],
  ['profile that is an e-mail address', () => chart({ profiles: ['user@example.com'] }), 'profiles[0]', '"user@example.com"'],
  ['profile that is a system namespace', () => chart({ profiles: ['kubeflow'] }), 'profiles[0]', '"kubeflow"'],
  ['chart-wide namespace', () => chart({ namespace: 'kubeflow' }), 'namespace', '"kubeflow"'],
  ['argoEventsRbac while disabled', () => chart({ enableArgoEventsRbac: false, argoEventsRbac: {} }), 'argoEventsRbac', '{}'],
  ['route prop that the server decides', () => chart({ route: { baseHref: '/x/' } }), 'baseHref', '"/x/"'],
  ['template namespace in the chart', () => chart({ workflowTemplate: { namespace: 'x' } }), 'workflowTemplate.namespace', '"x"'],
  ['invalid chart label', () => chart({ labels: { team: 'a/b' } }), 'labels["team"]', '"a/b"'],
  ['nested bad prop inside the chart', () => chart({ argoServer: { image: 'argocli' } }), 'image', '"argocli"'],
  // image references, by the distribution grammar
  ['image starting with a dash', () => server({ image: '-x:v3.1.15' }), 'image', '"-x:v3.1.15"'],
  ['image with only a tag', () => server({ image: ':v3.1.15' }), 'image', '":v3.1.15"'],
  ['image with upper-case path components', () => server({ image: 'UPPER/Repo:v3.1.15' }), 'image', '"UPPER/Repo:v3.1.15"'],
  ['workflow step image tagged latest', () => wft({ templates: [{ name: 'a', container: { ...container, image: 'alpine:latest' } }] }), 'templates[0].container.image', '"alpine:latest"'],
  ['workflow step image without tag', () => wft({ templates: [{ name: 'a', script: { image: 'python', source: 'print(1)' } }] }), 'templates[0].script.image', '"python"'],
  ['sidecar image without tag', () => wft({ templates: [{ name: 'a', container, sidecars: [{ name: 's', image: 'redis' }] }] }), 'templates[0].sidecars[0].image', '"redis"'],
  // routes and names
  ['bare gateway name', () => route({ gateway: 'kubeflow-gateway' }), 'gateway', '"kubeflow-gateway"'],
  ['baseHref "/" (a catch-all on the shared gateway)', () => server({ baseHref: '/' }), 'baseHref', '"/"'],
  ['Istio duration under 1ms', () => route({ timeout: '1µs' }), 'timeout', '"1µs"'],
  ['Istio duration that rounds to zero', () => route({ timeout: '0.5ns' }), 'timeout', '"0.5ns"'],
  ['Istio duration beyond what Go holds', () => route({ timeout: '99999999999999999999999s' }), 'timeout', '"99999999999999999999999s"'],
  ['Istio duration finer than milliseconds', () => route({ timeout: '1500us' }), 'timeout', '"1500us"'],
  // wrong types from JavaScript
  ['chart props null', () => chart(null), 'props', 'null'],
  ['triggers that are an object', () => chart({ profiles: ['alice'], events: { sources: [{ type: 'webhook', webhookSecret: { name: 's', key: 'k' } }], triggers: {} } }), 'events.triggers', '{}'],
  ['arguments.parameters that are an object', () => wft({ arguments: { parameters: {} } }), 'arguments.parameters', '{}'],
  ['a label value without prototype', () => wft({ labels: { a: Object.create(null) } }), 'labels["a"]', '{}'],
  ['a cyclic prop', () => { const a: any = { x: 1 }; a.self = a; return wft({ podMetadata: { labels: a } }); }, 'podMetadata.labels.self', '"[cycle]"'],
  ['a BigInt in a list', () => chart({ profiles: [BigInt(1)] }), 'profiles[0]', '1n'],
  ['steps given as a number', () => wft({ templates: [{ name: 'a', steps: -1 }] }), 'templates[0].steps', '-1'],
  ['a getter that throws', () => server(Object.defineProperty({}, 'image', { enumerable: true, get() { throw new Error('no'); } })), 'image', 'undefined'],
];

describe('fails when a prop is bad', () => {
  test.each(cases)('fails when %s', (_what, make, prop, shown) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toContain(` ${prop} `);
    expect(message).toContain(shown);
    expect(message).toMatch(/Fix: \S/);
  });
});

test('an unknown prop suggests the closest known one', () => {
  expect(() => server({ baseHREF: '/argo/' })).toThrow(/did you mean "baseHref"/);
});

test('a bad construct adds nothing to the app', () => {
  const c = Testing.chart();
  expect(() => new ArgoServer(c, 's', { baseHref: 'argo' })).toThrow(ValidationError);
  expect(Testing.synth(c)).toEqual([]);
});

test('a KubeflowArgoChart refused late (a bad trigger) leaves the app without it, children and all', () => {
  const app = Testing.app();
  expect(() => new KubeflowArgoChart(app, 'k', {
    profiles: ['alice'],
    events: { sources: [{ type: 'webhook', webhookSecret: { name: 's', key: 'k' } }], triggers: [{ source: 'nope', profile: 'alice' }] },
  })).toThrow(/events\.triggers\[0\]\.source names no event source/);
  expect(app.node.children).toEqual([]);
  expect(app.charts).toEqual([]);
});

test('valid image references of every shape are accepted', () => {
  for (const image of ['busybox:1.36', 'docker.io/library/busybox:1.36', 'localhost:5000/a/b:1', 'registry.example.com:443/team/app_x__y--z:v1.2.3-rc.1',
    `ghcr.io/o/r@sha256:${'a'.repeat(64)}`, `ghcr.io/o/r:v1@sha256:${'b'.repeat(64)}`]) {
    expect(() => wft({ templates: [{ name: 'a', container: { ...container, image } }] })).not.toThrow();
  }
  expect(() => wft({ allowUnpinnedImages: true, templates: [{ name: 'a', container: { ...container, image: 'alpine:latest' } }] })).not.toThrow();
});

test('Istio durations as Go and Istio read them', () => {
  for (const timeout of ['300s', '1.5s', '500ms', '1h30m', '1ms', '0.001s', '2562047h']) expect(() => route({ timeout })).not.toThrow();
});

test('routes of the library that overlap on one gateway are refused, naming the other route', () => {
  const c = Testing.chart();
  new ArgoServerRoute(c, 'r', { server: new ArgoServer(c, 's', { baseHref: '/argo/' }) });
  expect(() => new WebhookEventSource(c, 'gh', { type: 'github', repositories: ['o/r'], webhookSecret: { name: 's', key: 'k' }, pathPrefix: '/argo/events/' }))
    .toThrow('WebhookEventSource: pathPrefix overlaps the route "/argo/" of test/r on gateway kubeflow/kubeflow-gateway');
  // another gateway, or hosts that do not meet, do not overlap
  expect(() => new WebhookEventSource(c, 'gh2', { type: 'github', name: 'gh2', repositories: ['o/r'], webhookSecret: { name: 's', key: 'k' }, pathPrefix: '/argo/events/', gateway: 'istio-system/public' })).not.toThrow();
});

test('an event source name is short enough for the Service name Argo Events derives from it', () => {
  const make = (name: string) => () => new WebhookEventSource(Testing.chart(), 's', { type: 'webhook', name, webhookSecret: { name: 's', key: 'k' } });
  expect(make('a'.repeat(47))).not.toThrow();
  expect(make('a'.repeat(48))).toThrow(/name is 48 characters; Argo Events derives the Service name "<name>-eventsource-svc"/);
});

test('an imported template with parameterNames that are not a list is refused, and leaves nothing behind', () => {
  const c = Testing.chart();
  expect(() => ProfileWorkflowTemplate.fromWorkflowTemplateName(c, 't', 'x', { namespace: 'alice', parameterNames: 'abc' as any }))
    .toThrow('ProfileWorkflowTemplate: parameterNames must be a list, got "abc". Fix: pass an array');
  expect(c.node.tryFindChild('t')).toBeUndefined();
});

test('an imported template or event source with an invalid name is refused', () => {
  const c = Testing.chart();
  expect(() => ProfileWorkflowTemplate.fromWorkflowTemplateName(c, 't', 'Foo_Bar', { namespace: 'alice' }))
    .toThrow(/ProfileWorkflowTemplate: name must be a DNS-1123 subdomain/);
  expect(() => WebhookEventSource.fromEventSourceName(c, 's', 'ci', { type: 'gitea' as any }))
    .toThrow(/WebhookEventSource: type must be one of "github", "gitlab", "webhook"/);
});
