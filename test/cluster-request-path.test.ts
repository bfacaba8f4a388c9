// Issue 23 (first slice): the request path run for real, argo-server's part. On the test cluster
// (test/cluster.ts) with the release's objects and the preset's output applied, the real
// argo-server of the preset's tag (test/argo-server-bin.ts: built from argo-workflows' Go module)
// runs with exactly the args and env of the output's Deployment and its ServiceAccount's token
// from the API server; a stand-in for Istio's ingress gateway (test/gateway.ts) applies the
// output's VirtualServices and the release's RequestAuthentications. Through the gateway:
// - case 2, the UI: `/argo` redirects to `/argo/`, which answers the page with `<base href="/argo/">`,
//   and every file the page names loads under it;
// - case 3, client-mode login as docs/login.md documents it: a token of the profile's
//   `default-editor`, sent as the UI sends it (the `authorization` cookie its login box sets, which
//   argo-server reads when no Authorization header comes: server/auth/gatekeeper.go
//   getAuthHeaders), lists and creates workflows in its profile and is refused (403) in another
//   namespace and across all; sent as the CLI sends it (an Authorization header) it works on 1.4-1.8,
//   and on 1.9+ the gateway refuses it (401: it is no Kubeflow JWT) before the route would remove it.
// Not yet run here: the login proxy (ext-authz), Dex and SSO, Argo Events (see docs/development.md).
// When a case fails it prints the request, the status, the body and argo-server's last log lines.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { synthesizeApp } from '../lib/synth/synthesize';
import { referenceApp } from '../scripts/rights-doc';
import { ArgoServerBuild, argoServerBinary, argoServerTag, REQUEST_PATH_PRESETS } from './argo-server-bin';
import { Cluster, clusterBinaries, freePort, startCluster } from './cluster';
import { installRelease, loadClusterFixture } from './cluster-fixtures';
import { Gateway, jwtProviders, startGateway } from './gateway';
import { describeUnless, hasKubectl } from './util';

const CASES = REQUEST_PATH_PRESETS;
const GATEWAY = 'kubeflow/kubeflow-gateway';
const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const why = bins.skipped ?? CASES.map((p) => loadClusterFixture(p)).map((f) => ('skipped' in f ? f.skipped : undefined)).find(Boolean);
// eslint-disable-next-line no-console
if (why) console.log(`request path tests skipped: ${why}`);

/** A response as the suite reads it. */
interface Answer { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: string }

function request(port: number, method: string, url: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
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

/** argo-server as the output's Deployment runs it, outside the cluster: its args and env, its account's token, its namespace. */
interface RunningServer { readonly port: number; readonly log: () => string; stop(): void }

async function startArgoServer(cluster: Cluster, build: ArgoServerBuild, deployment: any, dir: string): Promise<RunningServer> {
  const ns = deployment.metadata.namespace;
  const spec = deployment.spec.template.spec;
  const container = spec.containers.find((c: any) => c.name === 'argo-server');
  const token = cluster.kubectl(['create', 'token', spec.serviceAccountName, '-n', ns, '--duration=1h']);
  expect([token.status, token.stderr]).toEqual([0, '']);
  const server = JSON.parse(cluster.kubectl(['config', 'view', '--raw', '-o', 'json']).stdout).clusters[0].cluster.server;
  // the in-cluster config argo-server would have: the API server, its token, its namespace (given
  // both as --kubeconfig and as KUBECONFIG: client mode builds each caller's config from the
  // default loading rules, util/kubeconfig/kubeconfig.go DefaultRestConfig, which in a pod find
  // the in-cluster config)
  const kubeconfig = path.join(dir, 'argo-server.kubeconfig');
  fs.writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'pod',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'sa', user: { token: token.stdout.trim() } }],
    contexts: [{ name: 'pod', context: { cluster: 'c', user: 'sa', namespace: ns } }],
  }));
  const port = await freePort();
  const env = Object.fromEntries((container.env ?? []).map((e: any) => {
    if (e.value === undefined) throw new Error(`argo-server env ${e.name} is not a plain value: the request-path suite does not model valueFrom`);
    return [e.name, e.value];
  }));
  const logFile = path.join(dir, 'argo-server.log');
  const out = fs.openSync(logFile, 'w');
  const args = [...container.args, `--kubeconfig=${kubeconfig}`, `--port=${port}`];
  const proc: ChildProcess = spawn(build.bin, args, { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig, ...env }, stdio: ['ignore', out, out], detached: true });
  const log = () => fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
  const stop = () => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } };
  const deadline = Date.now() + 60_000;
  for (;;) {
    // ready when its API answers through its own gRPC gateway, which dials the server's port once
    // per service and, when that first dial came before the listener, backs off (a pod's readiness
    // delay hides that): the services the cases use answer other than 503
    const r = await Promise.all(['/api/v1/version', '/api/v1/workflows/kubeflow'].map((u) => request(port, 'GET', u).catch(() => undefined)));
    if (r.every((x) => x && x.status !== 503)) return { port, log, stop };
    if (proc.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`argo-server ${build.version} (${args.join(' ')}) did not answer:\n${log()}`);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Fails with the request, the answer and argo-server's log when the status is not `want`. */
function expectStatus(what: string, got: Answer, want: number, log: () => string): void {
  if (got.status !== want) throw new Error(`${what}: status ${got.status}, expected ${want}\n${got.body.slice(0, 600)}\n--- argo-server log ---\n${log()}`);
}

describeUnless(why).each(CASES.map((p) => [p.id, p] as const))('%s: argo-server for real behind the gateway', (_id, platform) => {
  let cluster: Cluster;
  let argo: RunningServer;
  let gateway: Gateway;
  let build: ArgoServerBuild;
  let objects: any[];
  let release: any[];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-path-'));
  const wanted = argoServerTag(platform);

  beforeAll(async () => {
    const b = argoServerBinary(wanted);
    if ('skipped' in b) throw new Error(b.skipped);
    build = b;
    // eslint-disable-next-line no-console
    console.log(`${platform.id}: argo-server ${build.version}${build.version === wanted ? '' : ` (the preset runs ${wanted}, which the Go module proxy does not serve)`}`);
    cluster = await startCluster({ etcd: (bins as any).etcd, kubernetes: (bins as any).kubernetes });
    release = installRelease(cluster, platform);
    objects = synthesizeApp(referenceApp(platform, false)).flatMap((f) => f.objects);
    const applied = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    expect([applied.status, applied.stderr]).toEqual([0, '']);
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'argo-server');
    argo = await startArgoServer(cluster, build, deployment, dir);
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'argo-server');
    // no Dex runs in this slice: the gateway's JWT providers have no keys, so no bearer verifies
    gateway = await startGateway([...objects, ...release], GATEWAY, { [`${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`]: argo.port },
      jwtProviders(release, () => ({ keys: [] })));
  }, 1_200_000);

  afterAll(async () => {
    await gateway?.close();
    argo?.stop();
    cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('case 2: /argo redirects to /argo/, which is the UI page with base href /argo/; every file it names loads under it', async () => {
    const redirect = await request(gateway.port, 'GET', '/argo');
    expectStatus('GET /argo', redirect, 301, argo.log);
    expect(redirect.headers.location).toBe('/argo/');
    const page = await request(gateway.port, 'GET', '/argo/');
    expectStatus('GET /argo/', page, 200, argo.log);
    expect(page.body).toContain('<base href="/argo/">');
    expect(page.body).not.toContain('<base href="/">');
    const named = [...page.body.matchAll(/(?:href|src)="([^"/][^"]*)"/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const file of named) {
      const got = await request(gateway.port, 'GET', `/argo/${file}`);
      expectStatus(`GET /argo/${file}`, got, 200, argo.log);
      expect([file, got.body]).toEqual([file, `stand-in: ${file}\n`]); // the file argo-server embeds (test/argo-server-bin.ts)
    }
  });

  test('case 3: a profile default-editor token, as the UI sends it, lists and creates workflows in its profile and is refused elsewhere; as the CLI sends it, per release', async () => {
    const token = cluster.kubectl(['create', 'token', 'default-editor', '-n', 'team-a', '--duration=1h']).stdout.trim();
    expect(token).toMatch(/^ey/);
    // the login box's setCookie('authorization', token) (ui/src/shared/cookie.ts): the value as typed, `Bearer <token>`
    const asUi = { cookie: `authorization=Bearer ${token}` };
    const list = await request(gateway.port, 'GET', '/argo/api/v1/workflows/team-a', asUi);
    expectStatus('GET /argo/api/v1/workflows/team-a (cookie)', list, 200, argo.log);
    const template = objects.find((o) => o.kind === 'WorkflowTemplate' && o.metadata.namespace === 'team-a');
    const parameters = (template.spec.arguments?.parameters ?? []).map((p: any) => `${p.name}=${p.value ?? 'x'}`);
    const created = await request(gateway.port, 'POST', '/argo/api/v1/workflows/team-a', asUi, {
      namespace: 'team-a', workflow: { metadata: { generateName: 'path-' }, spec: { workflowTemplateRef: { name: template.metadata.name }, arguments: { parameters: parameters.map((p: string) => ({ name: p.split('=')[0], value: p.slice(p.indexOf('=') + 1) })) } } },
    });
    expectStatus('POST /argo/api/v1/workflows/team-a (cookie)', created, 200, argo.log);
    const name = JSON.parse(created.body).metadata.name;
    // the Workflow is on the API server, made with the caller's token
    expect(cluster.kubectl(['get', 'workflows.argoproj.io', name, '-n', 'team-a', '-o', 'name']).stdout.trim()).toBe(`workflow.argoproj.io/${name}`);
    const listed = await request(gateway.port, 'GET', '/argo/api/v1/workflows/team-a', asUi);
    expect(JSON.parse(listed.body).items.map((w: any) => w.metadata.name)).toContain(name);
    expectStatus('GET /argo/api/v1/workflows/kubeflow (cookie)', await request(gateway.port, 'GET', '/argo/api/v1/workflows/kubeflow', asUi), 403, argo.log);
    expectStatus('GET /argo/api/v1/workflows/ (all namespaces, cookie)', await request(gateway.port, 'GET', '/argo/api/v1/workflows/', asUi), 403, argo.log);
    // the same token in an Authorization header, as the argo CLI sends it
    const asCli = await request(gateway.port, 'GET', '/argo/api/v1/workflows/team-a', { authorization: `Bearer ${token}` });
    // the release's RequestAuthentication on the gateway (Kubeflow 1.9+: dex-jwt) verifies every bearer
    if (release.some((o) => o.kind === 'RequestAuthentication')) {
      expectStatus('GET /argo/api/v1/workflows/team-a (Authorization header, 1.9+)', asCli, 401, argo.log);
      expect(asCli.body).toBe('Jwt verification fails'); // the gateway's, not argo-server's
    } else {
      expectStatus('GET /argo/api/v1/workflows/team-a (Authorization header)', asCli, 200, argo.log);
    }
    // no token at all: argo-server asks for one
    expectStatus('GET /argo/api/v1/workflows/team-a (no token)', await request(gateway.port, 'GET', '/argo/api/v1/workflows/team-a'), 401, argo.log);
  });
});
