// A Kubeflow release's own objects, assembled from its manifests in ../shared/upstream: what the
// preflight checks see on a cluster of that release (namespaces and labels, NetworkPolicies,
// the gateway's AuthorizationPolicies and RequestAuthentication, the mesh config, the login's
// settings, Kubeflow's and KFP's roles, and one profile's bindings as the profile controller makes
// them). With `patches`, the Kubeflow-side Component of the output is applied with kubectl kustomize.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { Platform } from '../../packages/library/lib';
import { UPSTREAM } from './upstream-dir';

export const MANIFESTS = path.join(UPSTREAM, 'kubeflow-manifests');

const docs = (file: string): any[] => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
const first = (dir: string, rels: string[]) => rels.map((r) => path.join(dir, r)).find((f) => fs.existsSync(f));

/**
 * `kubectl kustomize` of `dir` (a Kustomization, or a Component, which then gets an empty parent),
 * with the kustomize Component text `component` added when given: how an admin's install
 * kustomization includes both.
 */
export function kustomize(dir: string, component?: string): any[] {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-release-'));
  try {
    const rel = path.relative(work, dir);
    const isComponent = /kind:\s*Component/.test(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
    let comps = isComponent ? [rel] : [];
    if (component) {
      fs.mkdirSync(path.join(work, 'patches'));
      fs.writeFileSync(path.join(work, 'patches', 'kustomization.yaml'), component);
      comps = [...comps, './patches'];
    }
    fs.writeFileSync(path.join(work, 'kustomization.yaml'), [
      ...(isComponent ? ['resources: []'] : ['resources:', `- ${rel}`]),
      ...(comps.length ? ['components:', ...comps.map((c) => `- ${c}`)] : []),
    ].join('\n'));
    const out = execFileSync('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The release's objects the checks read, for one profile namespace. */
export function releaseCluster(platform: Platform, profile: string, component?: string): any[] {
  const kf = platform.spec.kubeflow;
  const root = path.join(MANIFESTS, kf.release);
  const out: any[] = [];
  out.push(...docs(path.join(root, 'common/kubeflow-namespace/base/namespace.yaml')));
  out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: {} } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argo-events', labels: {} } });
  // the profile namespace gets the profile controller's labels (namespace-labels-data)
  const labelFiles = ['applications/profiles/upstream/base/namespace-labels.yaml', 'apps/profiles/upstream/base/namespace-labels.yaml', 'applications/profiles/pss/namespace-labels.yaml'];
  const labels: Record<string, string> = { 'istio-injection': 'enabled' };
  for (const rel of labelFiles) {
    const f = path.join(root, rel);
    if (!fs.existsSync(f)) continue;
    for (const [k, v] of Object.entries(parse(fs.readFileSync(f, 'utf8')) ?? {})) if (v === '') delete labels[k]; else labels[k] = String(v);
  }
  out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: profile, labels } });
  // NetworkPolicies of the example install (1.9+)
  if (fs.existsSync(path.join(root, 'common/networkpolicies/base/kustomization.yaml')) && kf.restrictedNamespaces.length) {
    out.push(...kustomize(path.join(root, 'common/networkpolicies/base')));
  }
  // the mesh's own AuthorizationPolicies: global deny-all and the gateway's allow
  const minor = platform.spec.istio.version.split('.')[1];
  const istioBase = first(root, [`common/istio-1-${minor}/istio-install/base`, 'common/istio/istio-install/base'])!;
  for (const f of ['deny_all_authorizationpolicy.yaml', 'gateway_authorizationpolicy.yaml']) {
    for (const o of docs(path.join(istioBase, f))) out.push({ ...o, metadata: { namespace: 'istio-system', ...o.metadata } });
  }
  // the login
  if ('notPaths' in kf.skipAuth) {
    out.push(...kustomize(path.join(root, 'common/oauth2-proxy/components/istio-external-auth'), component));
    out.push(...docs(path.join(root, 'common/oauth2-proxy/components/istio-external-auth-patches/patches/cm.enable-oauth2-proxy.yaml')));
  } else {
    const base = first(root, ['common/oidc-authservice/base', 'common/oidc-client/oidc-authservice/base'])!;
    out.push(...kustomize(base, component).filter((o) => o.kind === 'ConfigMap' || o.kind === 'StatefulSet'));
  }
  // the profile controller's account in kubeflow, bound to cluster-admin: what a token minted in
  // kubeflow would be worth (the preflight's token check)
  const profiles = first(root, ['apps/profiles/upstream/overlays/kubeflow', 'applications/profiles/upstream/overlays/kubeflow']);
  if (profiles) out.push(...kustomize(profiles).filter((o) => ['ServiceAccount', 'RoleBinding', 'ClusterRoleBinding'].includes(o.kind)));
  // KFP's workflow-controller-configmap in kubeflow (its patch is the whole ConfigMap): argo-server
  // reads it at start, and from 3.7 stops when it is missing (issue 23's request-path suite)
  const wfConfig = first(root, ['applications/pipeline/upstream/third-party/argo/base/workflow-controller-configmap-patch.yaml', 'apps/pipeline/upstream/third-party/argo/base/workflow-controller-configmap-patch.yaml']);
  if (wfConfig) out.push(...docs(wfConfig).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'kubeflow' } })));
  // roles: Kubeflow's kubeflow-admin/edit/view, KFP's aggregated roles, and the profile's bindings
  out.push(...docs(path.join(root, 'common/kubeflow-roles/base/cluster-roles.yaml')));
  out.push(...docs(first(root, ['applications/pipeline/upstream/base/installs/multi-user/view-edit-cluster-roles.yaml', 'apps/pipeline/upstream/base/installs/multi-user/view-edit-cluster-roles.yaml'])!));
  for (const [sa, role] of [['default-editor', 'kubeflow-edit'], ['default-viewer', 'kubeflow-view']]) {
    // the profile controller makes both accounts and binds them (profile_controller.go)
    out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: profile } });
    out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: sa, namespace: profile }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: profile }] });
  }
  return out;
}

/**
 * The release's own objects the Kubeflow-side Component patches besides the login's (which
 * releaseCluster holds): the central dashboard's ConfigMap, and Dex's namespace and Deployment.
 * With `component`, as the Component leaves them.
 */
export function componentTargets(platform: Platform, component?: string): any[] {
  const dex = kustomize(path.join(MANIFESTS, platform.spec.kubeflow.release, 'common', 'dex', 'base'), component)
    .filter((o) => (o.kind === 'Namespace' && o.metadata.name === 'auth') || (o.kind === 'Deployment' && o.metadata.name === 'dex'));
  return [dashboardConfig(platform, component), ...dex];
}

/** The release's `centraldashboard-config` as its example install sets it, with `component` when given. */
export function dashboardConfig(platform: Platform, component?: string): any {
  const tag = platform.spec.kubeflow.release;
  const dir = ['applications', 'apps'].map((a) => path.join(MANIFESTS, tag, a, 'centraldashboard', 'upstream')).find((d) => fs.existsSync(d))!;
  // the release's centraldashboard overlay (namespace kubeflow; its other files are not in the reference data)
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-dash-'));
  try {
    const patch = path.join(dir, 'overlays', 'kserve', 'patches', 'configmap.yaml');
    fs.writeFileSync(path.join(base, 'kustomization.yaml'), [
      'namespace: kubeflow',
      'resources:', `- ${path.relative(base, path.join(dir, 'base', 'configmap.yaml'))}`,
      ...(fs.existsSync(patch) ? ['patches:', `- path: ${path.relative(base, patch)}`] : []),
    ].join('\n'));
    return kustomize(base, component).find((o) => o.kind === 'ConfigMap');
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/** Missing binary files of ../shared (not copied there) that a kustomization names, written as stand-ins in a copy. */
const STAND_INS: Record<string, string> = { 'kubeflow-logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n' };

/** `kubectl kustomize` of `rel` under a copy of `tree` (a directory of the release) with the stand-ins its kustomizations name. */
function kustomizeCopy(tree: string, rel: string): any[] {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-login-'));
  try {
    fs.cpSync(tree, work, { recursive: true });
    for (const file of fs.readdirSync(work, { recursive: true }) as string[]) {
      if (!file.endsWith('kustomization.yaml')) continue;
      for (const [name, text] of Object.entries(STAND_INS)) {
        const target = path.join(work, path.dirname(file), name);
        if (fs.readFileSync(path.join(work, file), 'utf8').includes(name) && !fs.existsSync(target)) fs.writeFileSync(target, text);
      }
    }
    return kustomize(path.join(work, rel));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What the release's login runs on, as its example install (`example/kustomization.yaml`) builds
 * it (issue 23's request-path suite): Dex (`common/dex/overlays/istio`, 1.9+ `…/oauth2-proxy`:
 * its config, Secrets, Service, Deployment and gateway route), oauth2-proxy on 1.9+
 * (`common/oauth2-proxy/overlays/m2m-dex-only`: Deployment, config, Secret, Service, route), and
 * the central dashboard's gateway route, where a login ends. oidc-authservice (1.4–1.8) is left
 * out: its Go module cannot be had (docs/development.md).
 */
export function releaseLogin(platform: Platform): any[] {
  const root = path.join(MANIFESTS, platform.spec.kubeflow.release);
  const oauth2Proxy = 'notPaths' in platform.spec.kubeflow.skipAuth;
  const keep = (o: any) => ['ConfigMap', 'Secret', 'Service', 'Deployment', 'VirtualService'].includes(o.kind);
  const out = kustomize(path.join(root, 'common', 'dex', 'overlays', oauth2Proxy ? 'oauth2-proxy' : 'istio')).filter(keep);
  if (oauth2Proxy) out.push(...kustomizeCopy(path.join(root, 'common', 'oauth2-proxy'), 'overlays/m2m-dex-only').filter(keep));
  const apps = ['applications', 'apps'].map((a) => path.join(root, a)).find((d) => fs.existsSync(d))!;
  for (const vs of docs(path.join(apps, 'centraldashboard', 'upstream', 'overlays', 'istio', 'virtual-service.yaml'))) {
    // the placeholders the dashboard's overlay fills in (params: namespace kubeflow, cluster.local)
    out.push(JSON.parse(JSON.stringify({ ...vs, metadata: { ...vs.metadata, namespace: 'kubeflow' } }).replace(/CD_NAMESPACE_PLACEHOLDER/g, 'kubeflow').replace(/CD_CLUSTER_DOMAIN_PLACEHOLDER/g, 'cluster.local')));
  }
  return out;
}
