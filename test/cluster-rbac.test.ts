// Issue 22, item 6: the preflight's RBAC evaluator (preflight/rbac.ts) against the real API server.
// Seeded random Roles, ClusterRoles (aggregated ones among them, aggregated by the real
// controller), RoleBindings and ClusterRoleBindings (ServiceAccount, User and Group subjects) are
// applied; the preflight reads the cluster as users dump it (kubectl get … -o json) and answers
// thousands of seeded questions, each also asked as a SubjectAccessReview with the user and groups
// the API server gives that subject's token. Every disagreement is printed and fails the test.
import { readDump } from '../preflight/input';
import { Subject, whoGrants } from '../preflight/rbac';
import { Cluster, clusterBinaries, startCluster } from './cluster';
import { describeUnless, hasKubectl, seeded } from './util';

const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const why = bins.skipped;
// eslint-disable-next-line no-console
if (why) console.log(`cluster RBAC tests skipped: ${why}`);

const NAMESPACES = ['ns-0', 'ns-1', 'ns-2', 'ns-3'];
const RESOURCES: Record<string, readonly string[]> = {
  '': ['pods', 'pods/log', 'secrets', 'serviceaccounts', 'serviceaccounts/token', 'configmaps'],
  apps: ['deployments', 'deployments/scale'],
  'argoproj.io': ['workflows', 'workflowtemplates'],
};
const GROUPS = Object.keys(RESOURCES);
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const ACCOUNTS = NAMESPACES.flatMap((ns) => ['sa-0', 'sa-1'].map((name) => ({ kind: 'ServiceAccount' as const, namespace: ns, name })));
const USERS = ['alice@example.com', 'bob@example.com'].map((name) => ({ kind: 'User' as const, name }));
const AGG_LABELS = ['kfa-test/agg-0', 'kfa-test/agg-1', 'rbac.authorization.k8s.io/aggregate-to-view'];

type Rng = ReturnType<typeof seeded>;

function rule(r: Rng): any {
  const group = r.chance(0.1) ? '*' : r.pick(GROUPS);
  const resources = r.chance(0.1) ? ['*'] : r.chance(0.05) ? [r.pick(['*/log', '*/token', '*/scale'])] : r.some(group === '*' ? Object.values(RESOURCES).flat() : RESOURCES[group], 2);
  return {
    apiGroups: [group], resources, verbs: r.chance(0.1) ? ['*'] : r.some(VERBS, 3),
    ...(r.chance(0.15) ? { resourceNames: r.some(['a', 'b'], 2) } : {}),
  };
}

function subject(r: Rng): any {
  const n = r.next();
  if (n < 0.55) { const a = r.pick(ACCOUNTS); return { kind: 'ServiceAccount', namespace: a.namespace, name: a.name }; }
  if (n < 0.75) return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: r.pick(USERS).name };
  return { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: r.pick(['system:serviceaccounts', `system:serviceaccounts:${r.pick(NAMESPACES)}`, 'system:authenticated', 'team-x']) };
}

/** The seeded RBAC objects: 30 ClusterRoles (3 aggregated), 20 Roles, 60 bindings. */
function rbacObjects(r: Rng): any[] {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const objects: any[] = NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  objects.push(...ACCOUNTS.map((a) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: a.name, namespace: a.namespace } })));
  for (let i = 0; i < 30; i++) {
    const labels = r.chance(0.4) ? { [r.pick(AGG_LABELS)]: 'true' } : {};
    objects.push({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name: `cr-${i}`, labels }, rules: Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => rule(r)) });
  }
  objects.push(
    { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: 'agg-0', labels: { 'kfa-test/agg-1': 'true' } }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'kfa-test/agg-0': 'true' } }] } },
    { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: 'agg-1' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'kfa-test/agg-1': 'true' } }] } },
    { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: 'agg-both' }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'kfa-test/agg-0', operator: 'Exists' }] }, { matchLabels: { 'kfa-test/agg-1': 'true' } }] } },
  );
  for (let i = 0; i < 20; i++) {
    objects.push({ apiVersion: rbac, kind: 'Role', metadata: { name: `role-${i % 5}`, namespace: NAMESPACES[i % NAMESPACES.length] }, rules: Array.from({ length: 1 + Math.floor(r.next() * 2) }, () => rule(r)) });
  }
  const clusterRoleNames = [...Array.from({ length: 30 }, (_, i) => `cr-${i}`), 'agg-0', 'agg-1', 'agg-both', 'view', 'edit', 'missing'];
  for (let i = 0; i < 60; i++) {
    const subjects = Array.from({ length: 1 + Math.floor(r.next() * 2) }, () => subject(r));
    if (r.chance(0.25)) {
      objects.push({ apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: r.pick(clusterRoleNames) }, subjects });
    } else {
      const toRole = r.chance(0.35);
      objects.push({
        apiVersion: rbac, kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: r.pick(NAMESPACES) }, subjects,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: toRole ? 'Role' : 'ClusterRole', name: toRole ? `role-${Math.floor(r.next() * 6)}` : r.pick(clusterRoleNames) },
      });
    }
  }
  return objects;
}

interface Question { subject: Subject; verb: string; group: string; resource: string; namespace: string; name?: string }

function question(r: Rng): Question {
  const group = r.pick(GROUPS);
  return {
    subject: r.chance(0.7) ? r.pick(ACCOUNTS) : r.pick(USERS), verb: r.pick(VERBS), group, resource: r.pick(RESOURCES[group]),
    namespace: r.pick(NAMESPACES), ...(r.chance(0.4) ? { name: r.pick(['a', 'b', 'c']) } : {}),
  };
}

/** The SubjectAccessReview of a question, as the API server authenticates that subject's token. */
function review(q: Question): any {
  const [resource, subresource] = q.resource.split('/');
  const who = q.subject.kind === 'ServiceAccount'
    ? { user: `system:serviceaccount:${q.subject.namespace}:${q.subject.name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${q.subject.namespace}`, 'system:authenticated'] }
    : { user: q.subject.name, groups: ['system:authenticated'] };
  return {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
    spec: { ...who, resourceAttributes: { namespace: q.namespace, verb: q.verb, group: q.group, resource, ...(subresource ? { subresource } : {}), ...(q.name ? { name: q.name } : {}) } },
  };
}

/** The API server's answers, 500 reviews per kubectl call. */
function allowed(cluster: Cluster, questions: readonly Question[]): boolean[] {
  const answers: boolean[] = [];
  for (let i = 0; i < questions.length; i += 500) {
    const batch = questions.slice(i, i + 500).map(review);
    const r = cluster.kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: batch }));
    expect([r.status, r.stderr]).toEqual([0, '']);
    // one JSON document per review, one after the other
    const items = r.stdout.split(/\n(?=\{)/).map((t) => JSON.parse(t));
    expect(items).toHaveLength(batch.length);
    answers.push(...items.map((s: any) => s.status.allowed === true));
  }
  return answers;
}

/** Waits until the aggregation controller has filled each aggregated ClusterRole. */
async function aggregated(cluster: Cluster, names: readonly string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const roles = JSON.parse(cluster.kubectl(['get', 'clusterroles', ...names, '-o', 'json']).stdout).items;
    if (roles.every((c: any) => c.rules !== null && c.rules !== undefined && c.metadata.resourceVersion)) {
      // settled: two reads a second apart agree
      await new Promise((res) => setTimeout(res, 1000));
      const again = JSON.parse(cluster.kubectl(['get', 'clusterroles', ...names, '-o', 'json']).stdout).items;
      if (JSON.stringify(again.map((c: any) => c.rules)) === JSON.stringify(roles.map((c: any) => c.rules))) return;
    }
    if (Date.now() > deadline) throw new Error('the ClusterRole aggregation controller did not fill the aggregated roles');
    await new Promise((res) => setTimeout(res, 250));
  }
}

describeUnless(why)('the preflight\'s RBAC evaluator answers what the API server answers (issue 22, item 6)', () => {
  test.each([1, 2, 3])('seed %i: 60 bindings, 53 roles, 2,000 questions', async (seed) => {
    const cluster = await startCluster({ etcd: (bins as any).etcd, kubernetes: (bins as any).kubernetes });
    try {
      const r = seeded(seed);
      const objects = rbacObjects(r);
      const applied = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
      expect([applied.status, applied.stderr]).toEqual([0, '']);
      await aggregated(cluster, ['agg-0', 'agg-1', 'agg-both', 'view', 'edit']);
      // what a user dumps for the preflight
      const dump = readDump('rbac.json', cluster.kubectl(['get', 'clusterroles,clusterrolebindings,roles,rolebindings', '-A', '-o', 'json']).stdout);
      const questions = Array.from({ length: 2000 }, () => question(r));
      const real = allowed(cluster, questions);
      const ours = questions.map((q) => Boolean(whoGrants(dump, q.subject, q.verb, q.group, q.resource, q.namespace, q.name)));
      const wrong = questions.map((q, i) => ({ q, real: real[i], ours: ours[i] })).filter((x) => x.real !== x.ours);
      const show = (x: typeof wrong[number]) => `${JSON.stringify(x.q)}: API server ${x.real ? 'allows' : 'denies'}, preflight ${x.ours ? `allows (${whoGrants(dump, x.q.subject, x.q.verb, x.q.group, x.q.resource, x.q.namespace, x.q.name)})` : 'denies'}`;
      expect({ disagreements: wrong.length, first: wrong.slice(0, 8).map(show) }).toEqual({ disagreements: 0, first: [] });
      expect(real.filter(Boolean).length).toBeGreaterThan(100); // the questions reach both answers
    } finally {
      cluster.stop();
    }
  }, 300_000);
});
