import { Testing } from 'cdk8s';
import {
  ArgoEventsRbac, CalendarEventSource, EventBus, EventField, KubeflowArgoChart, Platform, ProfileWorkflowTemplate, WebhookEventSource, WorkflowTrigger,
} from '../../packages/library/lib';
import { PROVIDERS } from '../../packages/library/lib/argo-events/webhook-providers';
import { one, Obj, synth } from '../support/util';

const SECRET = { name: 'github-webhook', key: 'secret' };
const GH = { type: 'github' as const, repositories: ['example-org/example-repo'], webhookSecret: SECRET };
const PARAMS = ['repo-url', 'revision', 'branch'];
const templateProps = {
  namespace: 'alice',
  name: 'ci',
  arguments: { parameters: PARAMS.map((name) => ({ name, value: 'x' })) },
  templates: [{ name: 'main', inputs: { parameters: PARAMS.map((name) => ({ name })) }, container: { name: 'main', image: 'alpine:3.14' } }],
};

describe('EventBus', () => {
  test('the "default" bus: native NATS, token auth, 3 replicas, no sidecar on its pods', () => {
    const bus = one(synth((c) => new EventBus(c, 'bus')), 'EventBus');
    expect(bus.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(bus.metadata).toEqual({ name: 'default', namespace: 'argo-events' });
    expect(bus.spec).toEqual({ nats: { native: { replicas: 3, auth: 'token', metadata: { annotations: { 'sidecar.istio.io/inject': 'false' } } } } });
  });

  test('client port named tcp-client; clients bypass their sidecar for port 4222', () => {
    let bus!: EventBus;
    synth((c) => { bus = new EventBus(c, 'bus'); });
    expect(bus.clientPortName).toBe('tcp-client');
    expect(bus.clientPort).toBe(4222);
    expect(bus.clientPodAnnotations).toEqual({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '4222' });
  });

  test('jetstream option (Argo Events v1.9 platforms) keeps the pods sidecar-free', () => {
    const bus = one(synth((c) => new EventBus(c, 'bus', { platform: Platform.KUBEFLOW_1_5, jetstream: { version: '2.9.16' }, replicas: 5 })), 'EventBus');
    expect(bus.spec).toEqual({ jetstream: { version: '2.9.16', replicas: 5, metadata: { annotations: { 'sidecar.istio.io/inject': 'false' } } } });
  });

  test('fails when replicas is below a quorum or the JetStream version is unknown', () => {
    expect(() => new EventBus(Testing.chart(), 'b', { replicas: 1 })).toThrow(/replicas must be a whole number from 3 to 9 .*, got 1/);
    expect(() => new EventBus(Testing.chart(), 'b', { platform: Platform.KUBEFLOW_1_10, jetstream: { version: 'latest' } })).toThrow(/jetstream\.version must be one of/);
    expect(() => new EventBus(Testing.chart(), 'b', { jetstream: { version: '2.9.16' } })).toThrow(/jetstream is not available on platform KUBEFLOW_1_4/);
  });

  test('snapshot', () => {
    expect(synth((c) => new EventBus(c, 'bus'))).toMatchSnapshot();
  });
});

describe('WebhookEventSource', () => {
  const objs = (props: any) => synth((c) => new WebhookEventSource(c, 'src', props));

  test('generic webhook with a secret: Authorization on 1.4-1.8; X-Argo-Events-Token and a sidecar filter where the gateway verifies bearer tokens (1.9+)', () => {
    const hook = { type: 'webhook' as const, webhookSecret: SECRET };
    let old!: WebhookEventSource;
    const oldObjs = synth((c) => { old = new WebhookEventSource(c, 's', { ...hook, platform: Platform.KUBEFLOW_1_8 }); });
    expect([old.tokenHeader, old.tokenFilter, oldObjs.filter((o) => o.kind === 'EnvoyFilter')]).toEqual(['Authorization', undefined, []]);
    let now!: WebhookEventSource;
    const nowObjs = synth((c) => { now = new WebhookEventSource(c, 's', { ...hook, platform: Platform.KUBEFLOW_1_9 }); });
    expect(now.tokenHeader).toBe('X-Argo-Events-Token');
    const filter = one(nowObjs, 'EnvoyFilter');
    expect(filter.metadata).toEqual({ name: 'webhook-eventsource-token', namespace: 'argo-events', annotations: { 'cdk8s-kubeflow-argo/bearer-from-header': 'x-argo-events-token' } });
    expect(filter.spec.workloadSelector).toEqual({ labels: { 'eventsource-name': 'webhook' } });
    expect(filter.spec.configPatches[0].match.listener.portNumber).toBe(12000);
    // GitHub signs its own requests: no header, no filter
    const gh = synth((c) => new WebhookEventSource(c, 'g', { ...GH, platform: Platform.KUBEFLOW_1_9 }));
    expect(gh.filter((o) => o.kind === 'EnvoyFilter')).toEqual([]);
  });

  test('github: secrets by reference only, push events, repositories grouped by owner', () => {
    const es = one(objs({ ...GH, repositories: ['a/x', 'a/y', 'b/z'], apiToken: { name: 'gh-api', key: 'token' }, publicUrl: 'https://kf.example.com' }), 'EventSource');
    const gh = es.spec.github.push;
    expect(gh.webhookSecret).toEqual(SECRET);
    expect(gh.apiToken).toEqual({ name: 'gh-api', key: 'token' });
    expect(gh.events).toEqual(['push']);
    expect(gh.repositories).toEqual([{ owner: 'a', names: ['x', 'y'] }, { owner: 'b', names: ['z'] }]);
    expect(gh.webhook).toEqual({ endpoint: '/push', method: 'POST', port: '12000', url: 'https://kf.example.com/argo-events/github' });
    expect(es.spec.service.ports).toEqual([{ name: 'http-webhook', port: 12000, targetPort: 12000 }]);
  });

  test('route: own prefix /argo-events/<name>/ rewritten to / and sent to the event source Service', () => {
    const vs = one(objs(GH), 'VirtualService');
    expect(vs.metadata).toEqual({ name: 'github-eventsource', namespace: 'argo-events' });
    expect(vs.spec.gateways).toEqual(['kubeflow/kubeflow-gateway']);
    expect(vs.spec.http).toEqual([{
      match: [{ uri: { prefix: '/argo-events/github/' } }],
      rewrite: { uri: '/' },
      route: [{ destination: { host: 'github-eventsource-svc.argo-events.svc.cluster.local', port: { number: 12000 } } }],
    }]);
  });

  test('policy: only the ingress gateway, only to the event source port, method and endpoint', () => {
    const ap = one(objs(GH), 'AuthorizationPolicy');
    expect(ap.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { 'eventsource-name': 'github' } },
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }],
        to: [{ operation: { ports: ['12000'], methods: ['POST'], paths: ['/push'] } }],
      }],
    });
    expect(one(objs(GH), 'EventSource').spec.template.metadata.labels).toEqual({ 'eventsource-name': 'github' });
  });

  test('webhookUrl is the URL to paste into the provider', () => {
    let src!: WebhookEventSource;
    synth((c) => { src = new WebhookEventSource(c, 's', { ...GH, publicUrl: 'https://kf.example.com', pathPrefix: '/hooks/gh/' }); });
    expect(src.webhookPath).toBe('/hooks/gh/push');
    expect(src.webhookUrl).toBe('https://kf.example.com/hooks/gh/push');
  });

  test('gitlab: projects (and v1.5 projectID), secretToken/accessToken, base URL', () => {
    const gl = one(objs({ type: 'gitlab', projects: ['grp/app', '42'], webhookSecret: { name: 'gl', key: 'token' }, apiToken: { name: 'gl-api', key: 'token' }, publicUrl: 'https://kf.example.com', baseUrl: 'https://gitlab.example.com' }), 'EventSource').spec.gitlab.push;
    expect(gl).toMatchObject({
      events: ['PushEvents'], projectID: 'grp/app', projects: ['grp/app', '42'],
      secretToken: { name: 'gl', key: 'token' }, accessToken: { name: 'gl-api', key: 'token' }, gitlabBaseURL: 'https://gitlab.example.com',
    });
  });

  test('generic webhook: bearer token via authSecret, custom event name and method', () => {
    const es = one(objs({ type: 'webhook', name: 'deploy', eventName: 'trigger', method: 'PUT', webhookSecret: { name: 'hook', key: 'token' } }), 'EventSource');
    expect(es.spec.webhook).toEqual({ trigger: { endpoint: '/trigger', method: 'PUT', port: '12000', authSecret: { name: 'hook', key: 'token' } } });
  });

  test('with an EventBus: same namespace and bus-bypass annotation on the pods', () => {
    const o = synth((c) => new WebhookEventSource(c, 's', { ...GH, eventBus: new EventBus(c, 'bus', { namespace: 'events' }) }));
    const es = one(o, 'EventSource');
    expect(es.metadata.namespace).toBe('events');
    expect(es.spec.template.metadata.annotations).toEqual({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '4222' });
  });

  test('fails without a webhook secret (the path bypasses Kubeflow login) unless explicitly unauthenticated', () => {
    expect(() => new WebhookEventSource(Testing.chart(), 's', { type: 'github', repositories: ['a/b'] })).toThrow(/webhookSecret is required/);
    const es = one(objs({ type: 'webhook', allowUnauthenticated: true }), 'EventSource');
    expect(es.spec.webhook.webhook.authSecret).toBeUndefined();
  });

  test('fails when a gitlab source has webhookSecret but no apiToken: Argo Events would not check the token', () => {
    // argo-events v1.5.6 eventsources/sources/gitlab/start.go, v1.9.11 pkg/eventsources/sources/gitlab/start.go:
    // the secret token HandleRoute compares is loaded only inside NeedToCreateHooks() (access token + webhook url)
    expect(() => new WebhookEventSource(Testing.chart(), 's', { type: 'gitlab', projects: ['a/b'], webhookSecret: SECRET }))
      .toThrow('WebhookEventSource: apiToken is required for a gitlab source with webhookSecret: Argo Events checks the GitLab secret token only when the source registers the hook itself');
    expect(() => new WebhookEventSource(Testing.chart(), 's', { type: 'gitlab', projects: ['a/b'], webhookSecret: SECRET, apiToken: SECRET }))
      .toThrow(/publicUrl is required with apiToken/);
    const gl = one(objs({ type: 'gitlab', projects: ['a/b'], webhookSecret: SECRET, apiToken: SECRET, publicUrl: 'https://kf.example.com' }), 'EventSource').spec.gitlab.push;
    // both halves of NeedToCreateHooks(): the access token and the webhook url
    expect(gl.accessToken).toEqual(SECRET);
    expect(gl.webhook.url).toBe('https://kf.example.com/argo-events/gitlab');
    expect(gl.secretToken).toEqual(SECRET);
    // an explicitly unauthenticated gitlab source stays possible
    expect(one(objs({ type: 'gitlab', projects: ['a/b'], allowUnauthenticated: true }), 'EventSource').spec.gitlab.push.secretToken).toBeUndefined();
  });

  test('fails on props that do not belong to the type, bad repositories and apiToken without publicUrl', () => {
    expect(() => new WebhookEventSource(Testing.chart(), 's', { type: 'gitlab', projects: ['a/b'], repositories: ['a/b'], webhookSecret: SECRET })).toThrow(/repositories does not apply to type "gitlab"/);
    expect(() => new WebhookEventSource(Testing.chart(), 's', { ...GH, repositories: ['https://github.com/a/b'] })).toThrow(/repositories\[0\] must be a GitHub repository/);
    expect(() => new WebhookEventSource(Testing.chart(), 's', { ...GH, apiToken: { name: 'x', key: 'y' } })).toThrow(/publicUrl is required with apiToken/);
    expect(() => new WebhookEventSource(Testing.chart(), 's', { type: 'webhook', events: ['push'], webhookSecret: SECRET })).toThrow(/events does not apply/);
    expect(() => new WebhookEventSource(Testing.chart(), 's', { ...GH, webhookSecret: { name: 'x', value: 'hunter2' } as any })).toThrow(/webhookSecret\.value is not a known prop/);
  });

  test('snapshot', () => {
    expect(objs(GH)).toMatchSnapshot();
  });
});

describe('WorkflowTrigger', () => {
  function build(triggerProps: (ctx: { source: WebhookEventSource; template: ProfileWorkflowTemplate; rbac: ArgoEventsRbac }) => any, sourceProps: any = GH): Obj[] {
    return synth((c) => {
      const rbac = new ArgoEventsRbac(c, 'rbac');
      const bus = new EventBus(c, 'bus');
      const source = new WebhookEventSource(c, 'src', { ...sourceProps, eventBus: bus });
      const template = new ProfileWorkflowTemplate(c, 'tpl', templateProps);
      new WorkflowTrigger(c, 'trigger', triggerProps({ source, template, rbac }));
    });
  }
  const full = ({ source, template, rbac }: any) => ({
    eventSource: source, template, rbac, branches: ['main'],
    parameters: { 'repo-url': EventField.repositoryUrl(), 'revision': EventField.revision(), 'branch': EventField.branch() },
  });

  test('dependency names the source and one of its events', () => {
    const objs = build(full);
    const sensor = one(objs, 'Sensor');
    const es = one(objs, 'EventSource');
    const dep = sensor.spec.dependencies[0];
    expect(dep.eventSourceName).toBe(es.metadata.name);
    expect(Object.keys(es.spec.github)).toContain(dep.eventName);
    expect(sensor.spec.triggers[0].template.argoWorkflow.parameters.every((p: any) => p.src.dependencyName === dep.name)).toBe(true);
    expect(sensor.metadata.namespace).toBe(es.metadata.namespace);
  });

  test('submits a Workflow whose workflowTemplateRef names a template that exists in the target namespace', () => {
    const objs = build(full);
    const wf = one(objs, 'Sensor').spec.triggers[0].template.argoWorkflow;
    expect(wf.operation).toBe('submit');
    const workflow = wf.source.resource;
    expect(workflow.kind).toBe('Workflow');
    const tpl = one(objs, 'WorkflowTemplate');
    expect(workflow.spec.workflowTemplateRef).toEqual({ name: tpl.metadata.name });
    expect(workflow.metadata.namespace).toBe(tpl.metadata.namespace);
    expect(workflow.metadata.generateName).toBe('ci-');
  });

  test('parameter paths point at Workflow arguments the template declares', () => {
    const objs = build(full);
    const wf = one(objs, 'Sensor').spec.triggers[0].template.argoWorkflow;
    const declared = one(objs, 'WorkflowTemplate').spec.arguments.parameters.map((p: any) => p.name);
    const args = wf.source.resource.spec.arguments.parameters;
    for (const p of wf.parameters) {
      const m = /^spec\.arguments\.parameters\.(\d+)\.value$/.exec(p.dest);
      expect(m).not.toBeNull();
      expect(declared).toContain(args[Number(m![1])].name);
    }
    const byName = Object.fromEntries(wf.parameters.map((p: any) => [args[Number(p.dest.split('.')[3])].name, p.src]));
    expect(byName['repo-url'].dataKey).toBe('body.repository.clone_url');
    expect(byName.revision.dataKey).toBe('body.after');
    expect(byName.branch.dataTemplate).toBe('{{ trimPrefix "refs/heads/" .Input.body.ref }}');
  });

  test('gitlab pushes map to the GitLab payload fields', () => {
    const objs = build(full, { type: 'gitlab', projects: ['grp/app'], webhookSecret: SECRET, apiToken: SECRET, publicUrl: 'https://kf.example.com' });
    const srcs = one(objs, 'Sensor').spec.triggers[0].template.argoWorkflow.parameters.map((p: any) => p.src.dataKey ?? p.src.dataTemplate);
    expect(srcs).toEqual(expect.arrayContaining(['body.project.git_http_url', 'body.checkout_sha']));
  });

  test('runs as operate-workflow-sa, bound only in the target namespace with the verbs submit needs', () => {
    const objs = build(full);
    const sensor = one(objs, 'Sensor');
    expect(sensor.spec.template.serviceAccountName).toBe('operate-workflow-sa');
    const sa = one(objs, 'ServiceAccount', sensor.spec.template.serviceAccountName);
    expect(sa.metadata.namespace).toBe(sensor.metadata.namespace);
    expect(objs.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]);
    const binding = one(objs, 'RoleBinding', 'operate-workflow-role-binding');
    const target = sensor.spec.triggers[0].template.argoWorkflow.source.resource.metadata.namespace;
    expect(binding.metadata.namespace).toBe(target);
    expect(binding.subjects).toContainEqual({ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace });
    const role = one(objs, 'ClusterRole', binding.roleRef.name);
    const verbsOn = (res: string) => role.rules.filter((r: any) => r.resources.includes(res)).flatMap((r: any) => r.verbs);
    expect(verbsOn('workflows')).toEqual(expect.arrayContaining(['create', 'list']));
    expect(verbsOn('workflowtemplates')).toContain('get');
  });

  test('branches become an anchored filter on the push ref, and deletions do not match', () => {
    const dep = one(build((ctx) => ({ ...full(ctx), branches: ['main', 'release-1.0'] })), 'Sensor').spec.dependencies[0];
    expect(dep.filters).toEqual({
      data: [
        { path: 'body.ref', type: 'string', value: ['^refs/heads/main$', '^refs/heads/release-1\\.0$'] },
        { path: 'body.after', type: 'string', value: ['[1-9a-f]'] },
      ],
    });
    // A small model of Argo Events' data filters (docs "Filters" → "Data Filter"; sensors/dependencies
    // filter.go): every filter must pass; a string filter passes when one of its values, a Go
    // regular expression, matches somewhere in the value at the dot path.
    const passes = (body: any) => dep.filters.data.every((f: any) => {
      const v = f.path.split('.').slice(1).reduce((o: any, k: string) => o?.[k], body);
      return typeof v === 'string' && f.value.some((re: string) => new RegExp(re).test(v));
    });
    const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    const zeros = '0'.repeat(40);
    expect(passes({ ref: 'refs/heads/main', after: sha })).toBe(true);
    expect(passes({ ref: 'refs/heads/release-1.0', after: sha })).toBe(true);
    expect(passes({ ref: 'refs/heads/main', after: zeros, deleted: true })).toBe(false); // GitHub/GitLab branch deletion
    expect(passes({ ref: 'refs/heads/main-old', after: sha })).toBe(false);
    expect(passes({ ref: 'refs/heads/release-1x0', after: sha })).toBe(false);
  });

  test('a template made elsewhere is imported by name; its declared parameters are still checked', () => {
    const imported = (parameterNames?: string[]) => ({ source }: any) =>
      ({ eventSource: source, template: ProfileWorkflowTemplate.fromWorkflowTemplateName(source, 'Elsewhere', 'elsewhere', { namespace: 'bob', parameterNames }) });
    const objs = build(imported());
    const sensor = one(objs, 'Sensor');
    expect(sensor.spec.triggers[0].template.argoWorkflow.source.resource.metadata.namespace).toBe('bob');
    expect(sensor.spec.triggers[0].template.argoWorkflow.source.resource.spec.workflowTemplateRef).toEqual({ name: 'elsewhere' });
    expect(objs.filter((o) => o.kind === 'WorkflowTemplate' && o.metadata.name === 'elsewhere')).toEqual([]); // nothing emitted for it
    expect(() => build((ctx) => ({ ...imported(['revision'])(ctx), parameters: { commit: EventField.revision() } })))
      .toThrow(/parameters\.commit .*is not a parameter of WorkflowTemplate "elsewhere" \(it declares "revision"\)/);
  });

  test('an event source made elsewhere is imported by name', () => {
    const c = Testing.chart();
    const source = WebhookEventSource.fromEventSourceName(c, 'Gh', 'ci-hooks', { type: 'github', namespace: 'argo-events' });
    const template = new ProfileWorkflowTemplate(c, 'T', { namespace: 'alice' });
    new WorkflowTrigger(c, 't', { eventSource: source, template });
    const sensor = one(Testing.synth(c), 'Sensor');
    expect(sensor.spec.dependencies[0]).toMatchObject({ eventSourceName: 'ci-hooks', eventName: 'push' });
    expect(Testing.synth(c).filter((o) => o.kind === 'EventSource')).toEqual([]);
  });

  test('a plain object is not a template or an event source', () => {
    expect(() => build(({ source }) => ({ eventSource: source, template: { name: 'ci', namespace: 'alice' } as any })))
      .toThrow(/template must be a ProfileWorkflowTemplate, or one from ProfileWorkflowTemplate\.fromWorkflowTemplateName/);
    expect(() => build(({ template }) => ({ eventSource: { name: 'github', namespace: 'argo-events' } as any, template })))
      .toThrow(/eventSource must be a WebhookEventSource, or one from WebhookEventSource\.fromEventSourceName/);
  });

  test('fails on an unknown event name', () => {
    expect(() => build(({ source, template }) => ({ eventSource: source, template, eventName: 'pull_request' }))).toThrow(/eventName .*is not an event of EventSource "github"/);
  });

  test('fails when the template is in another namespace', () => {
    expect(() => build(({ source, template }) => ({ eventSource: source, template, namespace: 'bob' }))).toThrow(/namespace does not hold the template "ci", which is in "alice"/);
  });

  test('fails on a parameter the template does not declare', () => {
    expect(() => build(({ source, template }) => ({ eventSource: source, template, parameters: { commit: EventField.revision() } })))
      .toThrow(/parameters\.commit .*is not a parameter of WorkflowTemplate "ci" \(it declares "repo-url", "revision", "branch"\)/);
  });

  test('fails when the sensor RBAC cannot submit or lives elsewhere', () => {
    const make = (rbacProps: any) => {
      const c = Testing.chart();
      const source = new WebhookEventSource(c, 's', GH);
      const template = new ProfileWorkflowTemplate(c, 't', templateProps);
      return new WorkflowTrigger(c, 'w', { eventSource: source, template, rbac: new ArgoEventsRbac(c, 'r', rbacProps) });
    };
    expect(() => make({ operations: ['resume'] })).toThrow(/rbac does not grant the verbs submit needs/);
    expect(() => make({ namespace: 'other' })).toThrow(/rbac puts the ServiceAccount in "other" but the Sensor runs in "argo-events"/);
  });

  test('fails when a push field is asked of a generic webhook', () => {
    expect(() => build(({ source, template }) => ({ eventSource: source, template, parameters: { revision: EventField.revision() } }), { type: 'webhook', webhookSecret: SECRET }))
      .toThrow(/parameters\.revision .*cannot be read from a webhook event/);
    const sensor = one(build(({ source, template }) => ({ eventSource: source, template, parameters: { revision: EventField.path('body.sha') } }), { type: 'webhook', webhookSecret: SECRET }), 'Sensor');
    expect(sensor.spec.triggers[0].template.argoWorkflow.parameters[0].src.dataKey).toBe('body.sha');
  });

  test('branches need a provider with a push payload (webhook-providers/index.ts), named with the fix', () => {
    const err = (() => { try { build(({ source, template }) => ({ eventSource: source, template, branches: ['main'], parameters: {} }), { type: 'webhook', webhookSecret: SECRET }); } catch (e) { return (e as Error).message; } return ''; })();
    expect(err).toBe('WorkflowTrigger: branches needs a github or gitlab source (a generic webhook has no push ref), got ["main"]. Fix: remove branches');
  });

  test('the push presets and the branch filter read the provider\'s own push fields', () => {
    // the payload docs: GitHub push (docs.github.com webhook-events-and-payloads#push), GitLab push events
    const expected = {
      github: { repositoryUrl: 'body.repository.clone_url', revision: 'body.after', ref: 'body.ref', after: 'body.after' },
      gitlab: { repositoryUrl: 'body.project.git_http_url', revision: 'body.checkout_sha', ref: 'body.ref', after: 'body.after' },
    };
    for (const type of ['github', 'gitlab'] as const) {
      const push = expected[type];
      expect(PROVIDERS[type].push).toEqual(push);
      const props = type === 'github' ? GH : { type, projects: ['g/p'], webhookSecret: SECRET, apiToken: SECRET, publicUrl: 'https://kf.example.com' };
      const sensor = one(build(({ source, template }) => ({ eventSource: source, template, branches: ['main'], parameters: { 'revision': EventField.revision(), 'repo-url': EventField.repositoryUrl() } }), props), 'Sensor');
      expect(sensor.spec.dependencies[0].filters.data.map((f: any) => f.path)).toEqual([push.ref, push.after]);
      expect(sensor.spec.triggers[0].template.argoWorkflow.parameters.map((p: any) => p.src.dataKey)).toEqual([push.repositoryUrl, push.revision]); // in the template's parameter order
    }
  });

  test('snapshot', () => {
    expect(one(build(full), 'Sensor')).toMatchSnapshot();
  });
});

describe('KubeflowArgoChart events', () => {
  const chart = (props: any) => Testing.synth(new KubeflowArgoChart(Testing.app(), 'c', props)) as Obj[];
  const events = {
    sources: [GH, { type: 'webhook', name: 'manual', webhookSecret: { name: 'manual-hook', key: 'token' } }],
    triggers: [
      { source: 'github', profile: 'alice', parameters: { revision: EventField.revision() } },
      { source: 'github', profile: 'bob' },
      { source: 'manual', profile: 'bob' },
    ],
  };
  const { namespace: _profile, ...workflowTemplate } = templateProps;
  const props = { profiles: ['alice', 'bob'], workflowTemplate, events };

  test('wires bus, sources and one sensor per trigger in the sensor RBAC namespace', () => {
    const objs = chart(props);
    expect(objs.filter((o) => o.kind === 'EventBus').map((o) => o.metadata.namespace)).toEqual(['argo-events']);
    expect(objs.filter((o) => o.kind === 'EventSource').map((o) => o.metadata.name)).toEqual(['github', 'manual']);
    const sensors = objs.filter((o) => o.kind === 'Sensor');
    expect(sensors.map((o) => o.metadata.name)).toEqual(['github-alice', 'github-bob', 'manual-bob']);
    expect(sensors.map((s) => s.spec.triggers[0].template.argoWorkflow.source.resource.metadata.namespace)).toEqual(['alice', 'bob', 'bob']);
  });

  test('fails on a trigger naming an unknown source or profile, or events without sensor RBAC', () => {
    const p = (ev: any, extra: any = {}) => () => new KubeflowArgoChart(Testing.app(), 'c', { profiles: ['alice'], events: ev, ...extra });
    expect(p({ sources: [GH], triggers: [{ source: 'gitlab', profile: 'alice' }] })).toThrow(/events\.triggers\[0\]\.source names no event source \(sources are "github"\)/);
    expect(p({ sources: [GH], triggers: [{ source: 'github', profile: 'carol' }] })).toThrow(/events\.triggers\[0\]\.profile is not one of profiles/);
    expect(p({ sources: [GH] }, { enableArgoEventsRbac: false })).toThrow(/events needs the sensor RBAC/);
    expect(p({ sources: [GH, { ...GH, repositories: ['x/y'] }] })).toThrow(/events\.sources\[1\]\.name is used by two event sources/);
  });

  test('schedules: calendar sources on the same bus, named by triggers like sources; one name for both kinds is refused', () => {
    const objs = chart({ ...props, events: { ...events, schedules: [{ name: 'nightly', schedule: '0 2 * * *' }], triggers: [...events.triggers, { source: 'nightly', profile: 'alice' }] } });
    expect(objs.filter((o) => o.kind === 'EventSource').map((o) => o.metadata.name)).toEqual(['github', 'manual', 'nightly']);
    expect(one(objs.filter((o) => o.metadata.name === 'nightly'), 'EventSource').spec.calendar).toEqual({ schedule: { schedule: '0 2 * * *' } });
    const sensor = objs.find((o) => o.kind === 'Sensor' && o.metadata.name === 'nightly-alice')!;
    expect(sensor.spec.dependencies[0]).toMatchObject({ eventSourceName: 'nightly', eventName: 'schedule' });
    expect(objs.filter((o) => o.kind === 'VirtualService').map((o) => o.metadata.name)).not.toContain('nightly-eventsource'); // no route
    const p = (ev: any) => () => new KubeflowArgoChart(Testing.app(), 'c', { profiles: ['alice'], events: ev });
    expect(p({ sources: [GH], schedules: [{ name: 'github', interval: '1h' }] })).toThrow('KubeflowArgoChart: events.schedules[0].name is used by two event sources, got "github"');
    expect(p({ sources: [GH], schedules: [{ interval: '1h' }, { interval: '2h' }] })).toThrow('events.schedules[1].name is used by two event sources, got "calendar"');
    expect(p({ sources: [GH], schedules: [{ name: 'n', schedule: '0 2 * *' }] })).toThrow('CalendarEventSource: schedule has 4 fields');
    expect(p({ sources: [GH], schedules: [{ name: 'n', interval: '1h', namespace: 'x' }] })).toThrow(/CalendarEventSource: namespace .*EventBus/);
    expect(p({ sources: [GH], schedules: [{ name: 'n', schedule: '0 2 * * *' }], triggers: [{ source: 'n', profile: 'alice', branches: ['main'] }] }))
      .toThrow('needs a github or gitlab source (a calendar source has no push ref)');
  });
});

describe('EventField', () => {
  test('paths read the event data, whose keys are body and headers; context attributes go through contextKey', () => {
    expect(EventField.path('body.head_commit.message').resolve('github')).toEqual({ dataKey: 'body.head_commit.message' });
    expect(EventField.path('headers.X-Github-Event.0').resolve('github')).toEqual({ dataKey: 'headers.X-Github-Event.0' });
    expect(EventField.context('time').resolve('webhook')).toEqual({ contextKey: 'time' });
  });

  test.each([
    ['header.X-Github-Event', 'use "headers.X-Github-Event" (the data key is "headers")'],
    ['context.type', 'use EventField.context("type") (context fields are read with contextKey, not dataKey)'],
    ['headers', 'use e.g. "body.repository.clone_url", "headers.X-Github-Event.0" or, for a calendar source, "eventTime"'],
    ['payload.ref', 'use e.g. "body.repository.clone_url", "headers.X-Github-Event.0" or, for a calendar source, "eventTime"'],
  ])('fails on path %s with the fix', (dataKey, fix) => {
    expect(() => EventField.path(dataKey)).toThrow(`EventField: path must be a dot path into the event data starting with "body", "headers", "eventTime", "metadata", got "${dataKey}". Fix: ${fix}`);
  });

  test('fails on an unknown context attribute', () => {
    expect(() => EventField.context('subjekt')).toThrow('EventField: context must be a context attribute (id, source, specversion, type, datacontenttype, subject, time), got "subjekt"');
  });
});

// The calendar source: the first kind that is not a webhook (one construct file and its line in
// event-kinds.ts). Its checks follow argo-events v1.9.11 pkg/eventsources/sources/calendar/start.go.
describe('CalendarEventSource', () => {
  const { validateObjects, formatViolations } = require('../../packages/library/plugins/schema-validation');
  const nightly = (c: any, props: object = {}) => new CalendarEventSource(c, 'nightly', { name: 'nightly', schedule: '0 2 * * 1-5', timezone: 'Europe/Berlin', ...props });

  test('one EventSource with its calendar section and no route: valid for the Argo Events of every platform', () => {
    for (const platform of [Platform.KUBEFLOW_1_4, Platform.LATEST]) {
      const objs = synth((c) => { const bus = new EventBus(c, 'bus', { platform }); nightly(c, { eventBus: bus, metadata: { team: 'data' } }); });
      const es = one(objs, 'EventSource');
      expect(es.metadata).toEqual({ name: 'nightly', namespace: 'argo-events' });
      expect(es.spec.calendar).toEqual({ schedule: { schedule: '0 2 * * 1-5', timezone: 'Europe/Berlin', metadata: { team: 'data' } } });
      expect(es.spec.template.metadata).toEqual({ labels: { 'eventsource-name': 'nightly' }, annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '4222' } });
      expect(es.spec.service).toBeUndefined(); // nothing calls it
      expect(objs.map((o: Obj) => o.kind).sort()).toEqual(['EventBus', 'EventSource']);
      expect(formatViolations(validateObjects(objs, {}, { releases: platform.schemaReleases }))).toBe('');
    }
  });

  test('a trigger reads eventTime and metadata; push fields, body paths and branches are refused with the fix', () => {
    const build = (params: Record<string, EventField>, extra: object = {}) => synth((c) => {
      const source = nightly(c, { interval: undefined, metadata: { team: 'data' } });
      const template = new ProfileWorkflowTemplate(c, 't', { ...templateProps, arguments: { parameters: ['when', 'team', 'rev', 'msg'].map((name) => ({ name, value: 'x' })) }, templates: [{ name: 'main', container: { name: 'main', image: 'alpine:3.14' } }] });
      source.addTrigger('report', { template, rbac: new ArgoEventsRbac(c, 'r', {}), parameters: params, ...extra });
    });
    const sensor = one(build({ when: EventField.path('eventTime'), team: EventField.path('metadata.team') }), 'Sensor');
    expect(sensor.spec.dependencies[0]).toMatchObject({ eventSourceName: 'nightly', eventName: 'schedule' });
    expect(sensor.spec.triggers[0].template.argoWorkflow.parameters.map((p: any) => p.src.dataKey)).toEqual(['metadata.team', 'eventTime']); // by parameter name
    expect(() => build({ rev: EventField.revision() })).toThrow('WorkflowTrigger: parameters.rev cannot be read from a calendar event');
    expect(() => build({ rev: EventField.revision() })).toThrow('revision has no standard location in the events of a calendar source, got "calendar". Fix: use EventField.path("eventTime") for calendar sources');
    expect(() => build({ msg: EventField.path('body.message') })).toThrow('parameters.msg cannot be read from a calendar event: EventField: path is not in the events of a calendar source, whose data starts with "eventTime" or "metadata"');
    expect(() => build({}, { branches: ['main'] })).toThrow('needs a github or gitlab source (a calendar source has no push ref)');
  });

  test.each([
    [{ schedule: '0 2 * *' }, 'schedule', 'has 4 fields, not 5 (no seconds field)'],
    [{ schedule: '0 0 2 * * *' }, 'schedule', 'has 6 fields, not 5'],
    [{ schedule: '60 * * * *' }, 'schedule', 'has minute "60", which is outside 0-59'],
    [{ schedule: '0 2 * * MON-FRI' }, undefined, undefined],
    [{ schedule: '*/15 0-6/2 1,15 JAN-jun ?' }, undefined, undefined],
    [{ schedule: '0 2 * * 7' }, 'schedule', 'has day of week "7", which is outside 0-6'],
    [{ schedule: '0 2 * * FRI-MON' }, 'schedule', 'is a range that ends before it starts'],
    [{ schedule: '*/0 * * * *' }, 'schedule', 'has a step of 0'],
    [{ schedule: '@daily' }, 'schedule', 'is a descriptor'],
    [{ schedule: 'CRON_TZ=UTC 0 2 * * *' }, 'schedule', 'carries its own time zone'],
    [{ schedule: undefined, interval: '90s' }, undefined, undefined],
    [{ schedule: undefined, interval: '1h30m' }, undefined, undefined],
    [{ schedule: undefined, interval: '500ms' }, 'interval', 'is shorter than a second'],
    [{ schedule: undefined, interval: '1.5s' }, 'interval', 'is not whole seconds'],
    [{ schedule: undefined, interval: '5 minutes' }, 'interval', 'must be a duration'],
    [{ schedule: undefined }, 'schedule', 'or interval is required'],
    [{ interval: '1h' }, 'interval', 'contradicts schedule'],
    [{ timezone: 'europe/berlin' }, 'timezone', 'is not an IANA time zone name, got "europe/berlin". Fix: write "Europe/Berlin"'],
    [{ timezone: 'Mars/Olympus' }, 'timezone', 'is not an IANA time zone name'],
    [{ timezone: 'Local' }, 'timezone', 'is not an IANA time zone name'],
    [{ timezone: 'US/Eastern' }, undefined, undefined],
    [{ metadata: { 'team.name': 'x' } }, 'metadata', 'has a key a trigger cannot name'],
    [{ metadata: { n: 3 } }, 'metadata.n', 'must be a string'],
    [{ color: 'red' }, 'color', undefined],
  ])('%j', (props, prop, problem) => {
    const chart = Testing.chart();
    const make = () => nightly(chart, props);
    if (prop === undefined) {
      expect(make().eventNames).toEqual(['schedule']);
      return;
    }
    expect(make).toThrow(`CalendarEventSource: ${prop}`);
    if (problem) expect(make).toThrow(problem);
    expect(chart.node.tryFindChild('nightly')).toBeUndefined(); // a refused source leaves the chart as it was
  });
});
