// Chart configurations shared by the whole-output tests (schema, YAML writer, security).
import { WorkflowTemplateSpecTemplatesContainerResourcesLimits as Quantity } from '../../packages/library/imports/argoproj.io';
import { EventField, KubeflowArgoChartProps, Platform } from '../../packages/library/lib';

export const CONFIGS: Array<[string, KubeflowArgoChartProps]> = [
  ['defaults', {}],
  ['the default app', { profiles: ['kubeflow-user-example-com'], kubeflowRoles: true }],
  ['every option changed', {
    profiles: [{ namespace: 'alice', owner: 'alice@example.com', contributors: ['bob@example.com'] }, { namespace: 'bob', owner: 'bob@example.com' }],
    kubeflowRoles: true,
    labels: { team: 'platform' },
    argoServer: { namespace: 'argo-ui', baseHref: '/workflows/', xFrameOptions: '', extraArgs: ['--event-worker-count=2'] },
    sso: { sessionExpiry: '8h', clientSecret: { name: 'argo-ui-sso', clientIdKey: 'id', clientSecretKey: 'secret' }, browserIssuer: 'https://kf.example.com/dex' },
    route: { gateway: 'istio-system/public', hosts: ['kf.example.com'], timeout: '1h', allowedPrincipals: ['cluster.local/ns/istio-system/sa/gw'] },
    argoEventsRbac: { namespace: 'events', operations: ['submit', 'resubmit', 'retry', 'resume', 'suspend', 'terminate'], clusterWorkflowTemplates: true },
    workflowTemplate: {
      name: 'ci',
      serviceAccountName: 'ci-runner',
      templates: [
        { name: 'pipeline', dag: { tasks: [{ name: 'build', template: 'build', arguments: { parameters: [{ name: 'rev', value: '{{workflow.parameters.rev}}' }] } }] } },
        { name: 'steps', steps: [[{ name: 'a', template: 'build' }, { name: 'b', template: 'build' }], [{ name: 'c', template: 'build' }]] },
        { name: 'build', inputs: { parameters: [{ name: 'rev' }] }, container: { name: 'main', image: 'golang:1.17', command: ['go', 'build'], resources: { limits: { cpu: Quantity.fromString('1') } } } },
      ],
      arguments: { parameters: [{ name: 'rev', value: 'main' }] },
      podMetadata: { labels: { app: 'ci' }, annotations: { note: 'x' } },
    },
  }],
  ['seed-compatible risky options', { route: { allowAllSources: true }, argoEventsRbac: { allowAllVerbs: true } }],
  ['without sensor RBAC', { enableArgoEventsRbac: false }],
  ['Argo Events: every source type, JetStream bus, triggers (KUBEFLOW_1_9)', {
    platform: Platform.KUBEFLOW_1_9,
    profiles: ['alice'],
    workflowTemplate: { arguments: { parameters: [{ name: 'message', value: 'x' }, { name: 'rev', value: 'y' }] } },
    events: {
      eventBus: { jetstream: { version: '2.9.16' } },
      sources: [
        { type: 'github', repositories: ['a/b'], webhookSecret: { name: 's', key: 'k' }, apiToken: { name: 't', key: 'k' }, publicUrl: 'https://kf.example.com' },
        { type: 'gitlab', projects: ['g/p'], webhookSecret: { name: 's', key: 'k' }, apiToken: { name: 'gl-api', key: 'token' }, publicUrl: 'https://kf.example.com' },
        { type: 'webhook', method: 'PUT', webhookSecret: { name: 's', key: 'k' } },
      ],
      triggers: [
        { source: 'github', profile: 'alice', branches: ['main'], parameters: { rev: EventField.revision(), message: EventField.branch() } },
        { source: 'gitlab', profile: 'alice', parameters: { rev: EventField.repositoryUrl() } },
        { source: 'webhook', profile: 'alice', parameters: { message: EventField.path('body.message') } },
      ],
    },
  }],
  ['SSO with namespace delegation and token Secrets by name (KUBEFLOW_1_9)', {
    platform: Platform.KUBEFLOW_1_9,
    profiles: [{ namespace: 'alice', owner: 'alice@example.com', contributors: ['bob@example.com'] }, { namespace: 'carol', owner: 'carol@example.com' }],
    sso: { sessionExpiry: '12h' },
  }],
  ['SSO with groups (KUBEFLOW_1_8, Argo 3.3: rules evaluated without compiling against the claims)', {
    platform: Platform.KUBEFLOW_1_8,
    profiles: [{ namespace: 'alice', owner: 'alice@example.com', contributors: ['bob@example.com'], groups: ['ml-team'] }, { namespace: 'carol', owner: 'carol@example.com' }],
    sso: { sessionExpiry: '12h', allowClusterWideSecretList: true },
  }],
  ['SSO on Argo 4.0 (KUBEFLOW_1_11 with standalone KFP 2.17)', {
    platform: Platform.KUBEFLOW_1_11.withStandaloneKfp('2.17'),
    profiles: [{ namespace: 'alice', owner: 'alice@example.com' }],
    sso: {},
  }],
];
