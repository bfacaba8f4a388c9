import { Construct } from 'constructs';
import { brand, hasBrand } from '../brands';
import { ARGO_EVENTS_NAMESPACE } from '../constants';
import * as k8s from '../../imports/k8s';
import { Platform, resolvePlatform } from '../platform';
import {
  checkBoolean, checkDnsSubdomain, checkKnownKeys, checkList, checkNamespace, checkOneOf, fail, propNames, snapshotProps, whereIn,
} from '../validation';
import { clusterScoped } from '../cluster-scoped';

const at = whereIn('ArgoEventsRbac');

/** Operations an Argo Events `argoWorkflow` trigger performs with the bundled `argo` CLI. */
export type WorkflowOperation = 'submit' | 'submit-from' | 'resubmit' | 'retry' | 'resume' | 'suspend' | 'terminate' | 'stop';

/** Every {@link WorkflowOperation}; `submit-from` and `stop` need Argo Events v1.8+ (Kubeflow 1.5 and later presets; v1.5.6 has neither). */
export const WORKFLOW_OPERATIONS: readonly WorkflowOperation[] = ['submit', 'submit-from', 'resubmit', 'retry', 'resume', 'suspend', 'terminate', 'stop'];

/**
 * Verbs on `workflows` each operation needs, as the `argo` CLI bundled in the Sensor performs it
 * (argo-events v1.5.6 `sensors/triggers/argo-workflow/argo-workflow.go` runs `argo <operation>`;
 * argo CLI v3.2.4 and, for submit-from, argo-events v1.9.11): submit creates (and lists);
 * submit-from creates, then reads the new workflow; resubmit reads the old workflow and creates
 * a new one; retry, resume and suspend read then update it (retry also deletes the pods of the
 * failed nodes, see POD_VERBS); terminate and stop read it and patch its `spec.shutdown`.
 */
const WORKFLOW_VERBS: Record<WorkflowOperation, readonly string[]> = {
  'submit': ['create', 'list'],
  'submit-from': ['create', 'get'],
  'resubmit': ['get', 'create'],
  'retry': ['get', 'update'],
  'resume': ['get', 'update'],
  'suspend': ['get', 'update'],
  'terminate': ['get', 'patch'],
  'stop': ['get', 'patch'],
};

/** Verbs on core `pods` an operation needs: retry deletes the pods of the nodes it retries. */
const POD_VERBS: Partial<Record<WorkflowOperation, readonly string[]>> = { retry: ['delete'] };

/** Canonical verb order in generated rules (stable output whatever order the props use). */
const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

// the compiler checks this list against the props interface (propNames)
const PROPS = propNames<ArgoEventsRbacProps>()(
  'platform', 'namespace', 'serviceAccountName', 'operations', 'clusterWorkflowTemplates', 'allowAllVerbs', 'namespaces', 'clusterWide',
);

/** Props for {@link ArgoEventsRbac}. */
export interface ArgoEventsRbacProps {
  /**
   * Platform preset: which trigger operations exist.
   * @default Platform.KUBEFLOW_1_4
   */
  readonly platform?: Platform;

  /**
   * Namespace of the Sensors (and of the ServiceAccount they run as). Argo Events does not
   * create it: it must exist (`kubectl create namespace argo-events`).
   * @default "argo-events"
   */
  readonly namespace?: string;

  /**
   * ServiceAccount the Sensors run as (`spec.template.serviceAccountName`).
   * @default "operate-workflow-sa"
   */
  readonly serviceAccountName?: string;

  /**
   * Trigger operations to grant. Workflow submission via `workflowTemplateRef` also gets
   * `get` on `workflowtemplates`.
   * @default ["submit"]
   */
  readonly operations?: WorkflowOperation[];

  /**
   * Also grant `get` on `clusterworkflowtemplates` (for `clusterScope: true` template refs).
   * They are cluster-scoped, so this read-only right is bound cluster-wide (ClusterRole and
   * ClusterRoleBinding `operate-workflow-clusterworkflowtemplates`).
   * @default false
   */
  readonly clusterWorkflowTemplates?: boolean;

  /**
   * Namespaces Sensors may start workflows in: each gets a RoleBinding to the rules. Every
   * WorkflowTrigger that uses this RBAC adds its target namespace ({@link ArgoEventsRbac.grantIn}).
   * @default - only the namespaces of the triggers that use it
   */
  readonly namespaces?: string[];

  /**
   * Bind the rules in every namespace (a ClusterRoleBinding) instead of per namespace. Risky:
   * any Sensor running as this account can then create and change workflows, and (with retry)
   * delete pods, in every namespace of the cluster, including Kubeflow's own.
   * @default false
   */
  readonly clusterWide?: boolean;

  /**
   * Grant every verb (`*`) on workflows, workflowtemplates, cronworkflows and
   * clusterworkflowtemplates, as the upstream example and the seed do. Risky: any Sensor
   * running as this account can then delete or rewrite every workflow and template in every
   * namespace, and the whole rule set stops documenting what triggers actually do.
   * @default false
   */
  readonly allowAllVerbs?: boolean;
}

/**
 * The RBAC Argo Events Sensors need to start workflows in Kubeflow profile namespaces:
 * ServiceAccount `operate-workflow-sa`, ClusterRole `operate-workflow-role` with the verbs the
 * chosen trigger operations need (not `*`), and a RoleBinding `operate-workflow-role-binding` in
 * each namespace triggers target, so Sensors can act there and nowhere else. A
 * ClusterRoleBinding (every namespace) only with `clusterWide: true`.
 */
export class ArgoEventsRbac extends Construct {
  /** True for an ArgoEventsRbac of this library (also across duplicate installs of the package). */
  public static isArgoEventsRbac(x: unknown): x is ArgoEventsRbac {
    return hasBrand(x, 'ArgoEventsRbac');
  }

  /** The ServiceAccount (also `ApiObject.of(rbac)`). */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** ClusterRole `operate-workflow-role`. */
  public readonly clusterRole: k8s.KubeClusterRole;
  /** ClusterRoleBinding `operate-workflow-role-binding`, only with `clusterWide: true`. */
  public readonly clusterRoleBinding?: k8s.KubeClusterRoleBinding;
  /** Namespace of the ServiceAccount. */
  public readonly namespace: string;
  /** Name of the ServiceAccount Sensors must run as. */
  public readonly serviceAccountName: string;
  /** Operations granted. */
  public readonly operations: readonly WorkflowOperation[];
  /** The platform preset. */
  public readonly platform: Platform;
  /** Rules are bound in every namespace. */
  public readonly clusterWide: boolean;
  private readonly bindings = new Map<string, k8s.KubeRoleBinding>();

  constructor(scope: Construct, id: string, props: ArgoEventsRbacProps = {}) {
    super(scope, id);
    brand(this, 'ArgoEventsRbac');
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('ArgoEventsRbac', props);
      checkKnownKeys(at(''), props, PROPS);
      this.platform = resolvePlatform(at('platform'), props.platform, this);
      this.namespace = checkNamespace(at('namespace'), props.namespace ?? ARGO_EVENTS_NAMESPACE);
      this.serviceAccountName = checkDnsSubdomain(at('serviceAccountName'), props.serviceAccountName ?? 'operate-workflow-sa');
      this.operations = checkList(at('operations'), props.operations ?? ['submit'], (w, v) => checkOneOf(w, v, WORKFLOW_OPERATIONS));
      if (this.operations.includes('submit-from') && !this.platform.spec.argoEvents.submitFrom) {
        fail(at('operations'), this.operations,
          `include "submit-from", which ${this.platform.spec.argoEvents.release} (platform ${this.platform.id}) does not have`,
          'use "submit" (a workflowTemplateRef Workflow), or a Kubeflow 1.5 or later preset (Argo Events v1.9)');
      }
      if (this.operations.includes('stop') && !this.platform.spec.argoEvents.stop) {
        fail(at('operations'), this.operations,
          `include "stop", which ${this.platform.spec.argoEvents.release} (platform ${this.platform.id}) does not have (its sensors know submit, resubmit, retry, resume, suspend, terminate)`,
          'use "terminate", or a Kubeflow 1.5 or later preset (Argo Events v1.9)');
      }
      const cwft = checkBoolean(at('clusterWorkflowTemplates'), props.clusterWorkflowTemplates ?? false);
      const allowAll = checkBoolean(at('allowAllVerbs'), props.allowAllVerbs ?? false);
      if (allowAll && (props.operations !== undefined || props.clusterWorkflowTemplates !== undefined)) {
        fail(at('allowAllVerbs'), true,
          'contradicts operations/clusterWorkflowTemplates, which it overrides', 'set either allowAllVerbs or the narrower props, not both');
      }
      this.clusterWide = checkBoolean(at('clusterWide'), props.clusterWide ?? false);
      const namespaces = checkList(at('namespaces'), props.namespaces ?? [], checkNamespace, { allowEmpty: true });
      if (this.clusterWide && props.namespaces !== undefined) {
        fail(at('namespaces'), namespaces, 'contradicts clusterWide: true, which binds in every namespace', 'set one of them');
      }

      this.serviceAccount = new k8s.KubeServiceAccount(this, 'Resource', {
        metadata: { name: this.serviceAccountName, namespace: this.namespace },
      });

      const podVerbs = VERB_ORDER.filter((v) => this.operations.some((op) => POD_VERBS[op]?.includes(v)));
      const rules: k8s.PolicyRule[] = allowAll
        ? [{ apiGroups: ['argoproj.io'], resources: ['workflows', 'workflowtemplates', 'cronworkflows', 'clusterworkflowtemplates'], verbs: ['*'] }]
        : [
          { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: workflowVerbs(this.operations) },
          { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get'] },
          ...(podVerbs.length ? [{ apiGroups: [''], resources: ['pods'], verbs: podVerbs }] : []),
        ];

      this.clusterRole = clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
        metadata: { name: ROLE_NAME },
        rules,
      }));
      const subjects = [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace }];
      if (this.clusterWide) {
        this.clusterRoleBinding = clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
          metadata: { name: BINDING_NAME },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ROLE_NAME },
          subjects,
        }));
      }
      if (cwft) {
        // cluster-scoped resources can only be granted by a ClusterRoleBinding
        const name = 'operate-workflow-clusterworkflowtemplates';
        clusterScoped(new k8s.KubeClusterRole(this, 'ClusterWorkflowTemplatesRole', {
          metadata: { name },
          rules: [{ apiGroups: ['argoproj.io'], resources: ['clusterworkflowtemplates'], verbs: ['get'] }],
        }));
        clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterWorkflowTemplatesBinding', {
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
          subjects,
        }));
      }
      for (const ns of namespaces) this.grantIn(ns);
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /** Namespaces the rules are bound in (by RoleBindings), sorted. */
  public get namespaces(): string[] {
    return [...this.bindings.keys()].sort();
  }

  /**
   * Lets Sensors running as this account act in `namespace` (a RoleBinding there to the rules).
   * WorkflowTrigger calls it for its target namespace. Does nothing with `clusterWide: true`;
   * calling it twice for one namespace adds one binding.
   */
  public grantIn(namespace: string): void {
    checkNamespace({ owner: 'ArgoEventsRbac', prop: 'grantIn(namespace)' }, namespace);
    if (this.clusterWide || this.bindings.has(namespace)) return;
    this.bindings.set(namespace, new k8s.KubeRoleBinding(this, `RoleBinding-${namespace}`, {
      metadata: { name: BINDING_NAME, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ROLE_NAME },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace }],
    }));
  }
}

const ROLE_NAME = 'operate-workflow-role';
const BINDING_NAME = 'operate-workflow-role-binding';

/** The verbs on `workflows` a set of trigger operations needs, in canonical order. */
export function workflowVerbs(operations: readonly WorkflowOperation[]): string[] {
  const verbs = new Set(operations.flatMap((op) => WORKFLOW_VERBS[op]));
  return VERB_ORDER.filter((v) => verbs.has(v));
}
