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
}

/** What a platform's mesh serves. */
export interface IstioPreset {
  /** Istio release the schemas are checked against. */
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
  /** JetStream EventBus exists (v1.7+). */
  readonly jetstream: boolean;
  /** Controller layout: three controllers (v1.5) or one controller-manager (v1.9). */
  readonly controllers: string;
}

/** Everything a preset pins. */
export interface PlatformSpec {
  /** Preset id, e.g. `KFP_1_7`. */
  readonly id: string;
  /** KFP releases covered. */
  readonly kfp: string;
  /** One-line description. */
  readonly description: string;
  readonly argoWorkflows: ArgoWorkflowsPreset;
  readonly istio: IstioPreset;
  readonly argoEvents: ArgoEventsPreset;
}

/** Where a scope keeps the platform its constructs follow (set by KubeflowArgoChart). */
const SCOPE_PLATFORM = Symbol.for('cdk8s-kubeflow-argo.scope-platform');

const RULES_3_1: readonly RbacRule[] = [
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

/** 3.4 and 3.5 add `watch` on serviceaccounts; everything else is unchanged since 3.1. */
const RULES_3_4: readonly RbacRule[] = RULES_3_1.map((r) =>
  (r.resources[0] === 'serviceaccounts' ? { ...r, verbs: ['get', 'list', 'watch'] } : r));

const SECURITY_3_1 = { capabilities: { drop: ['ALL'] } };
/** Kubernetes definitions the core objects are checked against (the ones cdk8s-plus-25 is built from). */
const KUBERNETES_SCHEMAS = 'kubernetes-v1.25.0';
const ARGO_EVENTS_1_9: ArgoEventsPreset = { release: 'argo-events-v1.9.11', submitFrom: true, jetstream: true, controllers: 'controller-manager' };
const SECURITY_3_4 = { readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/**
 * A supported Kubeflow Pipelines platform: which argo-server, Istio APIs and Argo Events
 * behaviour the constructs produce. Pick one with the `platform` prop of
 * {@link KubeflowArgoChart} or of each construct; the default is {@link Platform.KFP_1_7}.
 * Sources of every value: README, "Platform presets".
 */
export class Platform {
  /**
   * Kubeflow 1.4: KFP 1.7.0 (workflow-controller v3.1.6), Istio 1.9 (networking v1alpha3,
   * security v1beta1), Argo Events v1.5 (three controllers, no submit-from, no JetStream).
   */
  public static readonly KFP_1_7 = new Platform({
    id: 'KFP_1_7',
    kfp: '1.7.0',
    description: 'Kubeflow 1.4: KFP 1.7.0, Argo Workflows 3.1, Istio 1.9, Argo Events v1.5',
    argoWorkflows: {
      line: { name: 'v3.1.x', tag: /^v3\.1\.\d+$/ },
      image: 'quay.io/argoproj/argocli:v3.1.15',
      manifests: 'v3.1.15',
      controller: 'gcr.io/ml-pipeline/workflow-controller:v3.1.6-patch-license-compliance',
      serverRules: RULES_3_1,
      containerSecurityContext: SECURITY_3_1,
      baseHrefEnv: 'BASE_HREF',
    },
    istio: { release: 'istio-1.9.6', networking: 'networking.istio.io/v1alpha3', security: 'security.istio.io/v1beta1' },
    argoEvents: { release: 'argo-events-v1.5.6', submitFrom: false, jetstream: false, controllers: 'eventsource-, sensor- and eventbus-controller' },
  });

  /**
   * KFP 2.2–2.4 (workflow-controller v3.4.16/v3.4.17): argocli v3.4.x with the v3.4 hardening,
   * networking and security v1beta1 (served by every Istio from 1.9 to 1.30), Argo Events v1.9.
   */
  public static readonly KFP_2_2 = new Platform({
    id: 'KFP_2_2',
    kfp: '2.2.0–2.4.x',
    description: 'KFP 2.2–2.4: Argo Workflows 3.4, Istio v1beta1 APIs, Argo Events v1.9',
    argoWorkflows: {
      line: { name: 'v3.4.x', tag: /^v3\.4\.\d+$/ },
      image: 'quay.io/argoproj/argocli:v3.4.18',
      manifests: 'v3.4.18',
      controller: 'gcr.io/ml-pipeline/workflow-controller:v3.4.16-license-compliance (2.2), v3.4.17 (2.3–2.4)',
      serverRules: RULES_3_4,
      containerSecurityContext: SECURITY_3_4,
      baseHrefEnv: 'BASE_HREF',
    },
    istio: { release: 'istio-1.30.3', networking: 'networking.istio.io/v1beta1', security: 'security.istio.io/v1beta1' },
    argoEvents: ARGO_EVENTS_1_9,
  });

  /**
   * KFP 2.5 (workflow-controller v3.5.14, upstream images): argocli v3.5.x, networking and
   * security `v1` (Istio 1.22 or later), Argo Events v1.9.
   */
  public static readonly KFP_2_5 = new Platform({
    id: 'KFP_2_5',
    kfp: '2.5.0',
    description: 'KFP 2.5: Argo Workflows 3.5, Istio v1 APIs (Istio 1.22+), Argo Events v1.9',
    argoWorkflows: {
      line: { name: 'v3.5.x', tag: /^v3\.5\.\d+$/ },
      image: 'quay.io/argoproj/argocli:v3.5.15',
      manifests: 'v3.5.15',
      controller: 'quay.io/argoproj/workflow-controller:v3.5.14',
      serverRules: RULES_3_4,
      containerSecurityContext: SECURITY_3_4,
      baseHrefEnv: 'BASE_HREF',
    },
    istio: { release: 'istio-1.30.3', networking: 'networking.istio.io/v1', security: 'security.istio.io/v1' },
    argoEvents: ARGO_EVENTS_1_9,
  });

  /** The preset used when none is given: Kubeflow 1.4. */
  public static readonly DEFAULT: Platform = Platform.KFP_1_7;

  /** Every preset, oldest first. */
  public static readonly ALL: readonly Platform[] = [Platform.KFP_1_7, Platform.KFP_2_2, Platform.KFP_2_5];

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

  /** Preset id, e.g. `KFP_1_7`. */
  public readonly id: string;
  /** What the preset pins. */
  public readonly spec: PlatformSpec;
  /** Schema releases (plugins/schema-validation/schemas) the output must match. */
  public readonly schemaReleases: readonly string[];

  private constructor(spec: PlatformSpec) {
    this.id = spec.id;
    this.spec = spec;
    this.schemaReleases = [KUBERNETES_SCHEMAS, `argo-workflows-${spec.argoWorkflows.manifests}`, spec.istio.release, spec.argoEvents.release];
    brand(this, 'Platform');
  }

  /** `KFP_1_7`, etc. */
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
