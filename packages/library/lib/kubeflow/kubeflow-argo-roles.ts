import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { Platform, resolvePlatform } from '../platform';
import { checkBoolean, checkKnownKeys, checkList, checkVerb, fail, propNames, RBAC_VERBS, snapshotProps, whereIn } from '../validation';
import { clusterScoped } from '../cluster-scoped';

const at = whereIn('KubeflowArgoRoles');

/** Label that aggregates a ClusterRole into Kubeflow's `kubeflow-edit`. */
export const AGGREGATE_TO_KUBEFLOW_EDIT = 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit';
/** Label that aggregates a ClusterRole into Kubeflow's `kubeflow-view`. */
export const AGGREGATE_TO_KUBEFLOW_VIEW = 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-view';

/** Argo resources profile users work with in their own namespace. */
const PROFILE_ARGO_RESOURCES = ['workflows', 'workflowtemplates', 'cronworkflows'];

// the compiler checks this list against the props interface (propNames)
const PROPS = propNames<KubeflowArgoRolesProps>()('platform', 'view', 'verbs');

/** Props for {@link KubeflowArgoRoles}. */
export interface KubeflowArgoRolesProps {
  /**
   * The Kubeflow release: from Kubeflow 1.5 (KFP 1.8) KFP's own `kubeflow-pipelines-edit` already
   * aggregates `argoproj.io` rights into `kubeflow-edit`, so only the view role is added there.
   * @default - the enclosing chart's, else Platform.DEFAULT
   */
  readonly platform?: Platform;

  /**
   * Also aggregate read-only access (get/list/watch) into `kubeflow-view`, for profile
   * contributors with the viewer role.
   * @default true
   */
  readonly view?: boolean;

  /**
   * Verbs `kubeflow-argo-edit` grants on workflows, workflowtemplates and cronworkflows, e.g.
   * without `delete` for an append-only audit trail. `*` is refused.
   * @default ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
   */
  readonly verbs?: string[];
}

/**
 * Lets Kubeflow profile users and each profile's `default-editor` ServiceAccount work with
 * Argo workflows in their namespace.
 *
 * In Kubeflow 1.4, `kubeflow-edit` grants nothing on `argoproj.io`, so `default-editor` cannot
 * create Workflows or WorkflowTemplates. This adds ClusterRole `kubeflow-argo-edit`, labelled to
 * aggregate into `kubeflow-edit` (and through it into `kubeflow-admin`), and optionally
 * `kubeflow-argo-view` for `kubeflow-view`. Aggregated rules apply only where `kubeflow-edit` is
 * bound, which is per profile namespace.
 */
export class KubeflowArgoRoles extends Construct {
  /** ClusterRole `kubeflow-argo-edit`, where the release's `kubeflow-edit` lacks Argo rights (Kubeflow 1.4). */
  public readonly editRole?: k8s.KubeClusterRole;
  /** ClusterRole `kubeflow-argo-view`, unless `view: false`. */
  public readonly viewRole?: k8s.KubeClusterRole;

  constructor(scope: Construct, id: string, props: KubeflowArgoRolesProps = {}) {
    super(scope, id);
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('KubeflowArgoRoles', props);
      checkKnownKeys(at(''), props, PROPS);
      const platform = resolvePlatform(at('platform'), props.platform, this);
      const view = checkBoolean(at('view'), props.view ?? true);
      const verbs = checkList(at('verbs'), props.verbs ?? RBAC_VERBS, checkVerb);
      const kubeflow = platform.spec.kubeflow;
      if (kubeflow.editRoleHasArgo && props.verbs !== undefined) {
        fail(at('verbs'), props.verbs, `has no effect on ${platform.id}: KFP ${kubeflow.kfp}'s kubeflow-pipelines-edit already aggregates every verb on Argo workflows into kubeflow-edit, and aggregated rules only add up`,
          'remove verbs; to narrow what profile editors may do, change KFP\'s aggregate-to-kubeflow-pipelines-edit ClusterRole');
      }
      if (!kubeflow.editRoleHasArgo) {
        this.editRole = clusterScoped(new k8s.KubeClusterRole(this, 'Resource', {
          metadata: { name: 'kubeflow-argo-edit', labels: { [AGGREGATE_TO_KUBEFLOW_EDIT]: 'true' } },
          rules: [{
            apiGroups: ['argoproj.io'],
            resources: [...PROFILE_ARGO_RESOURCES],
            verbs: RBAC_VERBS.filter((v) => verbs.includes(v)),
          }],
        }));
      }
      if (view) {
        this.viewRole = clusterScoped(new k8s.KubeClusterRole(this, 'View', {
          metadata: { name: 'kubeflow-argo-view', labels: { [AGGREGATE_TO_KUBEFLOW_VIEW]: 'true' } },
          rules: [{ apiGroups: ['argoproj.io'], resources: [...PROFILE_ARGO_RESOURCES], verbs: ['get', 'list', 'watch'] }],
        }));
      }
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}
