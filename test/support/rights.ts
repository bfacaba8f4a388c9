// What each subject may do according to the Roles, ClusterRoles and bindings of an output, as
// lines and atoms: preflight/rbac.ts's evaluator (held to the API server by
// test/cluster/rbac.test.ts), which test/everyday/rbac.test.ts checks on the Kubernetes documentation's
// examples and compares with docs/security.md, and test/cluster/apply.test.ts with the API
// server's own enumeration (SelfSubjectRulesReview) for every preset.
import { grantsTo, Subject } from '../../packages/preflight/lib/rbac';

/**
 * The rights each subject a binding names gets, as sorted lines `<namespace or *> <group>/<resource>[names] <verbs>`,
 * from preflight/rbac.ts grantsTo (the evaluator test/cluster/rbac.test.ts holds to the API server):
 * a RoleBinding grants its Role's or ClusterRole's rules in its own namespace only; a
 * ClusterRoleBinding grants a ClusterRole's rules in every namespace (`*`); aggregated
 * ClusterRoles have their members' rules. Subjects are `ServiceAccount ns/name`, `User name`
 * or `Group name`.
 */
export function grants(objs: any[]): Record<string, string[]> {
  const subjects = new Map<string, Subject>();
  for (const b of objs.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
    for (const s of b.subjects ?? []) {
      if (s.kind === 'ServiceAccount') subjects.set(`ServiceAccount ${s.namespace || b.metadata.namespace}/${s.name}`, { kind: 'ServiceAccount', namespace: s.namespace || b.metadata.namespace, name: s.name });
      else if (s.kind === 'User') subjects.set(`User ${s.name}`, { kind: 'User', name: s.name });
      else if (s.kind === 'Group') subjects.set(`Group ${s.name}`, { kind: 'Group', name: s.name });
    }
  }
  const out: Record<string, string[]> = {};
  for (const [who, subject] of [...subjects].sort(([a], [b]) => a.localeCompare(b))) {
    const lines = new Set<string>();
    for (const { scope, rules } of grantsTo(objs, subject)) {
      for (const r of rules) {
        for (const g of r.apiGroups ?? []) {
          for (const res of r.resources ?? []) lines.add(`${scope} ${g}/${res}${r.resourceNames?.length ? `[${r.resourceNames.join(',')}]` : ''} ${r.verbs.join(',')}`);
        }
      }
    }
    if (lines.size) out[who] = [...lines].sort();
  }
  return out;
}

/** A SelfSubjectRulesReview status's resource rules as atoms in `namespace`: `<ns> <group>/<resource>[names] <verb>`. */
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
