// Pod Security Standards: argo-server passes "restricted" (Kubeflow 1.11 enforces it on the
// kubeflow namespace) on every preset, and every pod of the default app passes the level its
// release enforces on its namespace (Platform spec.kubeflow.podSecurity, read from each
// release's namespace labels). Workflow pods are checked as the template writes them; Argo's
// executor containers are the controller's. The checker below is a small model of
// the standard, itself tested first on one violating and one passing pod per control.
import { Testing } from 'cdk8s';
import { ArgoServer, Platform } from '../lib';
import { buildApp, EXAMPLE_PROFILE } from '../main';
import { one } from './util';

const BASELINE_CAPS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range'];

/**
 * The controls of kubernetes.io/docs/concepts/security/pod-security-standards/ ("Baseline" and
 * "Restricted" tables) for a pod spec, as one message per failed control. Not modelled:
 * AppArmor and SELinux options (none of our pods sets them), Windows HostProcess.
 */
function podSecurityViolations(pod: any, level: 'baseline' | 'restricted'): string[] {
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
  for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.includes(s.name)) out.push(`Sysctls: ${s.name}`);
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

describe('the Pod Security model, one control at a time (kubernetes.io/docs/concepts/security/pod-security-standards/)', () => {
  const restrictedOk = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }],
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };
  const withContainer = (sc: object) => ({ ...restrictedOk, containers: [{ name: 'c', securityContext: { ...restrictedOk.containers[0].securityContext, ...sc } }] });

  test('a pod that meets every control passes both levels', () => {
    expect(podSecurityViolations(restrictedOk, 'restricted')).toEqual([]);
    expect(podSecurityViolations(restrictedOk, 'baseline')).toEqual([]);
  });

  test.each([
    ['Host Namespaces', { ...restrictedOk, hostNetwork: true }],
    ['Privileged Containers', withContainer({ privileged: true })],
    ['Capabilities', withContainer({ capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } })],
    ['HostPath Volumes', { ...restrictedOk, volumes: [{ name: 'h', hostPath: { path: '/' } }] }],
    ['Host Ports', { ...restrictedOk, containers: [{ ...withContainer({}).containers[0], ports: [{ containerPort: 80, hostPort: 80 }] }] }],
    ['/proc Mount Type', withContainer({ procMount: 'Unmasked' })],
    ['Seccomp', withContainer({ seccompProfile: { type: 'Unconfined' } })],
    ['Sysctls', { ...restrictedOk, securityContext: { ...restrictedOk.securityContext, sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }],
  ])('baseline: %s', (control, pod) => {
    expect(podSecurityViolations(pod, 'baseline')).toEqual([expect.stringContaining(control)]);
  });

  test.each([
    ['Volume Types', { ...restrictedOk, volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }],
    ['Privilege Escalation', withContainer({ allowPrivilegeEscalation: true })],
    ['Running as Non-root', { ...restrictedOk, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }],
    ['Running as Non-root user', withContainer({ runAsUser: 0 })],
    ['Seccomp', { ...restrictedOk, securityContext: { runAsNonRoot: true } }],
    ['Capabilities', withContainer({ capabilities: { drop: ['NET_RAW'] } })],
  ])('restricted: %s', (control, pod) => {
    const found = podSecurityViolations(pod, 'restricted');
    expect(found).toEqual([expect.stringContaining(control)]);
    expect(podSecurityViolations(pod, 'baseline')).toEqual([]); // a restricted-only control
  });
});

describe.each(Platform.ALL.map((p) => [p.id, p] as const))('%s', (_id, platform) => {
  test('the argo-server pod meets Pod Security "restricted" (Kubeflow 1.11 enforces it in kubeflow)', () => {
    const c = Testing.chart();
    new ArgoServer(c, 's', { platform });
    const pod = one(Testing.synth(c) as any[], 'Deployment').spec.template.spec;
    expect(podSecurityViolations(pod, 'restricted')).toEqual([]);
  });

  test('every pod of the default app meets the level the release enforces on its namespace', () => {
    const levels = platform.spec.kubeflow.podSecurity;
    const objs = Testing.synth(buildApp(undefined, platform).charts[0]) as any[];
    const checked: string[] = [];
    for (const o of objs) {
      const ns = o.metadata.namespace;
      const level = ns === 'kubeflow' ? levels.kubeflow : ns === EXAMPLE_PROFILE ? levels.profiles : undefined;
      const pods = o.kind === 'Deployment' ? [o.spec.template.spec]
        : o.kind === 'WorkflowTemplate' ? o.spec.templates.map((t: any) => ({ containers: [t.container ?? t.script].filter(Boolean) })) : [];
      for (const pod of pods) {
        checked.push(`${o.kind}/${ns}`);
        if (level) expect([o.kind, podSecurityViolations(pod, level)]).toEqual([o.kind, []]);
      }
    }
    expect(checked).toEqual(['Deployment/kubeflow', `WorkflowTemplate/${EXAMPLE_PROFILE}`]);
  });
});
