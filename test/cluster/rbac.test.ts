// Issue 22, item 6: the preflight's RBAC evaluator (preflight/rbac.ts) against the real API server.
// Seeded random Roles, ClusterRoles (aggregated ones among them, nested, filled by the real
// controller), RoleBindings and ClusterRoleBindings (ServiceAccount, User and Group subjects) are
// applied, three small dense seeds and two with thousands of roles and bindings; the preflight
// reads the cluster as users dump it (kubectl get … -o json) and answers thousands of seeded
// questions, each also asked as a SubjectAccessReview with the user and groups the API server
// gives that subject's token; and for a sample of subjects, their whole rights (grantsTo, which
// docs/rights.md is built from) are what SelfSubjectRulesReview lists in every namespace. Every
// disagreement is printed and fails the test.
import { readDump } from '../../packages/preflight/lib/input';
import { grantsTo, Subject, whoGrants } from '../../packages/preflight/lib/rbac';
import { Cluster, clusterBinaries, startCluster } from '../support/cluster';
import { reviewAtoms } from '../support/rights';
import { describeUnless, hasKubectl, seeded } from '../support/util';

const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const why = bins.skipped;
// eslint-disable-next-line no-console
if (why) console.log(`cluster RBAC tests skipped: ${why}`);

const RESOURCES: Record<string, readonly string[]> = {
  '': ['pods', 'pods/log', 'secrets', 'serviceaccounts', 'serviceaccounts/token', 'configmaps'],
  apps: ['deployments', 'deployments/scale'],
  'argoproj.io': ['workflows', 'workflowtemplates'],
};
const GROUPS = Object.keys(RESOURCES);
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** How many of each object a seed's cluster gets. */
interface Size {
  readonly namespaces: number; readonly accountsPerNamespace: number; readonly users: number;
  readonly clusterRoles: number; readonly aggregated: number; readonly roles: number; readonly bindings: number; readonly questions: number;
}
const SMALL: Size = { namespaces: 4, accountsPerNamespace: 2, users: 2, clusterRoles: 30, aggregated: 3, roles: 20, bindings: 60, questions: 2000 };
// more subjects, fewer group and cluster-wide bindings: a random question still gets both answers
const LARGE: Size = { namespaces: 12, accountsPerNamespace: 20, users: 20, clusterRoles: 1000, aggregated: 12, roles: 1000, bindings: 2000, questions: 3000 };

/** The names a seed's cluster uses at a size. */
function world(size: Size) {
  const namespaces = Array.from({ length: size.namespaces }, (_, i) => `ns-${i}`);
  const accounts = namespaces.flatMap((ns) => Array.from({ length: size.accountsPerNamespace }, (_, i) => ({ kind: 'ServiceAccount' as const, namespace: ns, name: `sa-${i}` })));
  const users = Array.from({ length: size.users }, (_, i) => ({ kind: 'User' as const, name: `user-${i}@example.com` }));
  // a group or cluster-wide binding grants many subjects at once: as many at every size
  const wide = 60 / Math.max(60, size.bindings);
  const aggLabels = [...Array.from({ length: size.aggregated }, (_, i) => `kfa-test/agg-${i}`), 'rbac.authorization.k8s.io/aggregate-to-view'];
  return { namespaces, accounts, users, aggLabels, wide };
}
type World = ReturnType<typeof world>;

type Rng = ReturnType<typeof seeded>;

function rule(r: Rng): any {
  const group = r.chance(0.1) ? '*' : r.pick(GROUPS);
  const resources = r.chance(0.1) ? ['*'] : r.chance(0.05) ? [r.pick(['*/log', '*/token', '*/scale'])] : r.some(group === '*' ? Object.values(RESOURCES).flat() : RESOURCES[group], 2);
  return {
    apiGroups: [group], resources, verbs: r.chance(0.1) ? ['*'] : r.some(VERBS, 3),
    ...(r.chance(0.15) ? { resourceNames: r.some(['a', 'b'], 2) } : {}),
  };
}

function subject(r: Rng, w: World): any {
  const n = r.next();
  if (n < 1 - 0.25 * w.wide) {
    if (r.chance(0.75)) { const a = r.pick(w.accounts); return { kind: 'ServiceAccount', namespace: a.namespace, name: a.name }; }
    return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: r.pick(w.users).name };
  }
  return { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: r.pick(['system:serviceaccounts', `system:serviceaccounts:${r.pick(w.namespaces)}`, 'system:authenticated', 'team-x']) };
}

/**
 * The seeded RBAC objects at a size: ClusterRoles (some labelled for aggregation), aggregated
 * ClusterRoles selecting by label (matchLabels or matchExpressions; each labelled for the next, so
 * aggregation nests), Roles, and RoleBindings and ClusterRoleBindings to them, to Kubernetes'
 * own `view` and `edit`, and to roles that do not exist.
 */
function rbacObjects(r: Rng, size: Size, w: World): any[] {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const objects: any[] = w.namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  objects.push(...w.accounts.map((a) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: a.name, namespace: a.namespace } })));
  for (let i = 0; i < size.clusterRoles; i++) {
    // each aggregated role has at least one member with rules (cr-i carries agg-i's label)
    const labels = i < size.aggregated ? { [`kfa-test/agg-${i}`]: 'true' } : r.chance(0.4) ? { [r.pick(w.aggLabels)]: 'true' } : {};
    objects.push({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name: `cr-${i}`, labels }, rules: Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => rule(r)) });
  }
  for (let i = 0; i < size.aggregated; i++) {
    const key = `kfa-test/agg-${i}`;
    const selector = r.chance(0.5) ? { matchLabels: { [key]: 'true' } } : { matchExpressions: [{ key, operator: 'Exists' }] };
    const next = i + 1 < size.aggregated ? { [`kfa-test/agg-${i + 1}`]: 'true' } : {};
    objects.push({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name: `agg-${i}`, labels: next }, aggregationRule: { clusterRoleSelectors: [selector, ...(r.chance(0.3) ? [{ matchLabels: { [r.pick(w.aggLabels)]: 'true' } }] : [])] } });
  }
  const roleNames = Math.max(5, Math.floor(size.roles / w.namespaces.length));
  for (let i = 0; i < size.roles; i++) {
    objects.push({ apiVersion: rbac, kind: 'Role', metadata: { name: `role-${i % roleNames}`, namespace: w.namespaces[i % w.namespaces.length] }, rules: Array.from({ length: 1 + Math.floor(r.next() * 2) }, () => rule(r)) });
  }
  const clusterRoleNames = [...Array.from({ length: size.clusterRoles }, (_, i) => `cr-${i}`), ...Array.from({ length: size.aggregated }, (_, i) => `agg-${i}`), 'view', 'edit', 'missing'];
  for (let i = 0; i < size.bindings; i++) {
    const subjects = Array.from({ length: 1 + Math.floor(r.next() * 2) }, () => subject(r, w));
    if (r.chance(0.25 * w.wide)) {
      objects.push({ apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: r.pick(clusterRoleNames) }, subjects });
    } else {
      const toRole = r.chance(0.35);
      objects.push({
        apiVersion: rbac, kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: r.pick(w.namespaces) }, subjects,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: toRole ? 'Role' : 'ClusterRole', name: toRole ? `role-${Math.floor(r.next() * (roleNames + 1))}` : r.pick(clusterRoleNames) },
      });
    }
  }
  return objects;
}

interface Question { subject: Subject; verb: string; group: string; resource: string; namespace: string; name?: string }

function question(r: Rng, w: World): Question {
  const group = r.pick(GROUPS);
  return {
    subject: r.chance(0.7) ? r.pick(w.accounts) : r.pick(w.users), verb: r.pick(VERBS), group, resource: r.pick(RESOURCES[group]),
    namespace: r.pick(w.namespaces), ...(r.chance(0.4) ? { name: r.pick(['a', 'b', 'c']) } : {}),
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
  const deadline = Date.now() + 180_000;
  for (;;) {
    const roles = JSON.parse(cluster.kubectl(['get', 'clusterroles', ...names, '-o', 'json']).stdout).items;
    if (roles.every((c: any) => c.rules !== null && c.rules !== undefined && c.metadata.resourceVersion)) {
      // settled: two reads a second apart hold the same rules (in a cycle of aggregated roles the
      // controller may rewrite them in another order)
      await new Promise((res) => setTimeout(res, 1000));
      const again = JSON.parse(cluster.kubectl(['get', 'clusterroles', ...names, '-o', 'json']).stdout).items;
      const ruleSets = (rs: any[]) => JSON.stringify(rs.map((c: any) => (c.rules ?? []).map((x: any) => JSON.stringify(x)).sort()));
      if (ruleSets(again) === ruleSets(roles)) return;
    }
    if (Date.now() > deadline) throw new Error('the ClusterRole aggregation controller did not fill the aggregated roles');
    await new Promise((res) => setTimeout(res, 250));
  }
}

/**
 * What SelfSubjectRulesReview lists for `subject` in each namespace (impersonated with the groups
 * its token carries), and what preflight/rbac.ts grantsTo gives it there, as atoms.
 */
function enumerated(cluster: Cluster, dump: readonly any[], subject: Subject, namespaces: readonly string[]): { real: string[]; ours: string[] } {
  const as = subject.kind === 'ServiceAccount'
    ? [`--as=system:serviceaccount:${subject.namespace}:${subject.name}`, '--as-group=system:serviceaccounts', `--as-group=system:serviceaccounts:${subject.namespace}`, '--as-group=system:authenticated']
    : [`--as=${subject.name}`, '--as-group=system:authenticated'];
  const reviews = namespaces.map((namespace) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } }));
  const r = cluster.kubectl(['create', '-o', 'json', '-f', '-', ...as], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: reviews }));
  expect([r.status, r.stderr]).toEqual([0, '']);
  const real = r.stdout.split(/\n(?=\{)/).flatMap((t, i) => reviewAtoms(namespaces[i], JSON.parse(t).status.resourceRules ?? []));
  const grants = grantsTo(dump, subject);
  const ours = namespaces.flatMap((n) => reviewAtoms(n, grants.filter((g) => g.scope === '*' || g.scope === n).flatMap((g) => g.rules)));
  return { real: [...new Set(real)].sort(), ours: [...new Set(ours)].sort() };
}

describeUnless(why)('the preflight\'s RBAC evaluator answers what the API server answers (issue 22, item 6)', () => {
  test.each([[1, SMALL], [2, SMALL], [3, SMALL], [4, LARGE], [5, LARGE]] as const)('seed %i: %j', async (seed, size) => {
    const cluster = await startCluster({ etcd: (bins as any).etcd, kubernetes: (bins as any).kubernetes });
    try {
      const r = seeded(seed);
      const w = world(size);
      const objects = rbacObjects(r, size, w);
      const applied = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
      expect([applied.status, applied.stderr]).toEqual([0, '']);
      await aggregated(cluster, [...Array.from({ length: size.aggregated }, (_, i) => `agg-${i}`), 'view', 'edit']);
      // what a user dumps for the preflight
      const dump = readDump('rbac.json', cluster.kubectl(['get', 'clusterroles,clusterrolebindings,roles,rolebindings', '-A', '-o', 'json']).stdout);
      expect(dump.length).toBeGreaterThan(size.clusterRoles + size.bindings);
      const questions = Array.from({ length: size.questions }, () => question(r, w));
      const real = allowed(cluster, questions);
      const ours = questions.map((q) => Boolean(whoGrants(dump, q.subject, q.verb, q.group, q.resource, q.namespace, q.name)));
      const wrong = questions.map((q, i) => ({ q, real: real[i], ours: ours[i] })).filter((x) => x.real !== x.ours);
      const show = (x: typeof wrong[number]) => `${JSON.stringify(x.q)}: API server ${x.real ? 'allows' : 'denies'}, preflight ${x.ours ? `allows (${whoGrants(dump, x.q.subject, x.q.verb, x.q.group, x.q.resource, x.q.namespace, x.q.name)})` : 'denies'}`;
      expect({ disagreements: wrong.length, first: wrong.slice(0, 8).map(show) }).toEqual({ disagreements: 0, first: [] });
      // the questions reach both answers
      expect([real.filter(Boolean).length > size.questions / 20, real.filter((x) => !x).length > size.questions / 20]).toEqual([true, true]);
      // each subject's whole rights (what test/support/rights.ts and docs/rights.md are built from) as the API server enumerates them
      for (const subject of [...w.accounts.slice(0, 6), ...w.users.slice(0, 2)]) {
        const { real: listed, ours: given } = enumerated(cluster, dump, subject, w.namespaces);
        expect([JSON.stringify(subject), given]).toEqual([JSON.stringify(subject), listed]);
      }
    } finally {
      cluster.stop();
    }
  }, 600_000);
});
