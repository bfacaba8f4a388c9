// Public API of cdk8s-kubeflow-argo: constructs, their props and options, the interfaces that
// connect them, presets and the types users need. Everything else under lib/ is internal.
// Folders by feature: argo-server/ (server, route, SSO accounts), argo-events/ (webhook-providers/);
// shared by them: kubeflow/ (profiles, templates, roles, the Kubeflow-side Component), gateway/.
export { Platform } from './platform';
export type { ArgoEventsPreset, ArgoSsoPreset, AuthserviceSkip, ArgoWorkflowsPreset, ImageLine, IstioPreset, KubeflowPreset, PlatformSpec, RbacRule } from './platform';

export { KubeflowArgoChart } from './kubeflow-argo-chart';
export type { KubeflowArgoChartProps, KubeflowArgoEventsOptions, KubeflowArgoSsoOptions, KubeflowArgoTriggerOptions } from './kubeflow-argo-chart';

export { ArgoServer } from './argo-server/argo-server';
export type { ArgoAuthMode, ArgoServerProps, ArgoServerResourceList, ArgoServerResources } from './argo-server/argo-server';
export type { ArgoServerSsoOptions, SsoClientSecret, SsoSettings } from './argo-server/sso';
export { ArgoServerRoute } from './argo-server/argo-server-route';
export type { ArgoServerRouteOptions, ArgoServerRouteProps } from './argo-server/argo-server-route';

export { ArgoEventsRbac } from './argo-events/argo-events-rbac';
export type { ArgoEventsRbacProps, WorkflowOperation } from './argo-events/argo-events-rbac';
export { EventBus } from './argo-events/event-bus';
export type { EventBusOptions, EventBusProps, JetStreamOptions } from './argo-events/event-bus';
export { EventField } from './argo-events/event-field';
export type { EventFieldSource, WebhookEventSourceType } from './argo-events/event-field';
export type { SecretKeySelector } from './argo-events/events-api';
export { WebhookEventSource } from './argo-events/webhook-event-source';
export { CalendarEventSource } from './argo-events/calendar-event-source';
export type { CalendarEventSourceOptions, CalendarEventSourceProps } from './argo-events/calendar-event-source';
export type { EventSourceType } from './argo-events/event-kinds';
export type { IEventSource } from './argo-events/event-source';
export type { EventSourceImportOptions, WebhookEventSourceOptions, WebhookEventSourceProps } from './argo-events/webhook-event-source';
export { WorkflowTrigger } from './argo-events/workflow-trigger';
export type { WorkflowTriggerOptions, WorkflowTriggerProps } from './argo-events/workflow-trigger';

export { KubeflowArgoRoles } from './kubeflow/kubeflow-argo-roles';
export { KubeflowPatches } from './kubeflow/kubeflow-patches';
export type { DashboardMenuLink, DexClient, KubeflowPatchesProps } from './kubeflow/kubeflow-patches';
export { ProfileSsoAccess } from './argo-server/profile-sso-access';
export type { KubeflowProfile } from './kubeflow/profile';
export type { ProfileSsoAccessOptions, ProfileSsoAccessProps, SsoAccount, SsoDefaultAccess } from './argo-server/profile-sso-access';
export type { KubeflowArgoRolesProps } from './kubeflow/kubeflow-argo-roles';
export { ProfileWorkflowTemplate } from './kubeflow/profile-workflow-template';
export type { IWorkflowTemplate, ProfileWorkflowTemplateOptions, ProfileWorkflowTemplateProps, WorkflowTemplateImportOptions } from './kubeflow/profile-workflow-template';
export type { ShellSink } from './kubeflow/shell-sinks';

// Users catch this one error type; the checks that raise it stay internal.
export { ValidationError } from './validation';
