import { Construct } from 'constructs';
import { fail } from '../validation';

/** A path prefix a construct routes on a gateway. */
export interface GatewayRoute {
  /** `namespace/name` of the gateway. */
  readonly gateway: string;
  /** The URI prefix, with leading and trailing `/`. */
  readonly prefix: string;
  /** Hosts the route binds. */
  readonly hosts: readonly string[];
}

const ROUTE = Symbol.for('cdk8s-kubeflow-argo.gateway-route');

/**
 * Records the prefix `self` routes on a gateway, after checking that no other route of this
 * library in the app overlaps it (one prefix containing the other on the same gateway and a
 * shared host): Istio would then send some requests to the wrong service. Call after every
 * other check, just before creating the route.
 */
export function claimRoute(self: Construct, owner: string, prop: string, route: GatewayRoute): void {
  for (const c of self.node.root.node.findAll()) {
    const other = (c as unknown as Record<symbol, GatewayRoute | undefined>)[ROUTE];
    if (!other || c === self || other.gateway !== route.gateway || !hostsOverlap(other.hosts, route.hosts)) continue;
    if (route.prefix.startsWith(other.prefix) || other.prefix.startsWith(route.prefix)) {
      fail({ owner, prop: prop }, route.prefix,
        `overlaps the route "${other.prefix}" of ${c.node.path} on gateway ${route.gateway} (one prefix contains the other, so some requests would reach the wrong service)`,
        'give each route a prefix of its own, e.g. "/argo/" and "/argo-events/<name>/"');
    }
  }
  Object.defineProperty(self, ROUTE, { value: route });
}

function hostsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.includes('*') || b.includes('*') || a.some((h) => b.includes(h));
}
