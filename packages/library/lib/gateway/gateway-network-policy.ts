import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { INGRESS_GATEWAY_POD_LABELS, INGRESS_GATEWAY_PRINCIPAL } from '../constants';
import { Platform } from '../platform';

/** What a gateway route publishes: the pods, their port, and who may call them (Istio principals). */
export interface GatewayTarget {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: Readonly<Record<string, string>>;
  readonly port: number;
  /** Istio source principals the route's AuthorizationPolicy admits (`cluster.local/ns/<ns>/sa/<sa>`). */
  readonly principals: readonly string[];
  /** The AuthorizationPolicy admits every source. */
  readonly allowAll: boolean;
}

/**
 * The NetworkPolicy a Kubeflow release needs for a gateway route into a namespace its own
 * policies restrict (`default-allow-same-namespace`, Kubeflow 1.9+), or undefined where it
 * restricts nothing. It admits TCP to the one port, from the namespaces of the admitted
 * principals, and for Kubeflow's ingress gateway from its pods only; Kubeflow's own UIs admit all
 * of `istio-system` on every port (e.g. `common/networkpolicies/base/ml-pipeline-ui.yaml`).
 * NetworkPolicies add up, so this opens only that path.
 */
export function gatewayNetworkPolicy(scope: Construct, id: string, platform: Platform, target: GatewayTarget): k8s.KubeNetworkPolicy | undefined {
  if (!platform.spec.kubeflow.restrictedNamespaces.includes(target.namespace)) return undefined;
  const from: k8s.NetworkPolicyPeer[] = target.allowAll
    ? [{ namespaceSelector: {} }]
    : [...new Set(target.principals)].map((principal) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': principal.split('/')[2] } },
      ...(principal === INGRESS_GATEWAY_PRINCIPAL ? { podSelector: { matchLabels: { ...INGRESS_GATEWAY_POD_LABELS } } } : {}),
    }));
  return new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: target.name, namespace: target.namespace },
    spec: {
      podSelector: { matchLabels: { ...target.podSelector } },
      policyTypes: ['Ingress'],
      ingress: [{ from, ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(target.port) }] }],
    },
  });
}
