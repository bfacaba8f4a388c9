// A release's login run for real for the request-path suite (issue 23): Dex and, on 1.9+,
// oauth2-proxy, built at the release's versions (test/support/login-bin.ts) and run from the release's
// own Deployments, config and Secrets (test/support/pods.ts), each behind its Service's loopback address.
// What differs from the release, printed by the suite: Dex keeps its data in memory (the release's
// `kubernetes` storage needs the pod's in-cluster account, and Dex v2.24 creates its CRDs as
// apiextensions v1beta1, which Kubernetes 1.22+ no longer serves), and Dex gets the suite's users,
// with the release's own password hash (Kubeflow's documented `12341234`).
import { parse, stringify } from 'yaml';
import { request } from './browser';
import { Upstreams } from './gateway';
import { dexBinary, LoginBuild, oauth2ProxyBinary } from './login-bin';
import { canUnshare, prepareContainer, RunningProcess, ServiceAddresses, startProcess, waitUntil } from './pods';

/** The password of every user of the suite: the one Kubeflow's example Dex user has. */
export const PASSWORD = '12341234';

/** A running login: its processes, where the gateway finds them, and what was built. */
export interface LoginStack {
  readonly dex: RunningProcess;
  readonly oauth2Proxy?: RunningProcess;
  readonly upstreams: Upstreams;
  readonly builds: readonly LoginBuild[];
  readonly notes: readonly string[];
  /** The keys Dex signs with (its `/dex/keys`). */
  jwks(): Promise<{ keys: any[] }>;
  /** The last log lines of each process. */
  logs(): string;
  stop(): void;
}

/** GET `http://host:port/path`; a refused connection answers status 0. */
const get = (host: string, port: number, url: string) => request(port, 'GET', url, {}, undefined, host).catch((e) => ({ status: 0, body: String(e) }));

/** Waits until `to` answers `url` with 200 (test/support/pods.ts waitUntil). */
const waitFor = (what: string, to: { host: string; port: number }, url: string, proc: RunningProcess) =>
  waitUntil(`${what} did not answer ${to.host}:${to.port}${url}`, async () => (await get(to.host, to.port, url)).status === 200, [proc], 60);

/** What the suite adds to the release's login. */
export interface LoginOptions {
  /** Users added to Dex, with the release user's password. */
  readonly users: readonly string[];
  /** `staticClients` entries added to Dex's config (the output's `dex-static-client.yaml`, as docs/login.md step 2 says). */
  readonly staticClients?: readonly any[];
  /** Whether to run oauth2-proxy (1.9+). */
  readonly withProxy: boolean;
}

/** Dex's config as the suite runs it: memory storage, and the suite's users and clients beside the release's. */
function dexConfig(text: string, { users, staticClients = [] }: LoginOptions, notes: string[]): string {
  const config = parse(text);
  notes.push(`Dex storage ${config.storage.type} is memory`);
  config.storage = { type: 'memory' };
  const model = config.staticPasswords[0];
  config.staticPasswords = [...config.staticPasswords, ...users.map((email, i) => ({ ...model, email, username: email.split('@')[0], userID: `suite-${i}` }))];
  notes.push(`Dex users added: ${users.join(', ')}`);
  config.staticClients = [...config.staticClients, ...staticClients];
  if (staticClients.length) notes.push(`Dex clients added: ${staticClients.map((c) => c.name).join(', ')}`);
  return stringify(config);
}

const serviceHost = (s: any) => `${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local`;

/**
 * Where the gateway sends each of the release's Services (`host:port`): the Service's address and
 * its target port (a named one read from the Deployment whose pods it selects).
 */
function upstreamsOf(login: readonly any[], addresses: ServiceAddresses): Upstreams {
  const out: Upstreams = {};
  for (const s of login.filter((o) => o.kind === 'Service')) {
    const deployment = login.find((o) => o.kind === 'Deployment' && o.metadata.namespace === s.metadata.namespace
      && Object.entries(s.spec.selector ?? {}).every(([k, v]) => o.spec.template.metadata.labels?.[k] === v));
    for (const p of s.spec.ports) {
      const ports = (deployment?.spec.template.spec.containers ?? []).flatMap((c: any) => c.ports ?? []);
      const target = typeof p.targetPort === 'string' ? ports.find((c: any) => c.name === p.targetPort)?.containerPort : (p.targetPort ?? p.port);
      out[`${serviceHost(s)}:${p.port}`] = { host: addresses.of(serviceHost(s)), port: target };
    }
  }
  return out;
}

/** Starts the release's login (Dex; oauth2-proxy on 1.9+) from its objects `login`, with the suite's additions. */
export async function startLogin(login: readonly any[], options: LoginOptions, addresses: ServiceAddresses, dir: string): Promise<LoginStack> {
  if (!canUnshare()) throw new Error('unshare --user --mount is refused here: the login programs need their own /etc/hosts');
  const builds: LoginBuild[] = [];
  const built = (b: LoginBuild | { skipped: string }) => { if ('skipped' in b) throw new Error(b.skipped); builds.push(b); return b; };
  const dexBuild = built(dexBinary(login));
  const proxyBuild = options.withProxy ? built(oauth2ProxyBinary(login)) : undefined;
  const upstreams = upstreamsOf(login, addresses);
  const service = (name: string) => login.find((o) => o.kind === 'Service' && o.metadata.name === name);
  const notes: string[] = [];
  const run = (name: string, bin: string, edit?: Parameters<typeof prepareContainer>[5], cwd?: string) => {
    const deployment = login.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
    const c = prepareContainer(deployment, name, login, addresses.of(serviceHost(service(name))), dir, edit);
    notes.push(...c.notes.map((n) => `${name}: ${n}`));
    return startProcess(name, bin, c.args, c.env, addresses.hostsFile(), dir, { cwd, mounts: c.mounts });
  };
  const dexAddress = upstreams[`${serviceHost(service('dex'))}:5556`];
  // the Go programs call Dex at its Service's port: no port translation here (test/support/pods.ts)
  if (dexAddress.port !== 5556) throw new Error(`Dex's Service maps 5556 to ${dexAddress.port}: test/support/pods.ts does not translate ports`);
  // in the module's directory: Dex up to v2.2x reads its web pages from ./web, which its image
  // copies to /web and runs in / (Dockerfile at v2.24.0: `COPY web /web`, `WORKDIR /`); later tags embed them
  const dex = run('dex', dexBuild.bin, (mountPath, text, n) => (mountPath === '/etc/dex/cfg' ? dexConfig(text, options, n) : text), dexBuild.moduleDir);
  const stop = () => { dex.stop(); oauth2Proxy?.stop(); };
  let oauth2Proxy: RunningProcess | undefined;
  try {
    await waitFor('Dex', dexAddress, '/dex/.well-known/openid-configuration', dex);
    if (proxyBuild) {
      oauth2Proxy = run('oauth2-proxy', proxyBuild.bin);
      const p = upstreams[`${serviceHost(service('oauth2-proxy'))}:80`];
      await waitFor('oauth2-proxy', p, '/ping', oauth2Proxy);
    }
  } catch (e) {
    stop();
    throw e;
  }
  return {
    dex, oauth2Proxy, upstreams, builds, notes,
    jwks: async () => JSON.parse((await get(dexAddress.host, dexAddress.port, '/dex/keys')).body),
    logs: () => ([['dex', dex], ['oauth2-proxy', oauth2Proxy]] as Array<[string, RunningProcess | undefined]>).filter(([, p]) => p).map(([n, p]) => `--- ${n} log ---\n${p!.log()}`).join('\n'),
    stop,
  };
}
