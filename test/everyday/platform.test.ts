// Every platform preset, synthesized and checked against the upstream release it pins.
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  ArgoServer, ArgoServerRoute, EventBus, EventField, KubeflowArgoChart, KubeflowArgoChartProps, KubeflowArgoRoles, Platform, ProfileWorkflowTemplate, WebhookEventSource, WorkflowTrigger,
} from '../../packages/library/lib';
import { ARGO_SERVER_READS, one, Obj, PRESETS } from '../support/util';
import { UPSTREAM } from '../support/upstream-dir';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateObjects, formatViolations } = require('../../packages/library/plugins/schema-validation');

const ARGO_WORKFLOWS = path.join(UPSTREAM, 'argo-workflows');
const haveUpstream = fs.existsSync(ARGO_WORKFLOWS);
if (!haveUpstream) {
  // eslint-disable-next-line no-console
  console.log(`platform upstream comparisons skipped: ${ARGO_WORKFLOWS} not found`);
}
const upstream = (tag: string, rel: string) => parseAllDocuments(fs.readFileSync(path.join(ARGO_WORKFLOWS, tag, 'manifests', rel), 'utf8')).map((d) => d.toJS())[0];

const everything = (platform: Platform): KubeflowArgoChartProps => ({
  platform,
  profiles: ['alice'],
  kubeflowRoles: true,
  workflowTemplate: { arguments: { parameters: [{ name: 'message', value: 'x' }] } },
  events: {
    eventBus: platform.spec.argoEvents.jetstream ? { jetstream: { version: '2.10.29' } } : {},
    sources: [{ type: 'github', repositories: ['a/b'], webhookSecret: { name: 's', key: 'k' } }],
    triggers: [{ source: 'github', profile: 'alice', parameters: { message: EventField.revision() } }],
  },
});

/** Every Kubeflow release, plus a standalone KFP 2.17 (Argo 4.0) on Kubeflow 1.11's platform. */

describe.each(PRESETS.map((p) => [p.id, p] as const))('%s', (_id, platform) => {
  const objs = Testing.synth(new KubeflowArgoChart(Testing.app(), 'kfa', everything(platform))) as Obj[];
  const argo = platform.spec.argoWorkflows;
  const deployment = one(objs, 'Deployment', 'argo-server');
  const container = deployment.spec.template.spec.containers[0];

  test('argocli image from the preset line', () => {
    expect(container.image).toBe(argo.image);
    const tag = container.image.split(':').pop();
    expect(tag).toMatch(argo.line.tag);
    expect(`v${tag.slice(1).split('.').slice(0, 2).join('.')}.x`).toBe(argo.line.name);
    expect(argo.manifests).toMatch(argo.line.tag);
  });

  test('base href through the preset mechanism (env BASE_HREF up to 3.5, ARGO_BASE_HREF from 3.6)', () => {
    const [major, minor] = argo.manifests.slice(1).split('.').map(Number);
    expect(argo.baseHrefEnv).toBe(major > 3 || minor >= 6 ? 'ARGO_BASE_HREF' : 'BASE_HREF');
    expect(container.env).toEqual([{ name: argo.baseHrefEnv, value: '/argo/' }]);
    expect(container.args.filter((a: string) => /^--base-?href(=|$)/.test(a))).toEqual([]); // the env carries it, not a flag
  });

  test('probe scheme derived from secure', () => {
    expect(container.readinessProbe.httpGet.scheme).toBe('HTTP');
    const secure = one(Testing.synth((() => { const c = Testing.chart(); new ArgoServer(c, 's', { platform, secure: true }); return c; })()) as Obj[], 'Deployment');
    expect(secure.spec.template.spec.containers[0].readinessProbe.httpGet.scheme).toBe('HTTPS');
  });

  (haveUpstream ? test : test.skip)(`RBAC rules equal upstream ${argo.manifests}; its securityContext settings are all kept`, () => {
    const role = upstream(argo.manifests, `${argo.rbacFolder}/argo-server-rbac/argo-server-clusterole.yaml`);
    const serverMode = Testing.synth((() => { const c = Testing.chart(); new ArgoServer(c, 's', { platform, authModes: ['server'] }); return c; })()) as Obj[];
    expect(one(serverMode, 'ClusterRole', 'argo-server-cluster-role').rules).toEqual(role.rules);
    const dep = upstream(argo.manifests, 'base/argo-server/argo-server-deployment.yaml');
    // every upstream setting is kept; what Pod Security "restricted" needs is added
    expect(container.securityContext).toEqual(expect.objectContaining(dep.spec.template.spec.containers[0].securityContext));
    expect(deployment.spec.template.spec.securityContext).toEqual(expect.objectContaining(dep.spec.template.spec.securityContext));
    expect(deployment.spec.selector).toEqual(dep.spec.selector);
  });

  test('Istio API versions the preset mesh serves', () => {
    for (const vs of objs.filter((o) => o.kind === 'VirtualService')) expect(vs.apiVersion).toBe(platform.spec.istio.networking);
    for (const ap of objs.filter((o) => o.kind === 'AuthorizationPolicy')) expect(ap.apiVersion).toBe(platform.spec.istio.security);
    expect(objs.filter((o) => o.kind === 'VirtualService')).toHaveLength(2);
  });

  test('every object matches the schemas of the preset releases', () => {
    expect(formatViolations(validateObjects(objs, {}, { releases: platform.schemaReleases }))).toBe('');
  });

  test('Argo Events behaviour of the preset', () => {
    const bus = one(objs, 'EventBus');
    expect(Object.keys(bus.spec)).toEqual([platform.spec.argoEvents.jetstream ? 'jetstream' : 'nats']);
    const build = (submitFrom: boolean) => () => {
      const c = Testing.chart();
      const source = new WebhookEventSource(c, 'src', { platform, type: 'github', repositories: ['a/b'], webhookSecret: { name: 's', key: 'k' } });
      const template = new ProfileWorkflowTemplate(c, 't', { platform, namespace: 'alice' });
      new WorkflowTrigger(c, 'w', { eventSource: source, template, submitFrom });
      return Testing.synth(c) as Obj[];
    };
    if (platform.spec.argoEvents.submitFrom) {
      const wf = one(build(true)(), 'Sensor').spec.triggers[0].template.argoWorkflow;
      expect(wf.operation).toBe('submit-from');
      expect(wf.source.resource).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', metadata: { name: 'hello-kubeflow', namespace: 'alice' } });
      expect(formatViolations(validateObjects(build(true)(), {}, { releases: platform.schemaReleases }))).toBe('');
    } else {
      expect(build(true)).toThrow(/submitFrom is not available on platform KUBEFLOW_1_4/);
      expect(() => new EventBus(Testing.chart(), 'b', { platform, jetstream: { version: '2.10.29' } })).toThrow(/jetstream is not available/);
    }
    expect(one(build(false)(), 'Sensor').spec.triggers[0].template.argoWorkflow.operation).toBe('submit');
  });

  test('an image from another preset line is refused; the documented escape hatch allows it', () => {
    const other = PRESETS.find((p) => p.spec.argoWorkflows.line.name !== argo.line.name)!.spec.argoWorkflows.image;
    expect(() => new ArgoServer(Testing.chart(), 's', { platform, image: other })).toThrow(new RegExp(`image must be a ${argo.line.name.replace(/\./g, '\\.')} tag`));
    const c = Testing.chart();
    new ArgoServer(c, 's', { platform, image: other, allowImageOutsidePlatform: true });
    expect(one(Testing.synth(c) as Obj[], 'Deployment').spec.template.spec.containers[0].image).toBe(other);
  });

  test('what the release around it requires: header removal, NetworkPolicy, roles, argo-server\'s own rights', () => {
    const kubeflow = platform.spec.kubeflow;
    const route = objs.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'argo-server')!.spec.http.find((h: any) => h.route);
    expect(route.headers).toEqual(kubeflow.authorizationUpstream ? { request: { remove: ['authorization'] } } : undefined);
    const policies = objs.filter((o) => o.kind === 'NetworkPolicy');
    if (kubeflow.restrictedNamespaces.includes('kubeflow')) {
      expect(policies.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['kubeflow/argo-server']); // the event source is in argo-events
      expect(policies[0].spec).toEqual({
        podSelector: { matchLabels: { app: 'argo-server' } },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } } }],
          ports: [{ protocol: 'TCP', port: 2746 }],
        }],
      });
    } else {
      expect(policies).toEqual([]);
    }
    const roles = objs.filter((o) => o.kind === 'ClusterRole' && o.metadata.name.startsWith('kubeflow-argo-')).map((o) => o.metadata.name);
    expect(roles).toEqual(kubeflow.editRoleHasArgo ? ['kubeflow-argo-view'] : ['kubeflow-argo-edit', 'kubeflow-argo-view']);
    // client mode: argo-server's own account reads ConfigMaps, and from 3.6 Workflows and WorkflowTemplates for its caches
    const cache = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'argo-server-cache-reader');
    const reads = ARGO_SERVER_READS[argo.line.name];
    expect(cache?.rules).toEqual(reads.caches.length ? [{ apiGroups: ['argoproj.io'], resources: reads.caches, verbs: ['get', 'list', 'watch'] }] : undefined);
    expect(one(objs.filter((o) => o.metadata.name === 'argo-server'), 'Role').rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['workflow-controller-configmap'], verbs: reads.configMapVerbs }]);
  });
});

test('a standalone KFP runs on a release that ships KFP 2, only when it is newer, and names the Argo line', () => {
  const p = Platform.KUBEFLOW_1_11.withStandaloneKfp('2.17.0');
  expect(p.id).toBe('KUBEFLOW_1_11_KFP_2_17');
  expect(p.spec.argoWorkflows.image).toBe('quay.io/argoproj/argocli:v4.0.10');
  expect(p.spec.istio).toEqual(Platform.KUBEFLOW_1_11.spec.istio);
  expect({ ...p.spec.kubeflow, kfp: '' }).toEqual({ ...Platform.KUBEFLOW_1_11.spec.kubeflow, kfp: '' });
  expect(Platform.KUBEFLOW_1_9.withStandaloneKfp('2.14').spec.argoWorkflows.manifests).toBe('v3.6.19');
  expect(() => Platform.KUBEFLOW_1_11.withStandaloneKfp('2.15')).toThrow(/is not newer than the KFP 2\.15\.0 that KUBEFLOW_1_11 ships/);
  expect(() => Platform.KUBEFLOW_1_4.withStandaloneKfp('2.17')).toThrow(/cannot run on KUBEFLOW_1_4, which ships KFP 1\.7\.0/);
  expect(() => Platform.KUBEFLOW_1_11.withStandaloneKfp('3.0')).toThrow(/is not a KFP release with a known Argo line \(2\.14, 2\.15, 2\.16, 2\.17\)/);
});

test('on a release whose KFP already gives kubeflow-edit Argo rights, custom edit verbs are refused', () => {
  expect(() => new KubeflowArgoChart(Testing.app(), 'k', { platform: Platform.KUBEFLOW_1_9, kubeflowRoles: true })).not.toThrow();
  const c = Testing.chart();
  Platform.use(c, Platform.KUBEFLOW_1_9);
  expect(() => new KubeflowArgoRoles(c, 'r', { verbs: ['get', 'list'] })).toThrow(/verbs has no effect on KUBEFLOW_1_9: KFP 2\.3\.0's kubeflow-pipelines-edit already aggregates/);
});

test('KUBEFLOW_1_5 uses v1beta1 Istio APIs that Istio 1.9.6 already serves', () => {
  const objs = Testing.synth(new KubeflowArgoChart(Testing.app(), 'kfa', everything(Platform.KUBEFLOW_1_5))) as Obj[];
  const istio = objs.filter((o) => o.apiVersion.includes('istio.io'));
  expect(formatViolations(validateObjects(istio, {}, { releases: ['istio-1.9.6'] }))).toBe('');
  expect(formatViolations(validateObjects(istio, {}, { releases: ['istio-1.30.3'] }))).toBe('');
});

test('constructs refuse a platform that contradicts the one they follow', () => {
  const c = Testing.chart();
  const server = new ArgoServer(c, 's', { platform: Platform.KUBEFLOW_1_10 });
  expect(() => new ArgoServerRoute(c, 'r', { server, platform: Platform.KUBEFLOW_1_4 }))
    .toThrow(/platform contradicts the server's platform KUBEFLOW_1_10/);
  expect(() => new KubeflowArgoChart(Testing.app(), 'k', { argoServer: { platform: Platform.KUBEFLOW_1_10 } as any })).toThrow(/ArgoServer: platform contradicts the enclosing chart's platform KUBEFLOW_1_4/);
  expect(() => new ArgoServer(Testing.chart(), 's', { platform: 'KUBEFLOW_1_10' as any })).toThrow(/platform must be one of the Platform presets/);
});

test('the default stays KUBEFLOW_1_4', () => {
  const chart = new KubeflowArgoChart(Testing.app(), 'k');
  expect(chart.platform).toBe(Platform.KUBEFLOW_1_4);
  expect(chart.argoServer.platform).toBe(Platform.KUBEFLOW_1_4);
  expect(chart.route.platform).toBe(Platform.KUBEFLOW_1_4);
});

test('the Kubeflow 1.4 output on a release with a newer Argo line: wrong argocli line, and from 3.6 a base href variable argo-server no longer reads', () => {
  // Argo 3.6 removed BASE_HREF (docs/upgrading.md at v3.6.19, "Upgrading to v3.6"); the UI then loads blank under /argo/
  const old = one(Testing.synth(new KubeflowArgoChart(Testing.app(), 'k')) as Obj[], 'Deployment', 'argo-server').spec.template.spec.containers[0];
  for (const platform of Platform.ALL.filter((p) => p !== Platform.KUBEFLOW_1_4)) {
    const argo = platform.spec.argoWorkflows;
    expect([platform.id, argo.line.tag.test(old.image.split(':').pop())]).toEqual([platform.id, false]);
    const reads = old.env.some((e: any) => e.name === argo.baseHrefEnv);
    expect([platform.id, reads]).toEqual([platform.id, argo.baseHrefEnv === 'BASE_HREF']);
  }
  expect(Platform.KUBEFLOW_1_11.spec.argoWorkflows.baseHrefEnv).toBe('ARGO_BASE_HREF');
});
