import { ApiObject, Testing } from 'cdk8s';
import { ArgoServer } from '../../packages/library/lib';
import { one, synth } from '../support/util';

const deployment = (props = {}) => one(synth((c) => new ArgoServer(c, 'server', props)), 'Deployment', 'argo-server');
const container = (props = {}) => deployment(props).spec.template.spec.containers[0];

describe('ArgoServer', () => {
  test('emits exactly the argo-server objects: no controller, CRD or controller ConfigMap', () => {
    const objs = synth((c) => new ArgoServer(c, 'server'));
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/argo-server',
      'Role/argo-server',
      'RoleBinding/argo-server',
      'Service/argo-server',
      'ServiceAccount/argo-server',
    ]);
  });

  test('client auth only: argo-server\'s own account reads its one ConfigMap in its namespace, nothing cluster-wide', () => {
    const objs = synth((c) => new ArgoServer(c, 'server', { namespace: 'argo-ui' }));
    expect(objs.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
    // 3.1: a list and watch with the field selector metadata.name=workflow-controller-configmap (config/controller.go)
    expect(one(objs, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['workflow-controller-configmap'], verbs: ['get', 'list', 'watch'] }]);
    // an --configmap among the extra flags is the one it reads
    const own = synth((c) => new ArgoServer(c, 'server', { extraArgs: ['--configmap=my-config'] }));
    expect(one(own, 'Role').rules[0].resourceNames).toEqual(['my-config']);
    expect(one(objs, 'Role').metadata).toEqual({ name: 'argo-server', namespace: 'argo-ui' });
    const rb = one(objs, 'RoleBinding');
    expect(rb.metadata).toEqual({ name: 'argo-server', namespace: 'argo-ui' });
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'argo-server' });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'argo-server', namespace: 'argo-ui' }]);
  });

  test.each([[['server']], [['server', 'client']]])('auth modes %j act as argo-server\'s own account: upstream cluster role, no Role', (authModes) => {
    const objs = synth((c) => new ArgoServer(c, 'server', { authModes: authModes as any }));
    expect(objs.map((o) => o.kind).filter((k) => k.includes('Role')).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  });

  test('authModes "sso" is refused: the sso prop sets it, with its ConfigMap and rights', () => {
    expect(() => container({ authModes: ['sso', 'client'] })).toThrow('ArgoServer: authModes[0] needs settings argo-server reads from a ConfigMap, and rights for the accounts it picks, got "sso". Fix: set the sso prop instead (e.g. sso: {}), which also sets the auth modes');
  });

  test('defaults: namespace kubeflow, pinned v3.1.15 image, plain HTTP, /argo/, SAMEORIGIN, client auth', () => {
    const d = deployment();
    expect(d.metadata.namespace).toBe('kubeflow');
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('quay.io/argoproj/argocli:v3.1.15');
    expect(c.args).toEqual(['server', '--secure=false', '--auth-mode=client', '--x-frame-options=SAMEORIGIN']);
    expect(c.env).toEqual([{ name: 'BASE_HREF', value: '/argo/' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 2746, scheme: 'HTTP' });
  });

  test('keeps the immutable selector and pod label app: argo-server and no cdk8s-plus surprises', () => {
    const d = deployment();
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'argo-server' } });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'argo-server' });
    expect(d.spec.replicas).toBeUndefined();
    expect(d.spec.template.spec.containers).toHaveLength(1);
    expect(d.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' } }); // requests only: no limits to OOM-kill it
  });

  test('resources: requests and limits as quantities; anything else is refused with the prop named', () => {
    expect(container({ resources: { requests: { cpu: '200m' }, limits: { memory: '512Mi' } } }).resources).toEqual({ requests: { cpu: '200m' }, limits: { memory: '512Mi' } });
    expect(() => container({ resources: { requests: { cpu: 0.2 } } })).toThrow('ArgoServer: resources.requests.cpu must be a Kubernetes quantity string, got 0.2. Fix: use e.g. "100m" or "1"');
    expect(() => container({ resources: { limits: { memory: '512MB' } } })).toThrow(/resources\.limits\.memory must be a Kubernetes quantity string, got "512MB"/);
    expect(() => container({ resources: { requests: { gpu: '1' } } })).toThrow(/resources\.requests\.gpu is not a known prop/);
  });

  test('the pod waits for its Istio sidecar (holdApplicationUntilProxyStarts)', () => {
    expect(deployment().spec.template.metadata.annotations).toEqual({ 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' });
  });

  test('runs as ServiceAccount argo-server with its token mounted', () => {
    const spec = deployment().spec.template.spec;
    expect(spec.serviceAccountName).toBe('argo-server');
    expect(spec.automountServiceAccountToken).toBe(true);
    const objs = synth((c) => new ArgoServer(c, 'server'));
    expect(one(objs, 'ServiceAccount').automountServiceAccountToken).toBeUndefined(); // the pod asks for the token; the account does not forbid it
  });

  test('keeps upstream securityContext (hardened for Pod Security restricted), /tmp emptyDir, port and probe timings', () => {
    const spec = deployment().spec.template.spec;
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    const c = spec.containers[0];
    expect(c.securityContext).toEqual({ capabilities: { drop: ['ALL'] }, runAsNonRoot: true, allowPrivilegeEscalation: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(c.ports).toEqual([{ name: 'web', containerPort: 2746 }]);
    expect(c.readinessProbe.initialDelaySeconds).toBe(10);
    expect(c.readinessProbe.periodSeconds).toBe(20);
  });

  test('Service port is http-web with appProtocol http so Istio routes it as HTTP', () => {
    const svc = one(synth((c) => new ArgoServer(c, 'server')), 'Service');
    expect(svc.metadata).toEqual({ name: 'argo-server', namespace: 'kubeflow' });
    expect(svc.spec.selector).toEqual({ app: 'argo-server' });
    expect(svc.spec.ports).toEqual([{ name: 'http-web', appProtocol: 'http', port: 2746, targetPort: 2746 }]);
  });

  test('ClusterRoleBinding subject follows the namespace argo-server runs in (upstream hard-codes argo)', () => {
    const objs = synth((c) => new ArgoServer(c, 'server', { namespace: 'argo-ui', authModes: ['server'] }));
    const crb = one(objs, 'ClusterRoleBinding');
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'argo-server', namespace: 'argo-ui' }]);
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argo-server-cluster-role' });
    expect(one(objs, 'ClusterRole').metadata.namespace).toBeUndefined();
    expect(one(objs, 'Deployment').metadata.namespace).toBe('argo-ui');
    expect(one(objs, 'Service').metadata.namespace).toBe('argo-ui');
    expect(one(objs, 'ServiceAccount').metadata.namespace).toBe('argo-ui');
  });

  test('secure: true derives --secure=true, an HTTPS probe and an https Service port', () => {
    const objs = synth((c) => new ArgoServer(c, 'server', { secure: true }));
    const c = one(objs, 'Deployment').spec.template.spec.containers[0];
    expect(c.args).toContain('--secure=true');
    expect(c.readinessProbe.httpGet.scheme).toBe('HTTPS');
    expect(one(objs, 'Service').spec.ports[0]).toMatchObject({ name: 'https-web', appProtocol: 'https' });
  });

  test('baseHref sets BASE_HREF', () => {
    expect(container({ baseHref: '/workflows/argo/' }).env).toEqual([{ name: 'BASE_HREF', value: '/workflows/argo/' }]);
  });

  test('xFrameOptions "" reproduces the seed and drops the header', () => {
    expect(container({ xFrameOptions: '' }).args).toContain('--x-frame-options=');
    expect(container({ xFrameOptions: 'DENY' }).args).toContain('--x-frame-options=DENY');
  });

  test('authModes become one --auth-mode flag each, in order', () => {
    const args = container({ authModes: ['server', 'client'] }).args;
    expect(args.filter((a: string) => a.startsWith('--auth-mode'))).toEqual(['--auth-mode=server', '--auth-mode=client']);
  });

  test('extraArgs are appended after the managed flags', () => {
    expect(container({ extraArgs: ['--namespaced', '--managed-namespace=kubeflow'] }).args.slice(-2))
      .toEqual(['--namespaced', '--managed-namespace=kubeflow']);
  });

  test('image may be a mirrored v3.1.x tag or a digest', () => {
    expect(container({ image: 'registry.example.com/argoproj/argocli:v3.1.6' }).image).toBe('registry.example.com/argoproj/argocli:v3.1.6');
    const digest = `quay.io/argoproj/argocli@sha256:${'a'.repeat(64)}`;
    expect(container({ image: digest }).image).toBe(digest);
  });

  test('ApiObject.of returns the Deployment and objects are exposed', () => {
    let server!: ArgoServer;
    synth((c) => { server = new ArgoServer(c, 'server'); });
    expect(ApiObject.of(server).kind).toBe('Deployment');
    expect(server.service.kind).toBe('Service');
    expect(server.serviceHost).toBe('argo-server.kubeflow.svc.cluster.local');
  });

  test('fails when image is latest, untagged or outside v3.1.x', () => {
    expect(() => new ArgoServer(Testing.chart(), 's', { image: 'quay.io/argoproj/argocli:latest' })).toThrow(/image.*"latest"/);
    expect(() => new ArgoServer(Testing.chart(), 's', { image: 'quay.io/argoproj/argocli' })).toThrow(/image must carry an explicit tag/);
    expect(() => new ArgoServer(Testing.chart(), 's', { image: 'quay.io/argoproj/argocli:v3.2.0' })).toThrow(/image must be a v3\.1\.x tag/);
  });

  test('fails when extraArgs repeats a managed flag', () => {
    expect(() => new ArgoServer(Testing.chart(), 's', { extraArgs: ['--secure=true'] })).toThrow(/extraArgs\[0\].*secure/);
    expect(() => new ArgoServer(Testing.chart(), 's', { extraArgs: ['--basehref=/x/'] })).toThrow(/extraArgs\[0\].*baseHref/);
  });

  test('fails when authModes has an unknown mode', () => {
    expect(() => new ArgoServer(Testing.chart(), 's', { authModes: ['token' as any] })).toThrow(/authModes\[0\] must be one of "client", "server", "sso", got "token"/);
  });

  test('snapshot', () => {
    expect(synth((c) => new ArgoServer(c, 'server'))).toMatchSnapshot();
  });
});
