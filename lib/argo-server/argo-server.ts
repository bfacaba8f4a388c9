import { Construct } from 'constructs';
import { brand, hasBrand } from '../brands';
import { ARGO_SERVER_NAME, ARGO_SERVER_PORT, ARGO_SERVER_SELECTOR, KUBEFLOW_NAMESPACE } from '../constants';
import * as k8s from '../../imports/k8s';
import { Platform, resolvePlatform } from '../platform';
import { clusterScoped } from '../cluster-scoped';
import { ArgoServerRoute, ArgoServerRouteOptions, ROUTE_OPTIONS } from '../istio/argo-server-route';
import {
  checkBoolean, checkImage, checkKnownKeys, checkOptions, checkList, checkNamespace, checkOneOf, checkPathPrefix, fail, propNames, requireString, snapshotProps, Where, whereIn,
} from '../validation';

const at = whereIn('ArgoServer');

/** argo-server authentication modes (`--auth-mode`). */
export type ArgoAuthMode = 'client' | 'server' | 'sso';

/** The auth modes argo-server 3.1 accepts. */
export const ARGO_AUTH_MODES: readonly ArgoAuthMode[] = ['client', 'server', 'sso'];

/** Values argo-server accepts for `--x-frame-options` that we allow. */
export const X_FRAME_OPTIONS: readonly string[] = ['', 'DENY', 'SAMEORIGIN'];


/** Flags the construct sets from props; `extraArgs` may not repeat them. */
const MANAGED_FLAGS = ['--secure', '--auth-mode', '--x-frame-options', '--basehref', '--base-href'];

// the compiler checks this list against the props interface (propNames)
const PROPS = propNames<ArgoServerProps>()(
  'platform', 'namespace', 'image', 'allowImageOutsidePlatform', 'secure', 'baseHref', 'xFrameOptions', 'authModes', 'extraArgs',
  'resources',
);

/** CPU and memory of a container, as Kubernetes quantities (`100m`, `128Mi`). */
export interface ArgoServerResourceList {
  /** CPU, e.g. "100m". @default - none */
  readonly cpu?: string;
  /** Memory, e.g. "128Mi". @default - none */
  readonly memory?: string;
}

/** Requests and limits of the argo-server container. */
export interface ArgoServerResources {
  /** What the scheduler reserves. @default - DEFAULT_ARGO_SERVER_REQUESTS */
  readonly requests?: ArgoServerResourceList;
  /** Hard caps; a memory limit below what argo-server needs gets it OOM-killed. @default - none */
  readonly limits?: ArgoServerResourceList;
}

/** Default requests: argo-server idles at about 30 MiB and a few millicores. */
export const DEFAULT_ARGO_SERVER_REQUESTS: ArgoServerResourceList = { cpu: '50m', memory: '64Mi' };

/**
 * Istio 1.9's default (Kubeflow 1.4) starts the app before its sidecar; argo-server reads its
 * ConfigMap at start and exits when it cannot, so it would restart once. This holds it until the
 * proxy is ready.
 */
const HOLD_UNTIL_PROXY_STARTS = { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' };

/** Props for {@link ArgoServer}. */
export interface ArgoServerProps {
  /**
   * Platform preset: argocli line and default image, upstream securityContext and RBAC rules.
   * @default Platform.KUBEFLOW_1_4
   */
  readonly platform?: Platform;

  /**
   * Namespace argo-server runs in. The ClusterRoleBinding's subject follows it (upstream
   * hard-codes `argo`).
   * @default "kubeflow"
   */
  readonly namespace?: string;

  /**
   * argocli image. Must carry an explicit tag (or a digest) from the platform's Argo line
   * (`v3.1.x` for KUBEFLOW_1_4: 3.2.0 broke the UI under a base href); `latest` is refused.
   * @default - the platform's image, "quay.io/argoproj/argocli:v3.1.15" for KUBEFLOW_1_4
   */
  readonly image?: string;

  /**
   * Accept an image tag outside the platform's Argo line. Unsupported escape hatch: the
   * manifests stay those of the platform's line, which may not fit the other release.
   * @default false
   */
  readonly allowImageOutsidePlatform?: boolean;

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
   * `--auth-mode` values. `client`: users paste a bearer token and argo-server calls the
   * Kubernetes API with it, so its own ServiceAccount only reads ConfigMaps in its namespace
   * (Role `argo-server`). `server`: every request acts as argo-server's own ServiceAccount, with
   * no login at all; only for clusters where the gateway already authenticates and everyone may
   * do everything. `sso`: needs an `sso` section in `workflow-controller-configmap` (owned by
   * KFP) and acts as argo-server's account unless SSO RBAC is configured. Risk: `server` and
   * `sso` bind upstream's `argo-server-cluster-role` cluster-wide (secrets get/create, pods/exec,
   * workflow writes in every namespace).
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

  /**
   * CPU and memory requests and limits of the container.
   * @default - requests DEFAULT_ARGO_SERVER_REQUESTS, no limits
   */
  readonly resources?: ArgoServerResources;
}

/**
 * argo-server (the Argo Workflows UI and API) next to the workflow-controller that Kubeflow
 * Pipelines installs.
 *
 * Faithful to upstream v3.1.15 `manifests/base/argo-server`, with the edits Kubeflow needs:
 * plain HTTP behind the mesh (probe scheme derived), `BASE_HREF`, `--x-frame-options`, a
 * Service port Istio recognises as HTTP (`http-web`). Its own rights follow `authModes`: with
 * `client` only, a Role that reads ConfigMaps in its namespace; with `server` or `sso`,
 * upstream's `manifests/cluster-install/argo-server-rbac` bound to the namespace argo-server
 * really runs in. Emits no workflow-controller, CRD or controller ConfigMap: KFP owns those.
 */
export class ArgoServer extends Construct {
  /** The Deployment (also `ApiObject.of(argoServer)`). */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service `argo-server` (port `http-web`, 2746). */
  public readonly service: k8s.KubeService;
  /** The ServiceAccount `argo-server`. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /**
   * ClusterRole `argo-server-cluster-role` (upstream rules) with `server` or `sso` auth modes; with
   * `client` only on Argo 3.6+, `argo-server-cache-reader` (read Workflows and WorkflowTemplates).
   */
  public readonly clusterRole?: k8s.KubeClusterRole;
  /** The binding of {@link clusterRole}, subject in {@link namespace}. */
  public readonly clusterRoleBinding?: k8s.KubeClusterRoleBinding;
  /** Role `argo-server` in {@link namespace} (read ConfigMaps), with only the `client` auth mode. */
  public readonly role?: k8s.KubeRole;
  /** RoleBinding `argo-server` for {@link role}. */
  public readonly roleBinding?: k8s.KubeRoleBinding;
  /** The `--auth-mode` values. */
  public readonly authModes: readonly ArgoAuthMode[];

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
  /** The platform preset. */
  public readonly platform: Platform;

  /** True for an ArgoServer of this library (also across duplicate installs of the package). */
  public static isArgoServer(x: unknown): x is ArgoServer {
    return hasBrand(x, 'ArgoServer');
  }

  constructor(scope: Construct, id: string, props: ArgoServerProps = {}) {
    super(scope, id);
    brand(this, 'ArgoServer');
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('ArgoServer', props);
      checkKnownKeys(at(''), props, PROPS);

      this.platform = resolvePlatform(at('platform'), props.platform, this);
      const argo = this.platform.spec.argoWorkflows;
      this.namespace = checkNamespace(at('namespace'), props.namespace ?? KUBEFLOW_NAMESPACE);
      const outside = checkBoolean(at('allowImageOutsidePlatform'), props.allowImageOutsidePlatform ?? false);
      const image = checkImage(at('image'), props.image ?? argo.image, outside ? undefined : argo.line);
      this.secure = checkBoolean(at('secure'), props.secure ?? false);
      this.baseHref = checkPathPrefix(at('baseHref'), props.baseHref ?? '/argo/');
      const xFrameOptions = checkOneOf(at('xFrameOptions'), props.xFrameOptions ?? 'SAMEORIGIN', X_FRAME_OPTIONS);
      const authModes = this.authModes = checkList(at('authModes'), props.authModes ?? ['client'],
        (w, v) => checkOneOf(w, v, ARGO_AUTH_MODES));
      const extraArgs = checkList(at('extraArgs'), props.extraArgs ?? [], checkExtraArg, { allowEmpty: true });
      const resources = checkResources(at('resources'), props.resources ?? { requests: DEFAULT_ARGO_SERVER_REQUESTS });
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
            metadata: { labels: { ...ARGO_SERVER_SELECTOR }, annotations: { ...HOLD_UNTIL_PROXY_STARTS } },
            spec: {
              serviceAccountName: ARGO_SERVER_NAME,
              // argo-server talks to the Kubernetes API with its ServiceAccount token.
              automountServiceAccountToken: true,
              containers: [{
                name: ARGO_SERVER_NAME,
                image,
                // upstream's settings, plus what Pod Security "restricted" requires on every line
                securityContext: {
                  ...clone(argo.containerSecurityContext),
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                resources: k8sResources(resources),
                args,
                env: [{ name: argo.baseHrefEnv, value: this.baseHref }],
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
              securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
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

      const subjects = [{ kind: 'ServiceAccount', name: ARGO_SERVER_NAME, namespace: this.namespace }];
      if (authModes.every((m) => m === 'client')) {
        // In client mode every API call uses the caller's token (server/auth/gatekeeper.go); argo-server's
        // own account only runs the config controller (server/apiserver/argoserver.go NewArgoServer:
        // config.NewController), which gets, lists and watches the ConfigMaps of its namespace
        // (config/controller.go Run: no field selector, so no resourceNames). The WorkflowEventBinding
        // event recorder, artifactRepositoryRef lookups, webhook clients and persistence also use it
        // but are not used with KFP; they fail with "forbidden" instead of holding cluster-wide rights.
        this.role = new k8s.KubeRole(this, 'Role', {
          metadata: { name: ARGO_SERVER_NAME, namespace: this.namespace },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
        });
        this.roleBinding = new k8s.KubeRoleBinding(this, 'RoleBinding', {
          metadata: { name: ARGO_SERVER_NAME, namespace: this.namespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ARGO_SERVER_NAME },
          subjects,
        });
        if (argo.serverInformers) {
          // 3.6+: argo-server's own account lists and watches Workflows (the UI's list cache) and
          // WorkflowTemplates in every namespace it serves (see ArgoWorkflowsPreset.serverInformers).
          // ClusterWorkflowTemplates are read only when the account may (rbacutil.HasAccessToClusterWorkflowTemplates).
          this.clusterRole = clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
            metadata: { name: INFORMER_ROLE },
            rules: [{ apiGroups: ['argoproj.io'], resources: ['workflows', 'workflowtemplates'], verbs: ['get', 'list', 'watch'] }],
          }));
          this.clusterRoleBinding = clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
            metadata: { name: INFORMER_ROLE },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: INFORMER_ROLE },
            subjects,
          }));
        }
      } else {
        this.clusterRole = clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
          metadata: { name: 'argo-server-cluster-role' },
          rules: argo.serverRules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
        }));
        this.clusterRoleBinding = clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
          metadata: { name: 'argo-server-binding' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argo-server-cluster-role' },
          // Upstream hard-codes namespace "argo" here; kustomize `namespace:` does not rewrite it.
          subjects,
        }));
      }
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /**
   * Publishes this argo-server through the Kubeflow gateway at its base href (an
   * {@link ArgoServerRoute} whose namespace, base href and port follow the server).
   */
  public addRoute(id: string, options: ArgoServerRouteOptions = {}): ArgoServerRoute {
    checkOptions({ owner: 'ArgoServerRoute', prop: '' }, snapshotProps('ArgoServerRoute', options), ROUTE_OPTIONS, 'the server (ArgoServer.addRoute)', {
      server: 'leave it out: addRoute routes to this server',
      namespace: 'the route follows the server: set namespace on the ArgoServer',
      baseHref: 'the route follows the server: set baseHref on the ArgoServer',
      port: 'leave it out: the route uses the server\'s port',
      platform: 'the route follows the server: set platform on the ArgoServer',
    });
    return new ArgoServerRoute(this, id, { ...options, server: this });
  }
}

/** The read-only ClusterRole argo-server 3.6+ needs for its own caches in client mode. */
const INFORMER_ROLE = 'argo-server-cache-reader';

/** A Kubernetes quantity as the API server parses it (decimal, optional SI or binary suffix). */
const QUANTITY = /^(?:\d+(?:\.\d+)?|\.\d+)(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

function checkResources(where: Where, value: unknown): ArgoServerResources {
  checkKnownKeys(where, value, ['requests', 'limits']);
  if (value === undefined || value === null) {
    fail(where, value, 'must be an object', 'pass e.g. { requests: { cpu: "50m", memory: "64Mi" } }');
  }
  const r = value as ArgoServerResources;
  for (const kind of ['requests', 'limits'] as const) {
    const list = r[kind];
    if (list === undefined) continue;
    checkKnownKeys({ owner: where.owner, prop: `${where.prop}.${kind}` }, list, ['cpu', 'memory']);
    for (const res of ['cpu', 'memory'] as const) {
      const q = list[res];
      if (q !== undefined && (typeof q !== 'string' || !QUANTITY.test(q))) {
        fail({ owner: where.owner, prop: `${where.prop}.${kind}.${res}` }, q, 'must be a Kubernetes quantity string',
          res === 'cpu' ? 'use e.g. "100m" or "1"' : 'use e.g. "128Mi" or "1Gi"');
      }
    }
  }
  return r;
}

function k8sResources(r: ArgoServerResources): k8s.ResourceRequirements {
  const list = (l?: ArgoServerResourceList) => (l
    ? Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined).map(([k, v]) => [k, k8s.Quantity.fromString(v as string)])) : undefined);
  return { ...(r.requests ? { requests: list(r.requests) } : {}), ...(r.limits ? { limits: list(r.limits) } : {}) };
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

function checkExtraArg(where: Where, value: unknown): string {
  requireString(where, value);
  if (!value.startsWith('--') || /\s/.test(value)) {
    fail(where, value, 'must be a single "--flag" or "--flag=value" with no spaces',
      'write each flag as its own list entry, e.g. ["--namespaced", "--managed-namespace=kubeflow"]');
  }
  const flag = value.split('=')[0];
  if (MANAGED_FLAGS.includes(flag)) {
    const prop = { '--secure': 'secure', '--auth-mode': 'authModes', '--x-frame-options': 'xFrameOptions' }[flag] ?? 'baseHref';
    fail(where, value, `repeats ${flag}, which the construct sets from the "${prop}" prop`,
      `remove it from extraArgs and set ${prop} instead`);
  }
  return value;
}
