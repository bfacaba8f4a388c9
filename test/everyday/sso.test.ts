// SSO through Kubeflow's Dex (argo-server `sso`, ProfileSsoAccess, the chart's `sso`): what is
// emitted per Argo line and what is refused. The rules are evaluated with the real expr library
// and the accounts checked against each release's RBAC in test/slow/sso-releases.test.ts.
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import ARTIFACT_REPOSITORIES from '../../packages/library/imports/kfp-artifact-repositories.json';
import { OUTPUT_LABEL } from '../../packages/library/lib/synth/prune';
import { ArgoServer, KubeflowArgoChart, KubeflowArgoChartProps, KubeflowPatches, Platform, ProfileSsoAccess, ValidationError } from '../../packages/library/lib';
import { rbacRule } from '../../packages/library/lib/argo-server/sso-rules';
import { userAccountName } from '../../packages/library/lib/argo-server/profile-sso-access';
import { ARGO_SERVER_READS, Obj, PRESETS } from '../support/util';

const TEAM_A = { namespace: 'team-a', owner: 'alice@example.com', contributors: ['bob@example.com'] };
const TEAM_B = { namespace: 'team-b', owner: 'carol@example.com', contributors: ['bob@example.com'] };
const chart = (props: KubeflowArgoChartProps) => new KubeflowArgoChart(Testing.app(), 'kfa', props);
const ssoChart = (platform: Platform, extra: KubeflowArgoChartProps = {}) => chart({
  platform, sso: {}, profiles: [TEAM_A, TEAM_B], kubeflowRoles: platform.spec.kubeflow.editRoleHasArgo ? undefined : true,
  ...(platform.spec.argoWorkflows.sso.accountLookup === 'cluster-informer-with-secrets' ? { sso: { allowClusterWideSecretList: true } } : {}),
  ...extra,
});
const objsOf = (c: KubeflowArgoChart) => Testing.synth(c) as Obj[];
const find = (objs: Obj[], kind: string, name: string, namespace?: string) => objs.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
const server = (objs: Obj[]) => find(objs, 'Deployment', 'argo-server')!.spec.template.spec.containers[0];

describe.each(PRESETS.map((p) => [p.id, p] as const))('%s', (_id, platform) => {
  const argo = platform.spec.argoWorkflows;
  const objs = objsOf(ssoChart(platform));

  test('argo-server logs in with SSO and keeps client tokens, from its own ConfigMap; delegation where the line has it', () => {
    const c = server(objs);
    expect(c.args).toEqual(expect.arrayContaining(['--auth-mode=sso', '--auth-mode=client', '--namespace=argo-server-sso', '--configmap=argo-server-sso-config']));
    expect(c.args.filter((a: string) => a.startsWith('--auth-mode'))).toEqual(['--auth-mode=sso', '--auth-mode=client']);
    const delegation = c.env.find((e: any) => e.name === 'SSO_DELEGATE_RBAC_TO_NAMESPACE');
    expect(delegation?.value).toBe(argo.sso.namespaceDelegation ? 'true' : undefined);
    expect(argo.sso.namespaceDelegation).toBe(argo.line.name !== 'v3.1.x' && argo.line.name !== 'v3.2.x');
  });

  test('its ConfigMap: sso with Secret references, RBAC on, a relative redirect under /argo/, and KFP\'s artifactRepository of the release', () => {
    const cm = find(objs, 'ConfigMap', 'argo-server-sso-config', 'argo-server-sso')!;
    expect(Object.keys(cm.data).sort()).toEqual(['artifactRepository', 'sso']);
    expect(parse(cm.data.sso)).toEqual({
      issuer: 'http://dex.auth.svc.cluster.local:5556/dex',
      clientId: { name: 'argo-server-sso', key: 'client-id' },
      clientSecret: { name: 'argo-server-sso', key: 'client-secret' },
      redirectUrl: '/argo/oauth2/callback',
      // issue 20 item 10: groups is asked for only where a rule reads it (none here)
      scopes: ['email'],
      sessionExpiry: '10h',
      rbac: { enabled: true },
    });
    const repos = ARTIFACT_REPOSITORIES as any;
    const expected = platform.spec.kubeflow.kfp === '2.17' ? repos.kfp['2.17.0'] : repos.kubeflow[platform.spec.kubeflow.release];
    expect(cm.data.artifactRepository).toBe(expected.artifactRepository);
    expect(parse(cm.data.artifactRepository).s3.accessKeySecret).toEqual({ name: 'mlpipeline-minio-artifact', key: 'accesskey' });
    // KFP's own ConfigMap stays KFP's
    expect(objs.filter((o) => o.metadata.name === 'workflow-controller-configmap')).toEqual([]);
  });

  test('argo-server\'s own rights: its ConfigMaps, its client and session Secrets, create for "sso", what its caches read, and nothing else', () => {
    // issue 20, item 6: all of it in the SSO namespace, nothing in kubeflow (where create on Secrets
    // would let it mint a token for profiles-controller-service-account, bound to cluster-admin)
    expect(objs.filter((o) => (o.kind === 'Role' || o.kind === 'RoleBinding') && o.metadata.namespace === 'kubeflow')).toEqual([]);
    expect(find(objs, 'Namespace', 'argo-server-sso')!.metadata.labels).toEqual({ 'pod-security.kubernetes.io/enforce': 'restricted', [OUTPUT_LABEL]: 'kfa' });
    const role = find(objs, 'Role', 'argo-server', 'argo-server-sso')!;
    expect(find(objs, 'RoleBinding', 'argo-server', 'argo-server-sso')!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'argo-server', namespace: 'kubeflow' }]);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['argo-server-sso-config'], verbs: ARGO_SERVER_READS[argo.line.name].configMapVerbs },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['argo-server-sso', 'sso'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      ...(argo.sso.accountLookup === 'namespace-list' ? [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list'] }] : []),
    ]);
    const cache = find(objs, 'ClusterRole', 'argo-server-cache-reader');
    const expected = [
      ...(ARGO_SERVER_READS[argo.line.name].caches.length ? [{ apiGroups: ['argoproj.io'], resources: ARGO_SERVER_READS[argo.line.name].caches, verbs: ['get', 'list', 'watch'] }] : []),
      ...(argo.sso.accountLookup !== 'namespace-list' ? [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['list', 'watch'] }] : []),
      ...(argo.sso.accountLookup === 'cluster-informer-with-secrets' ? [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] }] : []),
    ];
    expect(cache?.rules ?? []).toEqual(expected);
    expect(find(objs, 'ClusterRole', 'argo-server-cluster-role')).toBeUndefined();
    // the token readers: exactly the accounts' token Secrets (3.3 reads them from its informer)
    const readers = objs.filter((o) => o.kind === 'Role' && o.metadata.name === 'argo-server-sso-tokens');
    if (argo.sso.accountLookup === 'cluster-informer-with-secrets') {
      expect(readers).toEqual([]);
    } else {
      const tokens = objs.filter((o) => o.kind === 'Secret').map((s) => `${s.metadata.namespace}/${s.metadata.name}`).sort();
      expect(readers.flatMap((r) => r.rules.flatMap((rule: any) => rule.resourceNames.map((n: string) => `${r.metadata.namespace}/${n}`))).sort()).toEqual(tokens);
      for (const r of readers) expect(r.rules.every((rule: any) => rule.verbs.join() === 'get')).toBe(true);
    }
  });

  test('the SSO Namespace comes before everything in it, so kubectl apply -f creates it first (found on a real API server)', () => {
    const first = objs.findIndex((o) => o.kind === 'Namespace' && o.metadata.name === 'argo-server-sso');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(objs.findIndex((o) => o.metadata.namespace === 'argo-server-sso')).toBeGreaterThan(first);
  });

  test('the accounts follow the line: per profile with a login account (3.3+), per user (3.1, 3.2)', () => {
    const accounts = objs.filter((o) => o.kind === 'ServiceAccount' && o.metadata.annotations?.['workflows.argoproj.io/rbac-rule']);
    const summary = accounts.map((a) => [a.metadata.namespace, a.metadata.name, a.metadata.annotations['workflows.argoproj.io/rbac-rule'], a.metadata.annotations['workflows.argoproj.io/rbac-rule-precedence']]);
    // issue 20 item 10: a verified address is required where the rules see email_verified (3.1 to 3.3)
    const v = (rule: string) => (argo.sso.emailVerifiedInRules ? `email_verified == true && (${rule})` : rule);
    if (argo.sso.namespaceDelegation) {
      expect(summary).toEqual([
        ['argo-server-sso', 'argo-sso-login', v('email in ["alice@example.com", "bob@example.com", "carol@example.com"]'), '0'],
        ['team-a', 'argo-sso-editor', v('email in ["alice@example.com", "bob@example.com"]'), '1'],
        ['team-b', 'argo-sso-editor', v('email in ["bob@example.com", "carol@example.com"]'), '1'],
      ]);
    } else {
      expect(summary).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com'].map((e) => ['argo-server-sso', userAccountName(e), v(`email == "${e}"`), '0']));
      // bob works in both profiles through one account
      const bob = userAccountName('bob@example.com');
      expect(objs.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === bob).map((b) => b.metadata.namespace)).toEqual(['team-a', 'team-b']);
    }
    for (const a of accounts) {
      // the Secret argo-server takes for the account (util/secrets/secret_name.go
      // TokenNameForServiceAccount at v3.4.2+: the first listed Secret, else the annotation, else
      // "<account>.service-account-token"; up to v3.4.1 the first listed Secret only)
      const token = a.secrets?.[0]?.name ?? (argo.sso.tokenSecretByName ? a.metadata.annotations['workflows.argoproj.io/service-account-token.name'] ?? `${a.metadata.name}.service-account-token` : undefined);
      // issue 20 item 7: the name holds a hash of the membership, so a change makes a new token
      expect(token).toMatch(new RegExp(`^${a.metadata.name}-[0-9a-f]{8}\\.service-account-token$`));
      const secret = find(objs, 'Secret', token, a.metadata.namespace)!;
      expect(secret).toEqual({
        apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
        metadata: { name: token, namespace: a.metadata.namespace, annotations: { 'kubernetes.io/service-account.name': a.metadata.name }, labels: { [OUTPUT_LABEL]: 'kfa' } },
      });
      // from 3.4.2 the account lists no Secret (Kubernetes 1.29+ would clean a listed one up as legacy)
      expect(a.secrets === undefined).toBe(argo.sso.tokenSecretByName);
      expect(a.automountServiceAccountToken).toBe(false);
    }
  });

  test('the SSO paths go through the gateway route: /argo/oauth2/redirect and /argo/oauth2/callback reach argo-server as /oauth2/…', () => {
    const vs = objs.find((o) => o.kind === 'VirtualService')!;
    // the only route to argo-server: the whole /argo/ prefix, rewritten to /
    const routes = vs.spec.http.filter((h: any) => (h.route ?? []).some((r: any) => r.destination.host.startsWith('argo-server.')));
    expect(routes.map((r: any) => [r.match, r.rewrite])).toEqual([[[{ uri: { prefix: '/argo/' } }], { uri: '/' }]]);
    const route = routes[0];
    // oauth2-proxy's Authorization header (1.9+) would win over argo-server's own session cookie
    expect(route.headers?.request?.remove ?? []).toEqual(platform.spec.kubeflow.authorizationUpstream ? ['authorization'] : []);
  });

  test('the login filter: an EnvoyFilter on argo-server\'s own sidecar rewrites Dex\'s in-cluster address to /dex/, and hardens the session cookie', () => {
    const f = find(objs, 'EnvoyFilter', 'argo-server-sso-login', 'kubeflow')!;
    expect(f.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(f.spec.workloadSelector).toEqual({ labels: { app: 'argo-server' } });
    expect(f.spec.configPatches[0].match).toEqual({
      context: 'SIDECAR_INBOUND',
      listener: { portNumber: 2746, filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } },
    });
    const lua = f.spec.configPatches[0].patch.value.typed_config.inlineCode;
    expect(lua).toContain('local from, to = "http://dex.auth.svc.cluster.local:5556/dex/", "/dex/"');
    expect(lua).toContain('local base = "/argo/"\n');
    expect(lua).toContain('local secure = true\n');
  });
});

describe('ArgoServer sso', () => {
  const make = (props: any, platform = Platform.KUBEFLOW_1_11) => Testing.synth((() => { const c = Testing.chart(); new ArgoServer(c, 's', { platform, ...props }); return c; })()) as Obj[];
  const err = (props: any, platform = Platform.KUBEFLOW_1_11) => {
    try { make(props, platform); } catch (e) { return (e as Error).message; }
    throw new Error('no error');
  };

  test('issue 20, item 10: an issuer that ends in "/" is kept exactly (go-oidc compares it byte for byte); the redirect filter still matches its endpoints', () => {
    const objs = make({ sso: { issuer: 'https://login.example.com/realms/kf/' } });
    expect(parse(find(objs, 'ConfigMap', 'argo-server-sso-config')!.data.sso).issuer).toBe('https://login.example.com/realms/kf/');
    const lua = find(objs, 'EnvoyFilter', 'argo-server-sso-login')!.spec.configPatches[0].patch.value.typed_config.inlineCode;
    expect(lua).toContain('local from, to = "https://login.example.com/realms/kf/", "/dex/"');
  });

  test('an issuer both reach needs no redirect: the filter only hardens the cookies', () => {
    const objs = make({ sso: { issuer: 'https://login.example.com/dex', browserIssuer: 'https://login.example.com/dex', secureCookie: false } });
    const lua = find(objs, 'EnvoyFilter', 'argo-server-sso-login')!.spec.configPatches[0].patch.value.typed_config.inlineCode;
    expect(lua).toContain('local from, to = nil, nil\n');
    expect(lua).toContain('local secure = false\n');
    expect(parse(find(objs, 'ConfigMap', 'argo-server-sso-config')!.data.sso).issuer).toBe('https://login.example.com/dex');
  });

  test('issue 20 item 10: the provider options each line\'s argo-server reads, written as it reads them; others refused by line', () => {
    // the fields of argo-server's sso config, read at each tag (server/auth/sso/sso.go Config up
    // to 3.3, config/sso.go SSOConfig from 3.4; rootCA from v4.0.0, argo-workflows#14989)
    const READS: Record<string, string[]> = {
      'v3.1.x': [],
      'v3.2.x': ['issuerAlias', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify'],
      'v3.3.x': ['issuerAlias', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify'],
      'v3.4.x': ['issuerAlias', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify', 'filterGroupsRegex'],
      'v3.5.x': ['issuerAlias', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify', 'filterGroupsRegex'],
      'v3.6.x': ['issuerAlias', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify', 'filterGroupsRegex'],
      'v3.7.x': ['issuerAlias', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify', 'filterGroupsRegex'],
      'v4.0.x': ['issuerAlias', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify', 'filterGroupsRegex', 'rootCA'],
    };
    const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2hlY2sgdGhpcyBpcyBub3QgcmVhbA==\n-----END CERTIFICATE-----\n';
    const values: Record<string, unknown> = {
      issuerAlias: 'https://login.example.com/dex', customGroupClaimName: 'roles', userInfoPath: '/userinfo',
      insecureSkipVerify: true, filterGroupsRegex: ['^kubeflow-'], rootCA: PEM,
    };
    for (const platform of PRESETS) {
      const line = platform.spec.argoWorkflows.line.name;
      for (const [prop, value] of Object.entries(values)) {
        const sso = { [prop]: value, ...(platform.spec.argoWorkflows.sso.accountLookup === 'cluster-informer-with-secrets' ? { allowClusterWideSecretList: true } : {}) };
        if (READS[line].includes(prop)) {
          expect([platform.id, prop, parse(find(make({ sso }, platform), 'ConfigMap', 'argo-server-sso-config')!.data.sso)[prop]]).toEqual([platform.id, prop, value]);
        } else {
          expect(err({ sso }, platform)).toContain(`ArgoServer: sso.${prop} is not read by argo-server ${line} (${platform.id})`);
        }
      }
    }
    expect(err({ sso: { rootCA: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n' } }, Platform.KUBEFLOW_1_11.withStandaloneKfp('2.17'))).toContain('sso.rootCA must be PEM certificates');
    expect(err({ sso: { filterGroupsRegex: ['('] } })).toContain('sso.filterGroupsRegex[0] is not a regular expression');
    expect(err({ sso: { userInfoPath: 'userinfo' } })).toContain('sso.userInfoPath must be a path on the issuer');
  });

  test('issue 20 item 10: extra scopes are added after the construct\'s; its own are refused', () => {
    expect(parse(find(make({ sso: { scopes: ['profile'] } }), 'ConfigMap', 'argo-server-sso-config')!.data.sso).scopes).toEqual(['email', 'profile']);
    expect(err({ sso: { scopes: ['groups'] } })).toContain('ArgoServer: sso.scopes[0] is requested by the construct already');
    expect(err({ sso: { scopes: ['a b'] } })).toContain('sso.scopes[0] must be an OAuth2 scope');
  });

  test('issue 20 item 10: requireVerifiedEmail is refused where argo-server drops email_verified (3.4+), and can be turned off on 3.1 to 3.3', () => {
    expect(err({ sso: { requireVerifiedEmail: true } })).toContain('ArgoServer: sso.requireVerifiedEmail cannot be honoured on KUBEFLOW_1_11: argo-server v3.7.x drops email_verified before the rules run');
    const objs = objsOf(ssoChart(Platform.KUBEFLOW_1_8, { sso: { allowClusterWideSecretList: true, requireVerifiedEmail: false } as any }));
    expect(find(objs, 'ServiceAccount', 'argo-sso-editor', 'team-a')!.metadata.annotations['workflows.argoproj.io/rbac-rule']).toBe('email in ["alice@example.com", "bob@example.com"]');
    expect(err({ sso: { secureCookie: 'yes' } })).toContain('ArgoServer: sso.secureCookie must be');
  });

  test('an absolute redirect URL with the callback path, another Secret and session length', () => {
    const objs = make({ sso: { redirectUrl: 'https://kf.example.com/argo/oauth2/callback', clientSecret: { name: 'my-sso', clientIdKey: 'id', clientSecretKey: 'secret' }, sessionExpiry: '90m' } });
    const sso = parse(find(objs, 'ConfigMap', 'argo-server-sso-config')!.data.sso);
    expect(sso.redirectUrl).toBe('https://kf.example.com/argo/oauth2/callback');
    expect([sso.clientId, sso.clientSecret]).toEqual([{ name: 'my-sso', key: 'id' }, { name: 'my-sso', key: 'secret' }]);
    expect(sso.sessionExpiry).toBe('90m');
    expect(find(objs, 'Role', 'argo-server')!.rules[1].resourceNames).toEqual(['my-sso', 'sso']);
  });

  test.each([
    ['an issuer that is not an http(s) URL', { sso: { issuer: 'dex.auth:5556' } }, 'ArgoServer: sso.issuer must be an http or https URL (the issuer argo-server reaches), got "dex.auth:5556"'],
    ['an issuer with a quote', { sso: { issuer: 'http://dex"x/dex' } }, 'sso.issuer must be an http or https URL'],
    ['a browser issuer that is neither a path nor a URL', { sso: { browserIssuer: 'dex' } }, 'sso.browserIssuer must be an http or https URL'],
    ['a redirect outside the base href', { sso: { redirectUrl: '/oauth2/callback' } }, 'sso.redirectUrl must lead to argo-server\'s callback under its base href ("/argo/oauth2/callback"'],
    ['a session of zero', { sso: { sessionExpiry: '0h' } }, 'sso.sessionExpiry must be a positive Go duration'],
    ['a day as a unit Go does not know', { sso: { sessionExpiry: '1d' } }, 'sso.sessionExpiry must be a positive Go duration'],
    ['the Secret argo-server keeps its own key in', { sso: { clientSecret: { name: 'sso' } } }, 'sso.clientSecret.name is the Secret argo-server keeps its session key in'],
    ['one key for id and secret', { sso: { clientSecret: { name: 'x', clientIdKey: 'k', clientSecretKey: 'k' } } }, 'sso.clientSecret.clientSecretKey is also the key of the client id'],
    ['an unknown sso key', { sso: { clientId: 'x' } }, 'sso.clientId is not a known prop'],
    ['authModes as well', { sso: {}, authModes: ['client'] }, 'ArgoServer: authModes is set together with sso'],
    ['--namespaced, which turns delegation off', { sso: {}, extraArgs: ['--namespaced'] }, 'ArgoServer: extraArgs[0] --namespaced is set by sso'],
    ['another --configmap', { sso: {}, extraArgs: ['--configmap=x'] }, 'extraArgs[0] --configmap is set by sso'],
    ['an artifactRepository that is not an object', { sso: { artifactRepository: 's3: {}' } }, 'sso.artifactRepository must be an ArtifactRepository object'],
    ['an artifactRepository with a field Argo does not know', { sso: { artifactRepository: { s4: {} } } }, 'sso.artifactRepository.s4 is not a known prop'],
    ['allowClusterWideSecretList where it means nothing', { sso: { allowClusterWideSecretList: true } }, 'sso.allowClusterWideSecretList only applies to argo-server 3.3; KUBEFLOW_1_11 runs v3.7.x'],
  ])('refuses %s', (_what, props, message) => {
    expect(err(props)).toContain(message);
  });

  test('Argo 3.3 (Kubeflow 1.6 to 1.8) needs the cluster-wide Secret informer accepted', () => {
    expect(err({ sso: {} }, Platform.KUBEFLOW_1_8)).toContain('ArgoServer: sso.allowClusterWideSecretList is not set, and argo-server v3.3.x (KUBEFLOW_1_8) keeps an informer on every Secret of the cluster in SSO mode');
    expect(() => make({ sso: { allowClusterWideSecretList: true } }, Platform.KUBEFLOW_1_8)).not.toThrow();
  });

  test('Argo 3.4 before 3.4.2 cannot find a token it does not list', () => {
    expect(err({ sso: {}, image: 'quay.io/argoproj/argocli:v3.4.1' }, Platform.KUBEFLOW_1_9)).toContain('ArgoServer: image with sso must be v3.4.2 or later');
    expect(() => make({ sso: {}, image: 'quay.io/argoproj/argocli:v3.4.2' }, Platform.KUBEFLOW_1_9)).not.toThrow();
  });

  test('a standalone KFP we hold no copy of needs its artifactRepository given', () => {
    const platform = Platform.KUBEFLOW_1_11.withStandaloneKfp('2.16');
    expect(err({ sso: {} }, platform)).toContain('ArgoServer: sso.artifactRepository has no default for KUBEFLOW_1_11_KFP_2_16: we hold no copy of KFP 2.16\'s workflow-controller-configmap');
    const objs = make({ sso: { artifactRepository: { s3: { bucket: 'mlpipeline', accessKeySecret: { name: 'm', key: 'a' } } } } }, platform);
    expect(find(objs, 'ConfigMap', 'argo-server-sso-config')!.data.artifactRepository).toBe('s3:\n  bucket: mlpipeline\n  accessKeySecret:\n    name: m\n    key: a\n');
  });

  test('authModes "server" keeps upstream\'s cluster role; plain client mode is unchanged', () => {
    expect(find(make({ authModes: ['server'] }), 'ClusterRole', 'argo-server-cluster-role')).toBeDefined();
    expect(make({}).filter((o) => o.kind === 'ConfigMap' || o.kind === 'EnvoyFilter')).toEqual([]);
  });
});

describe('ProfileSsoAccess and the chart\'s sso', () => {
  const err = (f: () => unknown) => {
    try { f(); } catch (e) { expect(e).toBeInstanceOf(ValidationError); return (e as Error).message; }
    throw new Error('no error');
  };
  const P = Platform.KUBEFLOW_1_11;

  test.each([
    ['a profile without its owner', { profiles: ['team-a'] }, 'ProfileSsoAccess: profiles[0].owner is missing: profile "team-a" needs its owner for SSO'],
    ['an owner that is not an e-mail address', { profiles: [{ namespace: 'team-a', owner: 'alice' }] }, 'KubeflowArgoChart: profiles[0].owner (profile "team-a") is not an e-mail address, got "alice"'],
    ['a contributor with a quote', { profiles: [{ namespace: 'team-a', owner: 'a@x.io', contributors: ['b"@x.io'] }] }, 'profiles[0].contributors[0] (profile "team-a") is not an e-mail address'],
    ['the owner again as a contributor', { profiles: [{ namespace: 'team-a', owner: 'a@x.io', contributors: ['a@x.io'] }] }, 'profiles[0].contributors[0] is already the owner of profile "team-a"'],
    ['a contributor twice', { profiles: [{ namespace: 'team-a', owner: 'a@x.io', contributors: ['b@x.io', 'b@x.io'] }] }, 'KubeflowArgoChart: profiles[0].contributors[1] (profile "team-a") is listed twice, got "b@x.io"'],
    ['a profile twice', { profiles: [TEAM_A, TEAM_A] }, 'KubeflowArgoChart: profiles[1].namespace is listed twice, got "team-a"'],
    ['a profile twice with other members', { profiles: [TEAM_A, { ...TEAM_A, contributors: [] }] }, 'KubeflowArgoChart: profiles[1].namespace is listed twice, got "team-a"'],
    ['no profiles', { profiles: [] }, 'KubeflowArgoChart: profiles is empty, and with sso nobody could log in'],
    ['groups where a rule naming them refuses users without groups', { profiles: [{ ...TEAM_A, groups: ['ml'] }] }, 'profiles[0].groups (profile "team-a") cannot be used on KUBEFLOW_1_11 (Argo v3.7.x): a rule that names "groups" refuses every user whose token has no groups (argo-workflows#13061'],
    ['sso twice', { profiles: [TEAM_A], argoServer: { sso: {} } }, 'KubeflowArgoChart: argoServer.sso is set together with the chart\'s sso'],
  ])('refuses %s', (_what, props, message) => {
    expect(err(() => chart({ platform: P, sso: {}, ...props as any }))).toContain(message);
  });

  test('groups one account per user cannot carry (3.1, 3.2) are refused; on 3.3 they join the rules', () => {
    expect(err(() => ssoChart(Platform.KUBEFLOW_1_5, { profiles: [{ ...TEAM_A, groups: ['ml'] }] }))).toContain('profiles[0].groups (profile "team-a") cannot be used on KUBEFLOW_1_5 (Argo v3.2.x): it gives each user one account');
    const objs = objsOf(ssoChart(Platform.KUBEFLOW_1_8, { profiles: [{ ...TEAM_A, groups: ['ml', 'ops'] }, TEAM_B] }));
    expect(find(objs, 'ServiceAccount', 'argo-sso-editor', 'team-a')!.metadata.annotations['workflows.argoproj.io/rbac-rule'])
      .toBe('email_verified == true && (email in ["alice@example.com", "bob@example.com"] || (groups != nil && any(groups, {# in ["ml", "ops"]})))');
    expect(find(objs, 'ServiceAccount', 'argo-sso-login', 'argo-server-sso')!.metadata.annotations['workflows.argoproj.io/rbac-rule'])
      .toBe('email_verified == true && (email in ["alice@example.com", "bob@example.com", "carol@example.com"] || (groups != nil && any(groups, {# in ["ml", "ops"]})))');
    // a rule reads groups, so argo-server asks for them
    expect(parse(find(objs, 'ConfigMap', 'argo-server-sso-config')!.data.sso).scopes).toEqual(['email', 'groups']);
  });

  test('issue 20, item 4: Kubeflow 1.9 (argo-server 3.4.18, rules compiled against the claims from v3.4.17) refuses groups', () => {
    expect(err(() => ssoChart(Platform.KUBEFLOW_1_9, { profiles: [{ ...TEAM_A, groups: ['ml'] }] })))
      .toContain('profiles[0].groups (profile "team-a") cannot be used on KUBEFLOW_1_9 (Argo v3.4.x): a rule that names "groups" refuses every user whose token has no groups (argo-workflows#13061: rules are compiled against the claims from v3.4.17 and v3.5.5)');
  });

  test('defaultAccess "view": the login account admits anyone and views every profile (3.3+); a viewer account ranks below the users (3.1, 3.2)', () => {
    const rule = (o: Obj) => o.metadata.annotations['workflows.argoproj.io/rbac-rule'];
    const bindings = (objs: Obj[], name: string) => objs.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === name).map((b) => `${b.metadata.namespace}:${b.roleRef.name}`);
    const modern = objsOf(chart({ platform: P, sso: { defaultAccess: 'view' }, profiles: [TEAM_A, TEAM_B], kubeflowRoles: true }));
    expect(rule(find(modern, 'ServiceAccount', 'argo-sso-login')!)).toBe('true');
    expect(bindings(modern, 'argo-sso-login')).toEqual(['team-a:kubeflow-view', 'team-b:kubeflow-view']);
    expect(bindings(modern, 'argo-sso-editor')).toEqual(['team-a:kubeflow-edit', 'team-b:kubeflow-edit']);
    const old = objsOf(chart({ platform: Platform.KUBEFLOW_1_5, sso: { defaultAccess: 'view' }, profiles: [TEAM_A, TEAM_B], kubeflowRoles: true }));
    const viewer = find(old, 'ServiceAccount', 'argo-sso-viewer')!;
    expect([rule(viewer), viewer.metadata.annotations['workflows.argoproj.io/rbac-rule-precedence']]).toEqual(['email_verified == true', '-1']);
    expect(bindings(old, 'argo-sso-viewer')).toEqual(['team-a:kubeflow-view', 'team-b:kubeflow-view']);
    expect(bindings(old, userAccountName('alice@example.com'))).toEqual(['team-a:kubeflow-edit', 'team-b:kubeflow-view']);
    expect(bindings(old, userAccountName('bob@example.com'))).toEqual(['team-a:kubeflow-edit', 'team-b:kubeflow-edit']);
  });

  test('defaultAccess needs kubeflowRoles (kubeflow-view has no Argo rights on any release), and is "none" or "view"', () => {
    expect(err(() => chart({ platform: P, sso: { defaultAccess: 'view' }, profiles: [TEAM_A] }))).toContain('KubeflowArgoChart: kubeflowRoles is not true, and sso.defaultAccess "view" binds kubeflow-view');
    expect(err(() => chart({ platform: P, sso: { defaultAccess: 'edit' as any }, profiles: [TEAM_A] }))).toContain('ProfileSsoAccess: defaultAccess must be one of "none", "view", got "edit"');
    const s = new ArgoServer(Testing.chart(), 's', { platform: P, sso: {} });
    expect(err(() => s.addProfileAccess('a', { profiles: [TEAM_A], viewClusterRole: 'x' }))).toContain('ProfileSsoAccess: viewClusterRole is set while defaultAccess is not "view"');
    expect(err(() => chart({ platform: P, sso: 'yes' as any, profiles: [TEAM_A] }))).toContain('ArgoServer: sso must be an object');
  });

  test('Kubeflow 1.4 needs kubeflowRoles: its kubeflow-edit has no Argo rights', () => {
    expect(err(() => chart({ sso: {}, profiles: [TEAM_A] }))).toContain('KubeflowArgoChart: kubeflowRoles is not true, and on KUBEFLOW_1_4 Kubeflow\'s kubeflow-edit has no Argo rights (KFP 1.7.0)');
  });

  test('ProfileSsoAccess on its own checks the members too, naming the profile', () => {
    const s = new ArgoServer(Testing.chart(), 's', { platform: P, sso: {} });
    expect(err(() => s.addProfileAccess('a', { profiles: [{ namespace: 'team-a', owner: 'alice' }] }))).toContain('ProfileSsoAccess: profiles[0].owner (profile "team-a") is not an e-mail address, got "alice"');
    expect(err(() => s.addProfileAccess('b', { profiles: [{ namespace: 'team-a', owner: 'a@x.io', contributors: ['b@x.io', 'b@x.io'] }] }))).toContain('ProfileSsoAccess: profiles[0].contributors[1] (profile "team-a") is listed twice');
    expect(err(() => s.addProfileAccess('c', { profiles: [] }))).toContain('ProfileSsoAccess: profiles must');
  });

  test('without sso, profile objects are checked the same way (their members are kept for later)', () => {
    expect(err(() => chart({ profiles: [{ namespace: 'team-a', contributors: ['nope'] }] }))).toContain('KubeflowArgoChart: profiles[0].contributors[0] (profile "team-a") is not an e-mail address');
    expect(() => chart({ profiles: [{ namespace: 'team-a', owner: 'alice@example.com' }, 'team-b'] })).not.toThrow();
  });

  test('addProfileAccess needs an argo-server with sso', () => {
    const c = Testing.chart();
    const s = new ArgoServer(c, 's');
    expect(err(() => s.addProfileAccess('a', { profiles: [TEAM_A] }))).toContain('ProfileSsoAccess: server has no sso: its users paste tokens and no account is chosen for them, got "test/s"');
    expect(err(() => new ArgoServer(Testing.chart(), 's', { sso: {} }).addProfileAccess('a', { profiles: [TEAM_A], server: s } as any))).toContain('ProfileSsoAccess: server is set by the server (ArgoServer.addProfileAccess)');
  });

  test('a refused access leaves the tree as it was', () => {
    const s = new ArgoServer(Testing.chart(), 's', { sso: {} });
    const before = s.node.children.length;
    expect(() => s.addProfileAccess('a', { profiles: [{ namespace: 'team-a', owner: 'nope' }] })).toThrow(ValidationError);
    expect(s.node.children.length).toBe(before);
  });

  test('the chart\'s Kubeflow-side Component gives Dex the client, and writes the staticClients entry next to it', () => {
    const c = ssoChart(P);
    const patches = c.kubeflowPatches!;
    expect(KubeflowPatches.isKubeflowPatches(patches)).toBe(true);
    const component = parse(patches.component);
    const dex = component.patches.find((p: any) => p.target.kind === 'Deployment');
    expect(dex.target).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment', name: 'dex', namespace: 'auth' });
    expect(parse(dex.patch).spec.template.spec.containers).toEqual([{
      name: 'dex',
      env: [
        // issue 20 item 10: required, or Dex would register a client with an empty id and secret
        { name: 'ARGO_WORKFLOWS_SSO_CLIENT_ID', valueFrom: { secretKeyRef: { name: 'argo-server-sso', key: 'client-id' } } },
        { name: 'ARGO_WORKFLOWS_SSO_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'argo-server-sso', key: 'client-secret' } } },
      ],
    }]);
    expect(parse(patches.dexStaticClient!)).toEqual([{ idEnv: 'ARGO_WORKFLOWS_SSO_CLIENT_ID', secretEnv: 'ARGO_WORKFLOWS_SSO_CLIENT_SECRET', name: 'Argo Workflows', redirectURIs: ['/argo/oauth2/callback'] }]);
    expect(ProfileSsoAccess.isProfileSsoAccess(c.profileAccess)).toBe(true);
  });

  test('per-user account names: DNS labels, distinct for addresses that differ only in case or punctuation', () => {
    const names = ['Alice@Example.com', 'alice@example.com', 'a.lice@example.com', 'a-lice@example.com', `${'x'.repeat(60)}@example.com`].map(userAccountName);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  test('rules: one address is ==, several are in, sorted and once; groups only with the nil guard', () => {
    expect(rbacRule({ emails: ['b@x.io'] })).toBe('email == "b@x.io"');
    expect(rbacRule({ emails: ['b@x.io', 'a@x.io', 'b@x.io'] })).toBe('email in ["a@x.io", "b@x.io"]');
    expect(rbacRule({ emails: [], groups: ['g "1"'] })).toBe('(groups != nil && any(groups, {# in ["g \\"1\\""]}))');
  });
});
