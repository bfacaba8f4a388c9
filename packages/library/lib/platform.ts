import { IConstruct } from 'constructs';
import { brand, hasBrand } from './brands';
import { fail, Where } from './validation';

/** A release line of an image: the tags that belong to it. */
export interface ImageLine {
  /** Human name of the supported line, e.g. `v3.1.x`. */
  readonly name: string;
  /** Tags that belong to the line. */
  readonly tag: RegExp;
}

/** A ClusterRole rule with the fields upstream uses. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** What a platform pins for Argo Workflows' argo-server. */
export interface ArgoWorkflowsPreset {
  /** Release line the argocli image must belong to. */
  readonly line: ImageLine;
  /** Default argocli image. */
  readonly image: string;
  /** Upstream tag whose `base/argo-server` and `argo-server-rbac` manifests are reproduced. */
  readonly manifests: string;
  /** workflow-controller the KFP release itself runs (for the record). */
  readonly controller: string;
  /** `argo-server-cluster-role` rules of that upstream tag, in upstream order. */
  readonly serverRules: readonly RbacRule[];
  /** argo-server container securityContext of that upstream tag. */
  readonly containerSecurityContext: Readonly<Record<string, unknown>>;
  /** How the base href reaches argo-server: env `BASE_HREF` up to 3.5 (3.6+: `ARGO_BASE_HREF`). */
  readonly baseHrefEnv: 'BASE_HREF' | 'ARGO_BASE_HREF';
  /** Upstream folder of the argo-server RBAC: `cluster-install` up to 3.6, `cluster-install-no-crds` from 3.7. */
  readonly rbacFolder: 'cluster-install' | 'cluster-install-no-crds';
  /**
   * What argo-server's own caches list and watch with its own account, whatever the auth mode
   * (`server/apiserver/argoserver.go` `Run`, at each tag):
   * - 3.6: `workflows`: `workflow.NewWorkflowServer(…, as.clients.Workflow, wfStore, …)`, whose
   *   `wfReflector` (`server/workflow/workflow_server.go`) lists and watches Workflows (v3.6.19);
   * - 3.7, 4.0: also `workflowtemplates` (`workflowtemplate.NewInformer(as.restConfig, …)`, from
   *   v3.7.0) and `clusterworkflowtemplates` (`clusterworkflowtemplate.NewInformer` when
   *   `util/rbac/rbac.go` `HasAccessToClusterWorkflowTemplates` finds get, list and watch through
   *   a SelfSubjectAccessReview; without them every UI submission that references one is answered
   *   "forbidden", v3.7.18, v4.0.10);
   * - before 3.6: none.
   */
  readonly serverCaches: readonly string[];
  /**
   * How argo-server's config controller reads its ConfigMap (`config/controller.go`): `get` by
   * name from 3.4 (`cmClient.Get(ctx, cc.configMap, …)`); up to 3.3 a list and watch with the field
   * selector `metadata.name=<configmap>`, which RBAC's `resourceNames` also limits (the API server
   * takes the name from that selector). Either way the rule names the one ConfigMap.
   */
  readonly configMapVerbs: readonly string[];
  /** How argo-server's SSO RBAC chooses and reads accounts on this line. */
  readonly sso: ArgoSsoPreset;
}

/**
 * argo-server's SSO RBAC on one line, from its code (docs/login.md, "Log in with your Kubeflow account"):
 * argo-workflows `server/auth/gatekeeper.go` (`rbacAuthorization`), `server/cache/cache.go`,
 * `util/secrets` and `util/expr/argoexpr` at the line's tag.
 */
export interface ArgoSsoPreset {
  /**
   * `SSO_DELEGATE_RBAC_TO_NAMESPACE=true` exists (v3.3.0+): for a request in another namespace,
   * argo-server also evaluates the annotated accounts of that namespace and uses the match when
   * its precedence is higher than the login account's (up to 3.7 only after a login account
   * matched: {@link ArgoSsoPreset.loginAccountRequired}).
   */
  readonly namespaceDelegation: boolean;
  /**
   * How argo-server's own account finds the accounts and their tokens:
   * - `namespace-list` (3.1, 3.2): lists the ServiceAccounts of its namespace and gets the chosen
   *   one and the Secret it lists first (`.secrets[0]`), per request;
   * - `cluster-informer-with-secrets` (3.3): informers on ServiceAccounts and on Secrets in every
   *   namespace (list and watch cluster-wide);
   * - `cluster-informer` (3.4+): an informer on ServiceAccounts in every namespace, and a `get` of
   *   the chosen account's token Secret.
   */
  readonly accountLookup: 'namespace-list' | 'cluster-informer-with-secrets' | 'cluster-informer';
  /**
   * The token Secret is found without the account listing it (v3.4.2+, `util/secrets`
   * `TokenNameForServiceAccount`): `.secrets[0]`, else the annotation
   * `workflows.argoproj.io/service-account-token.name`, else `<account>.service-account-token`.
   * Before, the account must list it in `.secrets`.
   */
  readonly tokenSecretByName: boolean;
  /**
   * The lowest patch of the line whose SSO behaves as this preset says (3.4: 2, where
   * `tokenSecretByName` starts; otherwise 0). An older pinned image is refused with `sso`.
   */
  readonly minimumPatch: number;
  /**
   * Rules are compiled against the user's claims (`util/expr/argoexpr/eval.go`
   * `expr.Compile(input, expr.Env(env))` from v3.4.17 and v3.5.5, expr-lang/expr v1.16.0; every
   * tag of 3.6, 3.7 and 4.0): a rule that names a claim the token lacks (`groups` for a user in no
   * group) fails to compile, and the user is refused outright (argo-workflows#13061). True for a
   * line whose pinned patch does it (3.4.18, 3.5.15 and later lines); older patches of 3.4 and 3.5
   * evaluate leniently, and are treated as strict too, which only withholds `groups` rules.
   */
  readonly strictClaims: boolean;
  /**
   * The rules see `email_verified` (3.1 to 3.3: `server/auth/types/claims.go` serializes it as
   * `email_verified,omitempty`; from v3.4.0 it is `json:"-"`, dropped before the rules run).
   */
  readonly emailVerifiedInRules: boolean;
  /**
   * A user must match a login account (in argo-server's SSO namespace) before a namespace's
   * accounts apply: up to 3.7. From v4.0.0 `rbacAuthorization` goes on to the request
   * namespace's accounts when no login account matches ("fix: fetch sa in delegate namespace
   * when no sa matched", argo-workflows#14614), so a profile account alone admits its members.
   */
  readonly loginAccountRequired: boolean;
  /**
   * The fields of argo-server's `sso` config the line reads (`server/auth/sso/sso.go` Config up
   * to 3.3, `config/sso.go` SSOConfig from 3.4): 3.2 adds issuerAlias, customGroupClaimName,
   * userInfoPath and insecureSkipVerify; 3.4 filterGroupsRegex; 4.0 rootCA (argo-workflows#14989).
   */
  readonly configFields: readonly string[];
}

/** What a platform's mesh serves. */
export interface IstioPreset {
  /** Istio the Kubeflow release installs. */
  readonly version: string;
  /** Istio release whose CRDs the schemas are checked against (one that serves the same API versions). */
  readonly release: string;
  /** apiVersion for VirtualServices. */
  readonly networking: 'networking.istio.io/v1alpha3' | 'networking.istio.io/v1beta1' | 'networking.istio.io/v1';
  /** apiVersion for AuthorizationPolicies. */
  readonly security: 'security.istio.io/v1beta1' | 'security.istio.io/v1';
}

/** Argo Events behaviour a platform pairs with. */
export interface ArgoEventsPreset {
  /** Argo Events release the schemas are checked against. */
  readonly release: string;
  /** `operation: submit-from` exists (v1.8+). */
  readonly submitFrom: boolean;
  /**
   * `operation: stop` exists: not in v1.5.6 (`pkg/apis/sensor/v1alpha1/types.go` lists submit,
   * suspend, resubmit, retry, resume, terminate); v1.9.11 adds `Stop`
   * (`pkg/apis/events/v1alpha1/sensor_types.go`, `pkg/sensors/triggers/argo-workflow/argo-workflow.go`).
   */
  readonly stop: boolean;
  /** JetStream EventBus exists (v1.7+). */
  readonly jetstream: boolean;
  /** Controller layout: three controllers (v1.5) or one controller-manager (v1.9). */
  readonly controllers: string;
}

/** What a Kubeflow release around the output decides: its login, network and pod policies. */
export interface KubeflowPreset {
  /** kubeflow/manifests tag the values were read from, e.g. `v1.4.1`. */
  readonly release: string;
  /** The commit that tag names (../shared/upstream/README.md's provenance table), for reading a clone. */
  readonly commit: string;
  /** KFP release it ships. */
  readonly kfp: string;
  /**
   * The gateway's login (oidc-authservice in 1.4–1.8, oauth2-proxy from 1.9) and how a path
   * skips it. oidc-authservice: the variable of ConfigMap `oidc-authservice-parameters` that
   * lists skipped prefixes (`SKIP_AUTH_URI` in 1.4–1.6,
   * `SKIP_AUTH_URLS` in 1.7–1.8) and the StatefulSet that reads it (`authservice`, from 1.8
   * `oidc-authservice`), how that authservice splits it (`separator`, below) and the
   * authservice's image commit. oauth2-proxy: the `notPaths` of the gateway's CUSTOM and DENY
   * AuthorizationPolicies.
   */
  readonly skipAuth: AuthserviceSkip | { readonly notPaths: readonly string[] };
  /**
   * ext-authz passes an `Authorization: Bearer <Dex ID token>` upstream (oauth2-proxy:
   * `headersToUpstreamOnAllow` in the mesh config). argo-server prefers that header over its own
   * `authorization` cookie, so the `/argo/` route removes it.
   */
  readonly authorizationUpstream: boolean;
  /**
   * The ingress gateway verifies every `Authorization: Bearer …` as a JWT (RequestAuthentications
   * `dex-jwt` and `m2m-token-issuer` on `app: istio-ingressgateway`, 1.9+: `common/oauth2-proxy/
   * components/istio-external-auth`). A caller's own bearer token is then answered 401 at the
   * gateway, so a generic webhook's caller sends its secret in another header
   * (`WebhookEventSource.tokenHeader`).
   */
  readonly gatewayVerifiesBearer: boolean;
  /**
   * Namespaces where the release's NetworkPolicies admit only pods of the same namespace
   * (`default-allow-same-namespace`, 1.9+): whatever the gateway reaches there needs its own policy.
   */
  readonly restrictedNamespaces: readonly string[];
  /** Pod Security `enforce` level of the `kubeflow` namespace and of profile namespaces, where the release sets one. */
  readonly podSecurity: { readonly kubeflow?: 'baseline' | 'restricted'; readonly profiles?: 'baseline' | 'restricted' };
  /**
   * KFP's multi-user roles aggregate `argoproj.io` rights into `kubeflow-edit` (KFP 1.8+); then
   * only the view role is added by {@link KubeflowArgoRoles}.
   */
  readonly editRoleHasArgo: boolean;
}

/**
 * oidc-authservice's skip list in one release: the variable it reads, how it splits it, and the
 * StatefulSet that reads it at start.
 */
export interface AuthserviceSkip {
  /** The image commit the release runs (`common/oidc-authservice/base/kustomization.yaml` newTag). */
  readonly commit: '28c59ef' | 'e236439';
  /** Variable of ConfigMap `oidc-authservice-parameters` with the skipped path prefixes. */
  readonly variable: 'SKIP_AUTH_URI' | 'SKIP_AUTH_URLS';
  /**
   * How that commit splits the variable: `28c59ef` on spaces (`main.go:77`
   * `strings.Split(os.Getenv("SKIP_AUTH_URI"), " ")`); `e236439` on commas (`settings.go:26`
   * reads `SKIP_AUTH_URLS` as a `[]string` through kelseyhightower/envconfig v1.4.0, which splits
   * on ","; `settings.go:86` trims each entry). A space-joined value there is one bogus prefix.
   */
  readonly separator: ' ' | ',';
  /** StatefulSet running the authservice (`authservice`; from 1.8 `oidc-authservice`). */
  readonly statefulSet: string;
}

/** Everything a preset pins. */
export interface PlatformSpec {
  /** Preset id, e.g. `KUBEFLOW_1_4`. */
  readonly id: string;
  /** One-line description. */
  readonly description: string;
  readonly kubeflow: KubeflowPreset;
  readonly argoWorkflows: ArgoWorkflowsPreset;
  readonly istio: IstioPreset;
  readonly argoEvents: ArgoEventsPreset;
}

/** Where a scope keeps the platform its constructs follow (set by KubeflowArgoChart). */
const SCOPE_PLATFORM = Symbol.for('cdk8s-kubeflow-argo.scope-platform');

const ARGO_RESOURCES = ['eventsources', 'sensors', 'workflows', 'workfloweventbindings', 'workflowtemplates', 'cronworkflows', 'clusterworkflowtemplates'];

/** `argo-server-cluster-role` of 3.1 and 3.2, in upstream order. */
const RULES_3_1: readonly RbacRule[] = [
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'watch', 'list'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] },
  { apiGroups: [''], resources: ['pods', 'pods/exec', 'pods/log'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['events'], verbs: ['watch', 'create', 'patch'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list'] },
  { apiGroups: ['argoproj.io'], resources: ARGO_RESOURCES, verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'] },
];
const withVerbs = (rules: readonly RbacRule[], resource: string, verbs: string[]) =>
  rules.map((r) => (r.resources[0] === resource ? { ...r, verbs } : r));
/** 3.3 adds list and watch on secrets and watch on serviceaccounts. */
const RULES_3_3 = withVerbs(withVerbs(RULES_3_1, 'secrets', ['get', 'create', 'list', 'watch']), 'serviceaccounts', ['get', 'list', 'watch']);
/** 3.4 to 3.7: only watch on serviceaccounts is added to 3.1's. */
const RULES_3_4 = withVerbs(RULES_3_1, 'serviceaccounts', ['get', 'list', 'watch']);
/** 4.0 also creates and updates ConfigMaps. */
const RULES_4_0 = withVerbs(RULES_3_4, 'configmaps', ['get', 'watch', 'list', 'create', 'update']);

const SECURITY_3_1 = { capabilities: { drop: ['ALL'] } };
/** From 3.3 the container drops privileges and runs read-only. */
const SECURITY_3_3 = { readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/**
 * One argo-server line: the newest patch of the controller's minor line (docs/platforms.md).
 * `controller` is the first workflow-controller on the line (a release entry names its own).
 */
function argoLine(minor: string, patch: number, controller: string, extra: Partial<ArgoWorkflowsPreset> = {}): ArgoWorkflowsPreset {
  const [major, min] = minor.split('.').map(Number);
  const atLeast = (m: number) => major > 3 || min >= m;
  return {
    line: { name: `v${minor}.x`, tag: new RegExp(`^v${minor.replace('.', '\\.')}\\.\\d+$`) },
    image: `quay.io/argoproj/argocli:v${minor}.${patch}`,
    manifests: `v${minor}.${patch}`,
    controller,
    serverRules: major > 3 ? RULES_4_0 : atLeast(4) ? RULES_3_4 : atLeast(3) ? RULES_3_3 : RULES_3_1,
    containerSecurityContext: atLeast(3) ? SECURITY_3_3 : SECURITY_3_1,
    baseHrefEnv: atLeast(6) ? 'ARGO_BASE_HREF' : 'BASE_HREF',
    rbacFolder: atLeast(7) ? 'cluster-install-no-crds' : 'cluster-install',
    serverCaches: atLeast(7) ? ['workflows', 'workflowtemplates', 'clusterworkflowtemplates'] : atLeast(6) ? ['workflows'] : [],
    configMapVerbs: atLeast(4) ? ['get'] : ['get', 'list', 'watch'],
    sso: {
      namespaceDelegation: atLeast(3),
      accountLookup: !atLeast(3) ? 'namespace-list' : atLeast(4) ? 'cluster-informer' : 'cluster-informer-with-secrets',
      tokenSecretByName: atLeast(4),
      minimumPatch: major === 3 && min === 4 ? 2 : 0,
      strictClaims: atLeast(4),
      emailVerifiedInRules: !atLeast(4),
      loginAccountRequired: major < 4,
      configFields: [
        'issuer', 'clientId', 'clientSecret', 'redirectUrl', 'rbac', 'scopes', 'sessionExpiry',
        ...(atLeast(2) ? ['issuerAlias', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify'] : []),
        ...(atLeast(4) ? ['filterGroupsRegex'] : []),
        ...(major > 3 ? ['rootCA'] : []),
      ],
    },
    ...extra,
  };
}

const ARGO = {
  '3.1': argoLine('3.1', 15, 'gcr.io/ml-pipeline/workflow-controller:v3.1.6-patch-license-compliance'),
  // 3.2.0 ignored BASE_HREF (argo-workflows#6923, fixed in 3.2.1): the line starts at 3.2.1
  '3.2': argoLine('3.2', 11, 'gcr.io/ml-pipeline/workflow-controller:v3.2.3-license-compliance', { line: { name: 'v3.2.x', tag: /^v3\.2\.(?:[1-9]\d*)$/ } }),
  '3.3': argoLine('3.3', 10, 'gcr.io/ml-pipeline/workflow-controller:v3.3.8-license-compliance'),
  '3.4': argoLine('3.4', 18, 'gcr.io/ml-pipeline/workflow-controller:v3.4.17-license-compliance'),
  '3.5': argoLine('3.5', 15, 'quay.io/argoproj/workflow-controller:v3.5.14'),
  '3.6': argoLine('3.6', 19, 'quay.io/argoproj/workflow-controller:v3.6.7 (standalone KFP 2.14)'),
  '3.7': argoLine('3.7', 18, 'quay.io/argoproj/workflow-controller:v3.7.3'),
  '4.0': argoLine('4.0', 10, 'quay.io/argoproj/workflow-controller:v4.0.5 (standalone KFP 2.17)'),
};
// 3.1's image moved registries: docker.io upstream, the same image on quay.io.

/** Standalone KFP releases newer than any Kubeflow release's, and their Argo line (docs/platforms.md, "KFP → Argo"). */
const STANDALONE_KFP: Record<string, ArgoWorkflowsPreset> = { '2.14': ARGO['3.6'], '2.15': ARGO['3.7'], '2.16': ARGO['3.7'], '2.17': ARGO['4.0'] };

/**
 * The Argo Workflows lines the presets and standalone KFP releases use, for the generators
 * (scripts/gen-schemas.js reads each line's WorkflowTemplate CRD). Internal: not in lib/index.ts.
 */
export function argoWorkflowsLines(): readonly ArgoWorkflowsPreset[] {
  return Object.values(ARGO);
}

/** Standalone KFP releases and their Argo line, for the generated docs (scripts/release-docs.ts). Internal. */
export function standaloneKfpLines(): Readonly<Record<string, ArgoWorkflowsPreset>> {
  return STANDALONE_KFP;
}

/**
 * EnvoyFilter (the SSO login redirect) on every platform: Istio 1.9.6's CRD, the only copy held;
 * Istio serves EnvoyFilter only as networking.istio.io/v1alpha3 from 1.9 to 1.28 (scripts/gen-schemas.js).
 */
const ENVOY_FILTER_SCHEMAS = 'istio-envoyfilter-1.9.6';
/** Kubernetes definitions the core objects are checked against (the ones cdk8s-plus-25 is built from). */
const KUBERNETES_SCHEMAS = 'kubernetes-v1.25.0';
const ARGO_EVENTS_1_5: ArgoEventsPreset = { release: 'argo-events-v1.5.6', submitFrom: false, stop: false, jetstream: false, controllers: 'eventsource-, sensor- and eventbus-controller' };
const ARGO_EVENTS_1_9: ArgoEventsPreset = { release: 'argo-events-v1.9.11', submitFrom: true, stop: true, jetstream: true, controllers: 'controller-manager' };
/** Istio before 1.22 serves networking and security v1beta1 (Istio 1.9.6's CRDs check them); from 1.22, v1. */
const istio = (version: string): IstioPreset => (Number(version.split('.')[1]) >= 22
  ? { version, release: 'istio-1.30.3', networking: 'networking.istio.io/v1', security: 'security.istio.io/v1' }
  : { version, release: 'istio-1.9.6', networking: 'networking.istio.io/v1beta1', security: 'security.istio.io/v1beta1' });

/** oidc-authservice (Kubeflow 1.4–1.8) as 1.4–1.6 run it: `SKIP_AUTH_URI`, space-separated. */
const AUTHSERVICE = {
  skipAuth: { commit: '28c59ef', variable: 'SKIP_AUTH_URI', separator: ' ', statefulSet: 'authservice' },
  authorizationUpstream: false, gatewayVerifiesBearer: false, restrictedNamespaces: [],
} as const;
/** Kubeflow 1.7 and 1.8 run oidc-authservice `e236439`: `SKIP_AUTH_URLS`, comma-separated. */
const SKIP_AUTH_URLS = { commit: 'e236439', variable: 'SKIP_AUTH_URLS', separator: ',', statefulSet: 'authservice' } as const;
/** oauth2-proxy (Kubeflow 1.9+): the gateway's CUSTOM and DENY policies, its JWT check, NetworkPolicies in `kubeflow`. */
const OAUTH2_PROXY = {
  skipAuth: { notPaths: ['istio-ingressgateway-oauth2-proxy', 'istio-ingressgateway-require-jwt'] },
  authorizationUpstream: true, gatewayVerifiesBearer: true, restrictedNamespaces: ['kubeflow'],
} as const;

/**
 * One Kubeflow release, as the preset record holds it (ARCHITECTURE.md, "Adding a Kubeflow
 * release"): everything else about the release (its id, description, the generators' list of
 * kubeflow/manifests tags, the README's release table, `Platform.ALL` and `Platform.LATEST`)
 * is derived from these entries.
 */
interface KubeflowRelease {
  /** `1.11`: the preset is `KUBEFLOW_1_11`. */
  readonly version: string;
  /** kubeflow/manifests tag the values were read from, e.g. `v1.11.0`. */
  readonly manifests: string;
  /** The commit that tag names (../shared/upstream/README.md's provenance table). */
  readonly commit: string;
  /** KFP release the tag ships. */
  readonly kfp: string;
  /** The workflow-controller image the tag installs (its KFP's `third-party/argo`). */
  readonly controller: string;
  /** The argo-server line that matches that controller. */
  readonly argo: ArgoWorkflowsPreset;
  readonly istio: IstioPreset;
  /** The gateway's login: {@link AUTHSERVICE} (with its skip variable) or {@link OAUTH2_PROXY}. */
  readonly login: Pick<KubeflowPreset, 'skipAuth' | 'authorizationUpstream' | 'gatewayVerifiesBearer' | 'restrictedNamespaces'>;
  readonly podSecurity?: KubeflowPreset['podSecurity'];
  /** @default true (KFP 1.8+) */
  readonly editRoleHasArgo?: boolean;
  /** @default Argo Events v1.9.11 */
  readonly argoEvents?: ArgoEventsPreset;
}

/** Builds a release preset; its id and description follow from the data. */
function kubeflow(r: KubeflowRelease): Platform {
  const kf: KubeflowPreset = {
    ...r.login, release: r.manifests, commit: r.commit, kfp: r.kfp, podSecurity: r.podSecurity ?? {}, editRoleHasArgo: r.editRoleHasArgo ?? true,
  };
  const argoEvents = r.argoEvents ?? ARGO_EVENTS_1_9;
  const extras = [
    'notPaths' in kf.skipAuth ? 'oauth2-proxy' : 'oidc-authservice',
    ...(kf.restrictedNamespaces.length ? ['NetworkPolicies'] : []),
    ...(kf.podSecurity.kubeflow ? [`PSS ${kf.podSecurity.kubeflow}`] : []),
  ];
  return newPlatform({
    id: `KUBEFLOW_${r.version.replace('.', '_')}`,
    description: `Kubeflow ${r.version}: KFP ${kf.kfp}, Argo Workflows ${r.argo.line.name.slice(1, -2)}, Istio ${r.istio.version.split('.').slice(0, 2).join('.')}, ${extras.join(', ')}, Argo Events ${argoEvents.release.replace('argo-events-', '')}`,
    kubeflow: kf,
    argoWorkflows: { ...r.argo, controller: r.controller },
    istio: r.istio,
    argoEvents,
  });
}

/**
 * The release presets declared on `cls`, in declaration order (aliases such as DEFAULT left out).
 * Runs while the class initializes, so it checks the brand, not `Platform.isPlatform`.
 */
function declaredPresets(cls: object): Platform[] {
  return Object.getOwnPropertyNames(cls)
    .map((key) => [key, (cls as Record<string, unknown>)[key]] as const)
    .filter((entry): entry is readonly [string, Platform] => hasBrand(entry[1], 'Platform') && (entry[1] as Platform).id === entry[0])
    .map(([, platform]) => platform);
}

/** Set by the class below: presets are made only here. */
let newPlatform: (spec: PlatformSpec) => Platform;

/**
 * A Kubeflow release the output targets: the argo-server line that matches its Argo
 * workflow-controller, its Istio API versions, what its login, NetworkPolicies and Pod Security
 * levels require, and the Argo Events line the output is checked against. Pick one with the
 * `platform` prop of {@link KubeflowArgoChart} or {@link Platform.use}; the default is
 * {@link Platform.KUBEFLOW_1_4}. Sources of every value: docs/platforms.md, "Platform presets".
 */
export class Platform {
  // first: the presets below are made through it
  static {
    newPlatform = (spec) => new Platform(spec);
  }

  // The release record: one entry per Kubeflow release, oldest first (ARCHITECTURE.md).

  /**
   * Kubeflow 1.4: KFP 1.7.0 (workflow-controller v3.1.6), Istio 1.9 (networking v1alpha3,
   * security v1beta1), oidc-authservice, Argo Events v1.5 (no submit-from, no JetStream).
   */
  public static readonly KUBEFLOW_1_4 = kubeflow({
    version: '1.4', manifests: 'v1.4.1', commit: 'ca48b5eb6b77e74c957bf4522e47ae82ed78cc4a', kfp: '1.7.0', 
    controller: 'gcr.io/ml-pipeline/workflow-controller:v3.1.6-patch-license-compliance', argo: ARGO['3.1'], login: AUTHSERVICE,
    istio: { version: '1.9.6', release: 'istio-1.9.6', networking: 'networking.istio.io/v1alpha3', security: 'security.istio.io/v1beta1' },
    editRoleHasArgo: false, argoEvents: ARGO_EVENTS_1_5,
  });
  /** Kubeflow 1.5: KFP 1.8.2 (Argo 3.2.3), Istio 1.11, oidc-authservice. */
  public static readonly KUBEFLOW_1_5 = kubeflow({
    version: '1.5', manifests: 'v1.5.1', commit: '9fc7538c118cc379313ab2abf4b96de8b43ace55', kfp: '1.8.2', 
    controller: 'gcr.io/ml-pipeline/workflow-controller:v3.2.3-license-compliance', argo: ARGO['3.2'], istio: istio('1.11.4'), login: AUTHSERVICE,
  });
  /** Kubeflow 1.6: KFP 2.0.0-alpha.5 (Argo 3.3.8), Istio 1.14, oidc-authservice. */
  public static readonly KUBEFLOW_1_6 = kubeflow({
    version: '1.6', manifests: 'v1.6.1', commit: 'f038f81df39f3606c14ad52e06f60f3d9c5bddfb', kfp: '2.0.0-alpha.5', 
    controller: 'gcr.io/ml-pipeline/workflow-controller:v3.3.8-license-compliance', argo: ARGO['3.3'], istio: istio('1.14.1'), login: AUTHSERVICE,
  });
  /** Kubeflow 1.7: KFP 2.0.0-alpha.7 (Argo 3.3.8), Istio 1.16, oidc-authservice (`SKIP_AUTH_URLS`). */
  public static readonly KUBEFLOW_1_7 = kubeflow({
    version: '1.7', manifests: 'v1.7.0', commit: '14c0f9abe70c4d0ce3e021a5839a7cdd54dc572d', kfp: '2.0.0-alpha.7', 
    controller: 'gcr.io/ml-pipeline/workflow-controller:v3.3.8-license-compliance', argo: ARGO['3.3'], istio: istio('1.16.0'),
    login: { ...AUTHSERVICE, skipAuth: SKIP_AUTH_URLS },
  });
  /** Kubeflow 1.8: KFP 2.0.5 (Argo 3.3.10), Istio 1.17, oidc-authservice (`SKIP_AUTH_URLS`, StatefulSet `oidc-authservice`). */
  public static readonly KUBEFLOW_1_8 = kubeflow({
    version: '1.8', manifests: 'v1.8.1', commit: 'a925b2968e68f3085092adc04e9af39d4f5045f3', kfp: '2.0.5', 
    controller: 'gcr.io/ml-pipeline/workflow-controller:v3.3.10-license-compliance', argo: ARGO['3.3'], istio: istio('1.17.5'),
    login: { ...AUTHSERVICE, skipAuth: { ...SKIP_AUTH_URLS, statefulSet: 'oidc-authservice' } },
  });
  /** Kubeflow 1.9: KFP 2.3.0 (Argo 3.4.17), Istio 1.22, oauth2-proxy, NetworkPolicies in `kubeflow`. */
  public static readonly KUBEFLOW_1_9 = kubeflow({
    version: '1.9', manifests: 'v1.9.1', commit: 'b68bb751c3e067f4a23bad6b9b2c6720645bf266', kfp: '2.3.0', 
    controller: 'gcr.io/ml-pipeline/workflow-controller:v3.4.17-license-compliance', argo: ARGO['3.4'], istio: istio('1.22.1'), login: OAUTH2_PROXY,
  });
  /** Kubeflow 1.10: KFP 2.5.0 (Argo 3.5.14), Istio 1.26, oauth2-proxy, Pod Security baseline. */
  public static readonly KUBEFLOW_1_10 = kubeflow({
    version: '1.10', manifests: 'v1.10.2', commit: 'd8d643f1a736b28c525bd9b8ee5c9b2f4a661b39', kfp: '2.5.0', 
    controller: 'quay.io/argoproj/workflow-controller:v3.5.14', argo: ARGO['3.5'], istio: istio('1.26.1'), login: OAUTH2_PROXY,
    podSecurity: { kubeflow: 'baseline', profiles: 'baseline' },
  });
  /** Kubeflow 1.11: KFP 2.15.0 (Argo 3.7.3), Istio 1.28, oauth2-proxy, Pod Security restricted in `kubeflow`. */
  public static readonly KUBEFLOW_1_11 = kubeflow({
    version: '1.11', manifests: 'v1.11.0', commit: '854bd3a21044f767204def71b2dcda83e376891f', kfp: '2.15.0', 
    controller: 'quay.io/argoproj/workflow-controller:v3.7.3', argo: ARGO['3.7'], istio: istio('1.28.0'), login: OAUTH2_PROXY,
    podSecurity: { kubeflow: 'restricted', profiles: 'baseline' },
  });

  // End of the release record. Everything below is derived from it.

  /** Every Kubeflow release preset, oldest first (the presets declared above). */
  public static readonly ALL: readonly Platform[] = declaredPresets(Platform);

  /**
   * The newest Kubeflow release preset: changes when a release is added, so pin a preset by name
   * where the output must not change on upgrade.
   */
  public static readonly LATEST: Platform = Platform.ALL[Platform.ALL.length - 1];

  /** The preset used when none is given: Kubeflow 1.4. */
  public static readonly DEFAULT: Platform = Platform.KUBEFLOW_1_4;

  /** True for a Platform from this library (also across duplicate installs). */
  public static isPlatform(x: unknown): x is Platform {
    return hasBrand(x, 'Platform');
  }

  /**
   * The platform constructs under `scope` follow: the one set on the nearest enclosing scope
   * with {@link Platform.use} (a {@link KubeflowArgoChart} sets its own), else the default.
   */
  public static of(scope: IConstruct): Platform {
    return enclosingPlatform(scope) ?? Platform.DEFAULT;
  }

  /**
   * Makes `platform` the one every construct of this library under `scope` follows unless it is
   * given its own (which must then agree).
   */
  public static use(scope: IConstruct, platform: Platform): void {
    Object.defineProperty(scope, SCOPE_PLATFORM, { value: platform, configurable: true });
  }

  /** Preset id, e.g. `KUBEFLOW_1_4`, or `KUBEFLOW_1_11_KFP_2_17` for a standalone KFP on it. */
  public readonly id: string;
  /** What the preset pins. */
  public readonly spec: PlatformSpec;
  /** Schema releases (plugins/schema-validation/schemas) the output must match. */
  public readonly schemaReleases: readonly string[];

  private constructor(spec: PlatformSpec) {
    this.id = spec.id;
    this.spec = spec;
    this.schemaReleases = [KUBERNETES_SCHEMAS, `argo-workflows-${spec.argoWorkflows.manifests}`, spec.istio.release, ENVOY_FILTER_SCHEMAS, spec.argoEvents.release];
    brand(this, 'Platform');
  }

  /**
   * This Kubeflow release with a newer standalone KFP installed over its own: the Argo Workflows
   * line follows that KFP's workflow-controller (KFP 2.14: 3.6; 2.15 and 2.16: 3.7; 2.17: 4.0),
   * everything else (Istio, login, NetworkPolicies, Pod Security, roles) stays the release's.
   * @param kfp the KFP release, e.g. "2.17" or "2.17.0"
   */
  public withStandaloneKfp(kfp: string): Platform {
    const at = { owner: 'Platform', prop: 'withStandaloneKfp(kfp)' };
    const minor = typeof kfp === 'string' ? /^2\.(\d+)(?:\.\d+)?$/.exec(kfp) : null;
    const line = minor ? STANDALONE_KFP[`2.${minor[1]}`] : undefined;
    if (!minor || !line) {
      fail(at, kfp, `is not a KFP release with a known Argo line (${Object.keys(STANDALONE_KFP).join(', ')})`, 'pass e.g. "2.17"');
    }
    const own = /^2\.(\d+)\./.exec(this.spec.kubeflow.kfp);
    if (!own) {
      fail(at, kfp, `cannot run on ${this.id}, which ships KFP ${this.spec.kubeflow.kfp} (a standalone KFP 2 needs a release that ships KFP 2: Kubeflow 1.6 or later)`,
        'use e.g. Platform.KUBEFLOW_1_11.withStandaloneKfp("2.17")');
    }
    if (Number(minor[1]) <= Number(own[1])) {
      fail(at, kfp, `is not newer than the KFP ${this.spec.kubeflow.kfp} that ${this.id} ships`, `use ${this.id} itself, or a KFP from ${Object.keys(STANDALONE_KFP).join(', ')}`);
    }
    const id = `${this.id}_KFP_2_${minor[1]}`;
    return new Platform({
      ...this.spec,
      id,
      description: `${this.spec.description}, with standalone KFP ${kfp} (Argo Workflows ${line.line.name})`,
      kubeflow: { ...this.spec.kubeflow, kfp },
      argoWorkflows: line,
    });
  }

  /** The id, e.g. `KUBEFLOW_1_4`. */
  public toString(): string {
    return this.id;
  }
}

function enclosingPlatform(scope: IConstruct): Platform | undefined {
  for (const c of [...scope.node.scopes].reverse()) {
    const p = (c as unknown as Record<symbol, unknown>)[SCOPE_PLATFORM];
    if (Platform.isPlatform(p)) return p;
  }
  return undefined;
}

/** Checks a platform prop (default {@link Platform.DEFAULT}). */
export function checkPlatform(where: Where, value: unknown): Platform {
  if (value === undefined) return Platform.DEFAULT;
  if (!Platform.isPlatform(value)) {
    fail(where, value, 'must be one of the Platform presets', `use ${Platform.ALL.map((p) => `Platform.${p.id}`).join(', ')}`);
  }
  return value;
}

/**
 * The platform of a construct: its own `platform` prop, which must agree with the related
 * construct it builds on (`from`, e.g. the server of a route) or else with its enclosing scope's
 * ({@link Platform.use}); when it has none, theirs.
 */
export function resolvePlatform(where: Where, own: unknown, scope: IConstruct, related?: { platform: Platform; from: string }): Platform {
  const enclosing = enclosingPlatform(scope);
  const inherited = related ?? (enclosing && { platform: enclosing, from: 'enclosing chart' });
  const platform = own === undefined && inherited ? inherited.platform : checkPlatform(where, own);
  if (inherited && platform !== inherited.platform) {
    fail(where, platform.id, `contradicts the ${inherited.from}'s platform ${inherited.platform.id}`,
      `leave platform out to follow the ${inherited.from}, or give both the same preset`);
  }
  return platform;
}
