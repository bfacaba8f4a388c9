// What each subject may do according to the Roles, ClusterRoles and bindings of an output: the
// evaluator test/rbac.test.ts checks on the Kubernetes documentation's examples and compares with
// docs/security.md, and test/cluster-apply.test.ts holds to the API server's own enumeration
// (SelfSubjectRulesReview) for every preset.

/**
 * The rights each subject gets, as sorted lines `<namespace or *> <group>/<resource> <verbs>`.
 * Implements Kubernetes "Using RBAC Authorization" (kubernetes.io/docs/reference/access-authn-authz/rbac/):
 * a RoleBinding grants the rules of the Role or ClusterRole it references within its own
 * namespace only; a ClusterRoleBinding grants a ClusterRole's rules in every namespace (`*`);
 * a RoleBinding cannot reference a Role of another namespace. Subjects are
 * `ServiceAccount ns/name` or `User name`. Aggregated ClusterRoles are not expanded (none of
 * ours is bound here; KubeflowArgoRoles aggregate into Kubeflow's own roles).
 */
export function grants(objs: any[]): Record<string, string[]> {
  const roles = new Map<string, any>();
  for (const o of objs) {
    if (o.kind === 'ClusterRole') roles.set(`ClusterRole/${o.metadata.name}`, o);
    if (o.kind === 'Role') roles.set(`Role/${o.metadata.namespace}/${o.metadata.name}`, o);
  }
  const out: Record<string, Set<string>> = {};
  for (const b of objs.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    const scope = b.kind === 'ClusterRoleBinding' ? '*' : b.metadata.namespace;
    if (b.kind === 'ClusterRoleBinding' && b.roleRef.kind !== 'ClusterRole') continue; // invalid: not granted
    const role = roles.get(b.roleRef.kind === 'Role' ? `Role/${b.metadata.namespace}/${b.roleRef.name}` : `ClusterRole/${b.roleRef.name}`);
    if (!role) continue; // a role managed elsewhere: nothing known here
    for (const s of b.subjects ?? []) {
      const who = s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace ?? b.metadata.namespace}/${s.name}` : `${s.kind} ${s.name}`;
      for (const r of role.rules ?? []) {
        for (const g of r.apiGroups ?? []) {
          for (const res of r.resources ?? []) {
            (out[who] ??= new Set()).add(`${scope} ${g}/${res}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''} ${r.verbs.join(',')}`);
          }
        }
      }
    }
  }
  return Object.fromEntries(Object.entries(out).sort().map(([k, v]) => [k, [...v].sort()]));
}

/**
 * `grants` lines of one subject as single rights per namespace, `<ns> <group>/<resource>[names] <verb>`:
 * a cluster-wide line (`*`) in each of `namespaces`.
 */
export function atoms(lines: readonly string[], namespaces: readonly string[]): string[] {
  const out = new Set<string>();
  for (const line of lines) {
    const [scope, what, verbs] = line.split(' ');
    for (const ns of scope === '*' ? namespaces : [scope]) for (const v of verbs.split(',')) out.add(`${ns} ${what} ${v}`);
  }
  return [...out].sort();
}

/** A SelfSubjectRulesReview status's resource rules as atoms in `namespace` (see atoms). */
export function reviewAtoms(namespace: string, rules: readonly any[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) {
      for (const res of r.resources ?? []) {
        for (const v of r.verbs ?? []) out.add(`${namespace} ${g}/${res}${r.resourceNames?.length ? `[${r.resourceNames.join(',')}]` : ''} ${v}`);
      }
    }
  }
  return [...out].sort();
}
