import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoEventsRbac, ArgoEventsRbacProps } from './argo-events/argo-events-rbac';
import { ArgoServer, ArgoServerProps } from './argo-server/argo-server';
import { ArgoServerRoute, ArgoServerRouteProps } from './istio/argo-server-route';
import { KubeflowArgoRoles } from './kubeflow/kubeflow-argo-roles';
import { ProfileWorkflowTemplate, ProfileWorkflowTemplateProps } from './kubeflow/profile-workflow-template';
import { checkBoolean, checkKnownKeys, checkLabels, checkList, checkProfileNamespace, ValidationError, Where } from './validation';

const PROPS: readonly string[] = [
  'profiles', 'argoServer', 'route', 'argoEventsRbac', 'enableArgoEventsRbac', 'workflowTemplate', 'kubeflowRoles',
  // cdk8s ChartProps
  'labels', 'namespace', 'disableResourceNameHashes',
];

/** Props for {@link KubeflowArgoChart}. */
export interface KubeflowArgoChartProps extends ChartProps {
  /**
   * Kubeflow profile (user) namespaces that get a {@link ProfileWorkflowTemplate}. Output is
   * sorted by namespace, whatever the order here.
   * @default []
   */
  readonly profiles?: string[];

  /**
   * argo-server settings.
   * @default - Kubeflow 1.4 defaults: namespace "kubeflow", argocli v3.1.15, base href "/argo/"
   */
  readonly argoServer?: ArgoServerProps;

  /**
   * Gateway route settings (the server, namespace and base href come from `argoServer`).
   * @default - `kubeflow/kubeflow-gateway`, hosts "*", timeout "300s", ingress gateway only
   */
  readonly route?: Omit<ArgoServerRouteProps, 'server' | 'namespace' | 'baseHref' | 'port'>;

  /**
   * Emit the Argo Events sensor RBAC ({@link ArgoEventsRbac}).
   * @default true
   */
  readonly enableArgoEventsRbac?: boolean;

  /**
   * Argo Events sensor RBAC settings.
   * @default - `operate-workflow-sa` in "argo-events", submit verbs only
   */
  readonly argoEventsRbac?: ArgoEventsRbacProps;

  /**
   * The WorkflowTemplate every profile gets (its namespace is the profile's).
   * @default - the built-in `hello-kubeflow` template, run as `default-editor`
   */
  readonly workflowTemplate?: Omit<ProfileWorkflowTemplateProps, 'namespace'>;

  /**
   * Aggregate Argo permissions into Kubeflow's `kubeflow-edit`/`kubeflow-view`
   * ({@link KubeflowArgoRoles}) so profile users and `default-editor` can create workflows.
   * Opt-in because it widens what every profile editor may do in their namespace.
   * @default false
   */
  readonly kubeflowRoles?: boolean;
}

/**
 * Everything Kubeflow 1.4 (KFP 1.7.0 / Argo 3.1, Istio 1.9) needs for the Argo UI at `/argo/`,
 * Argo Events triggers and profile workflow templates, as one cdk8s Chart.
 */
export class KubeflowArgoChart extends Chart {
  /** The argo-server. */
  public readonly argoServer: ArgoServer;
  /** Its gateway route and authorization policy. */
  public readonly route: ArgoServerRoute;
  /** Sensor RBAC, unless disabled. */
  public readonly argoEventsRbac?: ArgoEventsRbac;
  /** Aggregated Kubeflow roles, when `kubeflowRoles` is true. */
  public readonly kubeflowRoles?: KubeflowArgoRoles;
  /** One WorkflowTemplate per profile, sorted by namespace. */
  public readonly workflowTemplates: readonly ProfileWorkflowTemplate[];

  constructor(scope: Construct, id: string, props: KubeflowArgoChartProps = {}) {
    super(scope, id, props);
    const where = (prop: string): Where => ({ owner: 'KubeflowArgoChart', prop });
    checkKnownKeys(where(''), props, PROPS);
    if (props.namespace !== undefined) {
      throw new ValidationError('KubeflowArgoChart', 'namespace', props.namespace,
        'is not supported: each object already has its own namespace (kubeflow, argo-events, the profiles) and a chart-wide one would move them all',
        'set argoServer.namespace, argoEventsRbac.namespace or profiles instead');
    }
    if (props.labels !== undefined) checkLabels(where('labels'), props.labels);
    // Sorted: the output must not depend on the order profiles happen to be listed in.
    const profiles = checkList(where('profiles'), props.profiles ?? [], checkProfileNamespace, { allowEmpty: true }).sort();
    const enableEvents = checkBoolean(where('enableArgoEventsRbac'), props.enableArgoEventsRbac ?? true);
    if (!enableEvents && props.argoEventsRbac !== undefined) {
      throw new ValidationError('KubeflowArgoChart', 'argoEventsRbac', props.argoEventsRbac,
        'is set while enableArgoEventsRbac is false', 'remove argoEventsRbac or set enableArgoEventsRbac: true');
    }
    if (props.workflowTemplate && 'namespace' in props.workflowTemplate) {
      throw new ValidationError('KubeflowArgoChart', 'workflowTemplate.namespace', (props.workflowTemplate as { namespace?: unknown }).namespace,
        'is not allowed: each profile\'s template goes into that profile\'s namespace', 'list the namespaces in profiles');
    }
    for (const key of ['server', 'namespace', 'baseHref', 'port'] as const) {
      if (props.route && key in props.route) {
        throw new ValidationError('KubeflowArgoChart', `route.${key}`, (props.route as Record<string, unknown>)[key],
          'is derived from argoServer and may not be set here', `set argoServer.${key === 'server' ? '*' : key} instead`);
      }
    }

    this.argoServer = new ArgoServer(this, 'ArgoServer', props.argoServer);
    this.route = new ArgoServerRoute(this, 'Route', { ...props.route, server: this.argoServer });
    if (enableEvents) this.argoEventsRbac = new ArgoEventsRbac(this, 'ArgoEventsRbac', props.argoEventsRbac);
    if (checkBoolean(where('kubeflowRoles'), props.kubeflowRoles ?? false)) {
      this.kubeflowRoles = new KubeflowArgoRoles(this, 'KubeflowRoles');
    }
    this.workflowTemplates = profiles.map((ns) =>
      new ProfileWorkflowTemplate(this, `Profile-${ns}`, { ...props.workflowTemplate, namespace: ns }));
  }
}
