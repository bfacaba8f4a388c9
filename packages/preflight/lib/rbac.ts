import { selects } from './selectors';

/**
 * Who asks: a ServiceAccount (`namespace/name`) or a User, with the groups its credentials carry
 * beyond those every such subject has (Kubernetes adds `system:authenticated` to every
 * authenticated user, and `system:serviceaccounts` and `system:serviceaccounts:<namespace>` to a
 * ServiceAccount's token: k8s.io/apiserver v0.34.2 pkg/authentication/serviceaccount/util.go
 * MakeGroupNames). A Group stands for what bindings of that group grant, and nothing else.
 */
export type Subject = { readonly kind: 'ServiceAccount'; readonly namespace: string; readonly name: string } | { readonly kind: 'User'; readonly name: string; readonly groups?: readonly string[] }
  | { readonly kind: 'Group'; readonly name: string };

/**
 * The binding keys (see rbacIndex) that name a subject, as Kubernetes' RBAC authorizer matches
 * subjects (k8s.io/kubernetes v1.34.2 pkg/registry/rbac/validation/rule.go appliesToUser): a User
 * subject by the user name (a ServiceAccount's is `system:serviceaccount:<ns>:<name>`), a Group
 * subject by any of the user's groups, a ServiceAccount subject by namespace and name.
 */
function subjectKeys(subject: Subject): string[] {
  if (subject.kind === 'ServiceAccount') {
    return [`ServiceAccount ${subject.namespace}/${subject.name}`, `User system:serviceaccount:${subject.namespace}:${subject.name}`,
      'Group system:serviceaccounts', `Group system:serviceaccounts:${subject.namespace}`, 'Group system:authenticated'];
  }
  if (subject.kind === 'Group') return [`Group ${subject.name}`];
  const groups = new Set(['system:authenticated', ...(subject.groups ?? [])]);
  return [`User ${subject.name}`, ...[...groups].map((g) => `Group ${g}`)];
}

/**
 * Whether a rule grants the request, as k8s.io/kubernetes v1.34.2
 * pkg/apis/rbac/v1/evaluation_helpers.go decides: apiGroup, verb (`*` matches all), resource
 * (`*`, the exact `resource/subresource`, or "*" then "/subresource"), and `resourceNames` (when set, the
 * request must name one of them).
 */
function grants(rule: any, verb: string, group: string, resource: string, name?: string): boolean {
  const sub = resource.includes('/') ? resource.slice(resource.indexOf('/') + 1) : '';
  return (rule.apiGroups ?? []).some((g: string) => g === '*' || g === group)
    && (rule.verbs ?? []).some((v: string) => v === '*' || v === verb)
    && (rule.resources ?? []).some((r: string) => r === '*' || r === resource || (sub !== '' && r === `*/${sub}`))
    && (!rule.resourceNames?.length || (name !== undefined && rule.resourceNames.includes(name)));
}

/**
 * Kubernetes RBAC (kubernetes.io/docs/reference/access-authn-authz/rbac/): a RoleBinding grants
 * the rules of its Role (same namespace) or ClusterRole in its own namespace; a
 * ClusterRoleBinding grants a ClusterRole everywhere. A ClusterRole with an `aggregationRule`
 * has the rules of every ClusterRole whose labels match one of its `clusterRoleSelectors`
 * ("Aggregated ClusterRoles"), recursively, as the controller fills them in. `resource` may name
 * a subresource (`serviceaccounts/token`). Returns the binding that grants the request, or
 * undefined. test/cluster/rbac.test.ts holds it to the API server's answers.
 */
export function whoGrants(objects: readonly any[], subject: Subject, verb: string, group: string, resource: string, namespace: string, name?: string): string | undefined {
  const index = rbacIndex(objects);
  for (const key of subjectKeys(subject)) {
    for (const b of index.bySubject.get(key) ?? []) {
      if (b.kind === 'RoleBinding' && b.metadata.namespace !== namespace) continue;
      if (index.rulesOf(b).some((rule) => grants(rule, verb, group, resource, name))) {
        return `${b.kind} ${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name} (${b.roleRef.kind} ${b.roleRef.name})`;
      }
    }
  }
  return undefined;
}

/** One binding that names a subject: where it grants (a namespace, or `*` for a ClusterRoleBinding) and its role's rules. */
export interface SubjectGrant { readonly binding: any; readonly scope: string; readonly rules: readonly any[] }

/**
 * Every binding that names `subject` (by itself or one of its groups, as whoGrants matches), with
 * the rules its role holds, aggregation resolved: the subject's whole rights, one entry a binding.
 */
export function grantsTo(objects: readonly any[], subject: Subject): SubjectGrant[] {
  const index = rbacIndex(objects);
  return subjectKeys(subject).flatMap((key) => (index.bySubject.get(key) ?? [])
    .map((b) => ({ binding: b, scope: b.kind === 'ClusterRoleBinding' ? '*' : b.metadata.namespace, rules: index.rulesOf(b) })));
}

interface RbacIndex {
  /** The bindings naming each subject (`ServiceAccount ns/name`, `User name`, `Group name`), in the objects' order. */
  readonly bySubject: Map<string, any[]>;
  /** The rules a binding's role holds (aggregation resolved). */
  readonly rulesOf: (binding: any) => any[];
}

/**
 * The objects' RBAC, indexed once per objects array: a check asks about every namespace, so a
 * scan of all bindings per question would grow with the square of the cluster (20,000
 * namespaces took over a minute).
 */
const INDEXES = new WeakMap<readonly any[], RbacIndex>();
function rbacIndex(objects: readonly any[]): RbacIndex {
  const cached = INDEXES.get(objects);
  if (cached) return cached;
  const clusterRoles = new Map<string, any>();
  const roles = new Map<string, any>();
  const bySubject = new Map<string, any[]>();
  for (const o of objects) {
    if (o.kind === 'ClusterRole' && !clusterRoles.has(o.metadata.name)) clusterRoles.set(o.metadata.name, o);
    else if (o.kind === 'Role') roles.set(`${o.metadata.namespace}/${o.metadata.name}`, roles.get(`${o.metadata.namespace}/${o.metadata.name}`) ?? o);
    else if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      const keys = new Set<string>((o.subjects ?? []).map((s: any) => (s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace || o.metadata.namespace}/${s.name}`
        : s.kind === 'User' || s.kind === 'Group' ? `${s.kind} ${s.name}` : '')));
      for (const k of keys) if (k) bySubject.set(k, [...(bySubject.get(k) ?? []), o]);
    }
  }
  const aggregated = new Map<string, any[]>();
  const collect = (role: any, seen: Set<string>): any[] => {
    if (!role) return [];
    if (!role.aggregationRule) return role.rules ?? [];
    if (seen.has(role.metadata.name)) return [];
    seen.add(role.metadata.name);
    const selectors = role.aggregationRule.clusterRoleSelectors ?? [];
    const members = [...clusterRoles.values()].filter((c) => c !== role && selectors.some((sel: any) => selects(sel, c.metadata.labels ?? {})));
    return members.flatMap((m) => collect(m, seen));
  };
  const clusterRulesOf = (role: any): any[] => {
    if (!role?.aggregationRule) return role?.rules ?? [];
    if (!aggregated.has(role.metadata.name)) aggregated.set(role.metadata.name, collect(role, new Set()));
    return aggregated.get(role.metadata.name)!;
  };
  const rulesOf = (b: any): any[] => (b.roleRef?.kind === 'ClusterRole' ? clusterRulesOf(clusterRoles.get(b.roleRef.name))
    : b.kind === 'RoleBinding' ? (roles.get(`${b.metadata.namespace}/${b.roleRef?.name}`)?.rules ?? []) : []);
  const index = { bySubject, rulesOf };
  INDEXES.set(objects, index);
  return index;
}
