/** Pod Security Standards checks for the pods of the output. */

const BASELINE_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
/**
 * The sysctls Baseline allows, by the Kubernetes minor version that added them
 * (k8s.io/pod-security-admission v0.34.2 policy/check_sysctls.go). test/cluster/pod-security.test.ts
 * found that a list of 1.0's alone refused pods Kubernetes 1.34 admits.
 */
const SAFE_SYSCTLS: ReadonlyArray<readonly [number, readonly string[]]> = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
];

/** The Kubernetes minor version `latest` means here: the newest whose policy this file follows. */
const LATEST_MINOR = 34;

/** The minor version of a namespace's `pod-security.kubernetes.io/enforce-version` ("v1.29", "latest", absent). */
export function policyMinor(version: string | undefined): number {
  const m = /^v1\.(\d+)$/.exec(version ?? '');
  return m ? Number(m[1]) : LATEST_MINOR;
}

/**
 * The controls of kubernetes.io/docs/concepts/security/pod-security-standards/ ("Baseline" and
 * "Restricted" tables) for a pod spec, as the policy of Kubernetes 1.`minor` has them (default:
 * the newest this file follows), one message per failed control. Not modelled: AppArmor and
 * SELinux options (none of our pods sets them), Windows HostProcess. test/cluster/pod-security.test.ts
 * holds it to the real admission on seeded random pods.
 */
export function podSecurityViolations(pod: any, level: 'baseline' | 'restricted', minor = LATEST_MINOR): string[] {
  const safeSysctls = SAFE_SYSCTLS.filter(([since]) => since <= minor).flatMap(([, names]) => names);
  const out: string[] = [];
  const containers = [...(pod.containers ?? []), ...(pod.initContainers ?? []), ...(pod.ephemeralContainers ?? [])];
  const psc = pod.securityContext ?? {};
  // Baseline
  for (const k of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[k]) out.push(`Host Namespaces: ${k}`);
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`Privileged Containers: ${c.name}`);
    for (const cap of sc.capabilities?.add ?? []) if (!BASELINE_CAPS.includes(cap)) out.push(`Capabilities: ${c.name} adds ${cap}`);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`Host Ports: ${c.name}`);
    if (sc.procMount && sc.procMount !== 'Default') out.push(`/proc Mount Type: ${c.name}`);
    if (sc.seccompProfile?.type === 'Unconfined') out.push(`Seccomp: ${c.name} Unconfined`);
  }
  if (psc.seccompProfile?.type === 'Unconfined') out.push('Seccomp: pod Unconfined');
  for (const v of pod.volumes ?? []) if (v.hostPath) out.push(`HostPath Volumes: ${v.name}`);
  for (const s of psc.sysctls ?? []) if (!safeSysctls.includes(s.name)) out.push(`Sysctls: ${s.name}`);
  if (level === 'baseline') return out;
  // Restricted
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.includes(type)) out.push(`Volume Types: ${v.name} (${type})`);
  }
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) out.push(`Privilege Escalation: ${c.name}`);
    if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && psc.runAsNonRoot === true))) out.push(`Running as Non-root: ${c.name}`);
    if (sc.runAsUser === 0 || (sc.runAsUser === undefined && psc.runAsUser === 0)) out.push(`Running as Non-root user: ${c.name}`);
    const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`Seccomp: ${c.name} not RuntimeDefault/Localhost`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`Capabilities: ${c.name} does not drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') out.push(`Capabilities: ${c.name} adds ${cap} (restricted)`);
  }
  return out;
}

/**
 * The pod specs an object of the output runs: a Deployment's template, or one pod per template of
 * a WorkflowTemplate (its container or script, as the template writes it; Argo's executor
 * containers are the controller's). Objects whose pods a controller builds are not covered.
 */
export function podsOf(o: any): any[] {
  if (o.kind === 'Deployment') return [o.spec.template.spec];
  if (o.kind === 'WorkflowTemplate') return (o.spec.templates ?? []).map((t: any) => ({ containers: [t.container ?? t.script].filter(Boolean) }));
  return [];
}
