// cdk8s-kubeflow-argo-preflight: the cluster model. readDump/readOutput read a cluster dump and the
// synthesized output; checkCluster/runChecks say, per request path, whether the output would work
// on that cluster (NetworkPolicies, Istio authorization, Pod Security, RBAC). The CLI's
// kfa-preflight prints the result; packages/preflight/README.md lists the checks.
export * from './checks';
export * from './input';
