// A small stand-in for Istio's ingress gateway (issue 23): there is no Envoy here, so this proxy
// does, for the requests the request-path suite sends, what the gateway does with the objects of
// the output and of the release. Each behaviour is kept to what the suite needs and cites the Istio
// code (istio/istio 1.30.3) or API text it follows; everything else is refused, not guessed.
//
// - VirtualService routes bound to the gateway, first match wins, in order: each `http` entry
//   becomes one Envoy route in order (pilot/pkg/networking/core/route/route.go
//   BuildHTTPRoutesForVirtualService), the gateway's VirtualServices taken by creation time
//   (pilot/pkg/model/config.go sortConfigByCreationTime; here, the order given), and catch-all
//   routes (prefix `/` or regex `.*`, nothing else matched) moved to the end
//   (pilot/pkg/networking/core/gateway.go calls route.go SortVHostRoutes).
// - `match.uri` exact, prefix or regex (route.go TranslateRouteMatch); no other match field is
//   modelled (refused).
// - `redirect.uri`: Envoy's path redirect, 301 unless `redirectCode` (route.go: `case 0, 301`).
// - `rewrite.uri` after a prefix match: Envoy's `prefix_rewrite`, the matched prefix replaced
//   (route.go applyHTTPRouteDestination: `action.PrefixRewrite = uri` for VirtualServices).
// - `headers.request` remove, set and add (route.go TranslateHeadersOperations).
// - The HTTP filters in Istio's order (pilot/pkg/networking/core/listener_builder.go:406-410):
//   CUSTOM authorization (ext_authz), then authentication (jwt_authn), then DENY and ALLOW
//   authorization (rbac), then the routes. So a token the login proxy adds is verified after it.
// - AuthorizationPolicies of the root namespace `istio-system` without selector or whose selector
//   matches the gateway's labels. A rule matches when each of its `from`, `to` and `when` does
//   (one entry of a list suffices); a policy without rules matches nothing, an empty rule
//   everything. Only `source.requestPrincipals` / `notRequestPrincipals` (`*`),
//   `operation.paths` / `notPaths` / `methods` / `notMethods` and `when` on
//   `request.headers[...]` are modelled; anything else is refused. Values match as Istio writes
//   them for Envoy (pilot/pkg/security/authz/matcher/string.go StringMatcherWithPrefix: `*` any
//   non-empty value, `x*` prefix, `*x` suffix, else exact); paths without the query; a
//   `notValues` on an absent header matches.
// - CUSTOM: the mesh config's `envoyExtAuthzHttp` provider (pilot/pkg/security/authz/builder/
//   extauthz.go generateHTTPConfig): the check goes to its service with the request's method and
//   `pathPrefix` + path (Envoy's raw HTTP ext_authz), with Host, Method, Path and Authorization
//   (which Envoy always sends), Content-Length 0 (the check carries no body without
//   `includeRequestBodyInCheck`) and the headers of `includeRequestHeadersInCheck`. A
//   200 allows and copies `headersToUpstreamOnAllow` onto the request; any other status is the
//   answer, with its body and the headers of `headersToDownstreamOnDeny` plus Location (which
//   Envoy always passes).
// - RequestAuthentication: a token found in one of its `fromHeaders` (after the prefix) must
//   verify against the issuer's keys, else 401; a request without one passes
//   (pilot/pkg/security/authn/policy_applier.go: each provider OR `allow_missing`). A verified
//   token makes the request principal `iss/sub`, sets `outputClaimToHeaders` from string claims,
//   and is removed from its header unless `forwardOriginalToken` (Envoy's `forward`, false by default).
// - DENY, then ALLOW: a matching DENY rule, or ALLOW policies none of which matches, is 403
//   `RBAC: access denied`.
import { createPublicKey, createVerify } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import { parse } from 'yaml';

/** Where a route's (or the login proxy's) destination `host:port` is served on loopback. */
export type Upstreams = Record<string, { readonly host: string; readonly port: number }>;

/** A JWT provider of a RequestAuthentication, with the keys of its issuer. */
export interface JwtProvider {
  readonly issuer: string;
  readonly audiences?: readonly string[];
  readonly fromHeaders: ReadonlyArray<{ name: string; prefix?: string }>;
  readonly outputClaimToHeaders: ReadonlyArray<{ claim: string; header: string }>;
  readonly forwardOriginalToken: boolean;
  readonly jwks: { keys: any[] };
}

export interface GatewayOptions {
  /** VirtualServices, AuthorizationPolicies, RequestAuthentications and the mesh config (ConfigMap `istio-system/istio`). */
  readonly objects: readonly any[];
  /** The Gateway the VirtualServices bind to (`kubeflow/kubeflow-gateway`). */
  readonly gateway: string;
  readonly upstreams: Upstreams;
  /** The keys of a RequestAuthentication rule (from its jwksUri or its issuer's discovery); none by default. */
  readonly jwks?: (rule: any) => { keys: any[] };
  /** The gateway pods' labels, which policy selectors match. */
  readonly labels?: Record<string, string>;
}

export interface Gateway { readonly port: number; close(): Promise<void> }

/** The JWT providers of the RequestAuthentications. */
export function jwtProviders(objects: readonly any[], jwksOf: (rule: any) => { keys: any[] }): JwtProvider[] {
  return objects.filter((o) => o.kind === 'RequestAuthentication').flatMap((ra) => (ra.spec.jwtRules ?? []).map((rule: any) => {
    if (rule.jwks) throw new Error('gateway model: inline jwks is not modelled');
    return {
      issuer: rule.issuer, audiences: rule.audiences, fromHeaders: rule.fromHeaders ?? [{ name: 'Authorization', prefix: 'Bearer ' }],
      outputClaimToHeaders: rule.outputClaimToHeaders ?? [], forwardOriginalToken: rule.forwardOriginalToken === true, jwks: jwksOf(rule),
    };
  }));
}

/** The claims of `token` when `p` accepts it: RS256 signature by one of its keys, its issuer, not expired, an audience it names. */
function verified(token: string, p: JwtProvider): any | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    if (header.alg !== 'RS256' || claims.iss !== p.issuer || (claims.exp !== undefined && claims.exp * 1000 < Date.now())) return undefined;
    const aud = [claims.aud].flat();
    if (p.audiences?.length && !aud.some((a) => p.audiences!.includes(a))) return undefined;
    const ok = p.jwks.keys.filter((k) => !header.kid || k.kid === header.kid).some((k) => createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`)
      .verify(createPublicKey({ key: k, format: 'jwk' }), Buffer.from(parts[2], 'base64url')));
    return ok ? claims : undefined;
  } catch {
    return undefined;
  }
}

const isCatchAll = (h: any) => (h.match ?? [{}]).some((m: any) => Object.keys(m).length === 0 || m.uri?.prefix === '/' || m.uri?.regex === '.*');

/** The first route of the VirtualServices that matches `path` (catch-all routes last), and what it matched. */
function route(virtualServices: readonly any[], path: string): { http: any; prefix?: string } | undefined {
  const routes = virtualServices.flatMap((vs) => vs.spec.http ?? []);
  for (const h of [...routes.filter((r) => !isCatchAll(r)), ...routes.filter(isCatchAll)]) {
    for (const m of h.match ?? [{}]) {
      const keys = Object.keys(m);
      if (keys.some((k) => k !== 'uri')) throw new Error(`gateway model: match on ${keys.join(', ')} is not modelled`);
      const uri = m.uri ?? { prefix: '/' };
      if (uri.exact !== undefined && path === uri.exact) return { http: h };
      if (uri.prefix !== undefined && path.startsWith(uri.prefix)) return { http: h, prefix: uri.prefix };
      if (uri.regex !== undefined && new RegExp(`^(?:${uri.regex})$`).test(path)) return { http: h };
    }
  }
  return undefined;
}

/** Istio's value match (matcher/string.go StringMatcherWithPrefix). */
function valueMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return value !== '';
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

/** What a policy rule reads of a request. */
interface Seen { readonly method: string; readonly path: string; readonly headers: http.IncomingHttpHeaders; readonly principal?: string }

const KNOWN = { source: ['requestPrincipals', 'notRequestPrincipals'], operation: ['paths', 'notPaths', 'methods', 'notMethods'] } as const;

/** Whether `field` of a rule's entry (`values`, `notValues`) admits `value`; an absent field admits all. */
const admits = (entry: any, field: string, value: string | undefined) => (entry[field] === undefined || entry[field].some((p: string) => valueMatches(p, value)))
  && (entry[`not${field[0].toUpperCase()}${field.slice(1)}`] === undefined || !entry[`not${field[0].toUpperCase()}${field.slice(1)}`].some((p: string) => valueMatches(p, value)));

/** Whether an AuthorizationPolicy rule matches the request (refusing what the model does not know). */
function ruleMatches(rule: any, r: Seen): boolean {
  const entries = (list: any[] | undefined, key: 'source' | 'operation') => (list ?? [{ [key]: {} }]).map((e) => {
    const unknown = Object.keys(e[key] ?? {}).filter((k) => !(KNOWN[key] as readonly string[]).includes(k));
    if (unknown.length) throw new Error(`gateway model: AuthorizationPolicy ${key}.${unknown.join(', ')} is not modelled`);
    return e[key] ?? {};
  });
  const from = entries(rule.from, 'source').some((s) => {
    for (const p of [...(s.requestPrincipals ?? []), ...(s.notRequestPrincipals ?? [])]) if (p !== '*') throw new Error(`gateway model: request principal ${p} is not modelled`);
    return admits(s, 'requestPrincipals', r.principal);
  });
  const to = entries(rule.to, 'operation').some((o) => admits(o, 'paths', r.path) && admits(o, 'methods', r.method));
  const when = (rule.when ?? []).every((c: any) => {
    const header = /^request\.headers\[(.+)\]$/.exec(c.key)?.[1];
    if (!header) throw new Error(`gateway model: condition on ${c.key} is not modelled`);
    const v = r.headers[header.toLowerCase()];
    const value = Array.isArray(v) ? v.join(',') : v;
    return (c.values === undefined || c.values.some((p: string) => valueMatches(p, value)))
      && (c.notValues === undefined || !c.notValues.some((p: string) => valueMatches(p, value)));
  });
  return from && to && when;
}

/** The AuthorizationPolicies that apply to the gateway, by action. */
function policiesOf(objects: readonly any[], labels: Record<string, string>): Record<'CUSTOM' | 'DENY' | 'ALLOW', any[]> {
  const apply = objects.filter((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === 'istio-system'
    && Object.entries(o.spec.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
  const by = (action: string) => apply.filter((p) => (p.spec.action ?? 'ALLOW') === action);
  for (const p of apply) if (!['CUSTOM', 'DENY', 'ALLOW'].includes(p.spec.action ?? 'ALLOW')) throw new Error(`gateway model: action ${p.spec.action} is not modelled`);
  return { CUSTOM: by('CUSTOM'), DENY: by('DENY'), ALLOW: by('ALLOW') };
}

const matchesAny = (policies: readonly any[], r: Seen) => policies.some((p) => (p.spec.rules ?? []).some((rule: any) => ruleMatches(rule, r)));

/** An answer the gateway gives itself. */
interface Reply { readonly status: number; readonly headers: http.OutgoingHttpHeaders; readonly body: string }

/** The mesh config's envoyExtAuthzHttp provider `name`. */
function extAuthzProvider(objects: readonly any[], name: string): any {
  const mesh = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === 'istio-system' && o.metadata.name === 'istio');
  const provider = (parse(mesh?.data?.mesh ?? '{}')?.extensionProviders ?? []).find((p: any) => p.name === name);
  if (!provider?.envoyExtAuthzHttp) throw new Error(`gateway model: no envoyExtAuthzHttp extension provider ${name} in the mesh config`);
  return provider.envoyExtAuthzHttp;
}

/** Envoy's HTTP ext_authz check: a Reply when denied, else the headers to set upstream. */
function extAuthz(provider: any, upstreams: Upstreams, req: http.IncomingHttpHeaders, method: string, url: string): Promise<Reply | Record<string, string>> {
  const host = String(provider.service).split('/').pop();
  const to = upstreams[`${host}:${provider.port}`];
  if (!to) return Promise.resolve({ status: 503, headers: {}, body: `gateway model: no upstream for ext_authz ${host}:${provider.port}` });
  const names = ['host', 'authorization', ...(provider.includeRequestHeadersInCheck ?? provider.includeHeadersInCheck ?? []).map((h: string) => h.toLowerCase())];
  // the check carries no body (no includeRequestBodyInCheck), so its Content-Length is 0
  const headers = { ...Object.fromEntries(names.filter((n) => req[n] !== undefined).map((n) => [n, req[n]!])), 'content-length': '0' };
  return new Promise((resolve) => {
    http.request({ host: to.host, port: to.port, method, path: (provider.pathPrefix ?? '') + url, headers }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        const pick = (list: string[]) => Object.fromEntries(list.map((h) => h.toLowerCase()).filter((h) => res.headers[h] !== undefined).map((h) => [h, res.headers[h] as string]));
        if (res.statusCode === 200) resolve(pick(provider.headersToUpstreamOnAllow ?? []));
        else resolve({ status: res.statusCode ?? 403, headers: pick([...(provider.headersToDownstreamOnDeny ?? []), 'location']), body });
      });
    }).on('error', (e) => resolve({ status: 403, headers: {}, body: `ext_authz: ${e.message}` })).end();
  });
}

/** jwt_authn: a 401 Reply for a token that does not verify, else the principal (and the headers changed in place). */
function authenticate(providers: readonly JwtProvider[], headers: http.IncomingHttpHeaders): Reply | { principal?: string } {
  let principal: string | undefined;
  for (const p of providers) {
    for (const h of p.fromHeaders) {
      const name = h.name.toLowerCase();
      const value = headers[name];
      if (typeof value !== 'string' || !value.startsWith(h.prefix ?? '')) continue;
      const claims = verified(value.slice((h.prefix ?? '').length), p);
      if (!claims) return { status: 401, headers: { 'content-type': 'text/plain' }, body: 'Jwt verification fails' };
      principal = `${claims.iss}/${claims.sub}`;
      for (const o of p.outputClaimToHeaders) if (['string', 'number', 'boolean'].includes(typeof claims[o.claim])) headers[o.header.toLowerCase()] = String(claims[o.claim]);
      if (!p.forwardOriginalToken) delete headers[name];
    }
  }
  return { principal };
}

/** The filters before the router: CUSTOM, jwt_authn, DENY, ALLOW. A Reply ends the request. */
async function filters(o: GatewayOptions, policies: ReturnType<typeof policiesOf>, providers: readonly JwtProvider[], req: http.IncomingMessage, headers: http.IncomingHttpHeaders): Promise<Reply | undefined> {
  const [path] = (req.url ?? '/').split('?');
  const custom = policies.CUSTOM.filter((p) => (p.spec.rules ?? []).some((rule: any) => ruleMatches(rule, { method: req.method!, path, headers })));
  if (custom.length) {
    const checked = await extAuthz(extAuthzProvider(o.objects, custom[0].spec.provider?.name), o.upstreams, headers, req.method!, req.url ?? '/');
    if ('status' in checked && typeof checked.status === 'number') return checked as Reply;
    Object.assign(headers, checked);
  }
  const authn = authenticate(providers, headers);
  if ('status' in authn) return authn;
  const seen: Seen = { method: req.method!, path, headers, principal: authn.principal };
  if (matchesAny(policies.DENY, seen) || (policies.ALLOW.length > 0 && !matchesAny(policies.ALLOW, seen))) {
    return { status: 403, headers: { 'content-type': 'text/plain' }, body: 'RBAC: access denied' };
  }
  return undefined;
}

/** The router: the route's redirect, or the request sent on to its destination. */
function forward(virtualServices: readonly any[], upstreams: Upstreams, req: http.IncomingMessage, headers: http.IncomingHttpHeaders, res: http.ServerResponse): void {
  const [path, query] = (req.url ?? '/').split(/\?(.*)/s);
  const found = route(virtualServices, path);
  if (!found) { res.writeHead(404).end(); return; }
  const h = found.http;
  if (h.redirect) { res.writeHead(h.redirect.redirectCode ?? 301, { location: h.redirect.uri }).end(); return; }
  const rewritten = h.rewrite?.uri !== undefined && found.prefix !== undefined ? h.rewrite.uri + path.slice(found.prefix.length) : path;
  for (const name of h.headers?.request?.remove ?? []) delete headers[name.toLowerCase()];
  for (const [k, v] of Object.entries(h.headers?.request?.set ?? {})) headers[k.toLowerCase()] = String(v);
  for (const [k, v] of Object.entries(h.headers?.request?.add ?? {})) headers[k.toLowerCase()] = [headers[k.toLowerCase()] ?? [], String(v)].flat().join(',');
  const dest = h.route?.[0]?.destination;
  const to = dest && upstreams[`${dest.host}:${dest.port?.number}`];
  if (!to) { res.writeHead(503).end(`no upstream for ${dest?.host}:${dest?.port?.number}`); return; }
  const up = http.request({ host: to.host, port: to.port, method: req.method, path: rewritten + (query !== undefined ? `?${query}` : ''), headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => { res.writeHead(503).end(`upstream: ${e.message}`); });
  req.pipe(up);
}

/** Starts the gateway on loopback (see the file's comment for what it does). */
export function startGateway(o: GatewayOptions): Promise<Gateway> {
  const virtualServices = o.objects.filter((x) => x.kind === 'VirtualService' && (x.spec.gateways ?? []).some((g: string) => g === o.gateway || `${x.metadata.namespace}/${g}` === o.gateway));
  const policies = policiesOf(o.objects, o.labels ?? { app: 'istio-ingressgateway', istio: 'ingressgateway' });
  const providers = jwtProviders(o.objects, o.jwks ?? (() => ({ keys: [] })));
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    filters(o, policies, providers, req, headers).then((reply) => {
      if (reply) { res.writeHead(reply.status, reply.headers).end(reply.body); return; }
      forward(virtualServices, o.upstreams, req, headers, res);
    }).catch((e) => { res.writeHead(500, { 'content-type': 'text/plain' }).end((e as Error).message); });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  })));
}
