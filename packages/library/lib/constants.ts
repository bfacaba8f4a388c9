/**
 * Names and numbers that more than one construct relies on. Each is upstream's or Kubeflow's
 * value, so it is defined once here rather than in the construct that happened to need it first.
 */

/** Kubeflow's namespace: argo-server's default home. */
export const KUBEFLOW_NAMESPACE = 'kubeflow';

/** Argo Events' namespace in its cluster-wide install: default for sensors, sources and the bus. */
export const ARGO_EVENTS_NAMESPACE = 'argo-events';

/** Namespaces that are never Kubeflow profiles. */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'istio-system', 'kubeflow', 'knative-serving', 'cert-manager', 'auth'];

/**
 * Where argo-server keeps its SSO state by default (`argo server --namespace`): its ConfigMap, the
 * client Secret, the session key Secret `sso` it creates, and the login accounts. A namespace of
 * its own, because argo-server needs `create` on Secrets there (RBAC cannot limit create to one
 * name), and a Secret of type `kubernetes.io/service-account-token` it creates for any account of
 * that namespace gets that account's token.
 */
export const ARGO_SSO_NAMESPACE = 'argo-server-sso';

/** Kubeflow's shared gateway, as `namespace/name`. */
export const KUBEFLOW_GATEWAY = 'kubeflow/kubeflow-gateway';

/** Workload identity of Kubeflow's `istio-ingressgateway` pods. */
export const INGRESS_GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

/** Pod labels of Kubeflow's `istio-ingressgateway` (its Istio `install.yaml`, every release). */
export const INGRESS_GATEWAY_POD_LABELS: Readonly<Record<string, string>> = { app: 'istio-ingressgateway', istio: 'ingressgateway' };

/** The pod annotation that turns Istio's sidecar injection on or off. */
export const ISTIO_INJECT_ANNOTATION = 'sidecar.istio.io/inject';

/** argo-server's listening port (upstream `containerPort: 2746`). */
export const ARGO_SERVER_PORT = 2746;

/** Name of every argo-server object (Deployment, Service, ServiceAccount): upstream's names. */
export const ARGO_SERVER_NAME = 'argo-server';

/**
 * argo-server's pod label and Deployment selector. Deployment selectors are immutable, so this
 * must stay exactly upstream's, or `kubectl apply` over an existing argo-server fails.
 */
export const ARGO_SERVER_SELECTOR: Readonly<Record<string, string>> = { app: 'argo-server' };

/**
 * Kubeflow's Dex as argo-server reaches it: its issuer, in-cluster, the same in every release's
 * `common/dex/base/config-map.yaml` (1.4.1 to 1.11.0).
 */
export const KUBEFLOW_DEX_ISSUER = 'http://dex.auth.svc.cluster.local:5556/dex';

/**
 * Kubeflow's Dex as browsers reach it: the gateway route `/dex/` (`common/dex/overlays/istio`),
 * which every release's login already lets through (`SKIP_AUTH_URI=/dex`, `skip_auth_routes`).
 */
export const KUBEFLOW_DEX_PATH = '/dex';

/** Namespace and Deployment (container) of Kubeflow's Dex, every release. */
export const KUBEFLOW_DEX = { namespace: 'auth', deployment: 'dex', container: 'dex', configMap: 'dex', podLabels: { app: 'dex' }, port: 5556 } as const;
