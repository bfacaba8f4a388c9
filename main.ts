// The default app: what `npm run synth` writes to dist/. Reusable pieces live in lib/.
import { App, YamlOutputType } from 'cdk8s';
import { KubeflowArgoChart } from './lib';
import { writeObjectPaths } from './lib/object-paths';

/** The Kubeflow 1.4 example profile (created by the example install for user@example.com). */
export const EXAMPLE_PROFILE = 'kubeflow-user-example-com';

/** Builds the default app; `outdir` defaults to cdk8s' own (`CDK8S_OUTDIR` or `dist`). */
export function buildApp(outdir?: string): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new KubeflowArgoChart(app, 'kubeflow-argo', {
    profiles: [EXAMPLE_PROFILE],
    kubeflowRoles: true,
  });
  return app;
}

if (require.main === module) {
  const app = buildApp();
  app.synth();
  // cdk8s-cli sets this when validation plugins run; they use the paths in their reports.
  if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true') writeObjectPaths(app);
}
