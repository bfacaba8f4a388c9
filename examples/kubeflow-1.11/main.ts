// The default app (../../main.ts) on Kubeflow 1.11, the current release: Argo Workflows 3.7,
// Istio v1 APIs, oauth2-proxy (the /argo/ route removes its Authorization header), a
// NetworkPolicy that admits the ingress gateway to argo-server in `kubeflow`, Pod Security
// `restricted` there, and only the view role (KFP 2.15 already gives kubeflow-edit Argo rights).
//   scripts/synth --entry examples/kubeflow-1.11/main.ts --outdir examples/kubeflow-1.11/dist
import { App } from 'cdk8s';
import { Platform } from '../../lib';
import { buildApp as buildDefault } from '../../main';

export function buildApp(outdir?: string): App {
  return buildDefault(outdir, Platform.KUBEFLOW_1_11);
}
