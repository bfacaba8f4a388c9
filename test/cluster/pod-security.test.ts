// Issue 22, item 6: the preflight's Pod Security evaluator (preflight/pod-security.ts) against the
// real PodSecurity admission of the API server (Kubernetes v1.34.2, level "latest"). Seeded random
// pods over the fields the Pod Security Standards read (host namespaces, privileged, capabilities,
// host ports, volume types, sysctls, seccomp, privilege escalation, non-root) are created (server
// dry run) in namespaces that enforce baseline, restricted, and baseline pinned to an older
// policy version; the preflight's verdict must be the
// admission's for every pod the API server finds valid. Every disagreement is printed.
import { podSecurityViolations, policyMinor } from '../../packages/preflight/lib/pod-security';
import { Cluster, clusterBinaries, startCluster } from '../support/cluster';
import { describeUnless, hasKubectl, seeded } from '../support/util';

const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const why = bins.skipped;
// eslint-disable-next-line no-console
if (why) console.log(`cluster Pod Security tests skipped: ${why}`);

type Rng = ReturnType<typeof seeded>;
/** The namespaces: level and pinned policy version (the sysctls Baseline allows grew in 1.27, 1.29 and 1.32). */
const NAMESPACES = [
  { name: 'psa-baseline', level: 'baseline', version: 'latest' }, { name: 'psa-restricted', level: 'restricted', version: 'latest' },
  { name: 'psa-baseline-v1-28', level: 'baseline', version: 'v1.28' },
] as const;

const maybe = <T>(r: Rng, p: number, value: () => T): T | undefined => (r.chance(p) ? value() : undefined);
const seccomp = (r: Rng) => r.pick([{ type: 'RuntimeDefault' }, { type: 'Unconfined' }, { type: 'Localhost', localhostProfile: 'p.json' }]);

function container(r: Rng, name: string): any {
  const privileged = r.chance(0.05);
  const sc = {
    privileged: privileged || undefined,
    // the API refuses privileged with allowPrivilegeEscalation false
    allowPrivilegeEscalation: privileged ? undefined : maybe(r, 0.7, () => r.chance(0.8) ? false : true),
    runAsNonRoot: maybe(r, 0.5, () => r.chance(0.8)),
    runAsUser: maybe(r, 0.3, () => r.pick([0, 1000])),
    seccompProfile: maybe(r, 0.4, () => seccomp(r)),
    capabilities: maybe(r, 0.7, () => ({
      drop: maybe(r, 0.8, () => r.pick([['ALL'], ['NET_RAW'], ['all']])),
      add: maybe(r, 0.3, () => r.some(['NET_BIND_SERVICE', 'CHOWN', 'NET_ADMIN', 'SYS_ADMIN', 'KILL'], 2)),
    })),
  };
  return {
    name, image: 'registry.example/app:1',
    ...(r.chance(0.85) ? { securityContext: JSON.parse(JSON.stringify(sc)) } : {}),
    ...(r.chance(0.05) ? { ports: [{ containerPort: 8080, hostPort: 8080 }] } : {}),
  };
}

const VOLUMES: Array<(name: string) => any> = [
  (name) => ({ name, emptyDir: {} }), (name) => ({ name, configMap: { name: 'c' } }), (name) => ({ name, secret: { secretName: 's' } }),
  (name) => ({ name, projected: { sources: [] } }), (name) => ({ name, downwardAPI: { items: [] } }), (name) => ({ name, persistentVolumeClaim: { claimName: 'c' } }),
  (name) => ({ name, hostPath: { path: '/tmp' } }), (name) => ({ name, nfs: { server: 'nfs.example', path: '/' } }), (name) => ({ name, iscsi: { targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0 } }),
];
const SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem', 'kernel.msgmax', 'net.core.somaxconn'];

function pod(r: Rng, i: number): any {
  const volumes = r.chance(0.4) ? r.some(VOLUMES, 2).map((v, k) => v(`v${k}`)) : [];
  const spec = {
    hostNetwork: maybe(r, 0.04, () => true), hostPID: maybe(r, 0.04, () => true), hostIPC: maybe(r, 0.04, () => true),
    securityContext: maybe(r, 0.7, () => JSON.parse(JSON.stringify({
      runAsNonRoot: maybe(r, 0.6, () => r.chance(0.85)),
      runAsUser: maybe(r, 0.3, () => r.pick([0, 1000])),
      seccompProfile: maybe(r, 0.6, () => seccomp(r)),
      sysctls: maybe(r, 0.1, () => r.some(SYSCTLS, 2).map((name) => ({ name, value: name.endsWith('range') ? '1024 65535' : name === 'net.ipv4.ip_local_reserved_ports' ? '8080' : name.endsWith('mem') ? '4096 87380 6291456' : '1' }))),
    }))),
    containers: [container(r, 'main'), ...(r.chance(0.3) ? [container(r, 'side')] : [])],
    ...(r.chance(0.25) ? { initContainers: [container(r, 'init')] } : {}),
    ...(volumes.length ? { volumes } : {}),
  };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}` }, spec: JSON.parse(JSON.stringify(spec)) };
}

/** The admission's verdict per pod name in `namespace`: 'allowed', 'forbidden', or the API's other refusal. */
function admit(cluster: Cluster, namespace: string, pods: readonly any[]): Map<string, string> {
  const r = cluster.kubectl(['create', '--dry-run=server', '-o', 'name', '-n', namespace, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }));
  const verdicts = new Map<string, string>();
  for (const line of r.stdout.split('\n').filter(Boolean)) verdicts.set(line.replace(/^pod\//, ''), 'allowed');
  for (const line of r.stderr.split('\n').filter((l) => l && !l.startsWith('Warning: '))) {
    const m = /pods "([^"]+)" is forbidden: (violates PodSecurity[^\n]*)|Pod "([^"]+)" is invalid: (.*)/.exec(line);
    if (m?.[1]) verdicts.set(m[1], 'forbidden');
    else if (m?.[3]) verdicts.set(m[3], `invalid: ${m[4]}`);
    else throw new Error(`unexpected kubectl output: ${line}`);
  }
  expect(verdicts.size).toBe(pods.length);
  return verdicts;
}

describeUnless(why)('the preflight\'s Pod Security evaluator answers what the PodSecurity admission answers (issue 22, item 6)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ etcd: (bins as any).etcd, kubernetes: (bins as any).kubernetes });
    for (const { name, level, version } of NAMESPACES) {
      const labels = { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/enforce-version': version };
      expect(cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } })).status).toBe(0);
    }
    // the pods' ServiceAccount, so admission gets as far as Pod Security
    for (const { name } of NAMESPACES) {
      for (let i = 0; i < 40 && cluster.kubectl(['-n', name, 'get', 'serviceaccount', 'default']).status !== 0; i++) await new Promise((res) => setTimeout(res, 250));
    }
  }, 20 * 60_000);
  afterAll(() => cluster?.stop());

  test.each([1, 2])('seed %i: 600 pods under baseline, restricted and baseline pinned to v1.28', (seed) => {
    const r = seeded(seed);
    const pods = Array.from({ length: 600 }, (_, i) => pod(r, i));
    const wrong: string[] = [];
    let invalid = 0;
    const counts = { allowed: 0, forbidden: 0 };
    for (const { name, level, version } of NAMESPACES) {
      const real = admit(cluster, name, pods);
      for (const p of pods) {
        const verdict = real.get(p.metadata.name)!;
        if (verdict.startsWith('invalid')) { invalid += 1; continue; }
        counts[verdict as 'allowed' | 'forbidden'] += 1;
        const ours = podSecurityViolations(p.spec, level, policyMinor(version));
        if ((verdict === 'allowed') !== (ours.length === 0)) wrong.push(`${level}:${version} ${JSON.stringify(p.spec)}: admission ${verdict}, preflight ${ours.length ? ours.join('; ') : 'allows'}`);
      }
    }
    expect({ disagreements: wrong.length, first: wrong.slice(0, 6) }).toEqual({ disagreements: 0, first: [] });
    // the pods reach both verdicts, and few are refused for other reasons
    expect(counts.allowed).toBeGreaterThan(100);
    expect(counts.forbidden).toBeGreaterThan(100);
    expect(invalid).toBeLessThan(pods.length / 5);
  }, 180_000);
});
