import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { Platform } from '../platform';
import { checkBoolean, checkDnsSubdomain, checkKnownKeys, checkList, checkNamespace, checkOneOf, checkPlatform, ValidationError, Where } from '../validation';
import { clusterScoped } from '../cluster-scoped';

/** Operations an Argo Events `argoWorkflow` trigger performs with the bundled `argo` CLI. */
export type WorkflowOperation = 'submit' | 'submit-from' | 'resubmit' | 'retry' | 'resume' | 'suspend' | 'terminate' | 'stop';

/** Every {@link WorkflowOperation}; `submit-from` needs Argo Events v1.8+ (platforms KFP_2_2, KFP_2_5). */
export const WORKFLOW_OPERATIONS: readonly WorkflowOperation[] = ['submit', 'submit-from', 'resubmit', 'retry', 'resume', 'suspend', 'terminate', 'stop'];

/**
 * Verbs on `workflows` each operation needs (argo-events docs, "Argo Workflow trigger"):
 * submit creates (and lists); resubmit, retry, resume and suspend read then update the
 * workflow; terminate and stop read it and patch its `spec.shutdown`.
 */
const WORKFLOW_VERBS: Record<WorkflowOperation, readonly string[]> = {
  submit: ['create', 'list'],
  'submit-from': ['create'],
  resubmit: ['get', 'update'],
  retry: ['get', 'update'],
  resume: ['get', 'update'],
  suspend: ['get', 'update'],
  terminate: ['get', 'patch', 'update'],
  stop: ['get', 'patch', 'update'],
};

/** Canonical verb order in generated rules (stable output whatever order the props use). */
const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

const PROPS: readonly string[] = ['platform', 'namespace', 'serviceAccountName', 'operations', 'clusterWorkflowTemplates', 'allowAllVerbs'];

/** Props for {@link ArgoEventsRbac}. */
export interface ArgoEventsRbacProps {
  /**
   * Platform preset: which trigger operations exist.
   * @default Platform.KFP_1_7
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
   * @default false
   */
  readonly clusterWorkflowTemplates?: boolean;

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
 * ServiceAccount `operate-workflow-sa`, ClusterRole `operate-workflow-role` (cluster-scoped, so
 * it has no namespace) and ClusterRoleBinding `operate-workflow-role-binding`. The default
 * verbs are the ones the chosen trigger operations need, not `*`.
 */
export class ArgoEventsRbac extends Construct {
  /** The ServiceAccount (also `ApiObject.of(rbac)`). */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** ClusterRole `operate-workflow-role`. */
  public readonly clusterRole: k8s.KubeClusterRole;
  /** ClusterRoleBinding `operate-workflow-role-binding`. */
  public readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  /** Namespace of the ServiceAccount. */
  public readonly namespace: string;
  /** Name of the ServiceAccount Sensors must run as. */
  public readonly serviceAccountName: string;
  /** Operations granted. */
  public readonly operations: readonly WorkflowOperation[];
  /** The platform preset. */
  public readonly platform: Platform;

  constructor(scope: Construct, id: string, props: ArgoEventsRbacProps = {}) {
    super(scope, id);
    const where = (prop: string): Where => ({ owner: 'ArgoEventsRbac', prop });
    checkKnownKeys(where(''), props, PROPS);
    this.platform = checkPlatform(where('platform'), props.platform);
    this.namespace = checkNamespace(where('namespace'), props.namespace ?? 'argo-events');
    this.serviceAccountName = checkDnsSubdomain(where('serviceAccountName'), props.serviceAccountName ?? 'operate-workflow-sa');
    this.operations = checkList(where('operations'), props.operations ?? ['submit'], (w, v) => checkOneOf(w, v, WORKFLOW_OPERATIONS));
    if (this.operations.includes('submit-from') && !this.platform.spec.argoEvents.submitFrom) {
      throw new ValidationError('ArgoEventsRbac', 'operations', this.operations,
        `include "submit-from", which ${this.platform.spec.argoEvents.release} (platform ${this.platform.id}) does not have`,
        'use "submit" (a workflowTemplateRef Workflow), or platform Platform.KFP_2_2 / Platform.KFP_2_5');
    }
    const cwft = checkBoolean(where('clusterWorkflowTemplates'), props.clusterWorkflowTemplates ?? false);
    const allowAll = checkBoolean(where('allowAllVerbs'), props.allowAllVerbs ?? false);
    if (allowAll && (props.operations !== undefined || props.clusterWorkflowTemplates !== undefined)) {
      throw new ValidationError('ArgoEventsRbac', 'allowAllVerbs', true,
        'contradicts operations/clusterWorkflowTemplates, which it overrides', 'set either allowAllVerbs or the narrower props, not both');
    }

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'Resource', {
      metadata: { name: this.serviceAccountName, namespace: this.namespace },
    });

    const rules: k8s.PolicyRule[] = allowAll
      ? [{ apiGroups: ['argoproj.io'], resources: ['workflows', 'workflowtemplates', 'cronworkflows', 'clusterworkflowtemplates'], verbs: ['*'] }]
      : [
        { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: workflowVerbs(this.operations) },
        { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get'] },
        ...(cwft ? [{ apiGroups: ['argoproj.io'], resources: ['clusterworkflowtemplates'], verbs: ['get'] }] : []),
      ];

    this.clusterRole = clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: 'operate-workflow-role' },
      rules,
    }));
    this.clusterRoleBinding = clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: 'operate-workflow-role-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'operate-workflow-role' },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace }],
    }));
  }
}

/** The verbs on `workflows` a set of trigger operations needs, in canonical order. */
export function workflowVerbs(operations: readonly WorkflowOperation[]): string[] {
  const verbs = new Set(operations.flatMap((op) => WORKFLOW_VERBS[op]));
  return VERB_ORDER.filter((v) => verbs.has(v));
}
