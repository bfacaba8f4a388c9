// SSO on every release, end to end without a cluster: the generated rules evaluated by the real
// expr library at the version and with the call each preset's argo-server tag uses
// (test/fixtures/exprrules, test/support/util.ts ARGO_EXPR), the account
// argo-server picks for sample users (a model of server/auth/gatekeeper.go rbacAuthorization per
// line), and what that account may then do, through the RBAC model (preflight/rbac.ts) on the
// release's own roles (test/support/release-cluster.ts). Also: the login redirect filter run by Lua 5.1
// (the dialect of Envoy's Lua filter), and the Dex patch applied to each release's Dex with
// kubectl kustomize.
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { KubeflowArgoChart, KubeflowProfile, Platform } from '../../packages/library/lib';
import { loginLua } from '../../packages/library/lib/argo-server/login-redirect';
import { preflight } from '../../packages/preflight/lib/checks';
import { whoGrants } from '../../packages/preflight/lib/rbac';
import { kustomize, MANIFESTS, releaseCluster } from '../support/release-cluster';
import { Headers, runLuaFilter } from '../support/envoy-lua';
import { evaluateRules, exprRuleEvaluator, hasKubectl, lua51, Obj, RuleEvaluator, PRESETS, describeUnless } from '../support/util';

const built = PRESETS.map((p) => exprRuleEvaluator(p.spec.argoWorkflows.manifests));
/** The rule evaluation of a preset's argo-server tag. */
const evaluatorOf = (platform: Platform): RuleEvaluator => built[PRESETS.indexOf(platform)].evaluator ?? exprRuleEvaluator(platform.spec.argoWorkflows.manifests).evaluator!;
const why = built.find((b) => b.skipped)?.skipped ?? (!fs.existsSync(MANIFESTS) ? `${MANIFESTS} not found` : !hasKubectl() ? 'kubectl not found' : undefined);
// eslint-disable-next-line no-console
if (why) console.log(`SSO release tests skipped: ${why}`);
const describeReleases = describeUnless(why);

const TEAM_A: KubeflowProfile = { namespace: 'team-a', owner: 'alice@example.com', contributors: ['bob@example.com'] };
const TEAM_B: KubeflowProfile = { namespace: 'team-b', owner: 'carol@example.com', contributors: ['bob@example.com'] };
/** A group only where the line can carry one (3.3; 3.4.17+ compiles against the claims); its name has the characters quoting must survive. */
const ML_GROUP = 'ml "research" \\ team';

/** A user as argo-server sees them: the JSON of its claims (omitempty: no `groups` without groups). */
const claims = (email: string, groups?: string[]) => ({
  iss: 'argo-server', sub: `Cg${email}`, exp: 1900000000, email, email_verified: true, ...(groups ? { groups } : {}),
});
const USERS = {
  owner: claims('alice@example.com'),
  contributorOfBoth: claims('bob@example.com'),
  ownerOfB: claims('carol@example.com'),
  stranger: claims('mallory@example.com', ['other']),
  strangerWithoutEmail: { iss: 'argo-server', sub: 'x', exp: 1900000000 },
  groupMember: claims('erin@example.com', [ML_GROUP]),
};

interface Account { namespace: string; name: string; rule: string; precedence: number }
type Choice = { namespace: string; name: string } | { denied: string };

/**
 * argo-server's choice for a request in `namespace` (undefined: a request with none, e.g. the
 * user info): rbacAuthorization at the line's tag. The accounts of a namespace are sorted by
 * precedence, highest first, and the first whose rule is true wins; a rule that errors refuses
 * the user outright. 3.1, 3.2: only argo-server's namespace. 3.3+: a login account there must
 * match; with SSO_DELEGATE_RBAC_TO_NAMESPACE, an account of the request's namespace replaces it
 * when its precedence is strictly higher.
 */
function choose(platform: Platform, accounts: readonly Account[], user: Record<string, unknown>, namespace: string | undefined, home = 'argo-server-sso'): Choice {
  const sso = platform.spec.argoWorkflows.sso;
  const results = evaluateRules(evaluatorOf(platform), accounts.map((a) => ({ rule: a.rule, claims: argoClaims(platform, user) })));
  const verdict = new Map(accounts.map((a, i) => [a, results[i]]));
  const match = (ns: string): Account | { denied: string } | undefined => {
    const candidates = accounts.filter((a) => a.namespace === ns).sort((a, b) => b.precedence - a.precedence);
    for (const a of candidates) {
      const v = verdict.get(a);
      if (typeof v === 'string') return { denied: `failed to evaluate rule: ${v}` };
      if (v) return a;
    }
    return undefined;
  };
  const login = match(home);
  if (login && 'denied' in login) return login;
  // up to 3.7 a user must match a login account; 4.0 goes on to the namespace's accounts (ArgoSsoPreset.loginAccountRequired)
  if (!login && sso.loginAccountRequired) return { denied: 'no service account rule matches' };
  if (sso.namespaceDelegation && namespace && namespace !== home) {
    const own = match(namespace);
    if (own && !('denied' in own) && (!login || own.precedence > login.precedence)) return own;
  }
  return login ?? { denied: 'no service account rule matches' };
}

/**
 * The claims as argo-server shows them to the rules: `email_verified` only while true on 3.1 to
 * 3.3 (`json:"email_verified,omitempty"`), never from 3.4 (`json:"-"`, server/auth/types/claims.go).
 */
function argoClaims(platform: Platform, user: Record<string, unknown>): Record<string, unknown> {
  const { email_verified: verified, ...rest } = user;
  return platform.spec.argoWorkflows.sso.emailVerifiedInRules && verified === true ? { ...rest, email_verified: true } : rest;
}

/** The requests compared with kubeflow-edit's: Argo's kinds and the core ones a workflow touches. */
const REQUESTS: Array<[string, string, string]> = [];
for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']) {
  for (const [group, resource] of [['argoproj.io', 'workflows'], ['argoproj.io', 'workflowtemplates'], ['argoproj.io', 'cronworkflows'], ['argoproj.io', 'workfloweventbindings'],
    ['argoproj.io', 'clusterworkflowtemplates'], ['argoproj.io', 'eventsources'], ['argoproj.io', 'sensors'], ['', 'pods'], ['', 'pods/log'], ['', 'secrets'], ['', 'configmaps'],
    ['', 'serviceaccounts'], ['', 'events'], ['rbac.authorization.k8s.io', 'rolebindings']]) {
    REQUESTS.push([verb, group, resource]);
  }
}

/**
 * The SSO chart for `platform` (groups where the line carries them), its accounts as argo-server
 * reads them, and the cluster it lands in: the release's roles, both profiles' default bindings,
 * reference accounts bound to kubeflow-edit and kubeflow-view in each profile, and the output.
 */
function setup(platform: Platform, sso: Record<string, unknown> = {}) {
  const argo = platform.spec.argoWorkflows;
  const groups = argo.sso.namespaceDelegation && !argo.sso.strictClaims;
  const profiles = [{ ...TEAM_A, ...(groups ? { groups: [ML_GROUP] } : {}) }, TEAM_B];
  const c = new KubeflowArgoChart(Testing.app(), 'kfa', {
    platform, profiles, kubeflowRoles: platform.spec.kubeflow.editRoleHasArgo && sso.defaultAccess !== 'view' ? undefined : true,
    sso: { ...(argo.sso.accountLookup === 'cluster-informer-with-secrets' ? { allowClusterWideSecretList: true } : {}), ...sso },
  });
  const output = Testing.synth(c) as Obj[];
  const accounts: Account[] = c.profileAccess!.accounts.map((a) => ({
    namespace: a.serviceAccount.metadata.namespace!, name: a.serviceAccount.name, rule: a.rule, precedence: a.precedence,
  }));
  const annotated = output.filter((o) => o.kind === 'ServiceAccount' && o.metadata.annotations?.['workflows.argoproj.io/rbac-rule']);
  // the model reads what the cluster would: the annotations as written
  expect(annotated.map((o) => [o.metadata.namespace, o.metadata.name, o.metadata.annotations['workflows.argoproj.io/rbac-rule'], Number(o.metadata.annotations['workflows.argoproj.io/rbac-rule-precedence'])]))
    .toEqual(accounts.map((a) => [a.namespace, a.name, a.rule, a.precedence]));
  const reference = (role: string) => ['team-a', 'team-b'].map((ns) => ({ kind: 'RoleBinding', metadata: { name: `reference-${role}`, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ kind: 'ServiceAccount', name: `reference-${role}`, namespace: ns }] }));
  const cluster = [
    ...releaseCluster(platform, 'team-a'),
    ...releaseCluster(platform, 'team-b').filter((o) => o.kind === 'RoleBinding'),
    ...reference('kubeflow-edit'), ...reference('kubeflow-view'),
    ...output,
  ];
  const rights = (sa: { namespace: string; name: string }, ns: string) => REQUESTS.filter(([verb, group, resource]) => whoGrants(cluster, { kind: 'ServiceAccount', ...sa }, verb, group, resource, ns)).map((r) => r.join(' '));
  /** What argo-server lets `user` do in `ns`: the rights of the account it picks, or nothing. */
  const asUser = (user: Record<string, unknown>, ns: string) => {
    const ch = choose(platform, accounts, user, ns);
    return 'denied' in ch ? [] : rights(ch, ns);
  };
  return {
    argo, groups, c, output, accounts, cluster, rights, asUser,
    editor: (ns: string) => rights({ namespace: ns, name: 'reference-kubeflow-edit' }, ns),
    viewer: (ns: string) => rights({ namespace: ns, name: 'reference-kubeflow-view' }, ns),
  };
}

describeReleases.each(PRESETS.map((p) => [p.id, p] as const))('%s', (_id, platform) => {
  const { argo, groups, c, output, accounts, cluster, rights, editor } = setup(platform);

  test('the rules parse and select the right account: owner, contributor in two profiles, strangers', () => {
    const at = (user: Record<string, unknown>, ns?: string) => {
      const ch = choose(platform, accounts, user, ns);
      return 'denied' in ch ? ch.denied : `${ch.namespace}/${ch.name}`;
    };
    if (argo.sso.namespaceDelegation) {
      expect(at(USERS.owner, 'team-a')).toBe('team-a/argo-sso-editor');
      expect(at(USERS.owner, 'team-b')).toBe('argo-server-sso/argo-sso-login');
      expect(at(USERS.owner)).toBe('argo-server-sso/argo-sso-login');
      expect(at(USERS.contributorOfBoth, 'team-a')).toBe('team-a/argo-sso-editor');
      expect(at(USERS.contributorOfBoth, 'team-b')).toBe('team-b/argo-sso-editor');
      expect(at(USERS.ownerOfB, 'team-a')).toBe('argo-server-sso/argo-sso-login');
      if (groups) {
        expect(at(USERS.groupMember, 'team-a')).toBe('team-a/argo-sso-editor');
        expect(at(USERS.groupMember, 'team-b')).toBe('argo-server-sso/argo-sso-login');
      }
    } else {
      const user = (email: string) => `argo-server-sso/${c.profileAccess!.accounts.find((a) => a.rule.endsWith(`email == "${email}")`))!.serviceAccount.name}`;
      for (const ns of [undefined, 'team-a', 'team-b']) {
        expect(at(USERS.owner, ns)).toBe(user('alice@example.com'));
        expect(at(USERS.contributorOfBoth, ns)).toBe(user('bob@example.com'));
      }
    }
    for (const ns of [undefined, 'team-a', 'team-b', 'kubeflow']) {
      expect(at(USERS.stranger, ns)).toBe('no service account rule matches');
      // a token without email: no rule matches, or, where rules are compiled against the claims
      // (3.4.17+), the first rule fails to compile; refused either way
      expect(at(USERS.strangerWithoutEmail, ns)).toEqual(argo.sso.strictClaims ? expect.stringMatching(/^failed to evaluate rule: unknown name email/) : 'no service account rule matches');
      if (!groups) expect(at(USERS.groupMember, ns)).toBe('no service account rule matches');
    }
  });

  test('an owner and a contributor can do exactly what kubeflow-edit allows in their profiles, and nothing elsewhere', () => {
    const where = (user: Record<string, unknown>, ns: string) => {
      const ch = choose(platform, accounts, user, ns);
      if ('denied' in ch) throw new Error(ch.denied);
      return ch;
    };
    expect(editor('team-a')).toEqual(expect.arrayContaining(['create argoproj.io workflows', 'get argoproj.io workflowtemplates', 'delete  pods']));
    const members: Array<[Record<string, unknown>, string[]]> = [[USERS.owner, ['team-a']], [USERS.contributorOfBoth, ['team-a', 'team-b']], [USERS.ownerOfB, ['team-b']]];
    for (const [user, own] of members) {
      for (const ns of ['team-a', 'team-b', 'kubeflow', 'other-profile']) {
        const account = where(user, ns);
        // whatever account serves the request, in this namespace it has kubeflow-edit's rights or none
        expect(rights(account, ns)).toEqual(own.includes(ns) ? editor(ns) : []);
      }
      // and nothing cluster-wide
      expect(REQUESTS.filter(([verb, group, resource]) => whoGrants(cluster, { kind: 'ServiceAccount', ...where(user, 'kubeflow') }, verb, group, resource, 'some-namespace'))).toEqual([]);
    }
  });

  test('the preflight checks pass on the release\'s own objects with the SSO output: argo-server reaches Dex, every account may work in its profiles', () => {
    const both = (component?: string) => [...releaseCluster(platform, 'team-a', component), ...releaseCluster(platform, 'team-b').filter((o) => o.kind === 'RoleBinding' || (o.kind === 'Namespace' && o.metadata.name === 'team-b'))];
    const results = preflight(both(c.kubeflowPatches!.component), output);
    expect(results.filter((r) => !r.pass).map((r) => `${r.check}: ${r.detail}`)).toEqual([]);
    expect(results.map((r) => r.check)).toEqual(expect.arrayContaining([
      'argo-server → Kubeflow\'s Dex (auth) on TCP 5556',
      ...(argo.sso.namespaceDelegation ? ['SSO account team-a/argo-sso-editor may create Workflows in profile team-a', 'SSO account team-b/argo-sso-editor may create Workflows in profile team-b'] : []),
    ]));
    expect(results.filter((r) => r.check.startsWith('SSO account')).length).toBe(argo.sso.namespaceDelegation ? 2 : 4);
    if (platform === Platform.KUBEFLOW_1_4) {
      // without KubeflowArgoRoles, Kubeflow 1.4's kubeflow-edit has no Argo rights: the check says so
      const stripped = output.filter((o) => !(o.kind === 'ClusterRole' && o.metadata.name.startsWith('kubeflow-argo-')));
      const failed = preflight(both(), stripped).filter((r) => !r.pass && r.check.startsWith('SSO account'));
      expect(failed.map((r) => r.detail)).toEqual(Array(4).fill(expect.stringMatching(/binds ClusterRole kubeflow-edit, which grants no create on workflows here/)));
    }
  });

  test('argo-server may read exactly the accounts\' tokens (or, on 3.3, every Secret through its informer) and no workflow rights of its own', () => {
    const me = { kind: 'ServiceAccount' as const, namespace: 'kubeflow', name: 'argo-server' };
    const tokens = output.filter((o) => o.kind === 'Secret');
    expect(tokens.length).toBe(accounts.length);
    const cacheAll = argo.sso.accountLookup === 'cluster-informer-with-secrets';
    // 3.3 reads the tokens from its informer (list and watch); later lines get them by name
    for (const t of tokens) expect(whoGrants(cluster, me, cacheAll ? 'watch' : 'get', '', 'secrets', t.metadata.namespace!, t.metadata.name)).toBeDefined();
    expect(whoGrants(cluster, me, 'get', '', 'secrets', 'team-a', 'mlpipeline-minio-artifact') !== undefined).toBe(false);
    expect(whoGrants(cluster, me, 'list', '', 'secrets', 'team-a') !== undefined).toBe(cacheAll);
    expect(whoGrants(cluster, me, 'get', '', 'secrets', 'kubeflow', 'mysql-secret')).toBeUndefined();
    // its own "sso" key, created at every start: only in its SSO namespace (issue 20, item 6)
    expect(whoGrants(cluster, me, 'create', '', 'secrets', 'argo-server-sso')).toBeDefined();
    for (const ns of ['kubeflow', 'team-a', 'team-b', 'auth', 'istio-system', 'kube-system']) expect(whoGrants(cluster, me, 'create', '', 'secrets', ns)).toBeUndefined();
    expect(whoGrants(cluster, me, 'list', '', 'serviceaccounts', argo.sso.accountLookup === 'namespace-list' ? 'argo-server-sso' : 'team-a')).toBeDefined();
    for (const verb of ['create', 'update', 'delete']) expect(whoGrants(cluster, me, verb, 'argoproj.io', 'workflows', 'team-a')).toBeUndefined();
  });
});

describeReleases.each(PRESETS.map((p) => [p.id, p] as const))('%s: issue 20, item 6, argo-server cannot mint another account\'s token', (_id, platform) => {
  const { c, output, cluster } = setup(platform);
  const mint = (objs: readonly any[]) => preflight(objs, output).find((r) => r.check.startsWith('argo-server (ServiceAccount kubeflow/argo-server) cannot obtain'))!;

  test('the preflight passes the output: create on Secrets only in the SSO namespace, whose other accounts are its own readable ones', () => {
    const r = mint(cluster);
    expect([r.pass, r.detail]).toEqual([true, expect.any(String)]);
    expect(c.argoServer.sso!.namespace).toBe('argo-server-sso');
  });

  test('the previous output (its Role in kubeflow) fails with one line naming the cluster-admin account it could mint a token for', () => {
    const old = { kind: 'Role', metadata: { name: 'argo-server', namespace: 'kubeflow' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }] };
    const bind = { kind: 'RoleBinding', metadata: { name: 'argo-server', namespace: 'kubeflow' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'argo-server' }, subjects: [{ kind: 'ServiceAccount', name: 'argo-server', namespace: 'kubeflow' }] };
    const r = mint([...cluster, old, bind]);
    expect(r.pass).toBe(false);
    expect(r.detail).toMatch(/^it may create Secrets in kubeflow \(RoleBinding kubeflow\/argo-server \(Role argo-server\)\), so it can create a service-account-token Secret for ServiceAccount kubeflow\/profiles-controller-service-account \(bound by .*ClusterRoleBinding profiles-cluster-role-?binding \(ClusterRole cluster-admin\).*\) and read its token; run argo-server with sso.namespace/);
    expect(r.detail).not.toContain('\n');
  });

  test('sso.namespace cannot be kubeflow, argo-server\'s own or a profile\'s', () => {
    const chart = (sso: Record<string, unknown>, profiles = [TEAM_A]) => () => new KubeflowArgoChart(Testing.app(), 'kfa', { platform, profiles, kubeflowRoles: true, sso: { ...(platform.spec.argoWorkflows.sso.accountLookup === 'cluster-informer-with-secrets' ? { allowClusterWideSecretList: true } : {}), ...sso } });
    expect(chart({ namespace: 'kubeflow' })).toThrow(/sso\.namespace holds other ServiceAccounts, and argo-server needs create on Secrets in its SSO namespace.*got "kubeflow"\. Fix: leave it out for "argo-server-sso"/);
    expect(chart({ namespace: 'team-a' })).toThrow(/profiles\[0\]\.namespace is argo-server's SSO namespace/);
  });
});

describeReleases.each(PRESETS.map((p) => [p.id, p] as const))('%s with defaultAccess: "view"', (_id, platform) => {
  const { asUser, editor, viewer } = setup(platform, { defaultAccess: 'view' });

  test('anyone who logs in views every listed profile; members still edit their own; nothing elsewhere', () => {
    expect(viewer('team-a')).toEqual(expect.arrayContaining(['get argoproj.io workflows', 'list argoproj.io workflows']));
    expect(viewer('team-a')).not.toContain('create argoproj.io workflows');
    // anyone: on 3.1 to 3.3 anyone whose address the provider verified (sso.requireVerifiedEmail)
    const verifiedOnly = platform.spec.argoWorkflows.sso.emailVerifiedInRules;
    for (const user of [USERS.stranger, USERS.strangerWithoutEmail]) {
      const seen = verifiedOnly && (user as Record<string, unknown>).email_verified !== true ? [] : undefined;
      expect(asUser(user, 'team-a')).toEqual(seen ?? viewer('team-a'));
      expect(asUser(user, 'team-b')).toEqual(seen ?? viewer('team-b'));
      expect(asUser(user, 'kubeflow')).toEqual([]);
    }
    expect(asUser({ ...USERS.owner, email_verified: false }, 'team-a')).toEqual(verifiedOnly ? [] : editor('team-a'));
    expect(asUser(USERS.owner, 'team-a')).toEqual(editor('team-a'));
    expect(asUser(USERS.owner, 'team-b')).toEqual(viewer('team-b'));
    expect(asUser(USERS.contributorOfBoth, 'team-b')).toEqual(editor('team-b'));
    expect(asUser(USERS.owner, 'other-profile')).toEqual([]);
  });
});

describeReleases('issue 20, item 5: a profile account left in the cluster, for a user removed from every profile', () => {
  // carol owned team-b; the new output drops team-b, so she matches no login account any more
  test.each(PRESETS.slice(-2).map((p) => [p.id, p] as const))('%s', (_id, platform) => {
    const { accounts } = setup(platform);
    const stale = accounts.find((a) => a.namespace === 'team-b' && a.name === 'argo-sso-editor')!;
    const now = [
      { ...accounts.find((a) => a.name === 'argo-sso-login')!, rule: 'email in ["alice@example.com", "bob@example.com"]' },
      accounts.find((a) => a.namespace === 'team-a')!,
      stale,
    ];
    const choice = choose(platform, now, USERS.ownerOfB, 'team-b');
    // 3.7 refuses her (no login account matches); 4.0 lets the stale account admit her: prune it
    expect('denied' in choice ? choice.denied : `${choice.namespace}/${choice.name}`)
      .toBe(platform.spec.argoWorkflows.sso.loginAccountRequired ? 'no service account rule matches' : 'team-b/argo-sso-editor');
  });
});

describeReleases('issue 20, item 4: a rule naming groups, for a user in no group, per argo-server tag (its go.mod\'s expr, its call)', () => {
  const rule = 'email == "alice@example.com" || (groups != nil && any(groups, {# in ["ml"]}))';
  const run = (tag: string, user: Record<string, unknown>) => {
    const e = exprRuleEvaluator(tag);
    if (!e.evaluator) throw new Error(e.skipped);
    return evaluateRules(e.evaluator, [{ rule, claims: user }])[0];
  };
  test.each([['v3.3.10', false], ['v3.4.16', false], ['v3.4.17', true], ['v3.4.18', true], ['v3.5.4', false], ['v3.5.5', true], ['v3.5.15', true], ['v4.0.10', true]] as const)('%s refuses the user: %s', (tag, refused) => {
    const verdict = run(tag, USERS.contributorOfBoth);
    expect(typeof verdict === 'string' ? verdict : 'evaluated').toEqual(refused ? expect.stringMatching(/unknown name groups/) : 'evaluated');
    // a member of the group is let in on every tag
    expect(run(tag, claims('erin@example.com', ['ml']))).toBe(true);
  });

  test('so every preset whose pinned tag compiles against the claims refuses groups (ArgoSsoPreset.strictClaims)', () => {
    for (const p of PRESETS) {
      const strict = typeof run(p.spec.argoWorkflows.manifests, USERS.contributorOfBoth) === 'string';
      expect([p.id, p.spec.argoWorkflows.sso.strictClaims]).toEqual([p.id, strict]);
    }
  });
});

describeReleases('the SSO login filter on argo-server\'s sidecar, in Lua 5.1 (the dialect of Envoy\'s Lua filter)', () => {
  const lua = lua51();
  const DEX = 'http://dex.auth.svc.cluster.local:5556/dex';
  /** One request and its response through the filter (test/support/envoy-lua.ts). */
  const run = (request: Headers, response: Headers, settings: { secureCookie?: boolean; browserIssuer?: string } = {}): Headers => {
    const code = loginLua({ baseHref: '/argo/', issuer: DEX, browserIssuer: settings.browserIssuer ?? '/dex', secureCookie: settings.secureCookie ?? true });
    return runLuaFilter(lua!, code, request, response).response;
  };
  const get = (path: string): Headers => [[':method', 'GET'], [':path', path]];
  const withLua = lua ? test : test.skip;

  withLua('rewrites only Dex\'s in-cluster address, keeping the query', () => {
    const query = '?client_id=argo&redirect_uri=%2Fargo%2Foauth2%2Fcallback&response_type=code&scope=email+openid&state=Ab1%25';
    const location = (l: string) => run(get('/oauth2/redirect?redirect=x'), [[':status', '302'], ['location', l]]).find(([k]) => k === 'location')?.[1];
    expect(location(`${DEX}/auth${query}`)).toBe(`/dex/auth${query}`);
    expect(location('/argo/')).toBe('/argo/');
    expect(location('http://dex.auth.svc.cluster.local:5556/dexter/auth')).toBe('http://dex.auth.svc.cluster.local:5556/dexter/auth');
    expect(location(`https://evil.example/${DEX}/`)).toBe(`https://evil.example/${DEX}/`);
    expect(run(get('/oauth2/redirect'), [[':status', '200']]).find(([k]) => k === 'location')).toBeUndefined();
    // the issuer both reach: no rewrite
    expect(run(get('/oauth2/redirect'), [['location', `${DEX}/auth`]], { browserIssuer: DEX })).toEqual([['location', `${DEX}/auth`]]);
  });

  withLua('after login only a path under the base href: 3.1\'s open redirect is closed', () => {
    const after = (l: string) => run(get('/oauth2/callback?code=c&state=s'), [[':status', '302'], ['location', l]]).find(([k]) => k === 'location')![1];
    expect(after('https://evil.example/')).toBe('/argo/');
    expect(after('//evil.example/argo/')).toBe('/argo/');
    expect(after('/argo/workflows/team-a')).toBe('/argo/workflows/team-a');
    expect(after('/argonaut')).toBe('/argo/');
    // elsewhere a Location is left alone
    expect(run(get('/api/v1/info'), [['location', 'https://elsewhere.example/']])).toEqual([['location', 'https://elsewhere.example/']]);
  });

  withLua('every cookie argo-server sets gets HttpOnly and Secure (both of the callback\'s, in order)', () => {
    const callback = run(get('/oauth2/callback?code=c&state=s'), [
      ['set-cookie', 's1=; Max-Age=0'],
      ['set-cookie', 'authorization=v2:abc; Path=/argo/; Expires=Mon, 07 Dec 2026 00:00:00 GMT; SameSite=Strict'],
      ['location', '/argo/'],
    ]);
    expect(callback.filter(([k]) => k === 'set-cookie').map(([, v]) => v)).toEqual([
      's1=; Max-Age=0; HttpOnly; Secure',
      'authorization=v2:abc; Path=/argo/; Expires=Mon, 07 Dec 2026 00:00:00 GMT; SameSite=Strict; HttpOnly; Secure',
    ]);
    // already there: not twice; secureCookie false: HttpOnly only
    expect(run(get('/oauth2/redirect'), [['set-cookie', 'st=x; HttpOnly; SameSite=Lax; Secure']])).toEqual([['set-cookie', 'st=x; HttpOnly; SameSite=Lax; Secure']]);
    expect(run(get('/oauth2/redirect'), [['set-cookie', 'st=x']], { secureCookie: false })).toEqual([['set-cookie', 'st=x; HttpOnly']]);
  });

  withLua('loading the login page (the UI\'s Logout reloads it) clears the session cookie at the base href', () => {
    expect(run(get('/login?redirect=%2Fargo%2F'), [[':status', '200']])).toEqual([[':status', '200'], ['set-cookie', 'authorization=; Path=/argo/; Max-Age=0; HttpOnly; Secure']]);
    expect(run(get('/workflows'), [[':status', '200']])).toEqual([[':status', '200']]);
    expect(run([[':method', 'POST'], [':path', '/login']], [[':status', '405']])).toEqual([[':status', '405']]);
  });
});

describeReleases.each(Platform.ALL.map((p) => [p.id, p] as const))('%s: the Dex patch on the release\'s own Dex', (_id, platform) => {
  test('Dex gets the client id and secret from the Secret (required: an empty client otherwise), and keeps its own environment', () => {
    const c = new KubeflowArgoChart(Testing.app(), 'kfa', {
      platform, profiles: [TEAM_A], kubeflowRoles: platform.spec.kubeflow.editRoleHasArgo ? undefined : true,
      sso: platform.spec.argoWorkflows.sso.accountLookup === 'cluster-informer-with-secrets' ? { allowClusterWideSecretList: true } : {},
    });
    const base = path.join(MANIFESTS, platform.spec.kubeflow.release, 'common', 'dex', 'base');
    const own = kustomize(base).find((o) => o.kind === 'Deployment' && o.metadata.name === 'dex');
    const patched = kustomize(base, c.kubeflowPatches!.component).find((o) => o.kind === 'Deployment' && o.metadata.name === 'dex');
    const container = (d: any) => d.spec.template.spec.containers.find((x: any) => x.name === 'dex');
    const byName = (env: any[]) => [...env].sort((a, b) => a.name.localeCompare(b.name));
    // a strategic merge: the release's entries stay, ours join them (kustomize puts them first)
    expect(byName(container(patched).env)).toEqual(byName([
      ...container(own).env,
      { name: 'ARGO_WORKFLOWS_SSO_CLIENT_ID', valueFrom: { secretKeyRef: { name: 'argo-server-sso', key: 'client-id' } } },
      { name: 'ARGO_WORKFLOWS_SSO_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'argo-server-sso', key: 'client-secret' } } },
    ]));
    expect({ ...container(patched), env: undefined }).toEqual({ ...container(own), env: undefined });
  });
});
