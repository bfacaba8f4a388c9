import { ApiObject, Chart, JsonPatch } from 'cdk8s';

/**
 * Keeps a cluster-scoped object (ClusterRole, ClusterRoleBinding, ...) free of
 * `metadata.namespace`. cdk8s gives every ApiObject its chart's namespace; on a cluster-scoped
 * kind that field is meaningless, and the synth command refuses output that carries it.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
