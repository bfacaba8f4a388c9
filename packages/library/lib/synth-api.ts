// `cdk8s-kubeflow-argo/synth`: what tools built on the library use (the CLI's synth and Helm
// export, the preflight). Apps do not need it: they use the constructs from the main entry point.
// In-memory synthesis of a whole app (every cdk8s output type, the files constructs attach),
// the whole-output checks, the output's own files (Kustomization, prune.sh), and the names the
// output carries that a tool reads back from a cluster.
export { synthesizeApp } from './synth/synthesize';
export type { SynthesizedFile } from './synth/synthesize';
export { checkOutput, groupKind } from './synth/output-checks';
export type { OutputCheckOptions } from './synth/output-checks';
export { outputFiles } from './synth/output-formats';
export { schemaReleases, synthMetadata } from './synth/synth-metadata';
export { OUTPUT_LABEL } from './synth/prune';

// The names the output carries, as a cluster shows them (the preflight checks against these).
export { INGRESS_GATEWAY_POD_LABELS, INGRESS_GATEWAY_PRINCIPAL, KUBEFLOW_DEX, KUBEFLOW_DEX_ISSUER, KUBEFLOW_GATEWAY } from './constants';
export { TOKEN_HEADER_ANNOTATION } from './argo-events/webhook-token';
export { RBAC_RULE_ANNOTATION } from './argo-server/sso-rules';
