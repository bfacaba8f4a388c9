import { compareText, fail, LABEL_VALUE } from '../validation';
import { groupKind } from './output-checks';

/**
 * Removal that really removes. Every object of a {@link KubeflowArgoChart} carries the label
 * {@link OUTPUT_LABEL} (the output it belongs to). After the output is applied, every object
 * that carries that label and is not in the output has left it, in whatever namespace it is:
 * `prune.sh`, which the synth writes beside the manifests, lists those in the cluster and deletes
 * them. kubectl's own pruning does not reach them all: `apply --prune -l` looks only in the
 * namespaces the applied objects are in (kubectl v0.34.10 `pkg/cmd/apply/prune.go`: `pruneAll`
 * walks `visitedNamespaces`), so the accounts in a profile dropped from the output would stay;
 * and `--applyset` with a Secret or ConfigMap parent takes `--namespace`, which then must match
 * every object (`pkg/cmd/apply/apply.go`), while this output spans several namespaces. Argo CD
 * and Flux prune by their own inventories and need neither.
 */
export const OUTPUT_LABEL = 'cdk8s-kubeflow-argo/output';
/** The script the synth writes beside the manifests. */
export const PRUNE_SCRIPT = 'prune.sh';

/**
 * The labels that make a chart's objects prunable with `prune.sh`: pass them to your own chart
 * (`new Chart(app, 'mine', { labels: pruneLabels('my-output') })`) to have its objects pruned too.
 */
export function pruneLabels(outputName: string): Record<string, string> {
  if (typeof outputName !== 'string' || !LABEL_VALUE.test(outputName)) {
    fail({ owner: 'KubeflowArgoChart.pruneLabels', prop: 'outputName' }, outputName,
      'must be a label value (1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)', 'e.g. "kubeflow-argo"');
  }
  return { [OUTPUT_LABEL]: outputName };
}

/**
 * The resource types this library writes (`kubectl api-resources -o name` spelling), by
 * `group/Kind` (`/Kind` for the core group, as output-checks.ts `groupKind` gives it). `test/everyday/prune.test.ts` checks that every kind of
 * every preset's output is here.
 */
export const PRUNED_RESOURCES: Readonly<Record<string, string>> = {
  '/Namespace': 'namespaces',
  '/ServiceAccount': 'serviceaccounts',
  '/Secret': 'secrets',
  '/ConfigMap': 'configmaps',
  '/Service': 'services',
  'apps/Deployment': 'deployments.apps',
  'rbac.authorization.k8s.io/Role': 'roles.rbac.authorization.k8s.io',
  'rbac.authorization.k8s.io/RoleBinding': 'rolebindings.rbac.authorization.k8s.io',
  'rbac.authorization.k8s.io/ClusterRole': 'clusterroles.rbac.authorization.k8s.io',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'clusterrolebindings.rbac.authorization.k8s.io',
  'networking.k8s.io/NetworkPolicy': 'networkpolicies.networking.k8s.io',
  'networking.istio.io/VirtualService': 'virtualservices.networking.istio.io',
  'networking.istio.io/EnvoyFilter': 'envoyfilters.networking.istio.io',
  'security.istio.io/AuthorizationPolicy': 'authorizationpolicies.security.istio.io',
  'argoproj.io/WorkflowTemplate': 'workflowtemplates.argoproj.io',
  'argoproj.io/EventBus': 'eventbus.argoproj.io',
  'argoproj.io/EventSource': 'eventsources.argoproj.io',
  'argoproj.io/Sensor': 'sensors.argoproj.io',
};

/**
 * The line `prune.sh` compares for an object: its resource type, namespace (`<none>` when
 * cluster-scoped, as kubectl's custom columns print it) and name.
 */
export function pruneKey(o: any): string | undefined {
  const type = PRUNED_RESOURCES[groupKind(o)];
  return type && `${type} ${o.metadata?.namespace ?? '<none>'} ${o.metadata?.name}`;
}

/**
 * The text of `prune.sh` for the objects among `objects` that carry {@link OUTPUT_LABEL}, or
 * undefined when none does. POSIX sh. Its arguments go to every kubectl call (`--context prod`,
 * `--kubeconfig …`); a first argument `--dry-run` lists instead of deleting. Per output it asks
 * the server which of the types exist (Argo Events' may not), lists the objects with the output's
 * label in every namespace, refuses unless every object of the output is among them (run before
 * the apply, it deletes nothing), and deletes the others. Objects of kinds it does not know are
 * named in its header and left alone.
 */
export function pruneScript(objects: readonly any[]): string | undefined {
  const byOutput = new Map<string, string[]>();
  const unknown = new Set<string>();
  for (const o of objects) {
    const name = o?.metadata?.labels?.[OUTPUT_LABEL];
    if (name === undefined) continue;
    if (typeof name !== 'string' || !LABEL_VALUE.test(name)) {
      throw new Error(`cannot write ${PRUNE_SCRIPT}: ${o.kind} ${o.metadata?.name} has label ${OUTPUT_LABEL}=${JSON.stringify(name)}, which is not a label value`);
    }
    const key = pruneKey(o);
    if (key !== undefined && !/^[a-z0-9.-]+ (?:<none>|[a-z0-9.-]+) [A-Za-z0-9._:@-]+$/.test(key)) {
      throw new Error(`cannot write ${PRUNE_SCRIPT}: ${o.kind} ${JSON.stringify(o.metadata?.name)} in ${JSON.stringify(o.metadata?.namespace)} is not a name Kubernetes accepts`);
    }
    if (key === undefined) unknown.add(groupKind(o));
    else byOutput.set(name, [...(byOutput.get(name) ?? []), key]);
  }
  if (byOutput.size === 0 && unknown.size === 0) return undefined;
  const types = [...new Set(Object.values(PRUNED_RESOURCES))];
  return [
    '#!/bin/sh',
    '# Generated by the cdk8s-kubeflow-argo synth. After applying this directory, run',
    '#   sh prune.sh [--dry-run] [kubectl flags, e.g. --context prod]',
    `# to delete, in every namespace, the objects labelled ${OUTPUT_LABEL}=<output> that are not in`,
    '# this output (an earlier apply made them): docs/apply.md, "Removing what left the output".',
    ...(unknown.size ? [`# Not pruned here (kinds this script does not know; delete them by hand when they leave): ${[...unknown].sort().join(', ')}`] : []),
    'set -eu',
    'export LC_ALL=C',
    'dry=',
    'if [ "${1:-}" = --dry-run ]; then dry=1; shift; fi',
    'known=$(kubectl api-resources -o name "$@")',
    'tmp=$(mktemp -d)',
    'trap \'rm -rf "$tmp"\' EXIT',
    'prune() { # output, the objects of the output (one "type namespace name" a line), kubectl flags',
    '  output=$1',
    '  printf \'%s\\n\' "$2" | grep -v \'^$\' | sort > "$tmp/expected"',
    '  shift 2',
    '  : > "$tmp/live"',
    `  for t in ${types.join(' ')}; do`,
    '    printf \'%s\\n\' "$known" | grep -qxF "$t" || continue',
    `    kubectl get "$t" --all-namespaces --no-headers -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name -l "${OUTPUT_LABEL}=$output" "$@" > "$tmp/found"`,
    '    awk -v t="$t" \'NF == 2 { print t " " $1 " " $2 }\' "$tmp/found" >> "$tmp/live"',
    '  done',
    '  sort -o "$tmp/live" "$tmp/live"',
    '  missing=$(comm -23 "$tmp/expected" "$tmp/live")',
    '  if [ -n "$missing" ]; then',
    '    echo "prune.sh: output $output is not applied yet (not in the cluster: $(printf \'%s\\n\' "$missing" | head -n 1)); apply this directory first. Nothing deleted." >&2',
    '    exit 1',
    '  fi',
    '  comm -13 "$tmp/expected" "$tmp/live" > "$tmp/stale"',
    '  while read -r t ns name; do',
    '    if [ "$ns" = "<none>" ]; then where=; else where="--namespace=$ns"; fi',
    '    if [ -n "$dry" ]; then echo "would delete $t $name${where:+ ($where)}"',
    '    else kubectl delete "$t" "$name" $where --ignore-not-found "$@"; fi',
    '  done < "$tmp/stale"',
    '}',
    ...[...byOutput.entries()].sort(([a], [b]) => compareText(a, b)).flatMap(([name, keys]) => [
      `prune ${name} '`,
      ...keys.sort(),
      `' "$@"`,
    ]),
    '',
  ].join('\n');
}
