// Issue 14's assertions, for every release: that release's own objects (test/support/release-cluster.ts)
// plus the output of its preset, through the preflight checks (preflight/checks.ts). And the
// problems each release brings, shown on the Kubeflow 1.4 output ("today's output" before the
// presets), so every check is seen failing for the reason it exists.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { KubeflowArgoChart, KubeflowPatches, Platform } from '../../packages/library/lib';
import { outputFiles } from '../../packages/library/lib/synth/output-formats';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { buildApp, EXAMPLE_PROFILE } from '../support/reference-app';
import { authserviceSkipList, preflight } from '../../packages/preflight/lib/checks';
import { MANIFESTS, releaseCluster } from '../support/release-cluster';
import { webhookTokenLua, WEBHOOK_TOKEN_HEADER } from '../../packages/library/lib/argo-events/webhook-token';
import { authserviceSkipParser, authserviceSkips, hasKubectl, lua51, runLua, PRESETS, describeUnless } from '../support/util';

const why = !fs.existsSync(MANIFESTS) ? `${MANIFESTS} not found` : !hasKubectl() ? 'kubectl not found' : undefined;
// eslint-disable-next-line no-console
if (why) console.log(`release preflight tests skipped: ${why}`);
const describeReleases = describeUnless(why);

const outputOf = (platform: Platform) => Testing.synth(buildApp(undefined, platform).charts[0]) as any[];
const componentOf = (platform: Platform) => (buildApp(undefined, platform).charts[0].node.findAll().find((c) => KubeflowPatches.isKubeflowPatches(c)) as KubeflowPatches).component;
const failures = (results: ReturnType<typeof preflight>) => results.filter((r) => !r.pass).map((r) => `${r.check}: ${r.detail}`);

/** Every release, and a standalone KFP 2.17 (Argo 4.0) on Kubeflow 1.11's platform. */

describeReleases.each(PRESETS.map((p) => [p.id, p] as const))('%s', (_id, platform) => {
  const output = outputOf(platform);
  const patched = releaseCluster(platform, EXAMPLE_PROFILE, componentOf(platform));

  test('every check passes on the release\'s own objects with the output and its Kubeflow-side patches', () => {
    const results = preflight(patched, output);
    expect(failures(results)).toEqual([]);
    expect(results.map((r) => r.check)).toEqual([
      'ingress gateway → argo-server (kubeflow) on TCP 2746',
      'ingress gateway → event source argo-events/github on TCP 12000',
      'Deployment kubeflow/argo-server meets Pod Security "' + (platform.spec.kubeflow.podSecurity.kubeflow ?? 'privileged') + '" of its namespace',
      `WorkflowTemplate ${EXAMPLE_PROFILE}/checkout-on-push meets Pod Security "${platform.spec.kubeflow.podSecurity.profiles ?? 'privileged'}" of its namespace`,
      'a browser with a Kubeflow session reaches argo-server at /argo/ without an Authorization header it did not send',
      'a webhook POST without a session reaches argo-events/github at /argo-events/github/push',
      `Sensor argo-events/github-${EXAMPLE_PROFILE} (ServiceAccount operate-workflow-sa) may create Workflows in exactly ${EXAMPLE_PROFILE}`,
      `default-editor may create Workflows in profile ${EXAMPLE_PROFILE}`,
      'argo-server (ServiceAccount kubeflow/argo-server) cannot obtain another account\'s token',
      'no object labelled cdk8s-kubeflow-argo/output=kubeflow-argo in the cluster has left the output',
    ]);
  });

  test('without the Kubeflow-side patches the webhook is stopped at the login', () => {
    const results = preflight(releaseCluster(platform, EXAMPLE_PROFILE), output);
    expect(failures(results)).toEqual([expect.stringMatching(/^a webhook POST without a session reaches .*(redirects a request without a session to the login)/)]);
  });
});

describeReleases('a calendar source', () => {
  test('gets no gateway check (nothing calls it), and the rest of the output still passes', () => {
    const platform = Platform.LATEST;
    const app = buildApp(undefined, platform);
    const chart = app.charts[0] as KubeflowArgoChart;
    chart.eventBus!.addCalendarEventSource('Nightly', { name: 'nightly', schedule: '0 2 * * *' });
    const output = Testing.synth(chart) as any[];
    expect(output.filter((o) => o.kind === 'EventSource').map((o) => o.metadata.name)).toEqual(['github', 'nightly']);
    const results = preflight(releaseCluster(platform, EXAMPLE_PROFILE, componentOf(platform)), output);
    expect(failures(results)).toEqual([]);
    expect(results.map((r) => r.check).filter((c) => c.includes('nightly'))).toEqual([]);
    expect(results.map((r) => r.check)).toContain('ingress gateway → event source argo-events/github on TCP 12000');
  });
});

describeReleases('the problems of newer releases, on the Kubeflow 1.4 output', () => {
  const old = outputOf(Platform.KUBEFLOW_1_4);

  test.each([Platform.KUBEFLOW_1_9, Platform.KUBEFLOW_1_10, Platform.KUBEFLOW_1_11].map((p) => [p.id, p] as const))('%s: NetworkPolicies cut the gateway off, and argo-server gets the Dex token', (_id, platform) => {
    const results = preflight(releaseCluster(platform, EXAMPLE_PROFILE, componentOf(platform)), old);
    const failed = failures(results);
    expect(failed).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ingress gateway → argo-server \(kubeflow\) on TCP 2746: blocked by NetworkPolicy kubeflow\/default-allow-same-namespace/),
      expect.stringMatching(/^a browser with a Kubeflow session reaches argo-server .*: (to Deployment kubeflow\/argo-server: blocked by NetworkPolicy|argo-server receives "Authorization: Bearer <Dex ID token>")/),
    ]));
  });

  test('KUBEFLOW_1_11: without the NetworkPolicy the browser check names the Authorization header', () => {
    const platform = Platform.KUBEFLOW_1_11;
    const output = outputOf(platform).filter((o) => o.kind !== 'NetworkPolicy').map((o) => (o.kind === 'VirtualService' && o.metadata.name === 'argo-server'
      ? { ...o, spec: { ...o.spec, http: o.spec.http.map((h: any) => ({ ...h, headers: undefined })) } } : o));
    const cluster = releaseCluster(platform, EXAMPLE_PROFILE, componentOf(platform)).filter((o) => o.kind !== 'NetworkPolicy');
    expect(failures(preflight(cluster, output))).toEqual([expect.stringContaining('argo-server receives "Authorization: Bearer <Dex ID token>" from the gateway\'s ext-authz')]);
  });

  test('KUBEFLOW_1_11: Pod Security "restricted" rejects upstream\'s argo-server pod (no seccomp profile)', () => {
    const output = outputOf(Platform.KUBEFLOW_1_11).map((o) => (o.kind === 'Deployment'
      ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, spec: { ...o.spec.template.spec, securityContext: { runAsNonRoot: true }, containers: o.spec.template.spec.containers.map((c: any) => ({ ...c, securityContext: { capabilities: { drop: ['ALL'] } } })) } } } } : o));
    const failed = failures(preflight(releaseCluster(Platform.KUBEFLOW_1_11, EXAMPLE_PROFILE, componentOf(Platform.KUBEFLOW_1_11)), output));
    expect(failed).toEqual([expect.stringMatching(/^Deployment kubeflow\/argo-server meets Pod Security "restricted" of its namespace: Namespace kubeflow rejects it: .*Seccomp/)]);
  });

  test('KUBEFLOW_1_4 without kubeflowRoles: default-editor cannot create Workflows; from 1.5 KFP\'s roles grant it', () => {
    const strip = (objs: any[]) => objs.filter((o) => !(o.kind === 'ClusterRole' && o.metadata.name.startsWith('kubeflow-argo-')));
    const on = (p: Platform) => failures(preflight(releaseCluster(p, EXAMPLE_PROFILE, componentOf(p)), strip(outputOf(p))));
    expect(on(Platform.KUBEFLOW_1_4)).toEqual([expect.stringMatching(/^default-editor may create Workflows in profile .*: no binding of default-editor/)]);
    expect(on(Platform.KUBEFLOW_1_5)).toEqual([]);
  });
});

describeReleases('issue 20, item 2: a generic webhook with a secret, sent as the output tells its caller', () => {
  const chartOf = (platform: Platform) => new KubeflowArgoChart(Testing.app(), 'kfa', {
    platform, profiles: [EXAMPLE_PROFILE], kubeflowRoles: platform.spec.kubeflow.editRoleHasArgo ? undefined : true,
    events: { sources: [{ type: 'webhook', webhookSecret: { name: 'hook', key: 'token' } }], triggers: [{ source: 'webhook', profile: EXAMPLE_PROFILE }] },
  });
  const webhookCheck = (results: ReturnType<typeof preflight>) => results.find((r) => r.check.startsWith('a webhook POST'))!;

  test.each(PRESETS.map((p) => [p.id, p] as const))('%s: the secret reaches the event source as "Authorization: Bearer"', (_id, platform) => {
    const chart = chartOf(platform);
    const output = Testing.synth(chart) as any[];
    const results = preflight(releaseCluster(platform, EXAMPLE_PROFILE, chart.kubeflowPatches!.component), output);
    expect(failures(results)).toEqual([]);
    const source = chart.eventSources[0];
    expect(source.tokenHeader).toBe(platform.spec.kubeflow.gatewayVerifiesBearer ? 'X-Argo-Events-Token' : 'Authorization');
    expect(webhookCheck(results).check).toContain(platform.spec.kubeflow.gatewayVerifiesBearer ? '(its secret in x-argo-events-token)' : '(its secret in Authorization: Bearer)');
  });

  test.each(PRESETS.filter((p) => p.spec.kubeflow.gatewayVerifiesBearer).map((p) => [p.id, p] as const))('%s: without the token filter (the output before), the gateway\'s JWT check answers 401', (_id, platform) => {
    const chart = chartOf(platform);
    const output = (Testing.synth(chart) as any[]).filter((o) => o.kind !== 'EnvoyFilter');
    const failed = failures(preflight(releaseCluster(platform, EXAMPLE_PROFILE, chart.kubeflowPatches!.component), output));
    expect(failed).toEqual([expect.stringMatching(/^a webhook POST without a session \(its secret in Authorization: Bearer\) reaches .*: RequestAuthentication istio-system\/dex-jwt on the gateway verifies every "Authorization: Bearer" as a JWT/)]);
  });

  const lua = lua51();
  (lua ? test : test.skip)('the filter\'s Lua (Lua 5.1, Envoy\'s dialect) moves the header into Authorization: Bearer, and leaves other requests alone', () => {
    const run = (headers: Record<string, string>) => JSON.parse(runLua(lua!, [
      webhookTokenLua(WEBHOOK_TOKEN_HEADER),
      `local h = ${luaTable(headers)}`,
      'local map = { get = function(_, k) return h[k] end, replace = function(_, k, v) h[k] = v end, remove = function(_, k) h[k] = nil end }',
      'envoy_on_request({ headers = function(_) return map end })',
      'local keys = {} for k in pairs(h) do table.insert(keys, k) end table.sort(keys)',
      'local out = {} for _, k in ipairs(keys) do table.insert(out, string.format("%q:%q", k, h[k])) end',
      'io.write("{" .. table.concat(out, ",") .. "}")',
    ].join('\n')));
    expect(run({ 'x-argo-events-token': 's3cr"t', 'content-type': 'application/json' })).toEqual({ authorization: 'Bearer s3cr"t', 'content-type': 'application/json' });
    expect(run({ 'x-argo-events-token': 'mine', authorization: 'Bearer other' })).toEqual({ authorization: 'Bearer mine' });
    expect(run({ authorization: 'Bearer x' })).toEqual({ authorization: 'Bearer x' });
    expect(run({})).toEqual({});
  });
});

/** A Lua table literal of string keys and values. */
function luaTable(o: Record<string, string>): string {
  return `{ ${Object.entries(o).map(([k, v]) => `[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join(', ')} }`;
}

describeReleases('issue 20, item 11: Sensors of two profiles share one ServiceAccount', () => {
  const platform = Platform.KUBEFLOW_1_9;
  const chart = new KubeflowArgoChart(Testing.app(), 'kfa', {
    platform, profiles: ['team-a', 'team-b'],
    events: { sources: [{ type: 'github', repositories: ['a/b'], webhookSecret: { name: 'gh', key: 'secret' } }], triggers: [{ source: 'github', profile: 'team-a' }, { source: 'github', profile: 'team-b' }] },
  });
  const output = Testing.synth(chart) as any[];
  const cluster = [...releaseCluster(platform, 'team-a', chart.kubeflowPatches!.component), ...releaseCluster(platform, 'team-b').filter((o) => o.kind === 'RoleBinding' || (o.kind === 'Namespace' && o.metadata.name === 'team-b'))];
  const sensorChecks = (results: ReturnType<typeof preflight>) => results.filter((r) => r.check.startsWith('Sensor '));

  test('the correct output passes: the shared account may create Workflows in exactly both profiles', () => {
    const results = preflight(cluster, output);
    expect(failures(results)).toEqual([]);
    expect(sensorChecks(results).map((r) => r.check)).toEqual([
      'Sensor argo-events/github-team-a (ServiceAccount operate-workflow-sa, shared by 2 Sensors) may create Workflows in exactly team-a, team-b',
      'Sensor argo-events/github-team-b (ServiceAccount operate-workflow-sa, shared by 2 Sensors) may create Workflows in exactly team-a, team-b',
    ]);
  });

  test('a binding of the account in a third namespace still fails, naming it', () => {
    const extra = { kind: 'RoleBinding', metadata: { name: 'stray', namespace: 'kubeflow' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubeflow-edit' }, subjects: [{ kind: 'ServiceAccount', name: 'operate-workflow-sa', namespace: 'argo-events' }] };
    const failed = failures(preflight([...cluster, extra], output));
    expect(failed).toEqual(Array(2).fill(expect.stringMatching(/^Sensor argo-events\/github-team-[ab] .*: RoleBinding kubeflow\/stray.* also grants it in kubeflow$/)));
  });
});

describeReleases('issue 20, item 5: accounts that left the output fail the preflight until they are pruned', () => {
  const platform = Platform.KUBEFLOW_1_9;
  const sso = (profiles: any[]) => {
    const chart = new KubeflowArgoChart(Testing.app(), 'kfa', { platform, profiles, sso: {} });
    return { output: Testing.synth(chart) as any[], component: chart.kubeflowPatches!.component };
  };
  const before = sso([{ namespace: 'alice', owner: 'alice@example.com', contributors: ['bob@example.com'] }, { namespace: 'carol', owner: 'carol@example.com' }]);
  const after = sso([{ namespace: 'alice', owner: 'alice@example.com' }]);
  const cluster = [...releaseCluster(platform, 'alice', after.component), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'carol' } }];
  const staleChecks = (results: ReturnType<typeof preflight>) => results.filter((r) => /left the output|earlier output/.test(r.check));

  test('the correct output passes on a cluster that holds only it', () => {
    const results = preflight([...cluster, ...after.output], after.output);
    expect(failures(results)).toEqual([]);
    expect(staleChecks(results).map((r) => r.check)).toEqual(['no object labelled cdk8s-kubeflow-argo/output=kfa in the cluster has left the output']);
  });

  test('the earlier output applied, not pruned: one line names what still acts (bob\'s old token, carol\'s account)', () => {
    const failed = failures(preflight([...cluster, ...before.output], after.output));
    expect(failed).toEqual([expect.stringMatching(/^no object labelled cdk8s-kubeflow-argo\/output=kfa in the cluster has left the output: \d+ left it and still act \(.*\): after applying, run sh prune\.sh from the output directory$/)]);
    expect(failed[0]).toMatch(/RoleBinding carol\/argo-sso-editor/);
  });

  test('an SSO account of an output from before the label fails too, by name', () => {
    const legacy = before.output.filter((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === 'carol')
      .map((o) => ({ ...o, metadata: { ...o.metadata, labels: undefined } }));
    expect(legacy).toHaveLength(1);
    const failed = failures(preflight([...cluster, ...after.output, ...legacy], after.output));
    expect(failed).toEqual(['no SSO account of an earlier output without the output label is left in the cluster: ServiceAccount carol/argo-sso-editor is not in the output and still admits users to argo-server: delete it with its RoleBindings and token Secrets (prune.sh only finds labelled objects)']);
  });
});

describeReleases('issue 20, item 1: the authservice skip list, parsed as each authservice commit parses it', () => {
  const parser = authserviceSkipParser();
  // eslint-disable-next-line no-console
  if (parser.skipped) console.log(`the authservice's own parsing is not compared: ${parser.skipped}`);
  const withParser = parser.bin ? test : test.skip;
  const hook = '/argo-events/github/push';

  test.each([Platform.KUBEFLOW_1_7, Platform.KUBEFLOW_1_8].map((p) => [p.id, p] as const))('%s: a space-joined SKIP_AUTH_URLS (the old Component) fails the preflight with a one-line reason', (_id, platform) => {
    const cluster = releaseCluster(platform, EXAMPLE_PROFILE, componentOf(platform)).map((o) => (o.kind === 'ConfigMap' && o.metadata.name === 'oidc-authservice-parameters'
      ? { ...o, data: { ...o.data, SKIP_AUTH_URLS: `/dex ${hook}` } } : o));
    const failed = failures(preflight(cluster, outputOf(platform)));
    expect(failed).toEqual([expect.stringMatching(/^a webhook POST without a session reaches .*: .*is not under its skip list \["\/dex \/argo-events\/github\/push"\] \(SKIP_AUTH_URLS .*comma-separated/)]);
    expect(failed[0]).not.toContain('\n');
  });

  withParser('the preflight reads each value as the real parser does (commit 28c59ef: spaces; e236439: envconfig v1.4.0, commas)', () => {
    const values = ['/dex', `/dex ${hook}`, `/dex,${hook}`, `/dex, ${hook}`, ` /dex  ${hook} `, '', `/dex,,${hook}`, `/dex ,${hook}`];
    for (const value of values) {
      const uri = authserviceSkips(parser.bin!, '28c59ef', { SKIP_AUTH_URI: value });
      expect({ value, prefixes: authserviceSkipList({ SKIP_AUTH_URI: value }).prefixes }).toEqual({ value, prefixes: uri });
      // e236439 also skips its own prefix (settings.go:87); the preflight only needs the listed ones
      const urls = authserviceSkips(parser.bin!, 'e236439', { SKIP_AUTH_URLS: value }).filter((p) => p !== '/authservice/');
      expect({ value, prefixes: authserviceSkipList({ SKIP_AUTH_URLS: value }).prefixes.filter((p) => p !== '/authservice/') }).toEqual({ value, prefixes: urls });
    }
  });
});

describeReleases('npm run preflight on a dump assembled from the newest release\'s files, with the reference app on it', () => {
  // what the documented kubectl commands give: a List of the cluster's objects, and the ConfigMaps on their own
  const dump = (cluster: any[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-preflight-'));
    const configMaps = cluster.filter((o) => o.kind === 'ConfigMap');
    fs.writeFileSync(path.join(dir, 'cluster.yaml'), stringify({ apiVersion: 'v1', kind: 'List', items: cluster.filter((o) => o.kind !== 'ConfigMap') }));
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), configMaps.map((o) => stringify(o)).join('---\n'));
    return dir;
  };
  const platform = Platform.LATEST;
  // the reference app's output on the newest release, as the synth command writes it
  const output = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-preflight-output-'));
  for (const f of outputFiles(synthesizeApp(buildApp(undefined, platform)))) {
    fs.mkdirSync(path.dirname(path.join(output, f.file)), { recursive: true });
    fs.writeFileSync(path.join(output, f.file), f.text);
  }
  afterAll(() => fs.rmSync(output, { recursive: true, force: true }));
  const run = (dir: string) => spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'packages', 'cli', 'lib', 'preflight.js'), '--output', output, 'cluster.yaml', 'mesh.yaml'], { cwd: dir, encoding: 'utf8' });

  test('every check passes on the cluster with the patches: exit 0, one PASS line per check', () => {
    const dir = dump(releaseCluster(platform, EXAMPLE_PROFILE, componentOf(platform)));
    try {
      const res = run(dir);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      expect(res.stdout.match(/^PASS /gm)).toHaveLength(10);
      expect(res.stdout).toContain('10 of 10 checks pass');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('without them: exit 1, and the FAIL line names the policy that stops the webhook', () => {
    const dir = dump(releaseCluster(platform, EXAMPLE_PROFILE));
    try {
      const res = run(dir);
      expect(res.status).toBe(1);
      expect(res.stdout).toMatch(/^FAIL a webhook POST without a session reaches argo-events\/github at \/argo-events\/github\/push\n {5}AuthorizationPolicy istio-system\/istio-ingressgateway-oauth2-proxy sends it to oauth2-proxy, which redirects/m);
      expect(res.stdout).toContain('9 of 10 checks pass');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('a missing file is exit 2; no file is a usage error, 64', () => {
    const res = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'packages', 'cli', 'lib', 'preflight.js'), 'nope.yaml'], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toBe('preflight: nope.yaml: cannot be read (ENOENT)\n');
    expect(spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'packages', 'cli', 'lib', 'preflight.js')], { encoding: 'utf8' }).status).toBe(64);
  });
});
