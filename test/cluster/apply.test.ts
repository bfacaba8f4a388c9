// Issue 22, items 1 to 4, on a real API server per preset (test/support/cluster.ts): over the CRDs and the
// release's own objects (test/fixtures/cluster, test/support/cluster-fixtures.ts: namespaces with their Pod
// Security labels, roles, NetworkPolicies, the gateway's policies), the output of every preset
// (with and without sso, a GitHub and a generic webhook trigger, Kubeflow roles) is server-side applied: no
// rejection, no warning (the PodSecurity admission warns on a workload whose pods its namespace's
// level would refuse), and a second apply changes nothing; every Deployment's pod, created as a
// Pod, is admitted without a warning; the Kubeflow-side Component's result applies over the
// release's objects the same way; each account has exactly the rights docs/rights.md states;
// argo-server's token yields no other account's. kubectl's -o yaml of the result is what
// preflight reads item by item (issue 21).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Platform } from '../../packages/library/lib';
import { SSO_CONFIG_MAP } from '../../packages/library/lib/argo-server/argo-server';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { readDump } from '../../packages/preflight/lib/input';
import { parseRightsDoc, referenceApp } from '../../scripts/rights-doc';
import { Cluster, clusterBinaries, startCluster } from '../support/cluster';
import { installRelease, loadClusterFixture } from '../support/cluster-fixtures';
import { reviewAtoms } from '../support/rights';
import { describeUnless, hasKubectl, PRESETS } from '../support/util';

const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const fixtureMissing = PRESETS.map((p) => loadClusterFixture(p)).map((f) => ('skipped' in f ? f.skipped : undefined)).find(Boolean);
const why = bins.skipped ?? fixtureMissing;
// eslint-disable-next-line no-console
if (why) console.log(`cluster apply tests skipped: ${why}`);

/** The reference app of docs/rights.md (scripts/rights-doc.ts) for the preset: the manifests and the Kubeflow-side Component. */
function output(platform: Platform, withSso: boolean): { manifests: string; component: string } {
  const files = synthesizeApp(referenceApp(platform, withSso));
  const component = files.find((f) => f.file.endsWith('kubeflow-patches/kustomization.yaml'));
  if (!component) throw new Error('the app wrote no kubeflow-patches/kustomization.yaml');
  return { manifests: files.filter((f) => !f.attached).map((f) => f.text).join('---\n'), component: component.text };
}

/**
 * Issue 22, item 1, the Kubeflow side: the admin's install with our Component (the release's
 * objects as kustomize resources, the Component in `components:`, `kubectl kustomize`) applied
 * over the release as it runs, by the same field manager as the release's own apply (the objects
 * it changed: the login's settings or the gateway's policies, the dashboard's menu, Dex): no
 * rejection, no warning (its workloads' pods under their namespace's level), a second apply
 * changes nothing, and every object the Component changed reads back from the API server with
 * the Component's values.
 */
function componentApplied(cluster: Cluster, platform: Platform, withSso: boolean, component: string, dir: string): void {
  const release = (loadClusterFixture(platform) as { release: any[] }).release;
  const work = path.join(dir, 'kubeflow');
  fs.mkdirSync(path.join(work, 'patches'), { recursive: true });
  fs.writeFileSync(path.join(work, 'release.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: release }));
  fs.writeFileSync(path.join(work, 'patches', 'kustomization.yaml'), component);
  fs.writeFileSync(path.join(work, 'kustomization.yaml'), 'resources:\n- release.json\ncomponents:\n- ./patches\n');
  const built = spawnSync('kubectl', ['kustomize', work], { encoding: 'utf8' });
  expect([built.status, built.stderr]).toEqual([0, '']);
  const result = readDump('kubeflow.yaml', built.stdout);
  const id = (o: any) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const before = new Map(release.map((o) => [id(o), canonical(o)]));
  const changed = result.filter((o) => before.get(id(o)) !== canonical(o));
  expect(result.length).toBe(release.length);
  // each object the Component is for, found and changed (a target kustomize finds no match for is
  // silently skipped: a wrong name would show here)
  const skip = platform.spec.kubeflow.skipAuth;
  const login = 'notPaths' in skip ? skip.notPaths.map((n) => `AuthorizationPolicy istio-system/${n}`)
    : ['ConfigMap istio-system/oidc-authservice-parameters', `StatefulSet istio-system/${skip.statefulSet}`];
  expect(changed.map(id).sort()).toEqual([...login, 'ConfigMap kubeflow/centraldashboard-config', ...(withSso ? ['Deployment auth/dex'] : [])].sort());
  // what the Component changed, applied (the release's unchanged objects include aggregated
  // ClusterRoles whose rules the aggregation controller owns: re-applying those conflicts with it
  // whatever the Component does)
  const file = path.join(work, 'result.json');
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: changed }));
  const applied = cluster.kubectl(['apply', '--server-side', '-f', file]);
  expect([applied.status, applied.stderr]).toEqual([0, '']);
  const again = cluster.kubectl(['diff', '--server-side', '-f', file]);
  expect([again.status, again.stdout, again.stderr]).toEqual([0, '', '']);
  for (const o of changed) {
    // read at the version the Component wrote (kind.version.group; the core group's only version is v1)
    const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
    const live = cluster.kubectl(['get', group ? `${o.kind.toLowerCase()}.${version}.${group}` : o.kind.toLowerCase(), o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []), '-o', 'json']);
    expect([id(o), live.status]).toEqual([id(o), 0]);
    expect([id(o), JSON.parse(live.stdout)]).toEqual([id(o), subsetOf(o)]);
  }
}

/** JSON of `o` with every object's keys sorted (kustomize writes keys in its own order). */
function canonical(o: any): string {
  return JSON.stringify(o, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

/** `o`'s content as a nested asymmetric matcher: the live object holds every value `o` sets (the API server adds defaults). */
function subsetOf(o: any): any {
  if (Array.isArray(o)) return o.map(subsetOf);
  if (o && typeof o === 'object') return expect.objectContaining(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, subsetOf(v)])));
  return o;
}

/**
 * Every Deployment's pod, created as a Pod in its namespace (server-side dry run: admission runs,
 * nothing is scheduled): the PodSecurity admission enforces the namespace's level on Pods (on
 * Deployments it only warns), so this is what the cluster would really refuse.
 */
function podsAdmitted(cluster: Cluster, file: string): void {
  const deployments = readDump('output.yaml', fs.readFileSync(file, 'utf8')).filter((o) => o.kind === 'Deployment');
  expect(deployments.length).toBeGreaterThan(0);
  for (const d of deployments) {
    const r = createPod(cluster, d, d.spec.template.spec);
    expect([`${d.metadata.namespace}/${d.metadata.name}`, r.status, r.stderr]).toEqual([`${d.metadata.namespace}/${d.metadata.name}`, 0, '']);
    // the check can fail: the same pod without its security settings is refused where the
    // namespace enforces "restricted" (Kubeflow 1.11's kubeflow namespace)
    const ns = cluster.kubectl(['get', 'namespace', d.metadata.namespace, '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}']).stdout;
    if (ns === 'restricted') {
      const bare = { ...d.spec.template.spec, securityContext: undefined, containers: d.spec.template.spec.containers.map((c: any) => ({ ...c, securityContext: undefined })) };
      expect(createPod(cluster, d, bare).stderr).toMatch(/violates PodSecurity "restricted:/);
    }
  }
}

/**
 * Issue 22, item 3: every ServiceAccount docs/rights.md lists for the preset and mode (each one the
 * output holds, binds, or runs a pod, Sensor or workflow as), asked of the API server in every
 * namespace (SelfSubjectRulesReview, impersonating the account with the groups its token carries):
 * beyond what an account nothing binds has, exactly what the page states. A role the page names
 * (Kubeflow's) counts with the rules the API server holds for it, as its aggregation controller
 * filled them (our kubeflowRoles included).
 */
function rightsAsDocumented(cluster: Cluster, platform: Platform, withSso: boolean): void {
  const key = `${platform.id} ${withSso ? 'with' : 'without'} sso`;
  const section = parseRightsDoc(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'rights.md'), 'utf8')).get(key);
  if (!section) throw new Error(`docs/rights.md has no section for ${key}: run npm run docs`);
  const namespaces = (JSON.parse(cluster.kubectl(['get', 'namespaces', '-o', 'json']).stdout).items as any[]).map((n) => n.metadata.name).sort();
  const clusterRoles = new Map(settledClusterRoles(cluster).map((c) => [c.metadata.name, c]));
  const base = new Set(apiRights(cluster, 'kfa-nobody', 'kfa-nobody', namespaces));
  expect(section.size).toBeGreaterThan(2);
  for (const [account, stated] of section) {
    const [ns, name] = account.split('/');
    const granted = apiRights(cluster, ns, name, namespaces).filter((a) => !base.has(a));
    const expected = new Set(stated.atoms.flatMap((a) => (a.startsWith('* ') ? namespaces.map((n) => `${n}${a.slice(1)}`) : [a])));
    for (const { where, role } of stated.roles) {
      expect([account, role, clusterRoles.has(role)]).toEqual([account, role, true]);
      for (const a of reviewAtoms(where, clusterRoles.get(role).rules ?? [])) expected.add(a);
    }
    expect([account, [...new Set(granted)].sort()]).toEqual([account, [...expected].sort()]);
  }
}

/**
 * Issue 22, item 4: argo-server's own token (a TokenRequest, as its pod would get) works, and with
 * it no other account's token can be had, by any of the ways Kubernetes hands one out: a
 * TokenRequest for any other ServiceAccount of the cluster, a token Secret it may create or list,
 * a pod or workload it may create to mount one, a binding or role it may write, impersonation.
 * (With `sso` it reads the SSO accounts' token Secrets by name, and may create a Secret in its SSO
 * namespace: those accounts are its job; Argo 3.3's cluster-wide Secret list is the documented
 * risk of `sso.allowClusterWideSecretList`.)
 */
function noOtherTokens(cluster: Cluster, file: string, platform: Platform): void {
  const objects = readDump('output.yaml', fs.readFileSync(file, 'utf8'));
  const server = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'argo-server');
  const ours = new Set(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  const ns = server.metadata.namespace;
  const sa = server.spec.template.spec.serviceAccountName;
  const issued = cluster.kubectl(['create', 'token', sa, '-n', ns, '--duration=10m']);
  expect([issued.status, issued.stderr]).toEqual([0, '']);
  const as = (args: string[], input?: string) => cluster.kubectl([...args, `--token=${issued.stdout.trim()}`], input);
  expect(as(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']).stdout).toBe(`system:serviceaccount:${ns}:${sa}`);
  const accounts = (JSON.parse(cluster.kubectl(['get', 'serviceaccounts', '-A', '-o', 'json']).stdout).items as any[])
    .map((a) => [a.metadata.namespace, a.metadata.name]).filter(([n, name]) => !(n === ns && name === sa));
  expect(accounts.length).toBeGreaterThan(5);
  for (const [n, name] of accounts) {
    const r = as(['create', 'token', name, '-n', n]);
    expect([`${n}/${name}`, r.status, /forbidden/i.test(r.stderr)]).toEqual([`${n}/${name}`, 1, true]);
  }
  const namespaces = [...new Set(accounts.map(([n]) => n))];
  const ways = [
    ['create', 'secrets'], ['list', 'secrets'], ['watch', 'secrets'], ['create', 'pods'], ['create', 'pods/exec'], ['create', 'deployments.apps'],
    ['create', 'jobs.batch'], ['create', 'cronjobs.batch'], ['create', 'statefulsets.apps'], ['create', 'daemonsets.apps'], ['create', 'replicasets.apps'],
    ['create', 'rolebindings.rbac.authorization.k8s.io'], ['create', 'roles.rbac.authorization.k8s.io'], ['escalate', 'roles.rbac.authorization.k8s.io'],
    ['bind', 'clusterroles.rbac.authorization.k8s.io'], ['impersonate', 'serviceaccounts'], ['impersonate', 'users'], ['impersonate', 'groups'],
    ['create', 'serviceaccounts/token'], ['update', 'serviceaccounts'], ['create', 'workflows.argoproj.io'],
  ];
  // Argo 3.3 finds SSO accounts only through a cluster-wide Secret list: the documented risk of
  // sso.allowClusterWideSecretList (docs/login.md), which every other line avoids
  const listsAll = platform.spec.argoWorkflows.sso.accountLookup === 'cluster-informer-with-secrets' && objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === SSO_CONFIG_MAP);
  const answers = selfAccess(as, namespaces.flatMap((n) => ways.map(([verb, resource]) => [n, verb, resource] as const)));
  for (const n of namespaces) {
    for (const [verb, resource] of ways) {
      const answer = answers.get(`${n} ${verb} ${resource}`);
      if (listsAll && resource === 'secrets' && (verb === 'list' || verb === 'watch')) {
        expect([n, verb, resource, answer]).toEqual([n, verb, resource, 'yes']);
        continue;
      }
      // a Secret argo-server may create in its SSO namespace (its session key, "sso") could be
      // a token Secret of an account there: only the SSO accounts it acts as, and ones with no rights
      if (answer === 'yes' && verb === 'create' && resource === 'secrets') {
        const base = new Set(apiRights(cluster, n, 'kfa-nobody', namespaces));
        for (const [, name] of accounts.filter(([an]) => an === n)) {
          if (ours.has(`${n}/${name}`)) continue;
          const extra = apiRights(cluster, n, name, namespaces).filter((a) => !base.has(a));
          expect([`${n}/${name}`, extra]).toEqual([`${n}/${name}`, []]);
        }
        continue;
      }
      expect([n, verb, resource, answer]).toEqual([n, verb, resource, 'no']);
    }
  }
  const clusterWide = selfAccess(as, [['', 'create', 'clusterrolebindings.rbac.authorization.k8s.io'], ['', 'create', 'certificatesigningrequests.certificates.k8s.io']]);
  expect([...clusterWide.values()]).toEqual(['no', 'no']);
}

/**
 * What `kubectl auth can-i` answers for each [namespace, verb, resource] (`resource[.group][/sub]`),
 * asked as SelfSubjectAccessReviews in one call with the caller's token (`as`).
 */
function selfAccess(as: (args: string[], input?: string) => { status: number | null; stdout: string; stderr: string }, questions: ReadonlyArray<readonly [string, string, string]>): Map<string, string> {
  const reviews = questions.map(([namespace, verb, spec]) => {
    const [main, subresource] = spec.split('/');
    const [resource, ...group] = main.split('.');
    return { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb, resource, group: group.join('.'), ...(subresource ? { subresource } : {}) } } };
  });
  const res = as(['create', '-o', 'json', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: reviews }));
  expect([res.status, res.stderr]).toEqual([0, '']);
  const out = res.stdout.split(/\n(?=\{)/).map((t) => JSON.parse(t));
  return new Map(questions.map(([n, verb, resource], i) => [`${n} ${verb} ${resource}`, out[i].status.allowed ? 'yes' : 'no']));
}

/** The cluster's ClusterRoles once two reads agree (the aggregation controller has caught up). */
function settledClusterRoles(cluster: Cluster): any[] {
  let last = '';
  for (let i = 0; i < 40; i++) {
    const now = cluster.kubectl(['get', 'clusterroles', '-o', 'json']).stdout;
    if (now === last) return JSON.parse(now).items;
    last = now;
    spawnSync('sleep', ['0.5']);
  }
  throw new Error('the ClusterRoles did not settle');
}

/** The rights the API server gives ServiceAccount `ns/name` in each namespace, as atoms. */
function apiRights(cluster: Cluster, ns: string, name: string, namespaces: readonly string[]): string[] {
  const reviews = namespaces.map((n) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: n } }));
  const r = cluster.kubectl(['create', '-o', 'json', '-f', '-', `--as=system:serviceaccount:${ns}:${name}`, '--as-group=system:serviceaccounts', `--as-group=system:serviceaccounts:${ns}`, '--as-group=system:authenticated'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: reviews }));
  expect([r.status, r.stderr]).toEqual([0, '']);
  const results = r.stdout.split(/\n(?=\{)/).map((t) => JSON.parse(t));
  return results.flatMap((res: any, i: number) => reviewAtoms(namespaces[i], res.status.resourceRules ?? []));
}

/** `kubectl create --dry-run=server` of Deployment `d`'s pod with `spec`. */
function createPod(cluster: Cluster, d: any, spec: any) {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${d.metadata.name}-pod`, namespace: d.metadata.namespace, labels: d.spec.template.metadata?.labels }, spec };
  return cluster.kubectl(['create', '--dry-run=server', '-o', 'name', '-f', '-'], JSON.stringify(pod));
}

describeUnless(why).each(PRESETS.flatMap((p) => [[p.id, 'with sso', p, true], [p.id, 'without sso', p, false]] as const))('%s %s: the output on a real API server', (_id, _sso, platform, withSso) => {
  test('server-side apply of the output and of the Kubeflow-side Component\'s result over the release\'s objects: no rejection, no warning, a second apply changes nothing; every Deployment\'s pod admitted; every account\'s rights as docs/rights.md states; argo-server\'s token yields no other', async () => {
    const cluster = await startCluster({ etcd: (bins as any).etcd, kubernetes: (bins as any).kubernetes });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-apply-'));
    try {
      installRelease(cluster, platform);
      const file = path.join(dir, 'output.yaml');
      const { manifests, component } = output(platform, withSso);
      fs.writeFileSync(file, manifests);
      const first = cluster.kubectl(['apply', '--server-side', '--field-manager=cdk8s-kubeflow-argo', '-f', file]);
      expect([first.status, first.stderr]).toEqual([0, '']);
      const again = cluster.kubectl(['diff', '--server-side', '--field-manager=cdk8s-kubeflow-argo', '-f', file]);
      expect([again.status, again.stdout, again.stderr]).toEqual([0, '', '']);
      componentApplied(cluster, platform, withSso, component, dir);
      podsAdmitted(cluster, file);
      rightsAsDocumented(cluster, platform, withSso);
      noOtherTokens(cluster, file, platform);
      // issue 21: what preflight reads, as kubectl really writes it: its -o yaml read item by
      // item (preflight/input.ts, as for a dump over 8 MB) gives the objects its -o json gives
      const kinds = 'namespaces,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings,deployments,services,configmaps';
      const asJson = cluster.kubectl(['get', kinds, '-A', '-o', 'json']);
      const asYaml = cluster.kubectl(['get', kinds, '-A', '-o', 'yaml']);
      expect([asJson.status, asYaml.status]).toEqual([0, 0]);
      const objects = readDump('dump.json', asJson.stdout);
      expect(objects.length).toBeGreaterThan(50);
      expect(readDump('dump.yaml', asYaml.stdout, { maxWholeYaml: 0, maxYamlPiece: 64 * 1024 })).toEqual(objects);
    } finally {
      cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
