// Benchmark app: the default app's chart with KFA_BENCH_PROFILES generated profiles
// (user-00000, user-00001, …) and no event triggers, so the only thing that grows with the
// profile count is one WorkflowTemplate per profile.
import { App, YamlOutputType } from 'cdk8s';
import { KubeflowArgoChart } from '../packages/library/lib';

export function profileNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `user-${String(i).padStart(5, '0')}`);
}

export function buildApp(outdir?: string): App {
  const n = Number(process.env.KFA_BENCH_PROFILES ?? '1000');
  if (!Number.isInteger(n) || n < 0) throw new Error(`KFA_BENCH_PROFILES must be a whole number, got "${process.env.KFA_BENCH_PROFILES}"`);
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new KubeflowArgoChart(app, 'kubeflow-argo', { profiles: profileNames(n), kubeflowRoles: true });
  return app;
}
