import { parse } from 'yaml';
import { groupKind, INGRESS_GATEWAY_POD_LABELS, INGRESS_GATEWAY_PRINCIPAL, KUBEFLOW_DEX, KUBEFLOW_DEX_ISSUER, KUBEFLOW_GATEWAY, OUTPUT_LABEL, RBAC_RULE_ANNOTATION, TOKEN_HEADER_ANNOTATION } from 'cdk8s-kubeflow-argo/synth';
import { authorize, MeshRequest, Workload } from './authorization-policy';
import { connectionAllowed, PodRef } from './network-policy';
import { podSecurityViolations, podsOf, policyMinor } from './pod-security';
import { whoGrants } from './rbac';

/** One preflight check: what was asked, whether it holds, and what decided it. */
export interface CheckResult {
  readonly check: string;
  readonly pass: boolean;
  /** On pass, the path the request took; on failure, the object that blocks it. */
  readonly detail: string;
}

/** Kubeflow's ingress gateway pod. */
const GATEWAY: PodRef & { principal: string } = { namespace: 'istio-system', labels: INGRESS_GATEWAY_POD_LABELS, principal: INGRESS_GATEWAY_PRINCIPAL };

/** A namespace's labels in the cluster, with the `kubernetes.io/metadata.name` label Kubernetes adds to every namespace. */
function namespaceLabels(cluster: readonly any[]): (ns: string) => Record<string, string> {
  return (ns) => ({ ...(cluster.find((o) => o.kind === 'Namespace' && o.metadata.name === ns)?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns });
}

/** A client of the gateway: a browser with a Kubeflow session, or a webhook sender with none. */
interface Client {
  readonly session: boolean;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
}

/**
 * The checks of issue 14 on a cluster's objects (`cluster`: namespaces, NetworkPolicies,
 * AuthorizationPolicies, RequestAuthentications, the `istio` mesh ConfigMap, the authservice
 * ConfigMap, roles and bindings) together with this project's output (`output`):
 * - the ingress gateway reaches argo-server and every event source (NetworkPolicies);
 * - every pod of the output meets the Pod Security level its namespace enforces;
 * - a browser request to argo-server's base href is let in and reaches argo-server without an
 *   `Authorization` header it did not send (the gateway's ext-authz, its AuthorizationPolicies,
 *   the VirtualService, argo-server's AuthorizationPolicy and NetworkPolicies);
 * - a webhook POST without a session reaches each event source;
 * - each Sensor's ServiceAccount may create Workflows in exactly the namespaces its Sensors target
 *   (the Sensors that share an account, together);
 * - each profile's `default-editor` may create Workflows in its profile;
 * - with SSO (argo-server's ConfigMap has `sso`): argo-server reaches Kubeflow's Dex, and each SSO
 *   account may create Workflows in the profiles it is bound in (the cluster's `kubeflow-edit`).
 */
export function preflight(cluster: readonly any[], output: readonly any[]): CheckResult[] {
  const all = [...cluster, ...output];
  const results: CheckResult[] = [];
  const nsLabels = namespaceLabels(cluster);

  const server = output.find((o) => o.kind === 'Deployment' && o.metadata.name === 'argo-server');
  const route = output.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'argo-server');
  if (server) {
    const pod: PodRef = { namespace: server.metadata.namespace, labels: server.spec.template.metadata.labels ?? {} };
    const port = server.spec.template.spec.containers[0].ports?.[0]?.containerPort ?? 2746;
    const v = connectionAllowed(all, nsLabels, GATEWAY, pod, port);
    results.push({ check: `ingress gateway → argo-server (${pod.namespace}) on TCP ${port}`, pass: v.allowed, detail: v.reason });
  }
  // only sources the gateway calls: a webhook section (a calendar source has no Service and no caller)
  for (const es of output.filter((o) => o.kind === 'EventSource' && WEBHOOK_SECTIONS.some((k) => hasSection(o, k)))) {
    const pod: PodRef = { namespace: es.metadata.namespace, labels: eventSourceLabels(es) };
    const port = es.spec.service?.ports?.[0]?.targetPort ?? 12000;
    const v = connectionAllowed(all, nsLabels, GATEWAY, pod, port);
    results.push({ check: `ingress gateway → event source ${es.metadata.namespace}/${es.metadata.name} on TCP ${port}`, pass: v.allowed, detail: v.reason });
  }

  for (const o of output) {
    const pods = podsOf(o);
    if (pods.length === 0) continue;
    const labels = nsLabels(o.metadata.namespace);
    const level = labels['pod-security.kubernetes.io/enforce'];
    const minor = policyMinor(labels['pod-security.kubernetes.io/enforce-version']);
    const violations = level === 'baseline' || level === 'restricted' ? pods.flatMap((p: any) => podSecurityViolations(p, level, minor)) : [];
    results.push({
      check: `${o.kind} ${o.metadata.namespace}/${o.metadata.name} meets Pod Security "${level ?? 'privileged'}" of its namespace`,
      pass: violations.length === 0,
      detail: violations.length ? `Namespace ${o.metadata.namespace} rejects it: ${violations.join('; ')}` : 'all controls met',
    });
  }

  if (server && route) {
    const prefix = route.spec.http.find((h: any) => h.route)?.match?.[0]?.uri?.prefix ?? '/argo/';
    const r = throughGateway(cluster, output, { session: true, method: 'GET', path: `${prefix}api/v1/info` });
    const foreign = r.headers?.authorization;
    results.push(needs('gateway', {
      check: `a browser with a Kubeflow session reaches argo-server at ${prefix} without an Authorization header it did not send`,
      pass: r.ok && !foreign,
      detail: !r.ok ? r.detail : foreign ? `argo-server receives "Authorization: ${foreign}" from the gateway's ext-authz and reads it before its own cookie (add headers.request.remove: [authorization] to VirtualService ${route.metadata.namespace}/${route.metadata.name})` : r.detail,
    }));
  }
  results.push(...webhookChecks(cluster, output));

  const namespaces = [...new Set([...cluster.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name), ...output.map((o) => o.metadata?.namespace).filter(Boolean)])].sort();
  // Sensors that share a ServiceAccount share its rights: it must reach exactly their targets together
  const sensors = output.filter((o) => o.kind === 'Sensor');
  const accountOf = (s: any) => ({ kind: 'ServiceAccount' as const, namespace: s.metadata.namespace, name: s.spec.template?.serviceAccountName ?? 'default' });
  const targetsOf = (s: any): string[] => (s.spec.triggers ?? []).map((t: any) => t.template?.argoWorkflow?.source?.resource?.metadata?.namespace).filter(Boolean);
  for (const sensor of sensors) {
    const sa = accountOf(sensor);
    const sharing = sensors.filter((s) => accountOf(s).namespace === sa.namespace && accountOf(s).name === sa.name);
    const targets = new Set<string>(sharing.flatMap(targetsOf).sort());
    const wrong = namespaces.filter((ns) => Boolean(whoGrants(all, sa, 'create', 'argoproj.io', 'workflows', ns)) !== targets.has(ns));
    results.push(needs('rbac', {
      check: `Sensor ${sensor.metadata.namespace}/${sensor.metadata.name} (ServiceAccount ${sa.name}${sharing.length > 1 ? `, shared by ${sharing.length} Sensors` : ''}) may create Workflows in exactly ${[...targets].join(', ')}`,
      pass: wrong.length === 0,
      detail: wrong.length === 0 ? `granted by ${[...targets].map((ns) => whoGrants(all, sa, 'create', 'argoproj.io', 'workflows', ns)).join('; ')}`
        : wrong.map((ns) => (targets.has(ns) ? `nothing grants it in ${ns}` : `${whoGrants(all, sa, 'create', 'argoproj.io', 'workflows', ns)} also grants it in ${ns}`)).join('; '),
    }));
  }
  for (const profile of [...new Set(output.filter((o) => o.kind === 'WorkflowTemplate').map((o) => o.metadata.namespace))].sort()) {
    const sa = { kind: 'ServiceAccount' as const, namespace: profile, name: 'default-editor' };
    const by = whoGrants(all, sa, 'create', 'argoproj.io', 'workflows', profile);
    results.push(needs('rbac', { check: `default-editor may create Workflows in profile ${profile}`, pass: Boolean(by), detail: by ? `granted by ${by}` : `no binding of default-editor in ${profile} grants it (is kubeflow-edit missing argoproj.io rules? set kubeflowRoles: true)` }));
  }

  if (server) results.push(needs('rbac', tokenMintCheck(all, server)));
  if (server) results.push(...ssoChecks(all, output, server, nsLabels));
  results.push(...staleChecks(cluster, output).map((r) => needs('accounts', r)));
  return results.map((r) => unknowable(cluster, r) ?? r);
}

/**
 * A webhook call without a session reaches each event source through the gateway, sending a
 * generic webhook's secret the way the output tells its caller to (Argo Events' own
 * `Authorization: Bearer`, or the header an EnvoyFilter of the output moves there).
 */
function webhookChecks(cluster: readonly any[], output: readonly any[]): CheckResult[] {
  const results: CheckResult[] = [];
  for (const es of output.filter((o) => o.kind === 'EventSource')) {
    for (const [kind, hooks] of Object.entries(es.spec) as [string, any][]) {
      if (!WEBHOOK_SECTIONS.includes(kind)) continue;
      for (const hook of Object.values(hooks) as any[]) {
        const vs = output.find((o) => o.kind === 'VirtualService' && o.metadata.name === `${es.metadata.name}-eventsource`);
        const prefix = vs?.spec.http[0].match[0].uri.prefix ?? '/';
        const path = `${prefix.slice(0, -1)}${hook.webhook?.endpoint ?? hook.endpoint}`;
        const method = hook.webhook?.method ?? hook.method ?? 'POST';
        // a generic webhook with a secret: the caller sends it as the output says (Argo Events'
        // own `Authorization: Bearer`, or the header an EnvoyFilter of the output moves there)
        const secret = kind === 'webhook' && hook.authSecret;
        const header = secret ? tokenHeaderOf(output, eventSourcePod(es)) : undefined;
        const headers = header ? { [header]: header === 'authorization' ? `Bearer ${WEBHOOK_SECRET}` : WEBHOOK_SECRET } : undefined;
        const r = throughGateway(cluster, output, { session: false, method, path, headers });
        const arrived = !secret || r.headers?.authorization === `Bearer ${WEBHOOK_SECRET}`;
        results.push(needs('gateway', {
          check: `a webhook ${method} without a session${header ? ` (its secret in ${header === 'authorization' ? 'Authorization: Bearer' : header})` : ''} reaches ${es.metadata.namespace}/${es.metadata.name} at ${path}`,
          pass: r.ok && arrived,
          detail: r.ok && !arrived ? `the event source receives no "Authorization: Bearer <secret>", the only place Argo Events reads the secret from (pkg/eventsources/common/webhook/webhook.go), so it answers 401` : r.detail,
        }));
      }
    }
  }
  return results;
}

/**
 * With SSO (argo-server's ConfigMap has `sso`): argo-server reaches Kubeflow's Dex, and each SSO
 * account may create Workflows in the profiles it is bound in.
 */
function ssoChecks(all: readonly any[], output: readonly any[], server: any, nsLabels: (ns: string) => Record<string, string>): CheckResult[] {
  const results: CheckResult[] = [];
  // argo-server's "installation namespace": its --namespace flag, else its pod's
  const installedIn = (server.spec.template.spec.containers[0].args ?? []).map((a: string) => /^--namespace=(.+)$/.exec(a)?.[1]).find(Boolean) || server.metadata.namespace;
  const ssoConfig = output.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === installedIn && typeof o.data?.sso === 'string');
  if (ssoConfig) {
    if (parse(ssoConfig.data.sso)?.issuer === KUBEFLOW_DEX_ISSUER) {
      const from: PodRef = { namespace: server.metadata.namespace, labels: server.spec.template.metadata.labels ?? {} };
      const dex: PodRef = { namespace: KUBEFLOW_DEX.namespace, labels: KUBEFLOW_DEX.podLabels };
      const v = connectionAllowed(all, nsLabels, from, dex, KUBEFLOW_DEX.port);
      results.push({ check: `argo-server → Kubeflow's Dex (${dex.namespace}) on TCP ${KUBEFLOW_DEX.port}`, pass: v.allowed, detail: v.reason });
    }
    const accounts = output.filter((o) => o.kind === 'ServiceAccount' && o.metadata.annotations?.['workflows.argoproj.io/rbac-rule']);
    for (const b of output.filter((o) => o.kind === 'RoleBinding')) {
      const s = (b.subjects ?? [])[0];
      const account = s && accounts.find((a) => a.metadata.name === s.name && a.metadata.namespace === (s.namespace ?? b.metadata.namespace));
      if (!account) continue;
      const sa = { kind: 'ServiceAccount' as const, namespace: account.metadata.namespace, name: account.metadata.name };
      const ns = b.metadata.namespace;
      const by = whoGrants(all, sa, 'create', 'argoproj.io', 'workflows', ns);
      results.push(needs('rbac', { check: `SSO account ${sa.namespace}/${sa.name} may create Workflows in profile ${ns}`, pass: Boolean(by), detail: by ? `granted by ${by}` : `RoleBinding ${ns}/${b.metadata.name} binds ${b.roleRef.kind} ${b.roleRef.name}, which grants no create on workflows here (is kubeflow-edit missing argoproj.io rules? set kubeflowRoles: true)` }));
    }
  }
  return results;
}

/**
 * A check never passes on absence: when the dump lacks the objects it reads, it fails with
 * "cannot tell" and what to add. A cluster always has ClusterRoles and ServiceAccounts; the
 * gateway checks need the login's objects (oauth2-proxy's CUSTOM AuthorizationPolicy on 1.9+,
 * with the mesh config, mesh.yaml, that defines its provider; the authservice ConfigMap,
 * login.yaml, on 1.4 to 1.8).
 */
function unknowable(cluster: readonly any[], r: CheckResult): CheckResult | undefined {
  const need = NEEDS.get(r);
  if (!need) return undefined;
  const has = (kind: string) => cluster.some((o) => o.kind === kind);
  const custom = cluster.some((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === 'istio-system' && o.spec?.action === 'CUSTOM');
  const authservice = cluster.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'oidc-authservice-parameters');
  const mesh = cluster.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio' && o.metadata.namespace === 'istio-system');
  const lacks = need === 'gateway'
    ? (!custom && !authservice ? 'login objects: oauth2-proxy\'s CUSTOM AuthorizationPolicy (1.9+) or ConfigMap istio-system/oidc-authservice-parameters (login.yaml, 1.4 to 1.8)'
      : custom && !mesh ? 'ConfigMap istio-system/istio (mesh.yaml), which defines the CUSTOM policy\'s provider' : undefined)
    : need === 'rbac' ? (!has('ClusterRole') ? 'ClusterRoles' : undefined)
      : !has('ServiceAccount') ? 'ServiceAccounts' : undefined;
  return lacks ? { check: r.check, pass: false, detail: `cannot tell: the dump holds no ${lacks}; add them (see --help)` } : undefined;
}

/** What a check reads from the dump: the gateway's login objects, RBAC objects, or ServiceAccounts. */
type Need = 'gateway' | 'rbac' | 'accounts';
const NEEDS = new WeakMap<CheckResult, Need>();
/** `r`, marked as reading `need` (unknowable() fails it when the dump lacks that). */
function needs(need: Need, r: CheckResult): CheckResult {
  NEEDS.set(r, need);
  return r;
}

/**
 * argo-server holds no right that lets it obtain another account's token: where it may create
 * Secrets, it could create a `kubernetes.io/service-account-token` Secret for any ServiceAccount
 * of that namespace, which Kubernetes' token controller fills in with that account's token (it
 * fills any such Secret whose annotated account exists in the Secret's namespace). So every
 * other account there must be one whose token it may already read, or one no binding names.
 */
function tokenMintCheck(all: readonly any[], server: any): CheckResult {
  const me = { kind: 'ServiceAccount' as const, namespace: server.metadata.namespace, name: server.spec.template.spec.serviceAccountName ?? 'default' };
  const check = `argo-server (ServiceAccount ${me.namespace}/${me.name}) cannot obtain another account's token`;
  const namespaces = [...new Set(all.map((o) => (o.kind === 'Namespace' ? o.metadata.name : o.metadata?.namespace)).filter(Boolean))].sort() as string[];
  const problems: string[] = [];
  for (const ns of namespaces) {
    const grant = whoGrants(all, me, 'create', '', 'secrets', ns);
    if (!grant) continue;
    const accounts = [...new Set(['default', ...all.filter((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === ns).map((o) => o.metadata.name)])].sort();
    for (const name of accounts) {
      if (ns === me.namespace && name === me.name) continue;
      const bindings = [...new Map(all.filter((o) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
        && (o.subjects ?? []).some((x: any) => x.kind === 'ServiceAccount' && x.name === name && (x.namespace ?? o.metadata.namespace) === ns))
        .map((b) => [`${b.kind} ${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name} (${b.roleRef?.kind} ${b.roleRef?.name})`, b])).keys()].sort();
      if (bindings.length === 0) continue;
      const tokens = all.filter((o) => o.kind === 'Secret' && o.metadata.namespace === ns && o.type === 'kubernetes.io/service-account-token' && o.metadata.annotations?.['kubernetes.io/service-account.name'] === name);
      if (tokens.some((t) => whoGrants(all, me, 'get', '', 'secrets', ns, t.metadata.name) || whoGrants(all, me, 'watch', '', 'secrets', ns))) continue;
      problems.push(`it may create Secrets in ${ns} (${grant}), so it can create a service-account-token Secret for ServiceAccount ${ns}/${name} (bound by ${bindings.join(', ')}) and read its token`);
    }
  }
  return { check, pass: problems.length === 0, detail: problems.length ? `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}; run argo-server with sso.namespace, a namespace of its own` : 'it may create Secrets only where every other account is unbound or already readable by it' };
}

/** The names ProfileSsoAccess gives SSO accounts (lib/argo-server/profile-sso-access.ts), also before outputs were labelled. */
const SSO_ACCOUNT_NAME = /^argo-sso-(?:login|editor|viewer|[a-z0-9-]+-[0-9a-f]{8})$/;

/**
 * Nothing that left the output stays in the cluster (issue 20, item 5): per output label of the
 * output, every cluster object that carries it and is not in the output is stale (`prune.sh`
 * deletes it after the apply); and an SSO account of this project's naming without the label (an
 * output from before the label) that the output no longer has still admits its users.
 */
function staleChecks(cluster: readonly any[], output: readonly any[]): CheckResult[] {
  const id = (o: any) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
  const ident = (o: any) => `${groupKind(o)} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  const ours = new Set(output.map(ident));
  const results: CheckResult[] = [];
  const outputs = [...new Set(output.map((o) => o.metadata?.labels?.[OUTPUT_LABEL]).filter((v) => typeof v === 'string'))].sort() as string[];
  for (const name of outputs) {
    const stale = cluster.filter((o) => o.metadata?.labels?.[OUTPUT_LABEL] === name && !ours.has(ident(o))).map(id).sort();
    results.push({
      check: `no object labelled ${OUTPUT_LABEL}=${name} in the cluster has left the output`,
      pass: stale.length === 0,
      detail: stale.length ? `${stale.length} left it and still act (${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}): after applying, run sh prune.sh from the output directory` : 'every labelled object is in the output',
    });
  }
  const unlabelled = cluster.filter((o) => o.kind === 'ServiceAccount' && o.metadata?.annotations?.[RBAC_RULE_ANNOTATION] !== undefined
    && o.metadata.labels?.[OUTPUT_LABEL] === undefined && SSO_ACCOUNT_NAME.test(o.metadata.name) && !ours.has(ident(o))).map(id).sort();
  if (unlabelled.length) {
    results.push({
      check: 'no SSO account of an earlier output without the output label is left in the cluster',
      pass: false,
      detail: `${unlabelled.join(', ')} ${unlabelled.length === 1 ? 'is' : 'are'} not in the output and still admit${unlabelled.length === 1 ? 's' : ''} users to argo-server: delete ${unlabelled.length === 1 ? 'it' : 'them'} with ${unlabelled.length === 1 ? 'its' : 'their'} RoleBindings and token Secrets (prune.sh only finds labelled objects)`,
    });
  }
  return results;
}

/** The stand-in for a webhook's secret in the modelled requests. */
const WEBHOOK_SECRET = '<webhook secret>';

/** A RequestAuthentication rule set that reads `Authorization: Bearer` (Istio's default, or named in `fromHeaders`). */
function readsAuthorization(ra: any): boolean {
  return (ra.spec?.jwtRules ?? []).some((r: any) => !r.fromHeaders || r.fromHeaders.some((h: any) => String(h.name).toLowerCase() === 'authorization'));
}

/** EnvoyFilters of the output on a pod's sidecar that turn a header into `Authorization: Bearer` (lib/argo-events/webhook-token.ts). */
function bearerFilters(output: readonly any[], pod: PodRef): string[] {
  return output.filter((o) => o.kind === 'EnvoyFilter' && o.metadata.namespace === pod.namespace && o.metadata.annotations?.[TOKEN_HEADER_ANNOTATION]
    && Object.entries(o.spec?.workloadSelector?.labels ?? {}).every(([k, v]) => pod.labels[k] === v))
    .map((o) => String(o.metadata.annotations[TOKEN_HEADER_ANNOTATION]).toLowerCase());
}

/** The header a generic webhook's caller puts its secret in for this pod: the filter's, else Authorization. */
function tokenHeaderOf(output: readonly any[], pod: PodRef): string {
  return bearerFilters(output, pod)[0] ?? 'authorization';
}

/**
 * What the pod's sidecar passes on: the filter's Lua (test/slow/preflight-releases.test.ts runs it in
 * Lua 5.1) replaces `authorization` with `Bearer <header value>` and removes the header, when the
 * header is present.
 */
function bearerFromHeader(output: readonly any[], pod: PodRef, headers: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  for (const h of bearerFilters(output, pod)) {
    if (out[h] === undefined) continue;
    out.authorization = `Bearer ${out[h]}`;
    delete out[h];
  }
  return out;
}

/** The EventSource sections of sources the gateway calls (webhooks). */
const WEBHOOK_SECTIONS = ['github', 'gitlab', 'webhook'];

/** Whether an EventSource has a `kind` section. */
function hasSection(es: any, kind: string): boolean {
  return es.spec?.[kind] !== undefined;
}

/** An EventSource's pods. */
function eventSourcePod(es: any): PodRef {
  return { namespace: es.metadata.namespace, labels: eventSourceLabels(es) };
}

/** The pod labels of an EventSource: its template's, plus the `eventsource-name` label the controller sets. */
function eventSourceLabels(es: any): Record<string, string> {
  return { ...(es.spec.template?.metadata?.labels ?? {}), 'eventsource-name': es.metadata.name };
}

interface Passage {
  readonly ok: boolean;
  readonly detail: string;
  /** Headers the destination receives (lower-case). */
  readonly headers?: Record<string, string>;
}

/**
 * A request from outside through Kubeflow's gateway to its destination pod:
 * 1. the login: oauth2-proxy as the gateway's CUSTOM AuthorizationPolicy provider (mesh config
 *    `extensionProviders`, headers from `headersToUpstreamOnAllow`; with a session it allows and
 *    sets `authorization`, as `set_authorization_header = true` does), or oidc-authservice
 *    (ConfigMap `oidc-authservice-parameters`: a path with a `SKIP_AUTH_URI`/`SKIP_AUTH_URLS`
 *    prefix, or a session, passes; it adds only `kubeflow-userid`);
 * 2. the gateway's own DENY and ALLOW policies, with the request principal a RequestAuthentication
 *    gives a Bearer token. Istio runs the CUSTOM ext-authz filter before its JWT filter and the
 *    DENY/ALLOW RBAC filter after both (istio/istio#33374 review, #47255 "Re-order custom-authz in
 *    filter stack"), so the Dex JWT oauth2-proxy injects is what DENY `istio-ingressgateway-require-jwt`
 *    sees, as that policy's own comment in kubeflow/manifests 1.9+ says;
 * 3. the VirtualService bound to the gateway with the longest matching prefix: its header
 *    operations and URI rewrite;
 * 4. the destination's AuthorizationPolicies (peer: the gateway's identity) and NetworkPolicies.
 */
function throughGateway(cluster: readonly any[], output: readonly any[], client: Client): Passage {
  const all = [...cluster, ...output];
  let headers: Record<string, string> = { ...(client.headers ?? {}) };
  const gatewayWorkload: Workload = GATEWAY;
  const request = (): MeshRequest => ({ path: client.path, method: client.method, port: 80, headers });
  const first = authorize(all, gatewayWorkload, request());
  if (first.decision === 'CUSTOM') {
    const provider = meshProviders(cluster).find((p) => p.name === first.provider);
    if (!provider) return { ok: false, detail: `${first.reason}, which the mesh config does not define` };
    if (!client.session) return { ok: false, detail: `${first.reason}, which redirects a request without a session to the login (let the path past it: dist/kubeflow-patches/)` };
    for (const h of provider.envoyExtAuthzHttp?.headersToUpstreamOnAllow ?? []) {
      if (h.toLowerCase() === 'authorization') headers.authorization = 'Bearer <Dex ID token>';
    }
  } else if (first.decision === 'DENY') {
    return { ok: false, detail: `at the gateway: ${first.reason}` };
  }
  const authservice = cluster.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'oidc-authservice-parameters');
  if (authservice) {
    const skip = authserviceSkipList(authservice.data ?? {});
    if (!client.session && !skip.prefixes.some((s) => client.path.startsWith(s))) {
      return { ok: false, detail: `oidc-authservice redirects a request without a session to the login: ${client.path} is not under its skip list ${JSON.stringify(skip.prefixes)} (${skip.variable} of ConfigMap istio-system/oidc-authservice-parameters, ${skip.how}; add dist/kubeflow-patches/)` };
    }
    if (client.session) headers['kubeflow-userid'] = 'user@example.com';
  }
  const jwts = cluster.filter((o) => o.kind === 'RequestAuthentication' && o.metadata.namespace === 'istio-system'
    && Object.entries(o.spec?.selector?.matchLabels ?? {}).every(([k, v]) => GATEWAY.labels[k] === v));
  const own = client.headers?.authorization;
  const reader = own !== undefined && /^Bearer /.test(own) ? jwts.find(readsAuthorization) : undefined;
  if (reader) {
    // Istio: "A request that contains an invalid token will be rejected" (RequestAuthentication
    // reference); jwt_authn answers 401 before the RBAC filter, so notPaths cannot let it through
    return { ok: false, detail: `RequestAuthentication istio-system/${reader.metadata.name} on the gateway verifies every "Authorization: Bearer" as a JWT of its issuers; the caller's own token is not one, so Istio answers 401 before any AuthorizationPolicy (send the secret in a header the gateway does not read)` };
  }
  const jwt = jwts[0];
  const bearer = /^Bearer /.test(headers.authorization ?? '');
  const requestPrincipal = jwt && bearer ? `${jwt.spec.jwtRules?.[0]?.issuer}/user` : undefined;
  const atGateway = authorize(all.filter((o) => o.spec?.action !== 'CUSTOM'), gatewayWorkload, { ...request(), requestPrincipal });
  if (atGateway.decision !== 'ALLOW') return { ok: false, detail: `at the gateway: ${atGateway.reason}` };

  const routes = output.concat(cluster).filter((o) => o.kind === 'VirtualService' && (o.spec.gateways ?? []).includes(KUBEFLOW_GATEWAY))
    .flatMap((vs) => (vs.spec.http ?? []).map((h: any) => ({ vs, h })))
    .map(({ vs, h }) => ({ vs, h, m: (h.match ?? []).map((m: any) => m.uri).find((u: any) => (u?.prefix !== undefined && client.path.startsWith(u.prefix)) || u?.exact === client.path) }))
    .filter((x) => x.m && x.h.route)
    .sort((a, b) => (b.m.prefix ?? b.m.exact).length - (a.m.prefix ?? a.m.exact).length);
  const hit = routes[0];
  if (!hit) return { ok: false, detail: `no VirtualService on ${KUBEFLOW_GATEWAY} routes ${client.path}` };
  for (const name of hit.h.headers?.request?.remove ?? []) delete headers[String(name).toLowerCase()];
  headers = { ...headers, ...Object.fromEntries(Object.entries(hit.h.headers?.request?.set ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])) };
  const path = hit.h.rewrite?.uri !== undefined && hit.m.prefix !== undefined ? hit.h.rewrite.uri + client.path.slice(hit.m.prefix.length) : client.path;
  const dest = hit.h.route[0].destination;
  const [svcName, svcNs] = String(dest.host).split('.');
  const target = destinationPod(output, svcName, svcNs);
  if (!target) return { ok: false, detail: `VirtualService ${hit.vs.metadata.namespace}/${hit.vs.metadata.name} routes to ${dest.host}, which selects no pod of the output` };
  const port = target.port(dest.port?.number);
  const atPod = authorize(all, target.pod, { principal: GATEWAY.principal, namespace: GATEWAY.namespace, path: path.replace(/\/\/+/g, '/'), method: client.method, port, headers });
  if (atPod.decision !== 'ALLOW') return { ok: false, detail: `at ${target.name}: ${atPod.reason}` };
  const np = connectionAllowed(all, namespaceLabels(cluster), GATEWAY, target.pod, port);
  if (!np.allowed) return { ok: false, detail: `to ${target.name}: ${np.reason}` };
  headers = bearerFromHeader(output, target.pod, headers);
  return { ok: true, detail: `${first.decision === 'CUSTOM' ? `${first.reason}; ` : ''}gateway: ${atGateway.reason}; VirtualService ${hit.vs.metadata.namespace}/${hit.vs.metadata.name} → ${target.name}: ${atPod.reason}; ${np.reason}`, headers };
}

/**
 * oidc-authservice's skip list as the authservice that reads the variable parses it. Each commit
 * Kubeflow ships reads exactly one of the two variables:
 * - `SKIP_AUTH_URI`, commit `28c59ef` (Kubeflow 1.4–1.6): `main.go:77`
 *   `clean(strings.Split(os.Getenv("SKIP_AUTH_URI"), " "))`; `clean` (`util.go:65`) drops empty
 *   entries;
 * - `SKIP_AUTH_URLS`, commit `e236439` (Kubeflow 1.7–1.8): `settings.go:26` reads a `[]string`
 *   with kelseyhightower/envconfig v1.4.0, which splits on ","; `settings.go:86` trims each entry.
 *   A space-joined value stays one prefix (with its spaces), so `/dex` is no longer skipped.
 * Both match each entry as a path prefix (`handlers.go:213` / `server.go:355`).
 */
export function authserviceSkipList(data: Record<string, unknown>): { variable: string; prefixes: string[]; how: string } {
  if (data.SKIP_AUTH_URLS !== undefined) {
    const value = String(data.SKIP_AUTH_URLS);
    return { variable: 'SKIP_AUTH_URLS', prefixes: value === '' ? [] : value.split(',').map((s) => s.trim()), how: 'comma-separated (oidc-authservice e236439)' };
  }
  return { variable: 'SKIP_AUTH_URI', prefixes: String(data.SKIP_AUTH_URI ?? '').split(' ').filter(Boolean), how: 'space-separated (oidc-authservice 28c59ef)' };
}

/** The pods a Service of the output (or an event source's `<name>-eventsource-svc`) sends to. */
function destinationPod(output: readonly any[], svcName: string, svcNs: string): { name: string; pod: PodRef; port: (servicePort?: number) => number } | undefined {
  const svc = output.find((o) => o.kind === 'Service' && o.metadata.name === svcName && o.metadata.namespace === svcNs);
  if (svc) {
    const dep = output.find((o) => o.kind === 'Deployment' && o.metadata.namespace === svcNs
      && Object.entries(svc.spec.selector ?? {}).every(([k, v]) => o.spec.template.metadata.labels?.[k] === v));
    if (!dep) return undefined;
    return {
      name: `Deployment ${svcNs}/${dep.metadata.name}`,
      pod: { namespace: svcNs, labels: dep.spec.template.metadata.labels },
      port: (p) => { const sp = svc.spec.ports.find((x: any) => x.port === p) ?? svc.spec.ports[0]; return typeof sp.targetPort === 'number' ? sp.targetPort : sp.port; },
    };
  }
  const es = output.find((o) => o.kind === 'EventSource' && `${o.metadata.name}-eventsource-svc` === svcName && o.metadata.namespace === svcNs);
  if (!es) return undefined;
  return { name: `EventSource ${svcNs}/${es.metadata.name}`, pod: { namespace: svcNs, labels: eventSourceLabels(es) }, port: (p) => p ?? 12000 };
}

/** `extensionProviders` of the mesh config (ConfigMap istio-system/istio, key `mesh`). */
function meshProviders(cluster: readonly any[]): any[] {
  const cm = cluster.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio' && o.metadata.namespace === 'istio-system');
  if (!cm?.data?.mesh) return [];
  return parse(cm.data.mesh)?.extensionProviders ?? [];
}
