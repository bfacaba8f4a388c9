// A real Kubernetes API server for the cluster suite (npm run test:cluster): etcd and
// kube-apiserver built from their Go modules (test/fixtures/etcd: go.etcd.io/etcd/server/v3
// v3.6.4; test/fixtures/kube-apiserver: k8s.io/kubernetes v1.34.2), started on loopback with RBAC,
// the default admission plugins (PodSecurity among them) and ServiceAccount tokens, torn down with
// nothing left behind. No kubelet, no controllers: objects are stored, validated and admitted,
// and RBAC answers, which is what the suite asks.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { goModuleFixture } from './util';

/** The binaries, built once per source (a first build takes minutes), or why they cannot be had. */
export function clusterBinaries(): { etcd?: string; apiserver?: string; skipped?: string } {
  const etcd = goModuleFixture('etcd');
  if (!etcd.bin) return { skipped: etcd.skipped };
  const apiserver = goModuleFixture('kube-apiserver');
  if (!apiserver.bin) return { skipped: apiserver.skipped };
  return { etcd: etcd.bin, apiserver: apiserver.bin };
}

export interface Cluster {
  readonly kubeconfig: string;
  /** Runs the tests' kubectl against the cluster; returns its result (never throws). */
  kubectl(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string };
  stop(): void;
}

function freePort(): Promise<number> {
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

/** Starts etcd and kube-apiserver; resolves when the API server answers /readyz. */
export async function startCluster(bins: { etcd: string; apiserver: string }, kubectlBin = 'kubectl'): Promise<Cluster> {
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
    run(bins.apiserver, [
      `--etcd-servers=http://127.0.0.1:${client}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${secure}`,
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
    return { kubeconfig, kubectl, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
