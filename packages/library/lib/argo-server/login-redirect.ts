import { ApiObjectProps } from 'cdk8s';
import { inboundLuaFilter } from '../gateway/inbound-lua-filter';

/** Where the SSO login filter goes and what it does. */
export interface LoginRedirectSettings {
  /** EnvoyFilter name. */
  readonly name: string;
  /** Namespace of the workload (argo-server's). */
  readonly namespace: string;
  /** Pod labels of the workload. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** The port the workload listens on (its sidecar's inbound listener). */
  readonly port: number;
  /** argo-server's base href (`/argo/`): the path of its session cookie, and where the browser lands after login. */
  readonly baseHref: string;
  /** The issuer as argo-server reaches it. */
  readonly issuer: string;
  /** The issuer as browsers reach it (a path on the Kubeflow host, or a URL); equal to `issuer`: no rewrite. */
  readonly browserIssuer: string;
  /** Mark argo-server's cookies `Secure` (browsers then send them over https, or to localhost, only). */
  readonly secureCookie: boolean;
}

/**
 * An EnvoyFilter on argo-server's own sidecar ({@link inboundLuaFilter}) that makes its SSO
 * login work behind the gateway and its session as safe as its code allows ({@link loginLua}).
 */
export function loginRedirectFilter(s: LoginRedirectSettings): ApiObjectProps {
  return inboundLuaFilter({ name: s.name, namespace: s.namespace, podSelector: s.podSelector, port: s.port, code: loginLua(s) });
}

/**
 * The Lua of the SSO login filter. argo-server sees paths after the gateway's rewrite (`/argo/x`
 * → `/x`). Per response it:
 * - rewrites the login redirect from the issuer's in-cluster authorization endpoint to the
 *   browser's (argo-server answers `/oauth2/redirect` with `302 Location: <authorization_endpoint>?…`,
 *   `server/auth/sso/sso.go` HandleRedirect; Dex fills the endpoint from its issuer), keeping the
 *   query; only a Location that starts with `<issuer>/` changes;
 * - after login (`/oauth2/callback`) sends the browser only to a path under the base href, else
 *   to the base href: 3.1 redirects to whatever `?redirect=` the login began with (sso.go
 *   HandleCallback at v3.1.15: `redirect = cookie.Value`), an open redirect that 3.2 closed;
 * - marks every cookie argo-server sets `HttpOnly` and, with `secureCookie`, `Secure`: it runs
 *   `--secure=false` behind the TLS gateway, so its session cookie has neither (HandleCallback
 *   sets `Secure: s.secure` and no HttpOnly, on every line to 4.0);
 * - on a page load of the UI's login page, clears the session cookie at the base href. The UI's
 *   Logout clears it from script and reloads that page (`ui/src/.../login.tsx`): up to 3.6
 *   without a path, so the `/argo/` cookie stayed; and script cannot clear an HttpOnly cookie.
 * Headers are read as Envoy's Lua filter offers them (`headers()`, `pairs` over every header,
 * `streamInfo():dynamicMetadata()`), from Envoy 1.17 (Istio 1.9) on; test/slow/sso-releases.test.ts
 * runs this code in Lua 5.1 against that interface.
 */
export function loginLua(s: Pick<LoginRedirectSettings, 'baseHref' | 'issuer' | 'browserIssuer' | 'secureCookie'>): string {
  // all are checked: no quotes, backslashes or line breaks, so plain Lua string literals hold them
  // Dex joins its endpoints onto the issuer's path, so "<issuer>/auth" whether or not it ends in "/"
  const from = s.issuer.endsWith('/') ? s.issuer : `${s.issuer}/`;
  return [
    `local base = "${s.baseHref}"`,
    ...(s.browserIssuer === s.issuer ? ['local from, to = nil, nil'] : [`local from, to = "${from}", "${s.browserIssuer}/"`]),
    `local secure = ${s.secureCookie}`,
    'local key = "cdk8s-kubeflow-argo.sso"',
    '',
    'local function starts(s, prefix) return string.sub(s, 1, string.len(prefix)) == prefix end',
    '',
    'local function harden(cookie)',
    '  local lower = string.lower(cookie)',
    '  if not string.find(lower, ";%s*httponly%s*;") and not string.find(lower, ";%s*httponly%s*$") then cookie = cookie .. "; HttpOnly" end',
    '  if secure and not string.find(lower, ";%s*secure%s*;") and not string.find(lower, ";%s*secure%s*$") then cookie = cookie .. "; Secure" end',
    '  return cookie',
    'end',
    '',
    'function envoy_on_request(request_handle)',
    '  local headers = request_handle:headers()',
    '  local page = string.match(headers:get(":path") or "", "^[^?#]*")',
    '  local meta = request_handle:streamInfo():dynamicMetadata()',
    '  if page == "/oauth2/callback" then meta:set(key, "callback", "1") end',
    '  if page == "/login" and headers:get(":method") == "GET" then meta:set(key, "logout", "1") end',
    'end',
    '',
    'function envoy_on_response(response_handle)',
    '  local headers = response_handle:headers()',
    '  local seen = response_handle:streamInfo():dynamicMetadata():get(key) or {}',
    '  local location = headers:get("location")',
    '  if location ~= nil and from ~= nil and starts(location, from) then',
    '    location = to .. string.sub(location, string.len(from) + 1)',
    '    headers:replace("location", location)',
    '  end',
    '  if location ~= nil and seen["callback"] and (not starts(location, base) or starts(location, "//")) then',
    '    headers:replace("location", base)',
    '  end',
    '  local cookies = {}',
    '  for name, value in pairs(headers) do',
    '    if string.lower(name) == "set-cookie" then table.insert(cookies, value) end',
    '  end',
    '  if seen["logout"] then table.insert(cookies, "authorization=; Path=" .. base .. "; Max-Age=0") end',
    '  if #cookies > 0 then',
    '    headers:remove("set-cookie")',
    '    for _, cookie in ipairs(cookies) do headers:add("set-cookie", harden(cookie)) end',
    '  end',
    'end',
    '',
  ].join('\n');
}
