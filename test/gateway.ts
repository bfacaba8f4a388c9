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
// - RequestAuthentication: a token found in one of its `fromHeaders` (after the prefix) must
//   verify against the issuer's keys, else 401; a request without one passes
//   (pilot/pkg/security/authn/policy_applier.go: each provider OR `allow_missing`).
// The login proxy (ext-authz) and AuthorizationPolicies are not called here yet: see docs/development.md.
import { createPublicKey, createVerify } from 'crypto';
import * as http from 'http';
import * as net from 'net';

/** Where a route's destination host:port is served on loopback. */
export type Upstreams = Record<string, number>;

/** A JWT provider of a RequestAuthentication, with the keys its jwksUri serves. */
export interface JwtProvider { readonly issuer: string; readonly audiences?: readonly string[]; readonly fromHeaders: ReadonlyArray<{ name: string; prefix?: string }>; readonly jwks: { keys: any[] } }

export interface Gateway { readonly port: number; close(): Promise<void> }

/** The JWT providers of RequestAuthentications (jwksUri resolved by `jwksOf`). */
export function jwtProviders(objects: readonly any[], jwksOf: (uri: string) => { keys: any[] }): JwtProvider[] {
  return objects.filter((o) => o.kind === 'RequestAuthentication').flatMap((ra) => (ra.spec.jwtRules ?? []).map((rule: any) => {
    if (rule.jwks) throw new Error('gateway model: inline jwks is not modelled');
    return { issuer: rule.issuer, audiences: rule.audiences, fromHeaders: rule.fromHeaders ?? [{ name: 'Authorization', prefix: 'Bearer ' }], jwks: jwksOf(rule.jwksUri) };
  }));
}

/** Whether `token` is a JWT that `p` accepts: RS256 signature by one of its keys, its issuer, not expired, an audience it names. */
function verifies(token: string, p: JwtProvider): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    if (header.alg !== 'RS256' || claims.iss !== p.issuer || (claims.exp !== undefined && claims.exp * 1000 < Date.now())) return false;
    const aud = [claims.aud].flat();
    if (p.audiences?.length && !aud.some((a) => p.audiences!.includes(a))) return false;
    return p.jwks.keys.filter((k) => !header.kid || k.kid === header.kid).some((k) => createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`)
      .verify(createPublicKey({ key: k, format: 'jwk' }), Buffer.from(parts[2], 'base64url')));
  } catch {
    return false;
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

/**
 * Starts the gateway on loopback for the VirtualServices bound to `gateway` (`namespace/name`),
 * sending each destination to its port in `upstreams` and checking tokens of `jwt` providers.
 */
export function startGateway(objects: readonly any[], gateway: string, upstreams: Upstreams, jwt: readonly JwtProvider[] = []): Promise<Gateway> {
  const virtualServices = objects.filter((o) => o.kind === 'VirtualService' && (o.spec.gateways ?? []).some((g: string) => g === gateway || `${o.metadata.namespace}/${g}` === gateway));
  const server = http.createServer((req, res) => {
    const [path, query] = (req.url ?? '/').split(/\?(.*)/s);
    for (const p of jwt) {
      for (const h of p.fromHeaders) {
        const value = req.headers[h.name.toLowerCase()];
        if (typeof value === 'string' && value.startsWith(h.prefix ?? '') && !verifies(value.slice((h.prefix ?? '').length), p)) {
          res.writeHead(401, { 'content-type': 'text/plain' }).end('Jwt verification fails');
          return;
        }
      }
    }
    let found: ReturnType<typeof route>;
    try {
      found = route(virtualServices, path);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end((e as Error).message);
      return;
    }
    if (!found) { res.writeHead(404).end(); return; }
    const h = found.http;
    if (h.redirect) { res.writeHead(h.redirect.redirectCode ?? 301, { location: h.redirect.uri }).end(); return; }
    const rewritten = h.rewrite?.uri !== undefined && found.prefix !== undefined ? h.rewrite.uri + path.slice(found.prefix.length) : path;
    const headers = { ...req.headers };
    for (const name of h.headers?.request?.remove ?? []) delete headers[name.toLowerCase()];
    for (const [k, v] of Object.entries(h.headers?.request?.set ?? {})) headers[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(h.headers?.request?.add ?? {})) headers[k.toLowerCase()] = [headers[k.toLowerCase()] ?? [], String(v)].flat().join(',');
    const dest = h.route?.[0]?.destination;
    const port = dest && upstreams[`${dest.host}:${dest.port?.number}`];
    if (!port) { res.writeHead(503).end(`no upstream for ${dest?.host}:${dest?.port?.number}`); return; }
    const up = http.request({ host: '127.0.0.1', port, method: req.method, path: rewritten + (query !== undefined ? `?${query}` : ''), headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => { res.writeHead(503).end(`upstream: ${e.message}`); });
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  })));
}
