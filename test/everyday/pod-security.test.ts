// Pod Security Standards: argo-server passes "restricted" (Kubeflow 1.11 enforces it on the
// kubeflow namespace) on every preset, and every pod of the default app passes the level its
// release enforces on its namespace (Platform spec.kubeflow.podSecurity, read from each
// release's namespace labels). Workflow pods are checked as the template writes them; Argo's
// executor containers are the controller's. The checker below is a small model of
// the standard, itself tested first on one violating and one passing pod per control.
import { Testing } from 'cdk8s';
import { ArgoServer, Platform } from '../../packages/library/lib';
import { buildApp, EXAMPLE_PROFILE } from '../support/reference-app';
import { podSecurityViolations, podsOf, policyMinor } from '../../packages/preflight/lib/pod-security';
import { one } from '../support/util';

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

  // found by test/cluster/pod-security.test.ts against the real admission (issue 22, item 6)
  test('Baseline\'s safe sysctls follow the policy version: tcp_keepalive_time since 1.29, tcp_rmem since 1.32', () => {
    const withSysctl = (name: string) => ({ securityContext: { sysctls: [{ name, value: '1' }] }, containers: [{ name: 'c' }] });
    expect(podSecurityViolations(withSysctl('net.ipv4.tcp_keepalive_time'), 'baseline')).toEqual([]);
    expect(podSecurityViolations(withSysctl('net.ipv4.tcp_keepalive_time'), 'baseline', policyMinor('v1.28'))).toEqual(['Sysctls: net.ipv4.tcp_keepalive_time']);
    expect(podSecurityViolations(withSysctl('net.ipv4.tcp_rmem'), 'baseline', policyMinor('v1.31'))).toEqual(['Sysctls: net.ipv4.tcp_rmem']);
    expect(podSecurityViolations(withSysctl('net.ipv4.tcp_rmem'), 'baseline', policyMinor('latest'))).toEqual([]);
    expect(podSecurityViolations(withSysctl('net.core.somaxconn'), 'baseline')).toEqual(['Sysctls: net.core.somaxconn']);
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
      const pods = podsOf(o);
      for (const pod of pods) {
        checked.push(`${o.kind}/${ns}`);
        if (level) expect([o.kind, podSecurityViolations(pod, level)]).toEqual([o.kind, []]);
      }
    }
    expect(checked).toEqual(['Deployment/kubeflow', `WorkflowTemplate/${EXAMPLE_PROFILE}`]);
  });
});
