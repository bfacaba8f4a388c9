// The default app (../../main.ts) on the newest Kubeflow release preset (Platform.LATEST): its
// Argo line, Istio APIs, login proxy, NetworkPolicies and Pod Security. When a release is added
// to the record (ARCHITECTURE.md), this example moves to it: `npm run synth:all` rewrites dist/.
//   scripts/synth --entry examples/latest/main.ts --outdir examples/latest/dist
import { App } from 'cdk8s';
import { Platform } from 'cdk8s-kubeflow-argo';
import { buildApp as buildDefault } from '../../app/main';

export function buildApp(outdir?: string): App {
  return buildDefault(outdir, Platform.LATEST);
}
