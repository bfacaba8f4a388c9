// A team's own cdk8s app: argo-server in its own namespace, behind its own gateway and host,
// and a nightly WorkflowTemplate in one profile, next to the team's own cdk8s-plus objects.
// Only public exports of the package are used.
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { ArgoServer, Platform, ProfileWorkflowTemplate } from 'cdk8s-kubeflow-argo';
import { WorkflowTemplateSpecTemplates } from 'cdk8s-kubeflow-argo/imports/argoproj.io';

export class MlPlatformArgo extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const server = new ArgoServer(this, 'ArgoServer', {
      platform: Platform.KUBEFLOW_1_4,
      namespace: 'ml-platform',
      baseHref: '/workflows/',
    });
    server.addRoute('Route', {
      gateway: 'istio-system/public-gateway',
      hosts: ['ml.example.com'],
      timeout: '600s',
    });
    const nightly: WorkflowTemplateSpecTemplates = {
      name: 'report',
      container: { name: 'main', image: 'docker.io/library/python:3.9-slim', command: ['python', '-c', 'print("nightly report")'] },
    };
    new ProfileWorkflowTemplate(this, 'Nightly', { namespace: 'team-data', name: 'nightly-report', templates: [nightly] });
    // the team's own objects, with cdk8s-plus, in the same chart
    new kplus.ConfigMap(this, 'ReportSettings', {
      metadata: { name: 'nightly-report-settings', namespace: 'team-data' },
      data: { OUTPUT: 's3://reports/nightly/' },
    });
  }
}

const app = new App();
new MlPlatformArgo(app, 'ml-platform-argo');
app.synth();
