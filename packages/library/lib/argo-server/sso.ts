import ARTIFACT_REPOSITORIES from '../../imports/kfp-artifact-repositories.json';
import { ARGO_EVENTS_NAMESPACE, ARGO_SSO_NAMESPACE, KUBEFLOW_DEX_ISSUER, KUBEFLOW_DEX_PATH, SYSTEM_NAMESPACES } from '../constants';
import { Platform } from '../platform';
import { stringifyDocuments } from '../synth/yaml';
import {
  checkBoolean, checkDnsSubdomain, checkKnownKeys, checkList, checkNamespace, fail, isPlainPath, propNames, requireString, Where, within,
} from '../validation';

/** The Secret (in argo-server's SSO namespace, {@link ArgoServerSsoOptions.namespace}) that holds the OAuth2 client of argo-server at Dex. */
export interface SsoClientSecret {
  /** Secret name. */
  readonly name: string;
  /** Key of the client id. @default "client-id" */
  readonly clientIdKey?: string;
  /** Key of the client secret. @default "client-secret" */
  readonly clientSecretKey?: string;
}

/**
 * Single sign-on for argo-server through Kubeflow's Dex ({@link ArgoServerProps.sso}). argo-server
 * then runs `--auth-mode=sso --auth-mode=client` and reads its settings from a ConfigMap of its
 * own (`--configmap`), never KFP's `workflow-controller-configmap`.
 */
export interface ArgoServerSsoOptions {
  /**
   * The OIDC issuer argo-server discovers (`/.well-known/openid-configuration`) and verifies ID
   * tokens with; argo-server's pod must reach it. Must be exactly the issuer the provider puts in
   * its tokens.
   * @default "http://dex.auth.svc.cluster.local:5556/dex" (Kubeflow's Dex, every release)
   */
  readonly issuer?: string;

  /**
   * Where browsers reach the same issuer. Kubeflow's Dex advertises in-cluster endpoints, which a
   * browser cannot open; argo-server sends the browser to the advertised authorization endpoint,
   * so an EnvoyFilter on argo-server's own sidecar rewrites that redirect from `<issuer>/…` to
   * `<browserIssuer>/…` (what Kubeflow's own login does with `login_url=/dex/auth`). A path on
   * the Kubeflow host, or an http(s) URL; equal to `issuer` for an issuer both reach (no rewrite).
   * @default "/dex" (Kubeflow's gateway route to Dex)
   */
  readonly browserIssuer?: string;

  /**
   * The Secret with argo-server's client id and secret at the provider (created by the admin:
   * docs/login.md, "Log in with your Kubeflow account"). Only referenced; the output never holds it.
   * @default { name: "argo-server-sso", clientIdKey: "client-id", clientSecretKey: "client-secret" }
   */
  readonly clientSecret?: SsoClientSecret;

  /**
   * Where the provider sends the browser back: argo-server's `oauth2/callback` under its base
   * href. The default is relative, as Kubeflow registers its own clients, so it works on any host
   * (and through `kubectl port-forward`); it must equal a redirect URI of the provider's client.
   * @default "<baseHref>oauth2/callback", e.g. "/argo/oauth2/callback"
   */
  readonly redirectUrl?: string;

  /**
   * How long a login lasts (argo-server's own session token), a Go duration in hours/minutes,
   * e.g. "10h" or "90m".
   * @default "10h" (argo-server's own default)
   */
  readonly sessionExpiry?: string;

  /**
   * KFP's `artifactRepository` value, which argo-server needs to show artifacts and logs, as an
   * object (Argo's ArtifactRepository: `archiveLogs`, `s3` with Secret references, ...); it is
   * written as YAML into argo-server's ConfigMap.
   * @default - the value of the platform's KFP release (imports/kfp-artifact-repositories.json);
   *   required for a standalone KFP we hold no copy of
   */
  readonly artifactRepository?: Record<string, unknown>;

  /**
   * The namespace argo-server keeps its SSO state in (`argo server --namespace`, its "installation
   * namespace" in `server/apiserver/argoserver.go`, while its pod stays in its own): the ConfigMap
   * it reads (`--configmap`), the client Secret, the session key Secret `sso` it creates at start
   * (`server/auth/sso/sso.go` New: `Secrets(opts.Namespace).Create`, then `Get`), and the login
   * accounts it picks from. argo-server needs `create` on Secrets there, which RBAC cannot limit to
   * one name; in a namespace with other accounts (such as `kubeflow`, where
   * `profiles-controller-service-account` is bound to `cluster-admin`) that would let it create a
   * `kubernetes.io/service-account-token` Secret for any of them and read their tokens. So this
   * must be a namespace of its own: the output creates it, and holds nothing else there.
   * @default "argo-server-sso"
   */
  readonly namespace?: string;

  /**
   * Accept what argo-server 3.3 needs in SSO mode: list and watch on Secrets in every namespace
   * (`server/cache/cache.go` at v3.3.x keeps an informer on all Secrets of the cluster, as
   * upstream's own 3.3 ClusterRole grants; argo-workflows#8534, fixed by #8555 in v3.4.0 and not
   * backported). Refused without this on Kubeflow 1.6 to 1.8; from Argo 3.4 argo-server only gets
   * the chosen account's token Secret.
   * @default false
   */
  readonly allowClusterWideSecretList?: boolean;

  /**
   * Mark argo-server's cookies `Secure`, so browsers send the session only over https (or to
   * `localhost`, as through `kubectl port-forward`). argo-server runs `--secure=false` behind the
   * TLS gateway and so never sets it itself; the filter on its sidecar adds it (and `HttpOnly`).
   * Set false only if users reach Kubeflow over plain http on another host (Kubeflow's own
   * `FORCE_HTTPS=false`): browsers drop a `Secure` cookie sent over http there, and login loops.
   * @default true
   */
  readonly secureCookie?: boolean;

  /**
   * Admit only users whose provider verified their address (`email_verified == true` in every
   * rule), as Kubeflow 1.9+'s own login does. Only Argo 3.1 to 3.3 show the claim to the rules;
   * from 3.4 argo-server drops it before they run (`server/auth/types/claims.go`: `EmailVerified`
   * is `json:"-"`), so there it is refused: keep to connectors that verify addresses.
   * @default - true where the rules can see the claim (Argo 3.1 to 3.3), else false
   */
  readonly requireVerifiedEmail?: boolean;

  /**
   * Another issuer URL the provider's tokens may carry (argo-server's `issuerAlias`, Argo 3.2+).
   * @default - none
   */
  readonly issuerAlias?: string;

  /**
   * More scopes to request. `openid` and `email` always are, and `groups` when a profile's rule
   * names groups (a scope nobody reads only makes the session cookie bigger).
   * @default []
   */
  readonly scopes?: string[];

  /**
   * The claim that holds the user's groups, if not `groups` (argo-server's `customGroupClaimName`, Argo 3.2+).
   * @default - "groups"
   */
  readonly customGroupClaimName?: string;

  /**
   * Path of the provider's userinfo endpoint to read groups from, for providers that leave them
   * out of the ID token (argo-server's `userInfoPath`, Argo 3.2+), e.g. "/userinfo".
   * @default - groups from the ID token
   */
  readonly userInfoPath?: string;

  /**
   * Skip TLS verification of the issuer (argo-server's `insecureSkipVerify`, Argo 3.2+). Only for
   * a test provider with a self-signed certificate: prefer `rootCA` (Argo 4.0).
   * @default false
   */
  readonly insecureSkipVerify?: boolean;

  /**
   * Keep only the groups that match one of these regular expressions (argo-server's
   * `filterGroupsRegex`, Argo 3.4+), to keep the session cookie small for users in many groups.
   * @default - every group
   */
  readonly filterGroupsRegex?: string[];

  /**
   * PEM certificate(s) of the CA that signed the issuer's certificate (argo-server's `rootCA`, Argo 4.0+).
   * @default - the system's CAs
   */
  readonly rootCA?: string;
}

// the compiler checks this list against the options interface (propNames)
export const SSO_OPTIONS = propNames<ArgoServerSsoOptions>()(
  'issuer', 'browserIssuer', 'clientSecret', 'redirectUrl', 'sessionExpiry', 'artifactRepository', 'namespace', 'allowClusterWideSecretList',
  'secureCookie', 'requireVerifiedEmail', 'issuerAlias', 'scopes', 'customGroupClaimName', 'userInfoPath', 'insecureSkipVerify', 'filterGroupsRegex', 'rootCA',
);

/** The options written into argo-server's `sso` config as they are, and the `sso` config field each is (its line must read it). */
const PROVIDER_OPTIONS = {
  issuerAlias: 'issuerAlias', customGroupClaimName: 'customGroupClaimName', userInfoPath: 'userInfoPath',
  insecureSkipVerify: 'insecureSkipVerify', filterGroupsRegex: 'filterGroupsRegex', rootCA: 'rootCA',
} as const;

/** The SSO settings as checked, with defaults filled in. */
export interface SsoSettings {
  readonly issuer: string;
  readonly browserIssuer: string;
  readonly clientSecret: Required<SsoClientSecret>;
  readonly redirectUrl: string;
  readonly sessionExpiry: string;
  readonly artifactRepository: string;
  readonly namespace: string;
  readonly allowClusterWideSecretList: boolean;
  readonly secureCookie: boolean;
  readonly requireVerifiedEmail: boolean;
  /** Scopes asked for besides `openid`, `email` and (when rules read them) `groups`. */
  readonly scopes: readonly string[];
  /** The provider options given ({@link PROVIDER_OPTIONS}), checked, as argo-server reads them. */
  readonly provider: Readonly<Record<string, unknown>>;
}

/** Default Secret of argo-server's OAuth2 client (in its SSO namespace, and the same name in Dex's). */
export const DEFAULT_SSO_SECRET: Required<SsoClientSecret> = { name: 'argo-server-sso', clientIdKey: 'client-id', clientSecretKey: 'client-secret' };

/** An http(s) URL without spaces, quotes, backslashes or a query: safe in YAML, Lua and logs. */
const URL_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$/;
const GO_DURATION = /^(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * An http(s) URL as given. An issuer is kept exactly, trailing `/` included: go-oidc compares the
 * discovered `issuer` with the configured one byte for byte (`NewProvider`: "oidc: issuer did not
 * match"), and so does ID token verification, so an issuer that ends in `/` must stay so.
 */
function checkUrl(where: Where, value: unknown, what: string): string {
  requireString(where, value);
  if (!URL_PATTERN.test(value) || /['"\\]/.test(value)) {
    fail(where, value, `must be an http or https URL (${what})`, `use e.g. "${KUBEFLOW_DEX_ISSUER}"`);
  }
  return value;
}

/**
 * Checks the SSO namespace: a namespace of its own, never argo-server's or a Kubeflow system
 * namespace, whose accounts argo-server could otherwise mint tokens for (profile namespaces are
 * refused by ProfileSsoAccess, which knows them).
 */
function checkSsoNamespace(where: Where, value: unknown, serverNamespace: string): string {
  const ns = checkNamespace(where, value);
  if (ns === serverNamespace || SYSTEM_NAMESPACES.includes(ns) || ns === ARGO_EVENTS_NAMESPACE) {
    fail(where, ns, `holds other ServiceAccounts, and argo-server needs create on Secrets in its SSO namespace (RBAC cannot limit create to one name), so it could create a service-account-token Secret for any of them and read it`,
      `leave it out for "${ARGO_SSO_NAMESPACE}", or name a namespace used for nothing else`);
  }
  return ns;
}

/** Checks the `sso` prop of an ArgoServer in `serverNamespace` whose base href is `baseHref`. */
export function checkSso(where: Where, value: unknown, platform: Platform, baseHref: string, serverNamespace: string): SsoSettings {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(where, value, 'must be an object', 'pass {} for Kubeflow\'s Dex with every default, or e.g. { sessionExpiry: "8h" }');
  }
  checkKnownKeys(where, value, SSO_OPTIONS);
  const o = value as ArgoServerSsoOptions;
  const issuer = checkUrl(within(where, 'issuer'), o.issuer ?? KUBEFLOW_DEX_ISSUER, 'the issuer argo-server reaches');
  const browserWhere = within(where, 'browserIssuer');
  const browserRaw = o.browserIssuer ?? KUBEFLOW_DEX_PATH;
  requireString(browserWhere, browserRaw);
  if (browserRaw.startsWith('/') && (!isPlainPath(browserRaw) || browserRaw === '/')) {
    fail(browserWhere, browserRaw, 'must be a path on the Kubeflow host or an http(s) URL', 'use e.g. "/dex"');
  }
  // only a prefix to rewrite to (the login redirect), so a trailing "/" is dropped
  const browserIssuer = browserRaw.startsWith('/') ? browserRaw.replace(/\/+$/, '')
    : checkUrl(browserWhere, browserRaw, 'where browsers reach the issuer, or a path on the Kubeflow host').replace(/\/+$/, '');

  const secretWhere = within(where, 'clientSecret');
  const cs = o.clientSecret ?? DEFAULT_SSO_SECRET;
  checkKnownKeys(secretWhere, cs, ['name', 'clientIdKey', 'clientSecretKey']);
  if (!cs || typeof cs !== 'object') fail(secretWhere, cs, 'must be an object', `pass e.g. { name: "${DEFAULT_SSO_SECRET.name}" }`);
  const clientSecret = {
    name: checkDnsSubdomain(within(secretWhere, 'name'), cs.name),
    clientIdKey: checkSecretKey(within(secretWhere, 'clientIdKey'), cs.clientIdKey ?? DEFAULT_SSO_SECRET.clientIdKey),
    clientSecretKey: checkSecretKey(within(secretWhere, 'clientSecretKey'), cs.clientSecretKey ?? DEFAULT_SSO_SECRET.clientSecretKey),
  };
  if (clientSecret.name === 'sso') {
    fail(within(secretWhere, 'name'), cs.name, 'is the Secret argo-server keeps its session key in (it creates "sso" itself)', `use another name, e.g. "${DEFAULT_SSO_SECRET.name}"`);
  }
  if (clientSecret.clientIdKey === clientSecret.clientSecretKey) {
    fail(within(secretWhere, 'clientSecretKey'), clientSecret.clientSecretKey, 'is also the key of the client id', 'use two keys, e.g. "client-id" and "client-secret"');
  }

  const redirectWhere = within(where, 'redirectUrl');
  const redirectUrl = o.redirectUrl ?? `${baseHref}oauth2/callback`;
  requireString(redirectWhere, redirectUrl);
  const callback = `${baseHref}oauth2/callback`;
  const redirectPath = redirectUrl.startsWith('/') ? redirectUrl : URL_PATTERN.test(redirectUrl) ? new URL(redirectUrl).pathname : undefined;
  if (redirectPath !== callback) {
    fail(redirectWhere, redirectUrl, `must lead to argo-server's callback under its base href ("${callback}", or an http(s) URL with that path)`,
      `use "${callback}" (works on any host) or e.g. "https://kubeflow.example.com${callback}"`);
  }

  const sessionExpiry = o.sessionExpiry ?? '10h';
  if (typeof sessionExpiry !== 'string' || sessionExpiry === '' || !GO_DURATION.test(sessionExpiry) || !/[1-9]/.test(sessionExpiry)) {
    fail(within(where, 'sessionExpiry'), sessionExpiry, 'must be a positive Go duration in hours, minutes or seconds', 'use e.g. "10h" or "90m"');
  }

  const artifactRepository = o.artifactRepository === undefined
    ? defaultArtifactRepository(within(where, 'artifactRepository'), platform)
    : checkArtifactRepository(within(where, 'artifactRepository'), o.artifactRepository);
  const namespace = checkSsoNamespace(within(where, 'namespace'), o.namespace ?? ARGO_SSO_NAMESPACE, serverNamespace);
  const allowClusterWideSecretList = checkBoolean(within(where, 'allowClusterWideSecretList'), o.allowClusterWideSecretList ?? false);
  const lookup = platform.spec.argoWorkflows.sso.accountLookup;
  if (lookup === 'cluster-informer-with-secrets' && !allowClusterWideSecretList) {
    fail(within(where, 'allowClusterWideSecretList'), o.allowClusterWideSecretList,
      `is not set, and argo-server ${platform.spec.argoWorkflows.line.name} (${platform.id}) keeps an informer on every Secret of the cluster in SSO mode, so it needs list and watch on Secrets in all namespaces`,
      'set allowClusterWideSecretList: true to accept that, or use a platform with Argo 3.4 or later (Kubeflow 1.9+), where argo-server reads only the chosen account\'s token');
  }
  if (lookup !== 'cluster-informer-with-secrets' && o.allowClusterWideSecretList !== undefined) {
    fail(within(where, 'allowClusterWideSecretList'), o.allowClusterWideSecretList,
      `only applies to argo-server 3.3; ${platform.id} runs ${platform.spec.argoWorkflows.line.name}`, 'remove it');
  }
  const secureCookie = checkBoolean(within(where, 'secureCookie'), o.secureCookie ?? true);
  const argo = platform.spec.argoWorkflows;
  const canVerify = argo.sso.emailVerifiedInRules;
  const requireVerifiedEmail = checkBoolean(within(where, 'requireVerifiedEmail'), o.requireVerifiedEmail ?? canVerify);
  if (requireVerifiedEmail && !canVerify) {
    fail(within(where, 'requireVerifiedEmail'), o.requireVerifiedEmail,
      `cannot be honoured on ${platform.id}: argo-server ${argo.line.name} drops email_verified before the rules run (server/auth/types/claims.go, EmailVerified is json:"-" from v3.4.0)`,
      'remove it, and let only connectors that verify addresses into Dex (Kubeflow\'s static passwords, LDAP and GitHub do)');
  }
  const scopes = checkList(within(where, 'scopes'), o.scopes ?? [], checkScope, { allowEmpty: true });
  return {
    issuer, browserIssuer, clientSecret, redirectUrl, sessionExpiry, artifactRepository, namespace, allowClusterWideSecretList,
    secureCookie, requireVerifiedEmail, scopes, provider: checkProviderOptions(where, o, platform),
  };
}

/** A scope: a word of printable characters; `openid`, `email` and `groups` are the construct's. */
function checkScope(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(value)) fail(where, value, 'must be an OAuth2 scope (printable characters, no spaces, quotes or backslashes)', 'use e.g. "profile"');
  if (['openid', 'email', 'groups'].includes(value)) fail(where, value, 'is requested by the construct already (groups when a rule names groups)', 'remove it');
  return value;
}

/** The provider options argo-server's `sso` config reads on this line, checked; one its line does not read is refused. */
function checkProviderOptions(where: Where, o: ArgoServerSsoOptions, platform: Platform): Record<string, unknown> {
  const argo = platform.spec.argoWorkflows;
  const out: Record<string, unknown> = {};
  for (const [prop, field] of Object.entries(PROVIDER_OPTIONS) as [keyof typeof PROVIDER_OPTIONS, string][]) {
    const value = o[prop];
    if (value === undefined) continue;
    const w = within(where, prop);
    if (!argo.sso.configFields.includes(field)) {
      fail(w, value, `is not read by argo-server ${argo.line.name} (${platform.id}): its sso config has ${argo.sso.configFields.join(', ')}`, 'remove it, or use a platform whose Argo line reads it');
    }
    out[field] = prop === 'issuerAlias' ? checkUrl(w, value, 'another issuer the tokens may carry')
      : prop === 'insecureSkipVerify' ? checkBoolean(w, value)
        : prop === 'filterGroupsRegex' ? checkList(w, value, checkRegex)
          : prop === 'rootCA' ? checkPem(w, value)
            : prop === 'userInfoPath' ? checkUserInfoPath(w, value)
              : checkClaimName(w, value);
  }
  return out;
}

function checkRegex(where: Where, value: unknown): string {
  requireString(where, value);
  try {
    new RegExp(value);
  } catch {
    fail(where, value, 'is not a regular expression', 'use e.g. "^kubeflow-.*"');
  }
  if (/[\\]Q|\(\?[<P]/.test(value)) fail(where, value, 'uses syntax Go\'s regexp and JavaScript read differently', 'write it without \\Q or named groups');
  return value;
}

function checkPem(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/.test(value.trim() + '\n') || value.includes('PRIVATE KEY')) {
    fail(where, '<PEM text>', 'must be PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)', 'pass the CA certificate\'s PEM text, never a key');
  }
  return value;
}

function checkUserInfoPath(where: Where, value: unknown): string {
  requireString(where, value);
  if (!isPlainPath(value) || value === '/') fail(where, value, 'must be a path on the issuer, e.g. "/userinfo"', 'use the path of the provider\'s userinfo endpoint');
  return value;
}

function checkClaimName(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^[A-Za-z0-9_.:/-]{1,128}$/.test(value)) fail(where, value, 'must be a claim name (letters, digits, "_", "-", ".", ":", "/")', 'use e.g. "roles"');
  return value;
}

function checkSecretKey(where: Where, value: unknown): string {
  requireString(where, value);
  if (!SECRET_KEY.test(value) || value.length > 253) fail(where, value, 'must be a Secret data key (letters, digits, "-", "_", ".")', 'use e.g. "client-secret"');
  return value;
}

/** Argo's ArtifactRepository fields (config/config.go, 3.1 to 4.0). */
const ARTIFACT_REPOSITORY_KEYS = ['archiveLogs', 's3', 'artifactory', 'hdfs', 'oss', 'gcs', 'azure'];

function checkArtifactRepository(where: Where, value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
    fail(where, value, 'must be an ArtifactRepository object', 'pass the artifactRepository of your workflow-controller-configmap as an object, e.g. { archiveLogs: true, s3: { ... } }');
  }
  checkKnownKeys(where, value, ARTIFACT_REPOSITORY_KEYS);
  return stringifyDocuments([value]);
}

/** KFP's own value for the platform: its standalone KFP's copy, else its Kubeflow release's. */
function defaultArtifactRepository(where: Where, platform: Platform): string {
  const { release, kfp } = platform.spec.kubeflow;
  const repos = ARTIFACT_REPOSITORIES as { kubeflow: Record<string, { artifactRepository: string }>; kfp: Record<string, { artifactRepository: string }> };
  const minor = kfp.split('.').slice(0, 2).join('.');
  const standalone = Object.entries(repos.kfp).find(([tag]) => tag.startsWith(`${minor}.`));
  const own = Platform.ALL.find((p) => p.spec.kubeflow.release === release)?.spec.kubeflow.kfp;
  if (own !== undefined && own.split('.').slice(0, 2).join('.') === minor) return repos.kubeflow[release].artifactRepository;
  if (standalone) return standalone[1].artifactRepository;
  return fail(where, undefined, `has no default for ${platform.id}: we hold no copy of KFP ${kfp}'s workflow-controller-configmap (only ${Object.keys(repos.kfp).join(', ')} and each Kubeflow release's)`,
    'pass the artifactRepository of your workflow-controller-configmap (kubectl -n kubeflow get configmap workflow-controller-configmap -o jsonpath="{.data.artifactRepository}") as an object');
}

/**
 * The data of argo-server's own ConfigMap: `sso` and KFP's `artifactRepository`. `groups` is
 * requested only when a rule reads it (`rulesReadGroups`).
 */
export function ssoConfigData(s: SsoSettings, rulesReadGroups: boolean): Record<string, string> {
  const sso = {
    issuer: s.issuer,
    clientId: { name: s.clientSecret.name, key: s.clientSecret.clientIdKey },
    clientSecret: { name: s.clientSecret.name, key: s.clientSecret.clientSecretKey },
    redirectUrl: s.redirectUrl,
    // openid is always added; email (and groups) are what the rules read
    scopes: ['email', ...(rulesReadGroups ? ['groups'] : []), ...s.scopes],
    sessionExpiry: s.sessionExpiry,
    rbac: { enabled: true },
    ...s.provider,
  };
  return { sso: stringifyDocuments([sso]), artifactRepository: s.artifactRepository };
}
