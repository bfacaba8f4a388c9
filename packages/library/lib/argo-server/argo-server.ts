import { checkNotKubeflowRoute } from '../gateway/kubeflow-routes';
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { brand, hasBrand } from '../brands';
import { ARGO_SERVER_NAME, ARGO_SERVER_PORT, ARGO_SERVER_SELECTOR, KUBEFLOW_NAMESPACE } from '../constants';
import * as k8s from '../../imports/k8s';
import { Platform, resolvePlatform } from '../platform';
import { clusterScoped } from '../cluster-scoped';
import { ArgoServerRoute, ArgoServerRouteOptions, ROUTE_OPTIONS } from './argo-server-route';
import { loginRedirectFilter } from './login-redirect';
import { PROFILE_ACCESS_OPTIONS, ProfileSsoAccess, ProfileSsoAccessOptions } from './profile-sso-access';
import {
  checkBoolean, checkImage, checkKnownKeys, checkOptions, checkList, checkNamespace, checkOneOf, checkPathPrefix, fail, parseImageReference, propNames, requireString, snapshotProps, Where, whereIn,
} from '../validation';
import { ArgoServerSsoOptions, checkSso, SsoSettings, ssoConfigData } from './sso';

const at = whereIn('ArgoServer');

/** argo-server authentication modes (`--auth-mode`). */
export type ArgoAuthMode = 'client' | 'server' | 'sso';

/** The auth modes argo-server 3.1 accepts. */
export const ARGO_AUTH_MODES: readonly ArgoAuthMode[] = ['client', 'server', 'sso'];

/** Values argo-server accepts for `--x-frame-options` that we allow. */
export const X_FRAME_OPTIONS: readonly string[] = ['', 'DENY', 'SAMEORIGIN'];


/** Flags the construct sets from props; `extraArgs` may not repeat them. */
const MANAGED_FLAGS = ['--secure', '--auth-mode', '--x-frame-options', '--basehref', '--base-href'];

/** Flags the construct sets with `sso`; `extraArgs` may not repeat them then. */
const SSO_FLAGS = ['--configmap', '--namespace', '--sso-namespace', '--namespaced', '--managed-namespace'];

/** argo-server's own ConfigMap in SSO mode (`--configmap`): `sso` and KFP's `artifactRepository`. */
export const SSO_CONFIG_MAP = 'argo-server-sso-config';

// the compiler checks this list against the props interface (propNames)
const PROPS = propNames<ArgoServerProps>()(
  'platform', 'namespace', 'image', 'allowImageOutsidePlatform', 'secure', 'baseHref', 'xFrameOptions', 'authModes', 'extraArgs',
  'resources', 'sso',
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
   * do everything. Risk: `server` binds upstream's `argo-server-cluster-role` cluster-wide
   * (secrets get/create, pods/exec, workflow writes in every namespace). For `sso`, set the
   * `sso` prop instead (it sets the modes).
   * @default ["client"], or ["sso", "client"] with `sso`
   */
  readonly authModes?: ArgoAuthMode[];

  /**
   * Log in with Kubeflow's Dex (docs/login.md, "Log in with your Kubeflow account"): argo-server runs
   * `--auth-mode=sso --auth-mode=client` (CLI tokens keep working) with its own ConfigMap
   * (`argo-server-sso-config`: the `sso` settings and KFP's `artifactRepository`), RBAC on, and
   * namespace delegation where the Argo line has it. Its own account then gets only what SSO
   * needs. Who may do what comes from the profiles ({@link ArgoServer.addProfileAccess}).
   * @default - no SSO
   */
  readonly sso?: ArgoServerSsoOptions;

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
 * Service port Istio recognises as HTTP (`http-web`). Its own rights follow the auth modes: in
 * client mode, a Role that reads ConfigMaps in its namespace (and on 3.6+ a read-only cache
 * role); with `sso`, also its client and session Secrets and what its SSO caches read (the
 * accounts' tokens come with {@link ArgoServer.addProfileAccess}); with `server`, upstream's
 * `manifests/cluster-install/argo-server-rbac` bound to the namespace argo-server really runs
 * in. Emits no workflow-controller, CRD or KFP ConfigMap: KFP owns those (with `sso`, argo-server
 * reads a ConfigMap of its own).
 */
export class ArgoServer extends Construct {
  /** The Deployment (also `ApiObject.of(argoServer)`). */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service `argo-server` (port `http-web`, 2746). */
  public readonly service: k8s.KubeService;
  /** The ServiceAccount `argo-server`. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /**
   * ClusterRole `argo-server-cluster-role` (upstream rules) with the `server` auth mode; otherwise
   * `argo-server-cache-reader`, what argo-server's own caches read: Workflows and
   * WorkflowTemplates on Argo 3.6+, and with `sso` on 3.3+ ServiceAccounts (3.3: and Secrets).
   */
  public readonly clusterRole?: k8s.KubeClusterRole;
  /** The binding of {@link clusterRole}, subject in {@link namespace}. */
  public readonly clusterRoleBinding?: k8s.KubeClusterRoleBinding;
  /**
   * Role `argo-server` (read ConfigMaps; with `sso` its client and session Secrets), unless the
   * `server` auth mode: in {@link namespace}, or with `sso` in its SSO namespace (`sso.namespace`).
   */
  public readonly role?: k8s.KubeRole;
  /** RoleBinding `argo-server` for {@link role}. */
  public readonly roleBinding?: k8s.KubeRoleBinding;
  /** The `--auth-mode` values. */
  public readonly authModes: readonly ArgoAuthMode[];
  /** The SSO settings as checked (defaults filled in), when `sso` is set. */
  public readonly sso?: SsoSettings;
  /** argo-server's own ConfigMap `argo-server-sso-config`, with `sso`. */
  public readonly configMap?: k8s.KubeConfigMap;
  /** The EnvoyFilter that sends the login to Dex's browser address, with `sso` (unless the issuer is the same for both). */
  public readonly loginRedirect?: ApiObject;
  /**
   * With `sso`: the Namespace argo-server keeps its SSO state in (`sso.namespace`, its
   * `--namespace`: its ConfigMap, client and session Secrets, login accounts).
   */
  public readonly ssoNamespaceObject?: k8s.KubeNamespace;

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
      const c = checkProps(snapshotProps('ArgoServer', props), this);
      this.platform = c.platform;
      this.namespace = c.namespace;
      this.secure = c.secure;
      this.baseHref = c.baseHref;
      this.sso = c.sso;
      this.authModes = c.authModes;
      this.serviceHost = `${ARGO_SERVER_NAME}.${this.namespace}.svc.cluster.local`;

      this.deployment = new k8s.KubeDeployment(this, 'Resource', deploymentProps(c));
      this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { name: ARGO_SERVER_NAME, namespace: this.namespace },
      });
      this.service = new k8s.KubeService(this, 'Service', serviceProps(c));
      const rbac = c.authModes.includes('server') ? serverModeRbac(this, c) : clientModeRbac(this, c);
      this.role = rbac.role;
      this.roleBinding = rbac.roleBinding;
      this.clusterRole = rbac.clusterRole;
      this.clusterRoleBinding = rbac.clusterRoleBinding;
      if (c.sso) {
        const sso = ssoObjects(this, c.sso);
        this.ssoNamespaceObject = sso.namespace;
        this.configMap = sso.configMap;
        this.loginRedirect = sso.loginRedirect;
        // the Namespace comes first in the output, so `kubectl apply -f` of a first output creates
        // it before what lives in it (apply -k sorts namespaces first anyway)
        for (const o of [this.role, this.roleBinding, this.configMap]) o?.addDependency(this.ssoNamespaceObject);
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

  /**
   * Lets the members of Kubeflow profiles log in to this argo-server with SSO and act in their
   * profiles with `kubeflow-edit` rights, and nowhere else (a {@link ProfileSsoAccess}). Needs `sso`.
   */
  public addProfileAccess(id: string, options: ProfileSsoAccessOptions): ProfileSsoAccess {
    checkOptions({ owner: 'ProfileSsoAccess', prop: '' }, snapshotProps('ProfileSsoAccess', options), PROFILE_ACCESS_OPTIONS, 'the server (ArgoServer.addProfileAccess)', {
      server: 'leave it out: addProfileAccess grants access to this server',
      platform: 'the access follows the server: set platform on the ArgoServer',
    });
    return new ProfileSsoAccess(this, id, { ...options, server: this });
  }
}

/** The props as checked, defaults filled in: what the objects are built from. */
interface CheckedProps {
  readonly platform: Platform;
  readonly namespace: string;
  readonly image: string;
  readonly secure: boolean;
  readonly baseHref: string;
  readonly xFrameOptions: string;
  readonly sso?: SsoSettings;
  readonly authModes: ArgoAuthMode[];
  readonly extraArgs: string[];
  readonly resources: ArgoServerResources;
}

/** Checks every prop once: the generic checks of each value, then the rules between them. */
function checkProps(props: ArgoServerProps, scope: Construct): CheckedProps {
  checkKnownKeys(at(''), props, PROPS);
  const platform = resolvePlatform(at('platform'), props.platform, scope);
  const argo = platform.spec.argoWorkflows;
  const namespace = checkNamespace(at('namespace'), props.namespace ?? KUBEFLOW_NAMESPACE);
  const outside = checkBoolean(at('allowImageOutsidePlatform'), props.allowImageOutsidePlatform ?? false);
  const image = checkImage(at('image'), props.image ?? argo.image, outside ? undefined : argo.line);
  const secure = checkBoolean(at('secure'), props.secure ?? false);
  const baseHref = checkNotKubeflowRoute(at('baseHref'), checkPathPrefix(at('baseHref'), props.baseHref ?? '/argo/'), platform);
  const xFrameOptions = checkOneOf(at('xFrameOptions'), props.xFrameOptions ?? 'SAMEORIGIN', X_FRAME_OPTIONS);
  if (props.sso !== undefined && props.authModes !== undefined) {
    fail(at('authModes'), props.authModes, 'is set together with sso, which sets the auth modes (sso, and client for CLI tokens)', 'remove authModes');
  }
  const sso = props.sso === undefined ? undefined : checkSso(at('sso'), props.sso, platform, baseHref, namespace);
  const authModes: ArgoAuthMode[] = sso ? ['sso', 'client'] : checkList<ArgoAuthMode>(at('authModes'), props.authModes ?? ['client'], (w, v) => {
    const mode = checkOneOf(w, v, ARGO_AUTH_MODES);
    if (mode === 'sso') {
      fail(w, v, 'needs settings argo-server reads from a ConfigMap, and rights for the accounts it picks', 'set the sso prop instead (e.g. sso: {}), which also sets the auth modes');
    }
    return mode;
  });
  const extraArgs = checkList(at('extraArgs'), props.extraArgs ?? [], checkExtraArg, { allowEmpty: true });
  if (sso) checkWithSso(extraArgs, image, platform);
  const resources = checkResources(at('resources'), props.resources ?? { requests: DEFAULT_ARGO_SERVER_REQUESTS });
  return { platform, namespace, image, secure, baseHref, xFrameOptions, sso, authModes, extraArgs, resources };
}

/** With `sso`: no extra flag repeats what it sets, and the image is a patch whose SSO the preset describes. */
function checkWithSso(extraArgs: readonly string[], image: string, platform: Platform): void {
  const argo = platform.spec.argoWorkflows;
  extraArgs.forEach((a, i) => {
    const flag = a.split('=')[0];
    if (SSO_FLAGS.includes(flag)) {
      fail(at(`extraArgs[${i}]`), a, `${flag} is set by sso (its own ConfigMap, and SSO accounts and delegation across the profile namespaces)`, 'remove it from extraArgs');
    }
  });
  const patch = Number(parseImageReference(image)?.tag?.split('.')[2] ?? argo.sso.minimumPatch);
  if (patch < argo.sso.minimumPatch) {
    fail(at('image'), image, `with sso must be ${argo.line.name.replace('x', String(argo.sso.minimumPatch))} or later: before, argo-server finds an account's token only through the account's \`.secrets\` list (util/secrets, v3.4.2)`, `use ${argo.image}`);
  }
}

/** argo-server's Deployment: upstream's `base/argo-server` of the line, with the Kubeflow edits. */
function deploymentProps(c: CheckedProps): k8s.KubeDeploymentProps {
  const argo = c.platform.spec.argoWorkflows;
  const args = [
    'server',
    `--secure=${c.secure}`,
    ...c.authModes.map((m) => `--auth-mode=${m}`),
    // with sso, its "installation namespace" (ConfigMap, Secrets, login accounts) is one of its own
    ...(c.sso ? [`--namespace=${c.sso.namespace}`, `--configmap=${SSO_CONFIG_MAP}`] : []),
    `--x-frame-options=${c.xFrameOptions}`,
    ...c.extraArgs,
  ];
  const env = [
    { name: argo.baseHrefEnv, value: c.baseHref },
    // argo-server then also evaluates the accounts of the namespace a request is for (3.3+)
    ...(c.sso && argo.sso.namespaceDelegation ? [{ name: 'SSO_DELEGATE_RBAC_TO_NAMESPACE', value: 'true' }] : []),
  ];
  return {
    metadata: { name: ARGO_SERVER_NAME, namespace: c.namespace },
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
            image: c.image,
            // upstream's settings, plus what Pod Security "restricted" requires on every line
            securityContext: {
              ...clone(argo.containerSecurityContext),
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
            resources: k8sResources(c.resources),
            args,
            env,
            ports: [{ name: 'web', containerPort: ARGO_SERVER_PORT }],
            readinessProbe: {
              httpGet: {
                port: k8s.IntOrString.fromNumber(ARGO_SERVER_PORT),
                // Derived, never set on its own: an HTTPS probe against --secure=false never passes.
                scheme: c.secure ? 'HTTPS' : 'HTTP',
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
  };
}

/** argo-server's Service: named for Istio's protocol detection. */
function serviceProps(c: CheckedProps): k8s.KubeServiceProps {
  return {
    metadata: { name: ARGO_SERVER_NAME, namespace: c.namespace },
    spec: {
      selector: { ...ARGO_SERVER_SELECTOR },
      ports: [{
        // Istio picks the protocol from the port name prefix or appProtocol; upstream's
        // "web" would be treated as opaque TCP.
        name: c.secure ? 'https-web' : 'http-web',
        appProtocol: c.secure ? 'https' : 'http',
        port: ARGO_SERVER_PORT,
        targetPort: k8s.IntOrString.fromNumber(ARGO_SERVER_PORT),
      }],
    },
  };
}

/** The RBAC objects one auth mode needs. */
interface ServerRbac {
  readonly role?: k8s.KubeRole;
  readonly roleBinding?: k8s.KubeRoleBinding;
  readonly clusterRole?: k8s.KubeClusterRole;
  readonly clusterRoleBinding?: k8s.KubeClusterRoleBinding;
}

const subjectsOf = (c: CheckedProps) => [{ kind: 'ServiceAccount', name: ARGO_SERVER_NAME, namespace: c.namespace }];

/** `server` auth mode: upstream's `argo-server-cluster-role` of the line, bound to where argo-server runs. */
function serverModeRbac(scope: Construct, c: CheckedProps): ServerRbac {
  return {
    clusterRole: clusterScoped(new k8s.KubeClusterRole(scope, 'ClusterRole', {
      metadata: { name: 'argo-server-cluster-role' },
      rules: c.platform.spec.argoWorkflows.serverRules.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    })),
    clusterRoleBinding: clusterScoped(new k8s.KubeClusterRoleBinding(scope, 'ClusterRoleBinding', {
      metadata: { name: 'argo-server-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argo-server-cluster-role' },
      // Upstream hard-codes namespace "argo" here; kustomize `namespace:` does not rewrite it.
      subjects: subjectsOf(c),
    })),
  };
}

/**
 * Client (and SSO) auth mode: every API call uses the caller's token (server/auth/gatekeeper.go);
 * argo-server's own account reads only its config and what its caches hold.
 */
function clientModeRbac(scope: Construct, c: CheckedProps): ServerRbac {
  const home = c.sso ? c.sso.namespace : c.namespace;
  const role = new k8s.KubeRole(scope, 'Role', { metadata: { name: ARGO_SERVER_NAME, namespace: home }, rules: ownRules(c) });
  const roleBinding = new k8s.KubeRoleBinding(scope, 'RoleBinding', {
    metadata: { name: ARGO_SERVER_NAME, namespace: home },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: ARGO_SERVER_NAME },
    subjects: subjectsOf(c),
  });
  const rules = cacheRules(c);
  if (!rules.length) return { role, roleBinding };
  return {
    role,
    roleBinding,
    clusterRole: clusterScoped(new k8s.KubeClusterRole(scope, 'ClusterRole', { metadata: { name: INFORMER_ROLE }, rules })),
    clusterRoleBinding: clusterScoped(new k8s.KubeClusterRoleBinding(scope, 'ClusterRoleBinding', {
      metadata: { name: INFORMER_ROLE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: INFORMER_ROLE },
      subjects: subjectsOf(c),
    })),
  };
}

/**
 * What argo-server's own account reads in its namespace in client mode. Only the config controller
 * (server/apiserver/argoserver.go NewArgoServer: config.NewController) runs as it, reading its one
 * ConfigMap (ArgoWorkflowsPreset.configMapVerbs). The WorkflowEventBinding event recorder,
 * artifactRepositoryRef lookups, webhook clients and persistence also use it but are not used with
 * KFP; they fail with "forbidden" instead of holding cluster-wide rights.
 */
function ownRules(c: CheckedProps): k8s.PolicyRule[] {
  const { sso } = c;
  const argo = c.platform.spec.argoWorkflows;
  const configMap = sso ? SSO_CONFIG_MAP : configMapArg(c.extraArgs) ?? KFP_CONFIG_MAP;
  const rules: k8s.PolicyRule[] = [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [configMap], verbs: [...argo.configMapVerbs] }];
  if (sso) {
    // SSO (server/auth/sso/sso.go New): reads the client Secret, creates its session key Secret
    // "sso" (at every start; AlreadyExists is ignored, Forbidden is fatal) and reads it back.
    // RBAC cannot name an object that does not exist yet, so create is namespace-wide: hence
    // a namespace of its own (ArgoServerSsoOptions.namespace), where a token Secret it could
    // create would only be for accounts whose tokens it reads anyway. Each request then acts
    // as the account the user's claims select (server/auth/gatekeeper.go rbacAuthorization),
    // whose token argo-server reads: the profile accounts grant that (ProfileSsoAccess).
    rules.push(
      { apiGroups: [''], resources: ['secrets'], resourceNames: [...new Set([sso.clientSecret.name, 'sso'])], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    );
    if (argo.sso.accountLookup === 'namespace-list') {
      // 3.1, 3.2: lists the annotated accounts of its namespace and gets the chosen one, per request
      rules.push({ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list'] });
    }
  }
  return rules;
}

/** What argo-server's caches list and watch cluster-wide with its own account, in client mode. */
function cacheRules(c: CheckedProps): k8s.PolicyRule[] {
  const argo = c.platform.spec.argoWorkflows;
  const rules: k8s.PolicyRule[] = [];
  if (argo.serverCaches.length) {
    // 3.6+: argo-server's own account lists and watches what its caches hold (Workflows; from
    // 3.7 also WorkflowTemplates and ClusterWorkflowTemplates), see ArgoWorkflowsPreset.serverCaches
    rules.push({ apiGroups: ['argoproj.io'], resources: [...argo.serverCaches], verbs: ['get', 'list', 'watch'] });
  }
  if (c.sso && argo.sso.accountLookup !== 'namespace-list') {
    // 3.3+ with SSO: an informer on ServiceAccounts of every namespace (server/cache/cache.go,
    // NewResourceCache(…, v1.NamespaceAll) unless --namespaced), to find the annotated accounts;
    // 3.3 also keeps one on every Secret (argo-workflows#8534, fixed in v3.4.0 by #8555; checkSso
    // refuses that unless allowClusterWideSecretList). The informers run whether or not RBAC is on.
    rules.push({ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['list', 'watch'] });
    if (argo.sso.accountLookup === 'cluster-informer-with-secrets') rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] });
  }
  return rules;
}

/** With `sso`: its own namespace, its ConfigMap and the EnvoyFilter that sends the login to Dex's browser address. */
function ssoObjects(server: ArgoServer, sso: SsoSettings): { namespace: k8s.KubeNamespace; configMap: k8s.KubeConfigMap; loginRedirect: ApiObject } {
  const namespace = clusterScoped(new k8s.KubeNamespace(server, 'SsoNamespace', {
    // no pods run there; "restricted" keeps it that way for anything but hardened pods
    metadata: { name: sso.namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
  }));
  // `groups` is requested only while a ProfileSsoAccess of this server has a rule that reads it
  const readsGroups = () => server.node.root.node.findAll().some((c) => ProfileSsoAccess.isProfileSsoAccess(c) && c.server === server && c.rulesReadGroups);
  const data = () => ssoConfigData(sso, readsGroups());
  const configMap = new k8s.KubeConfigMap(server, 'SsoConfig', {
    metadata: { name: SSO_CONFIG_MAP, namespace: sso.namespace },
    data: { sso: Lazy.any({ produce: () => data().sso }), artifactRepository: data().artifactRepository },
  });
  const loginRedirect = new ApiObject(server, 'LoginRedirect', loginRedirectFilter({
    name: `${ARGO_SERVER_NAME}-sso-login`, namespace: server.namespace, podSelector: ARGO_SERVER_SELECTOR, port: ARGO_SERVER_PORT,
    baseHref: server.baseHref, issuer: sso.issuer, browserIssuer: sso.browserIssuer, secureCookie: sso.secureCookie,
  }));
  return { namespace, configMap, loginRedirect };
}

/** The read-only ClusterRole of argo-server's own caches: Workflows and WorkflowTemplates (3.6+), SSO accounts (3.3+). */
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

/** KFP's ConfigMap, which argo-server reads by default (`--configmap`'s default). */
const KFP_CONFIG_MAP = 'workflow-controller-configmap';

/** The ConfigMap an `--configmap=NAME` among the extra flags names, if any (the last one wins, as in cobra). */
function configMapArg(extraArgs: readonly string[]): string | undefined {
  return extraArgs.map((a) => /^--configmap=(.+)$/.exec(a)?.[1]).filter(Boolean).pop();
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
