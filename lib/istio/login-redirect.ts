import { ApiObjectProps } from 'cdk8s';
import { inboundLuaFilter } from './inbound-lua-filter';

/** Where the login redirect filter goes and what it rewrites. */
export interface LoginRedirectSettings {
  /** EnvoyFilter name. */
  readonly name: string;
  /** Namespace of the workload (argo-server's). */
  readonly namespace: string;
  /** Pod labels of the workload. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** The port the workload listens on (its sidecar's inbound listener). */
  readonly port: number;
  /** The issuer as argo-server reaches it. */
  readonly issuer: string;
  /** The issuer as browsers reach it (a path on the Kubeflow host, or a URL). */
  readonly browserIssuer: string;
}

/**
 * An EnvoyFilter on argo-server's own sidecar ({@link inboundLuaFilter}) that rewrites the
 * `Location` of argo-server's login redirect ({@link loginRedirectLua}).
 */
export function loginRedirectFilter(s: LoginRedirectSettings): ApiObjectProps {
  return inboundLuaFilter({ name: s.name, namespace: s.namespace, podSelector: s.podSelector, port: s.port, code: loginRedirectLua(s.issuer, s.browserIssuer) });
}

/**
 * The Lua filter that rewrites argo-server's login redirect from the issuer's in-cluster
 * authorization endpoint to the browser's. argo-server answers `/oauth2/redirect` with
 * `302 Location: <authorization_endpoint>?client_id=…` (`server/auth/sso/sso.go` HandleRedirect,
 * `oauth2.Config.AuthCodeURL`), and the endpoint comes from the issuer's discovery document
 * (go-oidc `NewProvider`), which Dex fills from its own issuer. Only a Location that starts with
 * `<issuer>/` changes; the query (state, client id, redirect URI, scopes) is kept.
 */
export function loginRedirectLua(issuer: string, browserIssuer: string): string {
  // both are checked: no quotes, backslashes or line breaks, so plain Lua string literals hold them
  // Dex joins its endpoints onto the issuer's path, so "<issuer>/auth" whether or not it ends in "/"
  const from = issuer.endsWith('/') ? issuer : `${issuer}/`;
  return [
    'function envoy_on_response(response_handle)',
    `  local from = "${from}"`,
    `  local to = "${browserIssuer}/"`,
    '  local location = response_handle:headers():get("location")',
    '  if location ~= nil and string.sub(location, 1, string.len(from)) == from then',
    '    response_handle:headers():replace("location", to .. string.sub(location, string.len(from) + 1))',
    '  end',
    'end',
    '',
  ].join('\n');
}
