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
  const clusterRoles = new Map<string, any>(objects.filter((o) => o.kind === 'ClusterRole').map((o) => [o.metadata.name, o]));
  const rulesOf = (role: any, seen = new Set<string>()): any[] => {
    if (!role) return [];
    if (role.kind !== 'ClusterRole' || !role.aggregationRule) return role.rules ?? [];
    if (seen.has(role.metadata.name)) return [];
    seen.add(role.metadata.name);
    const selectors = role.aggregationRule.clusterRoleSelectors ?? [];
    const members = [...clusterRoles.values()].filter((c) => c !== role && selectors.some((s: any) => selects(s, c.metadata.labels ?? {})));
    return members.flatMap((m) => rulesOf(m, seen));
  };
  const grants = (rule: any) => (rule.apiGroups ?? []).some((g: string) => g === '*' || g === group)
    && (rule.resources ?? []).some((r: string) => r === '*' || r === resource)
    && (rule.verbs ?? []).some((v: string) => v === '*' || v === verb)
    && (!rule.resourceNames || (name !== undefined && rule.resourceNames.includes(name)));
  for (const b of objects) {
    if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') continue;
    if (b.kind === 'RoleBinding' && b.metadata.namespace !== namespace) continue;
    const hit = (b.subjects ?? []).some((s: any) => (subject.kind === 'ServiceAccount'
      ? s.kind === 'ServiceAccount' && s.name === subject.name && (s.namespace ?? b.metadata.namespace) === subject.namespace
      : s.kind === 'User' && s.name === subject.name));
    if (!hit) continue;
    const role = b.roleRef.kind === 'ClusterRole' ? clusterRoles.get(b.roleRef.name)
      : b.kind === 'RoleBinding' ? objects.find((o) => o.kind === 'Role' && o.metadata.namespace === b.metadata.namespace && o.metadata.name === b.roleRef.name) : undefined;
    if (rulesOf(role).some(grants)) return `${b.kind} ${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name} (${b.roleRef.kind} ${b.roleRef.name})`;
  }
  return undefined;
}
