// cdk8s-plus-25's L1 classes, required directly: the package index loads all of cdk8s-plus
// (L2 constructs this library does not use), which costs every synth ~40 ms.
import k8s = require('cdk8s-plus-25/lib/imports/k8s');
import { Construct } from 'constructs';
import {
  checkBoolean, checkImage, checkKnownKeys, checkList, checkNamespace, checkOneOf, checkPathPrefix,
  ImageLine, requireString, ValidationError, Where,
} from '../validation';

/** argo-server authentication modes (`--auth-mode`). */
export type ArgoAuthMode = 'client' | 'server' | 'sso';

/** The auth modes argo-server 3.1 accepts. */
export const ARGO_AUTH_MODES: readonly ArgoAuthMode[] = ['client', 'server', 'sso'];

/** Values argo-server accepts for `--x-frame-options` that we allow. */
export const X_FRAME_OPTIONS: readonly string[] = ['', 'DENY', 'SAMEORIGIN'];

/** Default argo-server image: the newest v3.1.x argocli, matching KFP 1.7.0's workflow-controller. */
export const DEFAULT_ARGO_SERVER_IMAGE = 'quay.io/argoproj/argocli:v3.1.15';

/** The Argo Workflows release line this construct reproduces (upstream v3.1.15 manifests). */
export const ARGO_3_1_LINE: ImageLine = { name: 'v3.1.x', tag: /^v3\.1\.\d+$/ };

/** argo-server's listening port (upstream `containerPort: 2746`). */
export const ARGO_SERVER_PORT = 2746;

/** Name of every argo-server object (Deployment, Service, ServiceAccount): upstream's names. */
export const ARGO_SERVER_NAME = 'argo-server';

/**
 * Pod label and Deployment selector. Deployment selectors are immutable, so this must stay
 * exactly upstream's, or `kubectl apply` over an existing argo-server fails.
 */
export const ARGO_SERVER_SELECTOR: Readonly<Record<string, string>> = { app: 'argo-server' };

/** Flags the construct sets from props; `extraArgs` may not repeat them. */
const MANAGED_FLAGS = ['--secure', '--auth-mode', '--x-frame-options', '--basehref', '--base-href'];

const PROPS: readonly string[] = ['namespace', 'image', 'secure', 'baseHref', 'xFrameOptions', 'authModes', 'extraArgs'];

/** Props for {@link ArgoServer}. */
export interface ArgoServerProps {
  /**
   * Namespace argo-server runs in. The ClusterRoleBinding's subject follows it (upstream
   * hard-codes `argo`).
   * @default "kubeflow"
   */
  readonly namespace?: string;

  /**
   * argocli image. Must carry an explicit `v3.1.x` tag or a digest: 3.2.0 broke the UI under a
   * base href, and `latest` is refused.
   * @default "quay.io/argoproj/argocli:v3.1.15"
   */
  readonly image?: string;

  /**
   * Serve TLS with a self-signed certificate (`--secure`). Behind the Istio gateway the mesh
   * already encrypts traffic, so the default is plain HTTP (`--secure=false`). The readiness
   * probe scheme and the Service port protocol follow this value.
   * @default false
   */
  readonly secure?: boolean;

  /**
   * Path the UI is served under, with leading and trailing `/` (env `BASE_HREF`). argo-server
   * only rewrites `<base href>`; the route must strip the prefix ({@link ArgoServerRoute} does).
   * @default "/argo/"
   */
  readonly baseHref?: string;

  /**
   * `--x-frame-options` header value. `SAMEORIGIN` lets the Kubeflow central dashboard (same
   * origin) frame `/argo/`; `""` drops the header entirely (the seed's setting, which lets any
   * site frame the UI); `DENY` is argo-server's own default.
   * @default "SAMEORIGIN"
   */
  readonly xFrameOptions?: string;

  /**
   * `--auth-mode` values. `client`: users paste a bearer token (`argo auth token`). `server`:
   * every request acts as argo-server's own ServiceAccount, with no login at all; only for
   * clusters where the gateway already authenticates and everyone may do everything.
   * `sso`: needs an `sso` section in `workflow-controller-configmap` (owned by KFP).
   * @default ["client"]
   */
  readonly authModes?: ArgoAuthMode[];

  /**
   * Extra `argo server` flags, appended after the managed ones (e.g. `["--namespaced"]`).
   * Flags the construct manages (`--secure`, `--auth-mode`, `--x-frame-options`,
   * `--basehref`) are refused: set the matching prop instead.
   * @default []
   */
  readonly extraArgs?: string[];
}

/**
 * argo-server (the Argo Workflows UI and API) next to the workflow-controller that Kubeflow
 * Pipelines installs.
 *
 * Faithful to upstream v3.1.15 `manifests/base/argo-server` and
 * `manifests/cluster-install/argo-server-rbac`, with the edits Kubeflow needs: plain HTTP
 * behind the mesh (probe scheme derived), `BASE_HREF`, `--x-frame-options`, a Service port
 * Istio recognises as HTTP (`http-web`), and the ClusterRoleBinding bound to the namespace
 * argo-server really runs in. Emits no workflow-controller, CRD or controller ConfigMap:
 * KFP owns those.
 */
export class ArgoServer extends Construct {
  /** The Deployment (also `ApiObject.of(argoServer)`). */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service `argo-server` (port `http-web`, 2746). */
  public readonly service: k8s.KubeService;
  /** The ServiceAccount `argo-server`. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** ClusterRole `argo-server-cluster-role` (upstream rules). */
  public readonly clusterRole: k8s.KubeClusterRole;
  /** ClusterRoleBinding `argo-server-binding`, subject in {@link namespace}. */
  public readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;

  /** Namespace argo-server runs in. */
  public readonly namespace: string;
  /** The base href the UI is served under (leading and trailing `/`). */
  public readonly baseHref: string;
  /** Whether argo-server serves TLS. */
  public readonly secure: boolean;
  /** The Service port (2746). */
  public readonly port: number = ARGO_SERVER_PORT;
  /** Cluster-local DNS name of the Service. */
  public readonly serviceHost: string;
  /** Labels that select the argo-server pods. */
  public readonly podSelector: Readonly<Record<string, string>> = ARGO_SERVER_SELECTOR;

  constructor(scope: Construct, id: string, props: ArgoServerProps = {}) {
    super(scope, id);
    const where = (prop: string): Where => ({ owner: 'ArgoServer', prop });
    checkKnownKeys(where(''), props, PROPS);

    this.namespace = checkNamespace(where('namespace'), props.namespace ?? 'kubeflow');
    const image = checkImage(where('image'), props.image ?? DEFAULT_ARGO_SERVER_IMAGE, ARGO_3_1_LINE);
    this.secure = checkBoolean(where('secure'), props.secure ?? false);
    this.baseHref = checkPathPrefix(where('baseHref'), props.baseHref ?? '/argo/');
    const xFrameOptions = checkOneOf(where('xFrameOptions'), props.xFrameOptions ?? 'SAMEORIGIN', X_FRAME_OPTIONS);
    const authModes = checkList(where('authModes'), props.authModes ?? ['client'],
      (w, v) => checkOneOf(w, v, ARGO_AUTH_MODES));
    const extraArgs = checkList(where('extraArgs'), props.extraArgs ?? [], checkExtraArg, { allowEmpty: true });
    this.serviceHost = `${ARGO_SERVER_NAME}.${this.namespace}.svc.cluster.local`;

    const args = [
      'server',
      `--secure=${this.secure}`,
      ...authModes.map((m) => `--auth-mode=${m}`),
      `--x-frame-options=${xFrameOptions}`,
      ...extraArgs,
    ];

    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: ARGO_SERVER_NAME, namespace: this.namespace },
      spec: {
        // No `replicas`: upstream leaves it unset (1), and an HPA or `kubectl scale` keeps working.
        selector: { matchLabels: { ...ARGO_SERVER_SELECTOR } },
        template: {
          metadata: { labels: { ...ARGO_SERVER_SELECTOR } },
          spec: {
            serviceAccountName: ARGO_SERVER_NAME,
            // argo-server talks to the Kubernetes API with its ServiceAccount token.
            automountServiceAccountToken: true,
            containers: [{
              name: ARGO_SERVER_NAME,
              image,
              securityContext: { capabilities: { drop: ['ALL'] } },
              args,
              env: [{ name: 'BASE_HREF', value: this.baseHref }],
              ports: [{ name: 'web', containerPort: ARGO_SERVER_PORT }],
              readinessProbe: {
                httpGet: {
                  port: k8s.IntOrString.fromNumber(ARGO_SERVER_PORT),
                  // Derived, never set on its own: an HTTPS probe against --secure=false never passes.
                  scheme: this.secure ? 'HTTPS' : 'HTTP',
                  path: '/',
                },
                initialDelaySeconds: 10,
                periodSeconds: 20,
              },
              volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
            }],
            volumes: [{ name: 'tmp', emptyDir: {} }],
            securityContext: { runAsNonRoot: true },
            nodeSelector: { 'kubernetes.io/os': 'linux' },
          },
        },
      },
    });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: ARGO_SERVER_NAME, namespace: this.namespace },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: ARGO_SERVER_NAME, namespace: this.namespace },
      spec: {
        selector: { ...ARGO_SERVER_SELECTOR },
        ports: [{
          // Istio picks the protocol from the port name prefix or appProtocol; upstream's
          // "web" would be treated as opaque TCP.
          name: this.secure ? 'https-web' : 'http-web',
          appProtocol: this.secure ? 'https' : 'http',
          port: ARGO_SERVER_PORT,
          targetPort: k8s.IntOrString.fromNumber(ARGO_SERVER_PORT),
        }],
      },
    });

    this.clusterRole = new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: 'argo-server-cluster-role' },
      rules: ARGO_SERVER_3_1_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    });

    this.clusterRoleBinding = new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: 'argo-server-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argo-server-cluster-role' },
      // Upstream hard-codes namespace "argo" here; kustomize `namespace:` does not rewrite it.
      subjects: [{ kind: 'ServiceAccount', name: ARGO_SERVER_NAME, namespace: this.namespace }],
    });
  }
}

/** A ClusterRole rule with the fields upstream uses. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** Upstream v3.1.15 `argo-server-cluster-role` rules, in upstream order. */
export const ARGO_SERVER_3_1_RULES: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] },
  { apiGroups: [''], resources: ['pods', 'pods/exec', 'pods/log'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['events'], verbs: ['watch', 'create', 'patch'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list'] },
  {
    apiGroups: ['argoproj.io'],
    resources: ['eventsources', 'sensors', 'workflows', 'workfloweventbindings', 'workflowtemplates', 'cronworkflows', 'clusterworkflowtemplates'],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'],
  },
];

function checkExtraArg(where: Where, value: unknown): string {
  requireString(where, value);
  if (!value.startsWith('--') || /\s/.test(value)) {
    throw new ValidationError(where.owner, where.prop, value, 'must be a single "--flag" or "--flag=value" with no spaces',
      'write each flag as its own list entry, e.g. ["--namespaced", "--managed-namespace=kubeflow"]');
  }
  const flag = value.split('=')[0];
  if (MANAGED_FLAGS.includes(flag)) {
    const prop = { '--secure': 'secure', '--auth-mode': 'authModes', '--x-frame-options': 'xFrameOptions' }[flag] ?? 'baseHref';
    throw new ValidationError(where.owner, where.prop, value, `repeats ${flag}, which the construct sets from the "${prop}" prop`,
      `remove it from extraArgs and set ${prop} instead`);
  }
  return value;
}
