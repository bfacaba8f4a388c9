import { ApiObjectProps } from 'cdk8s';

/** Where an inbound Lua filter goes. */
export interface InboundLuaFilterSettings {
  /** EnvoyFilter name. */
  readonly name: string;
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Pod labels of the workload. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** The port the workload listens on (its sidecar's inbound listener). */
  readonly port: number;
  /** The Lua code (`envoy_on_request` and/or `envoy_on_response`). */
  readonly code: string;
  /** Annotations of the EnvoyFilter (what it does, for people and the preflight). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * An EnvoyFilter that adds Envoy's Lua filter to the inbound HTTP chain of one workload's own
 * sidecar (SIDECAR_INBOUND, the workload's port, before the router). It touches no other workload
 * and no shared gateway. `networking.istio.io/v1alpha3` is the only version Istio serves
 * EnvoyFilter in, from 1.9 to 1.28; the Lua filter's v3 type is Envoy's from Istio 1.9's Envoy
 * 1.17 on.
 */
export function inboundLuaFilter(s: InboundLuaFilterSettings): ApiObjectProps {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name: s.name, namespace: s.namespace, ...(s.annotations ? { annotations: { ...s.annotations } } : {}) },
    spec: {
      workloadSelector: { labels: { ...s.podSelector } },
      configPatches: [{
        applyTo: 'HTTP_FILTER',
        match: {
          context: 'SIDECAR_INBOUND',
          listener: {
            portNumber: s.port,
            filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } },
          },
        },
        patch: {
          operation: 'INSERT_BEFORE',
          value: {
            name: 'envoy.filters.http.lua',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua',
              inlineCode: s.code,
            },
          },
        },
      }],
    },
  };
}
