// Compares the constructs with the upstream files in ../shared/upstream (the reference data
// beside the project in development and CI). A user's clone has no ../shared: then these
// tests are skipped with a printed reason, never failed.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ArgoServer, Platform } from '../../packages/library/lib';
import { hasKubectl, one, synth } from '../support/util';
import { UPSTREAM } from '../support/upstream-dir';

const ARGO = path.join(UPSTREAM, 'argo-workflows', 'v3.1.15', 'manifests');
const present = fs.existsSync(ARGO);
if (!present) {
  // eslint-disable-next-line no-console
  console.log(`upstream comparison tests skipped: ${ARGO} not found (it is only beside the repo in development and CI)`);
}
const describeUpstream = present ? describe : describe.skip;

const load = (rel: string): any[] => parseAllDocuments(fs.readFileSync(path.join(ARGO, rel), 'utf8')).map((d) => d.toJS());

describeUpstream('ArgoServer against upstream Argo Workflows v3.1.15', () => {
  const objs = synth((c) => new ArgoServer(c, 'server'));
  // upstream's cluster role is what argo-server gets when it acts as itself (server or sso mode)
  const serverMode = synth((c) => new ArgoServer(c, 'server', { authModes: ['server'] }));

  test('Deployment equals upstream except the documented Kubeflow edits', () => {
    const [up] = load('base/argo-server/argo-server-deployment.yaml');
    const ours = one(objs, 'Deployment');
    const upPod = up.spec.template.spec;
    const ourPod = ours.spec.template.spec;
    expect(ours.spec.selector).toEqual(up.spec.selector);
    // Edit: hold the app until the Istio proxy is ready (Kubeflow 1.4's mesh does not by default)
    expect(ours.spec.template.metadata).toEqual({ ...up.spec.template.metadata, annotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' } });
    expect(ourPod.serviceAccountName).toBe(upPod.serviceAccountName);
    expect(ourPod.volumes).toEqual(upPod.volumes);
    // Edit: Pod Security "restricted" (seccomp RuntimeDefault) on top of upstream's settings
    expect(ourPod.securityContext).toEqual({ ...upPod.securityContext, seccompProfile: { type: 'RuntimeDefault' } });
    expect(ourPod.nodeSelector).toEqual(upPod.nodeSelector);
    const [u] = upPod.containers;
    const [o] = ourPod.containers;
    expect(o.name).toBe(u.name);
    expect(o.securityContext).toEqual({ ...u.securityContext, runAsNonRoot: true, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } });
    // Edit: resource requests (upstream sets none)
    expect(u.resources).toBeUndefined();
    expect(o.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' } });
    expect(o.ports).toEqual(u.ports);
    expect(o.volumeMounts).toEqual(u.volumeMounts);
    expect(o.args[0]).toBe(u.args[0]);
    // Edits: HTTP probe because of --secure=false; everything else about the probe is upstream's.
    expect({ ...o.readinessProbe, httpGet: { ...o.readinessProbe.httpGet, scheme: 'HTTPS' } }).toEqual(u.readinessProbe);
    // Edit: pinned image instead of :latest.
    expect(u.image).toMatch(/:latest$/);
    expect(o.image.split('/').pop().split(':')[0]).toBe(u.image.split('/').pop().split(':')[0]);
  });

  test('Service keeps upstream selector and port numbers; only the port name changes', () => {
    const [up] = load('base/argo-server/argo-server-service.yaml');
    const ours = one(objs, 'Service');
    expect(ours.spec.selector).toEqual(up.spec.selector);
    expect(ours.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual(up.spec.ports.map((p: any) => [p.port, p.targetPort]));
    expect(up.spec.ports[0].name).toBe('web');
  });

  test('ClusterRole rules and names equal upstream (server/sso auth modes)', () => {
    const [up] = load('cluster-install/argo-server-rbac/argo-server-clusterole.yaml');
    const ours = one(serverMode, 'ClusterRole');
    expect(ours.metadata.name).toBe(up.metadata.name);
    expect(ours.rules).toEqual(up.rules);
    expect(Platform.KUBEFLOW_1_4.spec.argoWorkflows.serverRules).toEqual(up.rules);
    const [upBinding] = load('cluster-install/argo-server-rbac/argo-server-clusterolebinding.yaml');
    const binding = one(serverMode, 'ClusterRoleBinding');
    expect(binding.metadata.name).toBe(upBinding.metadata.name);
    expect(binding.roleRef).toEqual(upBinding.roleRef);
  });

  (hasKubectl() ? test : test.skip)('the kustomize route leaves the binding in "argo"; ours binds kubeflow', () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'kfa-kust-'));
    try {
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), [
        'namespace: kubeflow',
        'resources:',
        `- ${path.relative(dir, path.join(ARGO, 'base', 'argo-server'))}`,
        `- ${path.relative(dir, path.join(ARGO, 'cluster-install', 'argo-server-rbac'))}`,
      ].join('\n'));
      const out = execFileSync('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const kust = parseAllDocuments(out).map((d) => d.toJS());
      const kb = kust.find((o) => o.kind === 'ClusterRoleBinding');
      expect(kb.subjects[0].namespace).toBe('argo');
      expect(one(serverMode, 'ClusterRoleBinding').subjects[0].namespace).toBe('kubeflow');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
