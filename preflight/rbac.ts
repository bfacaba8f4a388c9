import { selects } from './selectors';

/** Who asks: a ServiceAccount (`namespace/name`) or a User. */
export type Subject = { readonly kind: 'ServiceAccount'; readonly namespace: string; readonly name: string } | { readonly kind: 'User'; readonly name: string };

/**
 * Kubernetes RBAC (kubernetes.io/docs/reference/access-authn-authz/rbac/): a RoleBinding grants
 * the rules of its Role (same namespace) or ClusterRole in its own namespace; a
 * ClusterRoleBinding grants a ClusterRole everywhere. A ClusterRole with an `aggregationRule`
 * has the rules of every ClusterRole whose labels match one of its `clusterRoleSelectors`
 * ("Aggregated ClusterRoles"), recursively, as the controller fills them in. Rules match by
 * apiGroup, resource, verb (`*` matches all) and `resourceNames` (when set, only those names).
 * Returns the binding that grants the request, or undefined.
 */
export function whoGrants(objects: readonly any[], subject: Subject, verb: string, group: string, resource: string, namespace: string, name?: string): string | undefined {
  const index = rbacIndex(objects);
  const grants = (rule: any) => (rule.apiGroups ?? []).some((g: string) => g === '*' || g === group)
    && (rule.resources ?? []).some((r: string) => r === '*' || r === resource)
    && (rule.verbs ?? []).some((v: string) => v === '*' || v === verb)
    && (!rule.resourceNames || (name !== undefined && rule.resourceNames.includes(name)));
  const key = subject.kind === 'ServiceAccount' ? `ServiceAccount ${subject.namespace}/${subject.name}` : `User ${subject.name}`;
  for (const b of index.bySubject.get(key) ?? []) {
    if (b.kind === 'RoleBinding' && b.metadata.namespace !== namespace) continue;
    if (index.rulesOf(b).some(grants)) return `${b.kind} ${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name} (${b.roleRef.kind} ${b.roleRef.name})`;
  }
  return undefined;
}

interface RbacIndex {
  /** The bindings naming each subject (`ServiceAccount ns/name`, `User name`), in the objects' order. */
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
      const keys = new Set<string>((o.subjects ?? []).map((s: any) => (s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace ?? o.metadata.namespace}/${s.name}` : s.kind === 'User' ? `User ${s.name}` : '')));
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
