// Public API of cdk8s-kubeflow-argo. Folders: argo-server/, istio/, argo-events/, kubeflow/.
export * from './platform';
export * from './argo-server/argo-server';
export * from './istio/argo-server-route';
export * from './argo-events/argo-events-rbac';
export * from './argo-events/events-api';
export * from './argo-events/event-bus';
export * from './argo-events/event-field';
export * from './argo-events/webhook-event-source';
export * from './argo-events/workflow-trigger';
export * from './kubeflow/profile-workflow-template';
export * from './kubeflow/kubeflow-argo-roles';
export * from './kubeflow-argo-chart';
// Prop checks stay internal; users catch this one error type.
export { ValidationError } from './validation';
