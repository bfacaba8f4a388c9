import { ApiObjectProps } from 'cdk8s';
import { inboundLuaFilter } from '../gateway/inbound-lua-filter';

/**
 * The header a generic webhook's caller sends its secret in where the Kubeflow gateway verifies
 * every `Authorization: Bearer` as a JWT ({@link KubeflowPreset.gatewayVerifiesBearer}).
 */
export const WEBHOOK_TOKEN_HEADER = 'X-Argo-Events-Token';

/** Annotation of the EnvoyFilter: the header it turns into `Authorization: Bearer <value>`. */
export const TOKEN_HEADER_ANNOTATION = 'cdk8s-kubeflow-argo/bearer-from-header';

/**
 * Why the filter exists. Argo Events' generic webhook reads its secret only from
 * `Authorization: Bearer <secret>` (`pkg/eventsources/common/webhook/webhook.go` at v1.9.11:
 * `request.Header.Get("Authorization")`, `strings.HasPrefix(authHeader, "Bearer ")`). From
 * Kubeflow 1.9 the ingress gateway has RequestAuthentications (`dex-jwt`, `m2m-token-issuer`,
 * `fromHeaders: [{name: Authorization, prefix: "Bearer "}]`) that verify any such header as a JWT;
 * Istio rejects a request whose token does not verify with 401 before any AuthorizationPolicy
 * ("A request that contains an invalid token will be rejected", Istio RequestAuthentication
 * reference; `jwt_authn` runs before `rbac` in the gateway's filter chain), so a path in `notPaths`
 * does not help, and relaxing the gateway's JWT rules would weaken them for every path.
 *
 * So the caller sends the secret in {@link WEBHOOK_TOKEN_HEADER}, which the gateway passes
 * unread, and this Lua filter on the event source's own sidecar (after the gateway, in front of
 * the event source only) moves it into `Authorization: Bearer <secret>`. A request without the
 * header is left as it is (Argo Events then answers 401 itself). The secret is still checked by
 * Argo Events, as before.
 */
export function webhookTokenLua(header: string): string {
  // header: a constant of letters and "-" (no quotes or backslashes)
  const h = header.toLowerCase();
  return [
    'function envoy_on_request(request_handle)',
    '  local headers = request_handle:headers()',
    `  local token = headers:get("${h}")`,
    '  if token ~= nil then',
    '    headers:replace("authorization", "Bearer " .. token)',
    `    headers:remove("${h}")`,
    '  end',
    'end',
    '',
  ].join('\n');
}

/** The EnvoyFilter of {@link webhookTokenLua} on one event source's sidecar. */
export function webhookTokenFilter(s: { name: string; namespace: string; podSelector: Readonly<Record<string, string>>; port: number }): ApiObjectProps {
  return inboundLuaFilter({ ...s, code: webhookTokenLua(WEBHOOK_TOKEN_HEADER), annotations: { [TOKEN_HEADER_ANNOTATION]: WEBHOOK_TOKEN_HEADER.toLowerCase() } });
}
