// Public API of cdk8s-kubeflow-argo. Folders: argo-server/, istio/, argo-events/, kubeflow/.
export * from './argo-server/argo-server';
export * from './istio/argo-server-route';
export * from './argo-events/argo-events-rbac';
export * from './kubeflow/profile-workflow-template';
export * from './kubeflow/kubeflow-argo-roles';
export * from './kubeflow-argo-chart';
export * from './validation';
