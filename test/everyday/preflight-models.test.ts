// The evaluators behind `npm run preflight` (preflight/), each checked on the examples of the
// documentation it implements before it is trusted with a release's objects.
import { authorize, stringMatches } from '../../packages/preflight/lib/authorization-policy';
import { connectionAllowed } from '../../packages/preflight/lib/network-policy';
import { whoGrants } from '../../packages/preflight/lib/rbac';
import { selects } from '../../packages/preflight/lib/selectors';

describe('NetworkPolicy (kubernetes.io/docs/concepts/services-networking/network-policies/)', () => {
  // "Example NetworkPolicy": test-network-policy in default
  const example = {
    kind: 'NetworkPolicy',
    metadata: { name: 'test-network-policy', namespace: 'default' },
    spec: {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [
          { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
          { namespaceSelector: { matchLabels: { project: 'myproject' } } },
          { podSelector: { matchLabels: { role: 'frontend' } } },
        ],
        ports: [{ protocol: 'TCP', port: 6379 }],
      }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
    },
  };
  const ns: Record<string, Record<string, string>> = { default: {}, myproject: { project: 'myproject' }, other: {} };
  const labels = (n: string) => ({ ...ns[n], 'kubernetes.io/metadata.name': n });
  const db = { namespace: 'default', labels: { role: 'db' } };

  test('the example admits frontend pods of its namespace and every pod of project=myproject, on TCP 6379 only', () => {
    expect(connectionAllowed([example], labels, { namespace: 'default', labels: { role: 'frontend' } }, db, 6379).allowed).toBe(true);
    expect(connectionAllowed([example], labels, { namespace: 'myproject', labels: {} }, db, 6379).allowed).toBe(true);
    expect(connectionAllowed([example], labels, { namespace: 'other', labels: { role: 'frontend' } }, db, 6379).allowed).toBe(false); // podSelector alone: own namespace
    expect(connectionAllowed([example], labels, { namespace: 'default', labels: { role: 'frontend' } }, db, 6380).allowed).toBe(false);
    expect(connectionAllowed([example], labels, { namespace: 'default', labels: { role: 'x' } }, { namespace: 'default', labels: {} }, 80).allowed).toBe(true); // not selected: not isolated
  });

  test('egress: the db pods may only connect to the ipBlock; an ipBlock never matches a pod here', () => {
    const v = connectionAllowed([example], labels, db, { namespace: 'default', labels: { role: 'frontend' } }, 5978);
    expect(v).toEqual({ allowed: false, reason: expect.stringContaining('blocked by NetworkPolicy default/test-network-policy (Egress') });
  });

  test('"Default deny all ingress" and "Allow all ingress"; policies add up', () => {
    const denyAll = { kind: 'NetworkPolicy', metadata: { name: 'default-deny-ingress', namespace: 'default' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    const allowAll = { kind: 'NetworkPolicy', metadata: { name: 'allow-all-ingress', namespace: 'default' }, spec: { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] } };
    const from = { namespace: 'other', labels: {} };
    expect(connectionAllowed([denyAll], labels, from, db, 80).allowed).toBe(false);
    expect(connectionAllowed([denyAll, allowAll], labels, from, db, 80).allowed).toBe(true);
  });

  test('namespaceSelector and podSelector in one entry are ANDed; in two entries ORed ("Behavior of to and from selectors")', () => {
    const and = { kind: 'NetworkPolicy', metadata: { name: 'and', namespace: 'default' }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } }] }] } };
    const or = { kind: 'NetworkPolicy', metadata: { name: 'or', namespace: 'default' }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }] } };
    const aliceNs = (n: string) => ({ ...(n === 'alice' ? { user: 'alice' } : {}), 'kubernetes.io/metadata.name': n });
    const aliceServer = { namespace: 'alice', labels: { role: 'server' } };
    expect(connectionAllowed([and], aliceNs, aliceServer, db, 80).allowed).toBe(false);
    expect(connectionAllowed([or], aliceNs, aliceServer, db, 80).allowed).toBe(true);
    expect(connectionAllowed([and], aliceNs, { namespace: 'alice', labels: { role: 'client' } }, db, 80).allowed).toBe(true);
  });

  test('label selectors: matchLabels and each matchExpressions operator', () => {
    const sel = { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }, { key: 'env', operator: 'NotIn', values: ['prod'] }, { key: 'x', operator: 'Exists' }, { key: 'y', operator: 'DoesNotExist' }] };
    expect(selects(sel, { app: 'a', tier: 'web', env: 'dev', x: '' })).toBe(true);
    expect(selects(sel, { app: 'a', tier: 'web', env: 'prod', x: '' })).toBe(false);
    expect(selects(sel, { app: 'a', tier: 'web', x: '', y: '1' })).toBe(false);
    expect(selects(sel, { app: 'a', tier: 'db', x: '' })).toBe(false);
    expect(selects({}, { any: 'thing' })).toBe(true);
  });
});

describe('Istio AuthorizationPolicy (istio.io/latest/docs/reference/config/security/authorization-policy/)', () => {
  const wl = { namespace: 'foo', labels: { app: 'httpbin', version: 'v1' } };
  const req = (over: any = {}) => ({ principal: 'cluster.local/ns/default/sa/sleep', namespace: 'default', path: '/info', method: 'GET', port: 8000, headers: {}, ...over });
  // the reference's first example: ALLOW from sleep (or namespace test) to GET /info*, POST /data, with a JWT issuer condition
  const httpbin = {
    kind: 'AuthorizationPolicy', metadata: { name: 'httpbin', namespace: 'foo' },
    spec: {
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/default/sa/sleep'] } }, { source: { namespaces: ['test'] } }],
          to: [{ operation: { methods: ['GET'], paths: ['/info*'] } }, { operation: { methods: ['POST'], paths: ['/data'] } }],
          when: [{ key: 'request.auth.claims[iss]', values: ['https://accounts.google.com'] }] },
      ],
    },
  };

  test('string matching: exact, prefix, suffix, presence', () => {
    expect(stringMatches('/info*', '/info/x')).toBe(true);
    expect(stringMatches('*/info', '/a/info')).toBe(true);
    expect(stringMatches('*', '')).toBe(false);
    expect(stringMatches('/a', '/a/')).toBe(false);
  });

  test('conditions it does not model are refused, not guessed', () => {
    expect(() => authorize([httpbin], wl, req())).toThrow(/request\.auth\.claims\[iss\] is not modelled/);
  });

  test('ALLOW: one of from, one of to, every when; a workload with no ALLOW policy allows', () => {
    const allow = { ...httpbin, spec: { ...httpbin.spec, rules: [{ ...httpbin.spec.rules[0], when: undefined }] } };
    expect(authorize([allow], wl, req()).decision).toBe('ALLOW');
    expect(authorize([allow], wl, req({ principal: undefined, namespace: 'test', method: 'POST', path: '/data' })).decision).toBe('ALLOW');
    expect(authorize([allow], wl, req({ method: 'POST', path: '/info' })).decision).toBe('DENY');
    expect(authorize([allow], wl, req({ principal: 'cluster.local/ns/x/sa/y', namespace: 'x' })).decision).toBe('DENY');
    expect(authorize([], wl, req()).decision).toBe('ALLOW');
    expect(authorize([allow], { namespace: 'bar', labels: {} }, req()).decision).toBe('ALLOW'); // another namespace's policy
  });

  test('"deny all" (spec: {}) and "allow all" (rules: [{}]); root-namespace policies apply mesh-wide', () => {
    const denyAll = { kind: 'AuthorizationPolicy', metadata: { name: 'deny-all', namespace: 'istio-system' }, spec: {} };
    const allowAll = { kind: 'AuthorizationPolicy', metadata: { name: 'allow-all', namespace: 'foo' }, spec: { rules: [{}] } };
    expect(authorize([denyAll], wl, req())).toEqual({ decision: 'DENY', reason: 'no ALLOW policy matches (AuthorizationPolicy istio-system/deny-all)' });
    expect(authorize([denyAll, allowAll], wl, req()).decision).toBe('ALLOW');
  });

  test('DENY before ALLOW, CUSTOM before both; not-fields and header presence', () => {
    const allowAll = { kind: 'AuthorizationPolicy', metadata: { name: 'allow-all', namespace: 'foo' }, spec: { rules: [{}] } };
    const deny = { kind: 'AuthorizationPolicy', metadata: { name: 'require-jwt', namespace: 'foo' }, spec: { action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { notPaths: ['/healthz'] } }] }] } };
    const custom = { kind: 'AuthorizationPolicy', metadata: { name: 'ext', namespace: 'foo' }, spec: { action: 'CUSTOM', provider: { name: 'my-authz' }, rules: [{ when: [{ key: 'request.headers[authorization]', notValues: ['*'] }] }] } };
    expect(authorize([allowAll, deny], wl, req()).decision).toBe('DENY');
    expect(authorize([allowAll, deny], wl, req({ requestPrincipal: 'iss/sub' })).decision).toBe('ALLOW');
    expect(authorize([allowAll, deny], wl, req({ path: '/healthz' })).decision).toBe('ALLOW');
    expect(authorize([allowAll, deny, custom], wl, req())).toMatchObject({ decision: 'CUSTOM', provider: 'my-authz' });
    expect(authorize([allowAll, deny, custom], wl, req({ headers: { authorization: 'Bearer x' } })).decision).toBe('DENY');
  });
});

describe('RBAC with aggregated ClusterRoles (kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles)', () => {
  const monitoring = { kind: 'ClusterRole', metadata: { name: 'monitoring' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }] }, rules: [] };
  const endpoints = { kind: 'ClusterRole', metadata: { name: 'monitoring-endpoints', labels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }, rules: [{ apiGroups: [''], resources: ['services', 'endpointslices', 'pods'], verbs: ['get', 'list', 'watch'] }] };
  const bind = (ns: string) => ({ kind: 'RoleBinding', metadata: { name: 'b', namespace: ns }, roleRef: { kind: 'ClusterRole', name: 'monitoring' }, subjects: [{ kind: 'ServiceAccount', name: 'prom' }] });
  const prom = { kind: 'ServiceAccount' as const, namespace: 'team', name: 'prom' };

  test('the aggregated role has the rules of the roles its selector matches, in the binding\'s namespace only', () => {
    expect(whoGrants([monitoring, endpoints, bind('team')], prom, 'list', '', 'pods', 'team')).toBe('RoleBinding team/b (ClusterRole monitoring)');
    expect(whoGrants([monitoring, bind('team')], prom, 'list', '', 'pods', 'team')).toBeUndefined();
    expect(whoGrants([monitoring, endpoints, bind('team')], prom, 'list', '', 'pods', 'other')).toBeUndefined();
    expect(whoGrants([monitoring, endpoints, bind('team')], prom, 'delete', '', 'pods', 'team')).toBeUndefined();
  });

  test('aggregation is followed through several levels, as Kubeflow chains kubeflow-pipelines-edit into kubeflow-edit', () => {
    const top = { kind: 'ClusterRole', metadata: { name: 'top' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'to-top': 'true' } }] } };
    const mid = { kind: 'ClusterRole', metadata: { name: 'mid', labels: { 'to-top': 'true' } }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'to-mid': 'true' } }] } };
    const leaf = { kind: 'ClusterRole', metadata: { name: 'leaf', labels: { 'to-mid': 'true' } }, rules: [{ apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['*'] }] };
    const b = { kind: 'RoleBinding', metadata: { name: 'default-editor', namespace: 'p' }, roleRef: { kind: 'ClusterRole', name: 'top' }, subjects: [{ kind: 'ServiceAccount', name: 'default-editor', namespace: 'p' }] };
    expect(whoGrants([top, mid, leaf, b], { kind: 'ServiceAccount', namespace: 'p', name: 'default-editor' }, 'create', 'argoproj.io', 'workflows', 'p')).toBe('RoleBinding p/default-editor (ClusterRole top)');
  });

  // found by test/cluster/rbac.test.ts against the real API server (issue 22, item 6)
  test('a Group subject binds every ServiceAccount its token names: system:serviceaccounts, system:serviceaccounts:<ns>, system:authenticated', () => {
    const role = { kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] };
    const sa = { kind: 'ServiceAccount' as const, namespace: 'a', name: 's' };
    const bind = (group: string) => ({ kind: 'RoleBinding', metadata: { name: 'b', namespace: 'x' }, roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'Group', name: group }] });
    for (const g of ['system:serviceaccounts', 'system:serviceaccounts:a', 'system:authenticated']) expect(whoGrants([role, bind(g)], sa, 'get', '', 'secrets', 'x')).toBe('RoleBinding x/b (ClusterRole r)');
    expect(whoGrants([role, bind('system:serviceaccounts:b')], sa, 'get', '', 'secrets', 'x')).toBeUndefined();
    expect(whoGrants([role, bind('system:authenticated')], { kind: 'User', name: 'alice' }, 'get', '', 'secrets', 'x')).toBe('RoleBinding x/b (ClusterRole r)');
    expect(whoGrants([role, bind('team')], { kind: 'User', name: 'alice', groups: ['team'] }, 'get', '', 'secrets', 'x')).toBe('RoleBinding x/b (ClusterRole r)');
    // a User subject with a ServiceAccount's user name is that account
    const byName = { kind: 'RoleBinding', metadata: { name: 'u', namespace: 'x' }, roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'User', name: 'system:serviceaccount:a:s' }] };
    expect(whoGrants([role, byName], sa, 'get', '', 'secrets', 'x')).toBe('RoleBinding x/u (ClusterRole r)');
  });

  test('a "*/<subresource>" rule grants that subresource of every resource, and nothing else', () => {
    const role = { kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['*/token'], verbs: ['create'] }] };
    const b = { kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }] };
    const u = { kind: 'User' as const, name: 'u' };
    expect(whoGrants([role, b], u, 'create', '', 'serviceaccounts/token', 'x')).toBe('ClusterRoleBinding b (ClusterRole r)');
    expect(whoGrants([role, b], u, 'create', '', 'serviceaccounts', 'x')).toBeUndefined();
    expect(whoGrants([role, b], u, 'create', '', 'pods/log', 'x')).toBeUndefined();
  });
});
