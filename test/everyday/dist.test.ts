// dist/ is committed (GitOps reads it): it must be exactly what a fresh synth of main.ts gives,
// whatever the user made of main.ts (a template: profiles, release, SSO, triggers). The seed's
// essentials are checked on the library's reference app (test/support/reference-app.ts), which
// no edit of main.ts changes, parsed as a user's `kubectl apply -f dist/` would.
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { execFileSync } from 'child_process';
import { parseAllDocuments } from 'yaml';
import { KUSTOMIZATION_FILE, outputFiles } from '../../packages/library/lib/synth/output-formats';
import { PRUNE_SCRIPT } from '../../packages/library/lib/synth/prune';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { buildApp as buildLatest } from '../../examples/latest/main';
import { buildApp as buildSso } from '../../examples/sso/main';
import { buildApp } from '../../app/main';
import { podSecurityViolations, podsOf } from '../../packages/preflight/lib/pod-security';
import { buildApp as buildReferenceApp, EXAMPLE_PROFILE, GITHUB_WEBHOOK_SECRET } from '../support/reference-app';
import { hasKubectl, readDir, synthToDir } from '../support/util';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RECORD_FILE, recordText } = require('../../packages/cli/lib/output-dir');

const DIST = path.join(__dirname, '..', '..', 'app', 'dist');


/** The objects `kubectl apply -f` reads from output files (the top-level manifests). */
function manifestObjects(files: Record<string, string>): any[] {
  return Object.entries(files)
    .filter(([f]) => f.endsWith('.yaml') && !f.includes('/')) // what kubectl apply -f dist/ reads
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS()))
    .filter((o) => o);
}

/** The committed outputs and the apps they come from. */
const OUTPUTS = [
  ['dist/ (Kubeflow 1.4)', DIST, () => buildApp(), 'scripts/synth'],
  ['examples/latest/dist/', path.join(__dirname, '..', '..', 'examples', 'latest', 'dist'), () => buildLatest(),
    'scripts/synth --entry examples/latest/main.ts --outdir examples/latest/dist'],
  ['examples/sso/dist/ (SSO through Kubeflow\'s Dex)', path.join(__dirname, '..', '..', 'examples', 'sso', 'dist'), () => buildSso(),
    'scripts/synth --entry examples/sso/main.ts --outdir examples/sso/dist'],
] as const;

test.each(OUTPUTS)('%s is up to date: byte-identical to a fresh synth', (_name, dir, build, command) => {
  const files = synthesizeApp(build());
  const expected = Object.fromEntries(outputFiles(files).map((f) => [f.file, f.text]));
  const actual = readDir(dir);
  const fresh = { ...expected, [RECORD_FILE]: recordText(Object.keys(expected).map((file) => ({ file }))) };
  if (!isDeepStrictEqual(actual, fresh)) {
    const was: Record<string, string> = actual;
    const now: Record<string, string> = fresh;
    const changed = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((f) => was[f] !== now[f]).sort();
    try {
      expect(actual).toEqual(fresh);
    } catch (e) {
      throw new Error(`${path.relative(path.join(__dirname, '..', '..'), dir)} is stale (${changed.join(', ')}): run \`${command}\` (npm run synth:all writes every output)\n${(e as Error).message}`);
    }
  }
});

describe('dist/', () => {

  test('its manifests are what cdk8s\' own app.synth() writes', () => {
    const dist = readDir(DIST);
    for (const f of [KUSTOMIZATION_FILE, RECORD_FILE, PRUNE_SCRIPT]) delete dist[f];
    // the Kubeflow-side files are the synth command's addition (app.synth() writes only manifests;
    // KubeflowPatches.writeFiles writes them under cdk8s synth)
    for (const f of Object.keys(dist).filter((k) => k.startsWith('kubeflow-patches/'))) delete dist[f];
    expect(dist).toEqual(synthToDir(buildApp));
  });

  describe('the reference app (the template as shipped) carries the seed setup end to end', () => {
    const objs = manifestObjects(synthToDir(buildReferenceApp));
    const find = (kind: string, name: string, ns?: string) => {
      const o = objs.find((x) => x.kind === kind && x.metadata.name === name && (ns === undefined || x.metadata.namespace === ns));
      if (!o) throw new Error(`the reference app has no ${kind} ${ns ? `${ns}/` : ''}${name}`);
      return o;
    };

    test('argo-server in kubeflow: pinned image, plain HTTP with an HTTP probe, BASE_HREF /argo/', () => {
      const d = find('Deployment', 'argo-server', 'kubeflow');
      const c = d.spec.template.spec.containers[0];
      expect(c.image).toBe('quay.io/argoproj/argocli:v3.1.15');
      expect(c.args).toEqual(expect.arrayContaining(['server', '--secure=false', '--auth-mode=client']));
      expect(c.readinessProbe.httpGet.scheme).toBe('HTTP');
      expect(c.env).toContainEqual({ name: 'BASE_HREF', value: '/argo/' });
      expect(d.spec.selector.matchLabels).toEqual({ app: 'argo-server' });
    });

    test('argo-server (client auth) may only read KFP\'s ConfigMap in kubeflow; the Service is named for Istio', () => {
      expect(find('RoleBinding', 'argo-server', 'kubeflow').subjects).toEqual([{ kind: 'ServiceAccount', name: 'argo-server', namespace: 'kubeflow' }]);
      expect(find('Role', 'argo-server', 'kubeflow').rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['workflow-controller-configmap'], verbs: ['get', 'list', 'watch'] }]);
      expect(objs.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]); // nothing cluster-wide in the default app
      expect(find('Service', 'argo-server', 'kubeflow').spec.ports[0].name).toBe('http-web');
    });

    test('reachable at /argo/ through kubeflow-gateway, only from the ingress gateway', () => {
      const vs = find('VirtualService', 'argo-server', 'kubeflow');
      expect(vs.spec.gateways).toEqual(['kubeflow/kubeflow-gateway']);
      expect(vs.spec.http.some((h: any) => h.match[0].uri.prefix === '/argo/' && h.rewrite.uri === '/')).toBe(true);
      const ap = find('AuthorizationPolicy', 'argo-server', 'kubeflow');
      expect(ap.spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }] }]);
    });

    test('sensor RBAC: operate-workflow-sa bound only in the example profile', () => {
      find('ServiceAccount', 'operate-workflow-sa', 'argo-events');
      expect(find('ClusterRole', 'operate-workflow-role').metadata.namespace).toBeUndefined();
      expect(objs.filter((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'operate-workflow-role-binding')).toEqual([]);
      expect(find('RoleBinding', 'operate-workflow-role-binding', EXAMPLE_PROFILE).subjects[0]).toEqual({ kind: 'ServiceAccount', name: 'operate-workflow-sa', namespace: 'argo-events' });
    });

    test('the example profile gets a template that runs without a sidecar as default-editor', () => {
      const t = objs.find((o) => o.kind === 'WorkflowTemplate' && o.metadata.namespace === EXAMPLE_PROFILE);
      expect(t.spec.serviceAccountName).toBe('default-editor');
      expect(t.spec.podMetadata.annotations['sidecar.istio.io/inject']).toBe('false');
      for (const tpl of t.spec.templates) expect(tpl.metadata.annotations['sidecar.istio.io/inject']).toBe('false');
    });

    test('issue 21: its checkout step is hardened as argo-server is: Pod Security "restricted", resource limits', () => {
      const t = objs.find((o) => o.kind === 'WorkflowTemplate' && o.metadata.namespace === EXAMPLE_PROFILE);
      const pods = podsOf(t);
      expect(pods.length).toBe(1);
      expect(podSecurityViolations(pods[0], 'restricted')).toEqual([]);
      expect(t.spec.templates[0].container.resources.limits).toEqual({ cpu: '1', memory: '512Mi' });
    });

    test('a GitHub push in argo-events starts the example profile\'s template', () => {
      const source = find('EventSource', 'github', 'argo-events');
      expect(source.spec.github.push.webhookSecret).toEqual(GITHUB_WEBHOOK_SECRET);
      const sensor = objs.find((o) => o.kind === 'Sensor' && o.metadata.namespace === 'argo-events');
      expect(sensor.spec.dependencies[0].eventSourceName).toBe('github');
      const workflow = sensor.spec.triggers[0].template.argoWorkflow.source.resource;
      const template = objs.find((o) => o.kind === 'WorkflowTemplate' && o.metadata.namespace === EXAMPLE_PROFILE);
      expect(workflow.metadata.namespace).toBe(EXAMPLE_PROFILE);
      expect(workflow.spec.workflowTemplateRef.name).toBe(template.metadata.name);
      find('EventBus', 'default', 'argo-events');
      expect(find('VirtualService', 'github-eventsource', 'argo-events').spec.http[0].match[0].uri.prefix).toBe('/argo-events/github/');
    });

    test('adds nothing KFP owns: no workflow-controller, CRD or controller ConfigMap, no latest images', () => {
      expect(objs.filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
      expect(objs.filter((o) => o.metadata.name === 'workflow-controller' || o.metadata.name === 'workflow-controller-configmap')).toEqual([]);
      expect(JSON.stringify(objs)).not.toMatch(/:latest"/);
    });
  });
});

(hasKubectl() ? test : test.skip)('kubectl kustomize dist/ (what apply -k and Argo CD do) yields exactly the manifests', () => {
  const out = execFileSync('kubectl', ['kustomize', DIST], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const canon = (v: any): any => (Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v);
  const key = (o: any) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const sorted = (objs: any[]) => objs.map(canon).sort((a, b) => key(a).localeCompare(key(b)));
  expect(sorted(parseAllDocuments(out).map((d) => d.toJS()))).toEqual(sorted(manifestObjects(readDir(DIST))));
});
