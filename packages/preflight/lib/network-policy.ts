import { LabelSelector, selects } from './selectors';

/** A pod as NetworkPolicies see it. */
export interface PodRef {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The outcome for one connection, with the policies that decided it. */
export interface Verdict {
  readonly allowed: boolean;
  /** Why: the policies that isolate the pod (when nothing admits the connection) or the one that admits it. */
  readonly reason: string;
}

/**
 * Kubernetes NetworkPolicy semantics (kubernetes.io/docs/concepts/services-networking/network-policies/):
 * a pod is isolated for ingress when a policy in its namespace selects it and has `Ingress` in
 * `policyTypes` (default: Ingress, plus Egress when it has egress rules). Policies add up: an
 * isolated pod admits a connection that any selecting policy's rule allows. A rule allows a peer
 * that matches one of its `from` entries (none: every peer) on one of its `ports` (none: every
 * port). An entry with `podSelector` only selects pods of the policy's namespace; with
 * `namespaceSelector` only, every pod of the matching namespaces; with both, the matching pods of
 * the matching namespaces. `ipBlock` entries are not matched against pods (cluster pod IPs are not
 * known offline; the documentation leaves their handling to the implementation).
 * A connection needs both the source's egress and the destination's ingress to allow it.
 */
export function connectionAllowed(policies: readonly any[], namespaceLabels: (ns: string) => Record<string, string>, from: PodRef, to: PodRef, port: number, protocol = 'TCP'): Verdict {
  const egress = direction(policies, namespaceLabels, from, to, port, protocol, 'Egress');
  if (!egress.allowed) return egress;
  return direction(policies, namespaceLabels, to, from, port, protocol, 'Ingress');
}

function policyTypes(p: any): string[] {
  return p.spec?.policyTypes ?? ['Ingress', ...(p.spec?.egress ? ['Egress'] : [])];
}

function direction(policies: readonly any[], nsLabels: (ns: string) => Record<string, string>, pod: PodRef, peer: PodRef, port: number, protocol: string, type: 'Ingress' | 'Egress'): Verdict {
  const isolating = policies.filter((p) => p.kind === 'NetworkPolicy' && p.metadata?.namespace === pod.namespace
    && selects(p.spec?.podSelector ?? {}, pod.labels) && policyTypes(p).includes(type));
  if (isolating.length === 0) return { allowed: true, reason: `no NetworkPolicy isolates ${pod.namespace} pods like this for ${type}` };
  const key = type === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = type === 'Ingress' ? 'from' : 'to';
  for (const p of isolating) {
    for (const rule of p.spec?.[key] ?? []) {
      const peers: any[] | undefined = rule[peersKey];
      const peerOk = !peers || peers.length === 0 || peers.some((e) => peerMatches(e, p.metadata.namespace, peer, nsLabels));
      const ports: any[] | undefined = rule.ports;
      const portOk = !ports || ports.length === 0 || ports.some((pp) => portMatches(pp, port, protocol));
      if (peerOk && portOk) return { allowed: true, reason: `NetworkPolicy ${p.metadata.namespace}/${p.metadata.name} allows it` };
    }
  }
  return { allowed: false, reason: `blocked by NetworkPolicy ${isolating.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')} (${type}: no rule admits ${peer.namespace} pods ${JSON.stringify(peer.labels)} on ${protocol} ${port})` };
}

function peerMatches(entry: any, policyNamespace: string, peer: PodRef, nsLabels: (ns: string) => Record<string, string>): boolean {
  if (entry.ipBlock) return false;
  const podSel: LabelSelector | undefined = entry.podSelector;
  const nsSel: LabelSelector | undefined = entry.namespaceSelector;
  const nsOk = nsSel ? selects(nsSel, nsLabels(peer.namespace)) : peer.namespace === policyNamespace;
  return nsOk && selects(podSel ?? {}, peer.labels);
}

function portMatches(pp: any, port: number, protocol: string): boolean {
  if ((pp.protocol ?? 'TCP') !== protocol) return false;
  if (pp.port === undefined) return true;
  if (typeof pp.port === 'string') return false; // a named port: the pod's port names are not modelled
  return pp.endPort !== undefined ? port >= pp.port && port <= pp.endPort : port === pp.port;
}
