import { selects } from './selectors';

/** A request as Istio's authorization sees it at one workload. */
export interface MeshRequest {
  /** Peer identity (mTLS), e.g. `cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account`; none from outside the mesh. */
  readonly principal?: string;
  /** Peer namespace. */
  readonly namespace?: string;
  /** `iss/sub` of a JWT verified by a RequestAuthentication, if any. */
  readonly requestPrincipal?: string;
  readonly path: string;
  readonly method: string;
  readonly port: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A workload as policies select it. */
export interface Workload {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** What Istio does with the request at this workload. */
export interface AuthzDecision {
  readonly decision: 'ALLOW' | 'DENY' | 'CUSTOM';
  /** The policy that decided (CUSTOM, DENY), or why ALLOW/DENY came about. */
  readonly reason: string;
  /** For CUSTOM: the extension provider the request goes to. */
  readonly provider?: string;
}

/**
 * Istio AuthorizationPolicy (istio.io/latest/docs/reference/config/security/authorization-policy/):
 * policies of the workload's namespace and of the root namespace apply when their selector
 * matches (none: every workload). CUSTOM policies are checked first (a match sends the request to
 * the extension provider), then DENY (a match denies), then ALLOW: with no ALLOW policy the
 * request is allowed, otherwise one of them must match. A policy matches when one of its rules
 * does; an ALLOW policy without rules (`spec: {}`) matches nothing, a rule `{}` everything. A
 * rule matches when one of its `from` entries, one of its `to` entries and every `when`
 * condition match (absent parts match). Within an entry every field must match; `not*` fields
 * match when no value does. Strings: exact, prefix `abc*`, suffix `*abc`, presence `*`
 * (non-empty). Only conditions this project's checks meet are modelled: `request.headers[...]`,
 * `source.namespace`, `source.principal`, `request.auth.principal`; anything else throws.
 */
export function authorize(policies: readonly any[], workload: Workload, request: MeshRequest, rootNamespace = 'istio-system'): AuthzDecision {
  const applicable = policies.filter((p) => p.kind === 'AuthorizationPolicy'
    && (p.metadata?.namespace === workload.namespace || p.metadata?.namespace === rootNamespace)
    && selects(p.spec?.selector, workload.labels));
  const named = (p: any) => `AuthorizationPolicy ${p.metadata.namespace}/${p.metadata.name}`;
  const action = (p: any) => p.spec?.action ?? 'ALLOW';
  for (const p of applicable.filter((x) => action(x) === 'CUSTOM')) {
    if (policyMatches(p, request)) return { decision: 'CUSTOM', reason: `${named(p)} sends it to ${p.spec.provider?.name}`, provider: p.spec.provider?.name };
  }
  for (const p of applicable.filter((x) => action(x) === 'DENY')) {
    if (policyMatches(p, request)) return { decision: 'DENY', reason: `denied by ${named(p)}` };
  }
  const allows = applicable.filter((x) => action(x) === 'ALLOW');
  if (allows.length === 0) return { decision: 'ALLOW', reason: 'no ALLOW policy applies' };
  const match = allows.find((p) => policyMatches(p, request));
  return match ? { decision: 'ALLOW', reason: `allowed by ${named(match)}` } : { decision: 'DENY', reason: `no ALLOW policy matches (${allows.map(named).join(', ')})` };
}

function policyMatches(p: any, r: MeshRequest): boolean {
  return (p.spec?.rules ?? []).some((rule: any) => ruleMatches(rule ?? {}, r));
}

function ruleMatches(rule: any, r: MeshRequest): boolean {
  const from = rule.from as any[] | undefined;
  const to = rule.to as any[] | undefined;
  const fromOk = !from || from.some((f) => sourceMatches(f.source ?? {}, r));
  const toOk = !to || to.some((t) => operationMatches(t.operation ?? {}, r));
  const whenOk = (rule.when ?? []).every((c: any) => conditionMatches(c, r));
  return fromOk && toOk && whenOk;
}

/** `values` match `value`; `notValues` match when none does. Both absent: no constraint. */
function field(value: string | undefined, values: string[] | undefined, notValues: string[] | undefined, match = stringMatches): boolean {
  if (values && !(value !== undefined && values.some((v) => match(v, value)))) return false;
  if (notValues && value !== undefined && notValues.some((v) => match(v, value))) return false;
  return true;
}

function sourceMatches(s: any, r: MeshRequest): boolean {
  if (s.ipBlocks || s.notIpBlocks || s.remoteIpBlocks || s.notRemoteIpBlocks) throw new Error('AuthorizationPolicy ipBlocks are not modelled');
  return field(r.principal, s.principals, s.notPrincipals)
    && field(r.namespace, s.namespaces, s.notNamespaces)
    && field(r.requestPrincipal, s.requestPrincipals, s.notRequestPrincipals);
}

function operationMatches(o: any, r: MeshRequest): boolean {
  return field(r.headers.host, o.hosts, o.notHosts)
    && field(String(r.port), o.ports, o.notPorts)
    && field(r.method, o.methods, o.notMethods)
    && field(r.path, o.paths, o.notPaths, pathMatches);
}

function conditionMatches(c: any, r: MeshRequest): boolean {
  const header = /^request\.headers\[([^\]]+)\]$/.exec(c.key);
  const value = header ? r.headers[header[1].toLowerCase()]
    : c.key === 'source.namespace' ? r.namespace
      : c.key === 'source.principal' ? r.principal
        : c.key === 'request.auth.principal' ? r.requestPrincipal
          : (() => { throw new Error(`AuthorizationPolicy condition ${c.key} is not modelled`); })();
  return field(value, c.values, c.notValues);
}

/** Istio string match: `*` any non-empty value, `abc*` prefix, `*abc` suffix, else exact. */
export function stringMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return value !== '';
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return value === pattern;
}

/** Paths also take templates from Istio 1.22: `{*}` one segment, `{**}` any rest. */
function pathMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('{')) return stringMatches(pattern, value);
  const re = pattern.split(/(\{\*\*\}|\{\*\})/).map((part) => (part === '{**}' ? '.*' : part === '{*}' ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`).test(value);
}
