// The request path of a preset, started for real on loopback for test/cluster-request-path.test.ts
// (issue 23): the test cluster (test/cluster.ts) with the release's objects and the preset's output
// applied; argo-server of the preset's tag (test/argo-server-bin.ts) with exactly the args and env
// of the output's Deployment and its ServiceAccount's token from the API server; on releases whose
// login can be built (1.9+: oauth2-proxy), Dex and oauth2-proxy at the release's versions from the
// release's own objects (test/login-stack.ts); a stand-in for the central dashboard that answers
// with the user the gateway passed on; and the gateway model (test/gateway.ts) in front of all of
// it, with Dex's keys for the release's RequestAuthentication.
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { Platform } from '../lib';
import { synthesizeApp } from '../lib/synth/synthesize';
import { referenceApp } from '../scripts/rights-doc';
import { ArgoServerBuild, argoServerBinary, argoServerTag } from './argo-server-bin';
import { Cluster, freePort, startCluster } from './cluster';
import { installRelease, loadClusterFixture } from './cluster-fixtures';
import { Gateway, startGateway, Upstreams } from './gateway';
import { hasOauth2Proxy } from './login-bin';
import { LoginStack, startLogin } from './login-stack';
import { RunningProcess, ServiceAddresses, startProcess } from './pods';

/** A response as the suite reads it. */
export interface Answer { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: string }

/** One plain HTTP request to loopback `port`. */
export function request(port: number, method: string, url: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers: { ...headers, ...(data ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** argo-server as the output's Deployment runs it, outside the cluster. */
export interface RunningServer extends RunningProcess { readonly port: number; readonly build: ArgoServerBuild }

/** The kubeconfig argo-server would find in its pod: the API server, its account's token, its namespace. */
function podKubeconfig(cluster: Cluster, account: string, ns: string, file: string): void {
  const token = cluster.kubectl(['create', 'token', account, '-n', ns, '--duration=1h']);
  if (token.status !== 0) throw new Error(`kubectl create token ${account}: ${token.stderr}`);
  const server = JSON.parse(cluster.kubectl(['config', 'view', '--raw', '-o', 'json']).stdout).clusters[0].cluster.server;
  fs.writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'pod',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'sa', user: { token: token.stdout.trim() } }],
    contexts: [{ name: 'pod', context: { cluster: 'c', user: 'sa', namespace: ns } }],
  }));
}

/**
 * Starts argo-server with the Deployment's args and env, its account's token (given both as
 * --kubeconfig and as KUBECONFIG: client mode builds each caller's config from the default loading
 * rules, util/kubeconfig/kubeconfig.go DefaultRestConfig, which in a pod find the in-cluster config).
 */
export async function startArgoServer(cluster: Cluster, build: ArgoServerBuild, deployment: any, hosts: string, dir: string): Promise<RunningServer> {
  const ns = deployment.metadata.namespace;
  const spec = deployment.spec.template.spec;
  const container = spec.containers.find((c: any) => c.name === 'argo-server');
  const kubeconfig = path.join(dir, 'argo-server.kubeconfig');
  podKubeconfig(cluster, spec.serviceAccountName, ns, kubeconfig);
  const port = await freePort();
  const env = Object.fromEntries((container.env ?? []).map((e: any) => {
    if (e.value === undefined) throw new Error(`argo-server env ${e.name} is not a plain value: the request-path suite does not model valueFrom`);
    return [e.name, e.value];
  }));
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
      proc.stop();
      throw new Error(`argo-server ${build.version} (${args.join(' ')}) did not answer:\n${proc.log()}`);
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

/** Users the suite adds to Dex. */
export const SUITE_USERS = ['alice@example.com', 'mallory@example.com'];

/** Starts the request path of `platform` (see the file's comment); prints the versions it runs. */
export async function startRequestPath(platform: Platform, bins: { etcd: string; kubernetes: string }, dir: string): Promise<RequestPath> {
  const wanted = argoServerTag(platform);
  const build = argoServerBinary(wanted);
  if ('skipped' in build) throw new Error(build.skipped);
  const fixture = loadClusterFixture(platform);
  if ('skipped' in fixture) throw new Error(fixture.skipped);
  const addresses = new ServiceAddresses();
  const cluster = await startCluster(bins);
  const parts: { argo?: RunningServer; login?: LoginStack; gateway?: Gateway; dashboard?: http.Server } = {};
  const stop = async () => { await parts.gateway?.close(); parts.dashboard?.close(); parts.argo?.stop(); parts.login?.stop(); cluster.stop(); };
  try {
    const release = installRelease(cluster, platform);
    const objects = synthesizeApp(referenceApp(platform, false)).flatMap((f) => f.objects);
    const applied = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    if (applied.status !== 0 || applied.stderr) throw new Error(`applying the output: ${applied.stderr}`);
    if (hasOauth2Proxy(platform)) parts.login = await startLogin(fixture.login, SUITE_USERS, addresses, dir, true);
    parts.argo = await startArgoServer(cluster, build, objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'argo-server'), addresses.hostsFile(), dir);
    const dashboard = await startDashboard();
    parts.dashboard = dashboard.server;
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'argo-server');
    const upstreams: Upstreams = {
      ...parts.login?.upstreams,
      [`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`]: { host: '127.0.0.1', port: parts.argo.port },
      'centraldashboard.kubeflow.svc.cluster.local:80': { host: '127.0.0.1', port: dashboard.port },
    };
    const keys = parts.login ? await parts.login.jwks() : { keys: [] };
    parts.gateway = await startGateway({ objects: [...objects, ...release, ...(parts.login ? fixture.login : [])], gateway: 'kubeflow/kubeflow-gateway', upstreams, jwks: () => keys });
    // eslint-disable-next-line no-console
    console.log([`${platform.id}: argo-server ${build.version}${build.version === wanted ? '' : ` (the preset runs ${wanted}, which the Go module proxy does not serve)`}`,
      ...(parts.login?.builds ?? []).map((b) => `${platform.id}: ${b.name} ${b.version}${b.version === b.wanted ? '' : ` (the release runs ${b.wanted})`}`),
      ...(parts.login?.notes ?? []).map((n) => `${platform.id}: ${n}`),
      ...(parts.login ? [] : [`${platform.id}: the release's login is not run (oidc-authservice cannot be built: test/login-bin.ts)`])].join('\n'));
    const { argo, login, gateway } = parts as Required<typeof parts>;
    return {
      cluster, argo, login, gateway, objects, release, dashboardAuthorization: dashboard.authorization,
      logs: () => [`--- argo-server log ---\n${argo.log()}`, login?.logs() ?? ''].join('\n'),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
