// docs/rights.md: what every ServiceAccount of the reference app may do, per preset, with and
// without `sso`. Written by `npm run docs` (scripts/gen-rights-doc.js) from the output through
// preflight/rbac.ts; test/everyday/rights-doc.test.ts fails when the committed page is stale, and
// test/cluster/apply.test.ts holds each section to the API server's own enumeration
// (SelfSubjectRulesReview) on that preset's release.
import { App } from 'cdk8s';
import { KubeflowArgoChart, Platform } from '../packages/library/lib';
import { synthesizeApp } from '../packages/library/lib/synth/synthesize';
import { grantsTo } from '../packages/preflight/lib/rbac';

/** Every preset the reference page and the cluster suites cover: each Kubeflow release and the newest standalone KFP. */
export const RIGHTS_PRESETS: readonly Platform[] = [...Platform.ALL, Platform.KUBEFLOW_1_11.withStandaloneKfp('2.17')];

/** The profile of the reference app. */
export const REFERENCE_PROFILE = 'team-a';

/**
 * The reference app: everything a user of the preset would turn on (Kubeflow roles, one profile
 * with an owner and a contributor, a GitHub and a generic webhook source each triggering the
 * profile's template), with or without `sso`.
 */
export function referenceApp(platform: Platform, withSso: boolean, contributors: readonly string[] = ['bob@example.com'], defaultAccess?: 'view'): App {
  const app = new App();
  new KubeflowArgoChart(app, 'kfa', {
    platform, kubeflowRoles: true,
    profiles: [{ namespace: REFERENCE_PROFILE, owner: 'alice@example.com', contributors: [...contributors] }],
    ...(withSso ? { sso: { ...(platform.spec.argoWorkflows.sso.accountLookup === 'cluster-informer-with-secrets' ? { allowClusterWideSecretList: true } : {}), ...(defaultAccess ? { defaultAccess } : {}) } } : {}),
    events: {
      sources: [{ type: 'github', repositories: ['o/r'], webhookSecret: { name: 'gh', key: 'secret' } }, { type: 'webhook', name: 'hook', webhookSecret: { name: 'hook', key: 'token' } }],
      triggers: [{ source: 'github', profile: REFERENCE_PROFILE }, { source: 'hook', profile: REFERENCE_PROFILE }],
    },
  });
  return app;
}

/**
 * What Kubeflow's profile controller binds in every profile namespace (kubeflow/kubeflow
 * components/profile-controller/controllers/profile_controller.go: `default-editor` to
 * `kubeflow-edit`, `default-viewer` to `kubeflow-view`): the workflows of a profile run as
 * `default-editor`, so its rights are part of what the output relies on.
 */
export function profileControllerBindings(namespace: string): any[] {
  return [['default-editor', 'kubeflow-edit'], ['default-viewer', 'kubeflow-view']].map(([sa, role]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: sa, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
  }));
}

/** One grant of an account: where (a namespace, or `*` for every namespace), and either explicit rules or a role the output does not hold. */
export interface RightsRow { readonly where: string; readonly rules?: readonly any[]; readonly role?: string }

/** One preset and mode: each account (`namespace/name`) with its grants, in order. */
export interface RightsSection { readonly preset: string; readonly sso: boolean; readonly accounts: ReadonlyMap<string, readonly RightsRow[]> }

/**
 * The accounts of an output and their grants: every ServiceAccount it holds, binds, or runs a
 * pod, Sensor or workflow as; a role the output holds is spelled out, one it does not (Kubeflow's)
 * is named.
 */
export function rightsOf(objects: readonly any[]): Map<string, RightsRow[]> {
  const names = new Set<string>();
  const add = (ns: string | undefined, name: string | undefined) => ns && name && names.add(`${ns}/${name}`);
  for (const o of objects) {
    const ns = o.metadata?.namespace;
    if (o.kind === 'ServiceAccount') add(ns, o.metadata.name);
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') for (const s of o.subjects ?? []) if (s.kind === 'ServiceAccount') add(s.namespace || ns, s.name);
    add(ns, o.spec?.template?.spec?.serviceAccountName); // Deployments
    add(ns, o.spec?.template?.serviceAccountName); // Sensors, EventSources
    if (o.kind === 'WorkflowTemplate') add(ns, o.spec?.serviceAccountName ?? 'default');
  }
  const held = new Set(objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name));
  const all = [...objects, ...[...new Set(objects.filter((o) => o.kind === 'WorkflowTemplate').map((o) => o.metadata.namespace))].flatMap(profileControllerBindings)];
  const out = new Map<string, RightsRow[]>();
  for (const account of [...names].sort()) {
    const [namespace, name] = account.split('/');
    out.set(account, grantsTo(all, { kind: 'ServiceAccount', namespace, name })
      .map((g) => (g.binding.roleRef.kind === 'ClusterRole' && !held.has(g.binding.roleRef.name) ? { where: g.scope, role: g.binding.roleRef.name } : { where: g.scope, rules: g.rules }))
      .sort((a, b) => a.where.localeCompare(b.where)));
  }
  return out;
}

/** Every section of the page: each preset of RIGHTS_PRESETS without and with `sso`. */
export function rightsSections(): RightsSection[] {
  return RIGHTS_PRESETS.flatMap((platform) => [false, true].map((sso) => ({
    preset: platform.id, sso,
    accounts: rightsOf(synthesizeApp(referenceApp(platform, sso)).flatMap((f) => f.objects)),
  })));
}

const code = (s: string) => `\`${s}\``;

/** One rule's rights as items: `verbs \`resource\` (group) named \`a\`, \`b\``. */
function ruleItems(rule: any): string[] {
  return (rule.apiGroups ?? []).flatMap((g: string) => (rule.resources ?? []).map((r: string) => [
    rule.verbs.join(', '), code(r), ...(g ? [`(${g})`] : []), ...(rule.resourceNames?.length ? [`named ${rule.resourceNames.map(code).join(', ')}`] : []),
  ].join(' ')));
}

/** The page. */
export function renderRightsDoc(sections: readonly RightsSection[] = rightsSections()): string {
  const lines = [
    '# Rights per preset', '', '[Back to the README](../README.md) · [Security](security.md)', '',
    'What each ServiceAccount of the reference app may do, on every preset, without and with `sso`. The',
    `reference app turns everything on: \`kubeflowRoles\`, one profile (\`${REFERENCE_PROFILE}\`, an owner and a contributor), a GitHub and a`,
    'generic webhook source, each triggering the profile\'s template (`referenceApp` in `scripts/rights-doc.ts`).',
    'A role the output holds is spelled out; one of Kubeflow\'s is named, with the rules the release gives it',
    '(our `kubeflowRoles` aggregate into `kubeflow-edit` and `kubeflow-view`). `default-editor` is bound by',
    'Kubeflow\'s profile controller, not by us; the profile\'s workflows run as it.', '',
    'Written by `npm run docs`; `test/everyday/rights-doc.test.ts` fails when it is stale, and',
    '`npm run test:cluster` asks a real API server (SelfSubjectRulesReview) for every account of every',
    'section and fails on any difference, more or less.', '',
  ];
  for (const s of sections) {
    lines.push(`## ${code(s.preset)} ${s.sso ? 'with' : 'without'} \`sso\``, '', '| ServiceAccount | where | may |', '|---|---|---|');
    for (const [account, rows] of s.accounts) {
      if (!rows.length) lines.push(`| ${code(account)} | nowhere | nothing |`);
      for (const row of rows) {
        const where = row.where === '*' ? 'every namespace' : code(row.where);
        lines.push(`| ${code(account)} | ${where} | ${row.role ? `all of ClusterRole ${code(row.role)}` : row.rules!.flatMap(ruleItems).join('; ')} |`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** One account's rights as a section of the page states them: explicit atoms (`<ns> <group>/<resource>[names] <verb>`, `*` for every namespace) and named roles per namespace. */
export interface StatedRights { readonly atoms: string[]; readonly roles: Array<{ readonly where: string; readonly role: string }> }

/** The page read back: per section key (`<preset> with|without sso`), each account's stated rights. */
export function parseRightsDoc(text: string): Map<string, Map<string, StatedRights>> {
  const out = new Map<string, Map<string, StatedRights>>();
  let section: Map<string, StatedRights> | undefined;
  for (const line of text.split('\n')) {
    const heading = /^## `([^`]+)` (with|without) `sso`$/.exec(line);
    if (heading) out.set(`${heading[1]} ${heading[2]} sso`, section = new Map());
    const row = /^\| `([^`]+)` \| (every namespace|nowhere|`([^`]+)`) \| (.+) \|$/.exec(line);
    if (!row || !section) continue;
    const stated = section.get(row[1]) ?? { atoms: [], roles: [] };
    section.set(row[1], stated);
    const where = row[2] === 'every namespace' ? '*' : row[3];
    if (row[4] === 'nothing') continue;
    const role = /^all of ClusterRole `([^`]+)`$/.exec(row[4]);
    if (role) { stated.roles.push({ where, role: role[1] }); continue; }
    for (const item of row[4].split('; ')) {
      const m = /^([a-z*, ]+) `([^`]+)`(?: \(([^)]+)\))?(?: named (.+))?$/.exec(item);
      if (!m) throw new Error(`docs/rights.md: cannot read "${item}"`);
      const names = m[4] ? `[${m[4].split(', ').map((n) => n.replace(/`/g, '')).join(',')}]` : '';
      for (const verb of m[1].split(', ')) stated.atoms.push(`${where} ${m[3] ?? ''}/${m[2]}${names} ${verb}`);
    }
  }
  return out;
}
