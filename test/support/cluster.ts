// A real Kubernetes control plane for the cluster suite (npm run test:cluster): etcd,
// kube-apiserver and kube-controller-manager built from their Go modules (test/fixtures/etcd:
// go.etcd.io/etcd/server/v3 v3.6.4; test/fixtures/kubernetes: k8s.io/kubernetes v1.34.2, both
// programs in one binary), started on loopback with RBAC, the default admission plugins
// (PodSecurity among them) and ServiceAccount tokens, torn down with nothing left behind. The
// controller manager runs the controllers whose work the suite's questions depend on: ClusterRole
// aggregation (what an aggregated role grants), ServiceAccounts and their tokens (the legacy token
// Secrets), namespace deletion and garbage collection. No kubelet and no scheduler: pods are
// admitted, never run.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { goModuleFixture } from './util';

/** The binaries, built once per source (a first build takes minutes), or why they cannot be had. */
export function clusterBinaries(): { etcd?: string; kubernetes?: string; skipped?: string } {
  const etcd = goModuleFixture('etcd');
  if (!etcd.bin) return { skipped: etcd.skipped };
  const kubernetes = goModuleFixture('kubernetes');
  if (!kubernetes.bin) return { skipped: kubernetes.skipped };
  return { etcd: etcd.bin, kubernetes: kubernetes.bin };
}

/** The controllers the test cluster runs (kube-controller-manager --controllers). */
export const CONTROLLERS = ['clusterrole-aggregation-controller', 'serviceaccount-controller', 'serviceaccount-token-controller', 'namespace-controller', 'garbage-collector-controller', 'root-ca-certificate-publisher-controller'];

export interface Cluster {
  readonly kubeconfig: string;
  /** Runs the tests' kubectl against the cluster; returns its result (never throws). */
  kubectl(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string };
  stop(): void;
}

/** A token of ServiceAccount `ns/account` (a TokenRequest, valid an hour), as a pod of it gets one. */
export function serviceAccountToken(cluster: Cluster, ns: string, account: string): string {
  const token = cluster.kubectl(['-n', ns, 'create', 'token', account, '--duration=1h']);
  if (token.status !== 0) throw new Error(`kubectl create token ${ns}/${account}: ${token.stderr}`);
  return token.stdout.trim();
}

/** The API server's URL (`https://127.0.0.1:<port>`). */
export function apiServerUrl(cluster: Cluster): URL {
  return new URL(JSON.parse(cluster.kubectl(['config', 'view', '--raw', '-o', 'json']).stdout).clusters[0].cluster.server);
}

/** A free port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A program could not listen: its port, free when picked, was taken by another process meanwhile. */
export class PortTakenError extends Error {}

/**
 * Runs `start` again, with new ports, when a port it picked was taken before its program bound it
 * (freePort closes the port it found, so parallel suites can race for it); up to three times.
 */
export async function withFreshPorts<T>(start: () => Promise<T>, say: (line: string) => void = console.log): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (e) {
      if (!(e instanceof PortTakenError) || attempt === 3) throw e;
      say(`a port was taken while a test program started; starting again (attempt ${attempt + 1} of 3)`);
    }
  }
}

/** The error for a program that did not start; a PortTakenError when a log says its port was taken. */
export function startError(message: string, logs: string): Error {
  return logs.includes('address already in use') ? new PortTakenError(message) : new Error(message);
}

/** Starts etcd, kube-apiserver and the controller manager; resolves when the controllers work. */
export function startCluster(bins: { etcd: string; kubernetes: string }, kubectlBin = 'kubectl'): Promise<Cluster> {
  return withFreshPorts(() => startClusterOnce(bins, kubectlBin));
}

async function startClusterOnce(bins: { etcd: string; kubernetes: string }, kubectlBin: string): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-cluster-'));
  const [client, peer, secure] = [await freePort(), await freePort(), await freePort()];
  const procs: ChildProcess[] = [];
  const log = (name: string) => fs.openSync(path.join(dir, `${name}.log`), 'w');
  const run = (bin: string, args: string[], name: string) => {
    const p = spawn(bin, args, { stdio: ['ignore', log(name), log(`${name}.err`)], detached: true });
    procs.push(p);
    return p;
  };
  const stop = () => {
    for (const p of procs.reverse()) {
      try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(bins.etcd, [
      '--name=default', `--data-dir=${path.join(dir, 'etcd')}`, '--log-level=error',
      `--listen-client-urls=http://127.0.0.1:${client}`, `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=default=http://127.0.0.1:${peer}`,
    ], 'etcd');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    fs.writeFileSync(path.join(dir, 'tokens.csv'), 'admin-token,admin,admin,system:masters\n');
    run(bins.kubernetes, [
      'kube-apiserver', `--etcd-servers=http://127.0.0.1:${client}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${secure}`,
      `--cert-dir=${path.join(dir, 'certs')}`, `--token-auth-file=${path.join(dir, 'tokens.csv')}`, '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`, '--service-cluster-ip-range=10.96.0.0/24', '--v=0',
    ], 'kube-apiserver');
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: test',
      'clusters: [{name: test, cluster: {server: "https://127.0.0.1:' + secure + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: admin, user: {token: admin-token}}]',
      'contexts: [{name: test, context: {cluster: test, user: admin}}]', '',
    ].join('\n'));
    const kubectl = (args: readonly string[], input?: string) => {
      const r = spawnSync(kubectlBin, ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    };
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (kubectl(['get', '--raw', '/readyz']).stdout.trim() === 'ok') break;
      if (procs.some((p) => p.exitCode !== null) || Date.now() > deadline) {
        const tail = (f: string) => { try { return fs.readFileSync(path.join(dir, f), 'utf8').split('\n').slice(-5).join('\n'); } catch { return ''; } };
        throw new Error(`the test cluster did not start:\n${tail('etcd.err.log')}\n${tail('kube-apiserver.err.log')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    run(bins.kubernetes, [
      'kube-controller-manager', `--kubeconfig=${kubeconfig}`, `--controllers=${CONTROLLERS.join(',')}`, '--leader-elect=false',
      `--service-account-private-key-file=${path.join(dir, 'sa.key')}`, `--root-ca-file=${path.join(dir, 'certs', 'apiserver.crt')}`,
      '--bind-address=127.0.0.1', `--secure-port=${await freePort()}`, `--cert-dir=${path.join(dir, 'cm-certs')}`, '--v=0',
    ], 'kube-controller-manager');
    // ready when its controllers work: the default ServiceAccount of a namespace appears
    for (;;) {
      if (kubectl(['-n', 'default', 'get', 'serviceaccount', 'default', '-o', 'name']).status === 0) break;
      if (procs.some((p) => p.exitCode !== null) || Date.now() > deadline) {
        throw new Error(`the test cluster's controller manager did not start:\n${fs.readFileSync(path.join(dir, 'kube-controller-manager.err.log'), 'utf8').split('\n').slice(-5).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return { kubeconfig, kubectl, stop };
  } catch (e) {
    const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    stop();
    throw startError((e as Error).message, logs);
  }
}

/**
 * An apiextensions v1beta1 CRD as v1 (Kubernetes 1.22+ no longer serves v1beta1; Istio 1.9.6's
 * EnvoyFilter is one): the same group, names, scope and versions, each with the schema it had,
 * and v1beta1's default of keeping unknown fields. (Argo's "full" CRDs are not meant for
 * installing, Kubernetes 1.34 refuses v3.4.18's: the suites use the minimal ones Kubeflow installs.)
 */
export function crdAsV1(crd: any): any {
  if (crd.apiVersion === 'apiextensions.k8s.io/v1') return crd;
  // v1beta1 keeps unknown fields unless preserveUnknownFields is false; v1 says so in the schema
  const keep = crd.spec.preserveUnknownFields !== false;
  // on every object of the schema: v1beta1 pruned nowhere, v1 prunes each node that does not say so
  const withKeep = (schema: any): any => {
    if (!schema || typeof schema !== 'object' || !keep) return schema;
    if (Array.isArray(schema)) return schema.map(withKeep);
    const out = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, withKeep(pv)])) : k === 'items' || k === 'additionalProperties' ? withKeep(v) : v]));
    return schema.type === 'object' ? { ...out, 'x-kubernetes-preserve-unknown-fields': true } : out;
  };
  const shared = withKeep(crd.spec.validation?.openAPIV3Schema);
  const versions = crd.spec.versions ?? [{ name: crd.spec.version, served: true, storage: true }];
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crd.metadata.name, labels: crd.metadata.labels },
    spec: {
      group: crd.spec.group, names: crd.spec.names, scope: crd.spec.scope,
      versions: versions.map((v: any) => ({
        name: v.name, served: v.served, storage: v.storage,
        schema: { openAPIV3Schema: withKeep(v.schema?.openAPIV3Schema) ?? shared ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        ...(crd.spec.subresources ? { subresources: crd.spec.subresources } : {}),
      })),
    },
  };
}

/** ../shared/upstream, where test/support/cluster-fixtures.ts reads the CRDs and release objects it commits. */
export { UPSTREAM } from './upstream-dir';
