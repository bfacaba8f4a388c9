// The request path of a preset, started for real on loopback for test/cluster/request-path.test.ts
// (issue 23): the test cluster (test/support/cluster.ts) with the release's objects and the preset's output
// applied; argo-server of the preset's tag (test/support/argo-server-bin.ts) with exactly the args and env
// of the output's Deployment and its ServiceAccount's token from the API server; on releases whose
// login can be built (1.9+: oauth2-proxy), Dex and oauth2-proxy at the release's versions from the
// release's own objects (test/support/login-stack.ts); a stand-in for the central dashboard that answers
// with the user the gateway passed on; and the gateway model (test/support/gateway.ts) in front of all of
// it, with Dex's keys for the release's RequestAuthentication.
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { App } from 'cdk8s';
import { KubeflowArgoChart, Platform } from '../../packages/library/lib';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { referenceApp } from '../../scripts/rights-doc';
import { ArgoServerBuild, argoServerBinary, argoServerTag } from './argo-server-bin';
import { request } from './browser';
import { apiServerUrl, Cluster, freePort, serviceAccountToken, startCluster, startError, withFreshPorts } from './cluster';
import { installRelease, loadClusterFixture } from './cluster-fixtures';
import { EventsStack, startEvents } from './events-path';
import { Gateway, startGateway, Upstreams } from './gateway';
import { hasOauth2Proxy } from './login-bin';
import { Headers, runLuaFilter } from './envoy-lua';
import { LoginStack, startLogin } from './login-stack';
import { containerEnv, RunningProcess, ServiceAddresses, startProcess } from './pods';
import { lua51 } from './util';

/** argo-server as the output's Deployment runs it, outside the cluster. */
export interface RunningServer extends RunningProcess { readonly port: number; readonly build: ArgoServerBuild }

/** The kubeconfig argo-server would find in its pod: the API server, its account's token, its namespace. */
function podKubeconfig(cluster: Cluster, account: string, ns: string, file: string): void {
  fs.writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'pod',
    clusters: [{ name: 'c', cluster: { server: apiServerUrl(cluster).href.replace(/\/$/, ''), 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'sa', user: { token: serviceAccountToken(cluster, ns, account) } }],
    contexts: [{ name: 'pod', context: { cluster: 'c', user: 'sa', namespace: ns } }],
  }));
}

/**
 * Starts argo-server with the Deployment's args and env, its account's token (given both as
 * --kubeconfig and as KUBECONFIG: client mode builds each caller's config from the default loading
 * rules, util/kubeconfig/kubeconfig.go DefaultRestConfig, which in a pod find the in-cluster config).
 */
export function startArgoServer(cluster: Cluster, build: ArgoServerBuild, objects: readonly any[], hosts: string, dir: string): Promise<RunningServer> {
  return withFreshPorts(() => startArgoServerOnce(cluster, build, objects, hosts, dir));
}

async function startArgoServerOnce(cluster: Cluster, build: ArgoServerBuild, objects: readonly any[], hosts: string, dir: string): Promise<RunningServer> {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'argo-server');
  const ns = deployment.metadata.namespace;
  const spec = deployment.spec.template.spec;
  const container = spec.containers.find((c: any) => c.name === 'argo-server');
  const kubeconfig = path.join(dir, 'argo-server.kubeconfig');
  podKubeconfig(cluster, spec.serviceAccountName, ns, kubeconfig);
  const port = await freePort();
  const env = containerEnv(container, ns, objects);
  const args = [...container.args, `--kubeconfig=${kubeconfig}`, `--port=${port}`];
  const proc = startProcess('argo-server', build.bin, args, { KUBECONFIG: kubeconfig, ...env }, hosts, dir);
  const deadline = Date.now() + 60_000;
  for (;;) {
    // ready when its API answers through its own gRPC gateway, which dials the server's port once
    // per service and, when that first dial came before the listener, backs off (a pod's readiness
    // delay hides that): the services the cases use answer other than 503
    const r = await Promise.all(['/api/v1/version', '/api/v1/workflows/kubeflow'].map((u) => request(port, 'GET', u).catch(() => undefined)));
    if (r.every((x) => x && x.status !== 503)) return { ...proc, port, build };
    if (proc.exitCode() !== null || Date.now() > deadline) {
      const [tail, log] = [proc.log(), proc.log(Number.MAX_SAFE_INTEGER)];
      proc.stop();
      throw startError(`argo-server ${build.version} (${args.join(' ')}) did not answer:\n${tail}`, log);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** The central dashboard's stand-in: answers `dashboard for <kubeflow-userid>`, and keeps the last Authorization header it got. */
function startDashboard(): Promise<{ port: number; server: http.Server; authorization: () => string | undefined }> {
  let authorization: string | undefined;
  const server = http.createServer((req, res) => {
    authorization = req.headers.authorization ?? authorization;
    res.end(`dashboard for ${req.headers['kubeflow-userid'] ?? '(nobody)'}`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, server, authorization: () => authorization })));
}

/** Node's headers as Envoy's header entries (a repeated header, e.g. set-cookie, once per value). */
const entries = (h: http.IncomingHttpHeaders): Headers => Object.entries(h).flatMap(([k, v]) => [v ?? []].flat().map((x) => [k, String(x)] as [string, string]));

/**
 * A workload's sidecar, as far as the output configures it: the Lua filter of an EnvoyFilter on it
 * (argo-server's SSO login redirect and cookies; an event source's token header) run on each
 * request before it goes on (test/support/envoy-lua.ts) and, with the same request, on its response.
 */
function startSidecar(code: string, upstream: { host: string; port: number }): Promise<{ port: number; server: http.Server }> {
  const lua = lua51();
  if (!lua) throw new Error('lua5.1 is missing: the Lua filters of the sidecars cannot run');
  const server = http.createServer((req, res) => {
    const asked: Headers = [[':method', req.method!], [':path', req.url!], ...entries(req.headers)];
    const sent = runLuaFilter(lua, code, asked, [[':status', '200']]).request;
    const headers = (list: Headers) => list.filter(([k]) => !k.startsWith(':')).flat();
    const up = http.request({ host: upstream.host, port: upstream.port, method: req.method, path: sent.find(([k]) => k === ':path')![1], headers: headers(sent) }, (r) => {
      const out = runLuaFilter(lua, code, asked, [[':status', String(r.statusCode)], ...entries(r.headers)]);
      res.writeHead(Number(out.response.find(([k]) => k === ':status')![1]), headers(out.response));
      r.pipe(res);
    });
    up.on('error', (e) => res.writeHead(503).end(`sidecar upstream: ${e.message}`));
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, server })));
}

/** The inline Lua of the output's EnvoyFilter on the workload whose pods carry `labels`, if any. */
function sidecarFilter(objects: readonly any[], labels: Record<string, string>): string | undefined {
  const filter = objects.find((o) => o.kind === 'EnvoyFilter' && Object.entries(o.spec.workloadSelector?.labels ?? {}).every(([k, v]) => labels[k] === v));
  return filter?.spec.configPatches[0].patch.value.typed_config.inlineCode;
}

const idOf = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * The release's login objects and its other objects as the output's Kubeflow-side Component
 * leaves them (`kubectl kustomize` over them, as docs/platforms.md has admins add it to their
 * install): the gateway's policies among them (the webhook paths the Component exempts from the login).
 */
function withComponent(login: readonly any[], release: readonly any[], component: string): { login: any[]; release: any[] } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-component-'));
  const ids = new Set(login.map(idOf));
  try {
    const all = [...login, ...release.filter((o) => !ids.has(idOf(o)))];
    fs.writeFileSync(path.join(work, 'login.yaml'), all.map((o) => JSON.stringify(o)).join('\n---\n'));
    fs.mkdirSync(path.join(work, 'patches'));
    fs.writeFileSync(path.join(work, 'patches', 'kustomization.yaml'), component);
    fs.writeFileSync(path.join(work, 'kustomization.yaml'), 'resources:\n- login.yaml\ncomponents:\n- ./patches\n');
    const out = parseAllDocuments(execFileSync('kubectl', ['kustomize', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).map((d) => d.toJS()).filter(Boolean);
    return { login: out.filter((o) => ids.has(idOf(o))), release: out.filter((o) => !ids.has(idOf(o))) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** docs/login.md step 1: the SSO client's Secret, the same in argo-server's SSO namespace and Dex's; returns Dex's copy. */
function createClientSecret(cluster: Cluster, namespaces: readonly string[]): any {
  const literals = ['--from-literal=client-id=argo-workflows', `--from-literal=client-secret=${randomBytes(32).toString('hex')}`];
  for (const ns of namespaces) {
    const r = cluster.kubectl(['-n', ns, 'create', 'secret', 'generic', 'argo-server-sso', ...literals]);
    if (r.status !== 0) throw new Error(`creating Secret ${ns}/argo-server-sso: ${r.stderr}`);
  }
  return JSON.parse(cluster.kubectl(['-n', 'auth', 'get', 'secret', 'argo-server-sso', '-o', 'json']).stdout);
}

/** A preset's request path, running. */
export interface RequestPath {
  readonly cluster: Cluster;
  readonly argo: RunningServer;
  readonly gateway: Gateway;
  /** The release's login, where it can run (1.9+). */
  readonly login?: LoginStack;
  readonly objects: readonly any[];
  readonly release: readonly any[];
  /** The last Authorization header the dashboard's route passed on (with the login: `Bearer <Dex ID token>`). */
  dashboardAuthorization(): string | undefined;
  /** The last log lines of every program. */
  logs(): string;
  stop(): Promise<void>;
}

/** Users the suite adds to Dex: the reference app's owner and contributor of `team-a`, and a stranger. */
export const SUITE_USERS = ['alice@example.com', 'bob@example.com', 'mallory@example.com'];

/**
 * Where the gateway sends each event source's Service: its pod, or, where the output puts an
 * EnvoyFilter on the event source's sidecar (1.9+: the token header), that sidecar in front of it.
 */
async function eventSourceUpstreams(objects: readonly any[], events: EventsStack | undefined, servers: http.Server[]): Promise<Upstreams> {
  const out: Upstreams = {};
  for (const [at, pod] of Object.entries(events?.upstreams ?? {})) {
    const source = objects.find((o) => o.kind === 'EventSource' && at.startsWith(`${o.metadata.name}-eventsource-svc.${o.metadata.namespace}.`));
    const code = source && sidecarFilter(objects, { 'eventsource-name': source.metadata.name, ...source.spec.template?.metadata?.labels });
    const sidecar = code ? await startSidecar(code, pod) : undefined;
    if (sidecar) servers.push(sidecar.server);
    out[at] = sidecar ? { host: '127.0.0.1', port: sidecar.port } : pod;
  }
  return out;
}

/** The pod labels of the output's argo-server. */
const argoServerPodLabels = (objects: readonly any[]) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'argo-server').spec.template.metadata.labels;

/** What a request path runs besides the release and argo-server. */
export interface RequestPathOptions {
  /** With SSO (the reference app's `sso`; Dex runs on every release). */
  readonly sso?: boolean;
  /** The app whose output is applied. @default the reference app (scripts/rights-doc.ts) */
  readonly app?: App;
  /** Secrets created before the output's pods start, as `namespace/name` → key → value (a webhook's secret). */
  readonly secrets?: Record<string, Record<string, string>>;
  /** Run Argo Events for the output's EventBus, EventSources and Sensors (test/support/events-path.ts). */
  readonly events?: boolean;
}

/** The output applied, with, for `sso`, the client Secret (docs/login.md step 1); its objects, and the Kubeflow-side Component's text. */
function applyOutput(cluster: Cluster, platform: Platform, options: RequestPathOptions): { objects: any[]; component?: string; dexClient?: string; clientSecret?: any } {
  const sso = options.sso ?? false;
  const app = options.app ?? referenceApp(platform, sso);
  const chart = app.node.children.find((c) => c instanceof KubeflowArgoChart) as KubeflowArgoChart;
  const objects = synthesizeApp(app).flatMap((f) => f.objects);
  const applied = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
  if (applied.status !== 0 || applied.stderr) throw new Error(`applying the output: ${applied.stderr}`);
  for (const [at, data] of Object.entries(options.secrets ?? {})) {
    const [ns, name] = at.split('/');
    const r = cluster.kubectl(['-n', ns, 'create', 'secret', 'generic', name, ...Object.entries(data).map(([k, v]) => `--from-literal=${k}=${v}`)]);
    if (r.status !== 0) throw new Error(`creating Secret ${at}: ${r.stderr}`);
  }
  const component = chart.kubeflowPatches?.component;
  if (!sso) return { objects, component };
  const ssoNamespace = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'argo-server-sso-config').metadata.namespace;
  return { objects, component, dexClient: chart.kubeflowPatches!.dexStaticClient, clientSecret: createClientSecret(cluster, [ssoNamespace, 'auth']) };
}

/** What the suite prints of a run: each program's version and each harness change. */
function describeRun(platform: Platform, build: ArgoServerBuild, login?: LoginStack): string {
  const wanted = argoServerTag(platform);
  return [`${platform.id}: argo-server ${build.version}${build.version === wanted ? '' : ` (the preset runs ${wanted}, which the Go module proxy does not serve)`}`,
    ...(login?.builds ?? []).map((b) => `${platform.id}: ${b.name} ${b.version}${b.version === b.wanted ? '' : ` (the release runs ${b.wanted})`}`),
    ...(login?.notes ?? []).map((n) => `${platform.id}: ${n}`),
    ...(hasOauth2Proxy(platform) ? [] : [`${platform.id}: the release's login is not run (oidc-authservice cannot be built: test/support/login-bin.ts)`])].join('\n');
}

/**
 * Starts the request path of `platform` (see the file's comment), with the output of the
 * reference app with or without `sso`; prints the versions it runs. With `sso`, Dex runs on every
 * release (with the output's client and the Component's changes to Dex) and argo-server behind its
 * sidecar's Lua filter.
 */
export async function startRequestPath(platform: Platform, bins: { etcd: string; kubernetes: string }, dir: string, options: RequestPathOptions = {}): Promise<RequestPath> {
  const sso = options.sso ?? false;
  const build = argoServerBinary(argoServerTag(platform));
  if ('skipped' in build) throw new Error(build.skipped);
  const fixture = loadClusterFixture(platform);
  if ('skipped' in fixture) throw new Error(fixture.skipped);
  const addresses = new ServiceAddresses();
  const cluster = await startCluster(bins);
  const parts: { argo?: RunningServer; login?: LoginStack; events?: EventsStack; gateway?: Gateway; servers: http.Server[] } = { servers: [] };
  const stop = async () => { await parts.gateway?.close(); parts.servers.forEach((x) => x.close()); parts.argo?.stop(); parts.login?.stop(); parts.events?.stop(); cluster.stop(); };
  try {
    const release = installRelease(cluster, platform);
    const out = applyOutput(cluster, platform, options);
    const patched = out.component ? withComponent([...fixture.login, ...(out.clientSecret ? [out.clientSecret] : [])], release, out.component) : { login: fixture.login, release };
    const login = patched.login;
    if (hasOauth2Proxy(platform) || sso) {
      parts.login = await startLogin(login, { users: SUITE_USERS, withProxy: hasOauth2Proxy(platform), staticClients: out.dexClient ? parse(out.dexClient) : [] }, addresses, dir);
    }
    parts.argo = await startArgoServer(cluster, build, out.objects, addresses.hostsFile(), dir);
    const dashboard = await startDashboard();
    parts.servers.push(dashboard.server);
    const argoFilter = sidecarFilter(out.objects, argoServerPodLabels(out.objects));
    const sidecar = argoFilter ? await startSidecar(argoFilter, { host: '127.0.0.1', port: parts.argo.port }) : undefined;
    if (sidecar) parts.servers.push(sidecar.server);
    const service = out.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'argo-server');
    if (options.events) parts.events = await startEvents(cluster, platform, out.objects, addresses, dir);
    const upstreams: Upstreams = {
      ...parts.login?.upstreams,
      ...await eventSourceUpstreams(out.objects, parts.events, parts.servers),
      [`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`]: { host: '127.0.0.1', port: sidecar?.port ?? parts.argo.port },
      'centraldashboard.kubeflow.svc.cluster.local:80': { host: '127.0.0.1', port: dashboard.port },
    };
    const keys = parts.login ? await parts.login.jwks() : { keys: [] };
    parts.gateway = await startGateway({ objects: [...out.objects, ...patched.release, ...(parts.login ? login : [])], gateway: 'kubeflow/kubeflow-gateway', upstreams, jwks: () => keys });
    // eslint-disable-next-line no-console
    console.log([describeRun(platform, build, parts.login), ...(parts.events?.notes ?? []).map((n) => `${platform.id}: ${n}`)].join('\n'));
    const { argo, gateway } = parts as Required<typeof parts>;
    return {
      cluster, argo, login: parts.login, gateway, objects: out.objects, release, dashboardAuthorization: dashboard.authorization,
      logs: () => [`--- argo-server log ---\n${argo.log()}`, parts.login?.logs() ?? '', parts.events?.logs() ?? ''].join('\n'),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Starts the request path before a describe block's tests and stops it, removing its directory,
 * after them; `set` receives it. Returns the run's directory.
 */
export function requestPathForBlock(platform: Platform, bins: { etcd: string; kubernetes: string }, options: RequestPathOptions, set: (rp: RequestPath) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-path-'));
  let started: RequestPath | undefined;
  beforeAll(async () => {
    started = await startRequestPath(platform, bins, dir, options);
    set(started);
  }, 1_200_000);
  afterAll(async () => {
    await started?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
