// Log in to the Argo UI with your Kubeflow account (docs/login.md, "Log in with your Kubeflow account"),
// on the newest Kubeflow release preset (Platform.LATEST): argo-server at /argo/ with SSO through Kubeflow's Dex, two profiles with
// their owners and a contributor who works in both. Alice may work in team-a, Carol in team-b,
// Bob in both; anyone else who logs in to Dex is refused by argo-server.
//   scripts/synth --entry examples/sso/main.ts --outdir examples/sso/dist
// The output also holds kubeflow-patches/: the Component that gives Dex argo-server's client,
// and dex-static-client.yaml, the entry to add to Dex's config.
import { App } from 'cdk8s';
import { KubeflowArgoChart, Platform } from 'cdk8s-kubeflow-argo';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  new KubeflowArgoChart(app, 'kubeflow-argo', {
    platform: Platform.LATEST,
    profiles: [
      { namespace: 'team-a', owner: 'alice@example.com', contributors: ['bob@example.com'] },
      { namespace: 'team-b', owner: 'carol@example.com', contributors: ['bob@example.com'] },
    ],
    sso: {},
  });
  return app;
}
