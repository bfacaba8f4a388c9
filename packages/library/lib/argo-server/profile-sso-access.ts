import { ApiObject } from 'cdk8s';
import { createHash } from 'crypto';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import type { ArgoServer } from './argo-server';
import { RBAC_PRECEDENCE_ANNOTATION, RBAC_RULE_ANNOTATION, rbacRule, VERIFIED } from './sso-rules';
import { brand, hasBrand } from '../brands';
import { ARGO_SERVER_NAME } from '../constants';
import { Platform, resolvePlatform } from '../platform';
import { CheckedProfile, checkProfileList, KubeflowProfile } from '../kubeflow/profile';

export type { KubeflowProfile } from '../kubeflow/profile';
import {
  checkDnsSubdomain, checkKnownKeys, compareText, checkOneOf, fail, propNames, snapshotProps, Where, whereIn, within,
} from '../validation';

const at = whereIn('ProfileSsoAccess');

/** Options for {@link ArgoServer.addProfileAccess}. */
export interface ProfileSsoAccessOptions {
  /** The profiles whose members may log in, each with an owner. */
  readonly profiles: KubeflowProfile[];
  /**
   * The ClusterRole members get in their profiles: Kubeflow's own editor role, which carries Argo
   * rights from KFP 1.8 (Kubeflow 1.5); on Kubeflow 1.4 add {@link KubeflowArgoRoles}.
   * @default "kubeflow-edit"
   */
  readonly clusterRole?: string;
  /**
   * What a user gets in a listed profile they are not a member of. `none`: nothing; someone in no
   * profile matches no rule and is refused. `view`: read-only (`viewClusterRole`) in every listed
   * profile for anyone who can log in to Dex, and members see the other profiles read-only too.
   * @default "none"
   */
  readonly defaultAccess?: SsoDefaultAccess;
  /**
   * The ClusterRole of `defaultAccess: "view"`: Kubeflow's viewer role (Argo rights from KFP 1.8;
   * on Kubeflow 1.4 with {@link KubeflowArgoRoles}).
   * @default "kubeflow-view"
   */
  readonly viewClusterRole?: string;
}

/** What users get where they are not members ({@link ProfileSsoAccessOptions.defaultAccess}). */
export type SsoDefaultAccess = 'none' | 'view';

/** Props for {@link ProfileSsoAccess}. */
export interface ProfileSsoAccessProps extends ProfileSsoAccessOptions {
  /** The argo-server (with `sso`) users log in to. */
  readonly server: ArgoServer;
  /**
   * Platform preset (must be the server's).
   * @default - the server's
   */
  readonly platform?: Platform;
}

// the compiler checks these lists against the interfaces (propNames)
export const PROFILE_ACCESS_OPTIONS = propNames<ProfileSsoAccessOptions>()('profiles', 'clusterRole', 'defaultAccess', 'viewClusterRole');
const PROPS = propNames<ProfileSsoAccessProps>()('profiles', 'clusterRole', 'defaultAccess', 'viewClusterRole', 'server', 'platform');

/** One SSO account: a ServiceAccount argo-server may choose, its rule and its token Secret. */
export interface SsoAccount {
  /** The ServiceAccount. */
  readonly serviceAccount: k8s.KubeServiceAccount;
  /** Its token Secret (`kubernetes.io/service-account-token`; Kubernetes fills the token). */
  readonly tokenSecret: k8s.KubeSecret;
  /** The `expr` rule of its `workflows.argoproj.io/rbac-rule` annotation. */
  readonly rule: string;
  /** Its `workflows.argoproj.io/rbac-rule-precedence`. */
  readonly precedence: number;
  /** The profile namespaces it may work in (`clusterRole`); none for the login account. */
  readonly profiles: readonly string[];
  /** The profile namespaces it may only view (`viewClusterRole`), with `defaultAccess: "view"`. */
  readonly viewProfiles: readonly string[];
}

/** The account in each profile namespace (Argo 3.3+), and its token Secret. */
export const PROFILE_ACCOUNT = 'argo-sso-editor';
/**
 * The login account in argo-server's namespace (Argo 3.3+): no rights. Up to 3.7 a user must
 * match it before any profile account applies; from 4.0 a profile account alone admits its
 * members to its namespace (`rbacAuthorization` at v4.0.10 goes on when no login account
 * matches: "fix: fetch sa in delegate namespace when no sa matched", argo-workflows#14614), and
 * the login account serves the calls that name no namespace.
 */
export const LOGIN_ACCOUNT = 'argo-sso-login';
/** The account anyone who logs in matches on Argo 3.1 and 3.2 with `defaultAccess: "view"` (lowest precedence). */
export const VIEWER_ACCOUNT = 'argo-sso-viewer';
/** The Role (and RoleBinding) that lets argo-server read the accounts' tokens, in each namespace holding some. */
export const TOKEN_READER = 'argo-server-sso-tokens';

/**
 * Lets the members of Kubeflow profiles log in to argo-server with SSO (Kubeflow's Dex) and work
 * in their own profiles with Kubeflow's editor rights, and nowhere else; anyone else matches no
 * rule and is refused (`no service account rule matches`), unless `defaultAccess: "view"` lets
 * everyone who logs in view the profiles. What it makes follows the Argo line
 * (argo-workflows `server/auth/gatekeeper.go` `rbacAuthorization` at the line's tag):
 *
 * - Argo 3.3+ (namespace delegation): in each profile namespace, ServiceAccount
 *   `argo-sso-editor` whose rule matches exactly the owner and contributors (and groups),
 *   precedence 1, bound to `kubeflow-edit` there; in argo-server's namespace, `argo-sso-login`,
 *   precedence 0 and no rights, whose rule matches every member of every profile (up to 3.7 each
 *   user must match a login account before a namespace account can apply; from 4.0 the profile
 *   account alone admits its members, so a profile account left in the cluster keeps admitting
 *   users the output has removed: prune what leaves the output, `prune.sh`).
 * - Argo 3.1, 3.2 (one account per user, from argo-server's namespace only): a ServiceAccount
 *   per user in argo-server's namespace, whose rule matches that user, bound to `kubeflow-edit`
 *   in each of that user's profiles.
 *
 * Each account gets a `kubernetes.io/service-account-token` Secret (Kubernetes 1.24+ no longer
 * makes them; the output holds no token) named `<account>-<hash>.service-account-token`, the hash
 * over its members and rights, so a membership change makes a new token and `prune.sh` deletes
 * the old one (profile contributors can read the token: they hold `kubeflow-edit` there). It is
 * listed in the account's `.secrets` where the line finds it only there (before 3.4.2), else
 * named by the annotation `workflows.argoproj.io/service-account-token.name`; argo-server gets
 * `get` on exactly those Secrets (3.3 reads them from its cluster-wide Secret informer instead:
 * `sso.allowClusterWideSecretList`).
 */
export class ProfileSsoAccess extends Construct {
  /** True for a ProfileSsoAccess of this library (also across duplicate installs of the package). */
  public static isProfileSsoAccess(x: unknown): x is ProfileSsoAccess {
    return hasBrand(x, 'ProfileSsoAccess');
  }

  /** The platform preset. */
  public readonly platform: Platform;
  /** The profiles, sorted by namespace. */
  public readonly profiles: readonly KubeflowProfile[];
  /** The SSO accounts, login account first, then by namespace and name. */
  public readonly accounts: readonly SsoAccount[];
  /** The argo-server the accounts are for. */
  public readonly server: ArgoServer;
  /** A rule names `groups` (argo-server then asks the provider for the `groups` scope). */
  public readonly rulesReadGroups: boolean;

  constructor(scope: Construct, id: string, props: ProfileSsoAccessProps) {
    super(scope, id);
    brand(this, 'ProfileSsoAccess');
    try {
      props = snapshotProps('ProfileSsoAccess', props);
      if (!props) fail(at('props'), props, 'are required', 'pass { server, profiles: [...] }');
      checkKnownKeys(at(''), props, PROPS);
      const server = props.server;
      if (!hasBrand(server, 'ArgoServer')) fail(at('server'), typeof server, 'must be an ArgoServer construct', 'use argoServer.addProfileAccess(...)');
      this.platform = resolvePlatform(at('platform'), props.platform, this, { platform: server.platform, from: 'server' });
      if (!server.sso) {
        fail(at('server'), server.node.path, 'has no sso: its users paste tokens and no account is chosen for them', 'set sso on the ArgoServer (e.g. sso: {})');
      }
      const roles = checkRoles(props);
      this.profiles = checkProfiles(at('profiles'), props.profiles, this.platform);
      // argo-server's SSO namespace (its --namespace): the login accounts live there
      const home = server.sso.namespace;
      this.profiles.forEach((p, i) => {
        if (p.namespace === home) {
          fail(at(`profiles[${i}].namespace`), p.namespace, `is argo-server's SSO namespace, where it may create Secrets (and so mint tokens for the profile's accounts)`,
            'give ArgoServer sso.namespace a namespace of its own');
        }
      });
      const plans = planAccounts(this.profiles, home, server.sso.requireVerifiedEmail, roles.view, this.platform.spec.argoWorkflows.sso.namespaceDelegation);
      this.accounts = plans.map((plan) => addAccount(this, plan, roles, this.platform.spec.argoWorkflows.sso.tokenSecretByName));
      // argo-server reads exactly these tokens (gatekeeper authorizationForServiceAccount: a get by
      // name; 3.3 reads them from its cluster-wide Secret informer instead, see ArgoServer)
      if (this.platform.spec.argoWorkflows.sso.accountLookup !== 'cluster-informer-with-secrets') addTokenReaders(this, this.accounts, server.namespace);
      // what lives in argo-server's SSO namespace follows its Namespace in the output (see ArgoServer)
      for (const c of this.node.findAll()) {
        if (ApiObject.isApiObject(c) && c.metadata.namespace === home && server.ssoNamespaceObject) c.addDependency(server.ssoNamespaceObject);
      }
      this.server = server;
      this.rulesReadGroups = this.profiles.some((p) => (p.groups ?? []).length > 0);
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}

/** The roles the accounts bind: `clusterRole` in their profiles, with `defaultAccess: "view"` `viewClusterRole` elsewhere. */
interface AccountRoles {
  readonly role: string;
  readonly view: boolean;
  readonly viewRole: string;
}

function checkRoles(props: ProfileSsoAccessProps): AccountRoles {
  const role = checkDnsSubdomain(at('clusterRole'), props.clusterRole ?? 'kubeflow-edit');
  const view = checkOneOf(at('defaultAccess'), props.defaultAccess ?? 'none', SSO_DEFAULT_ACCESS) === 'view';
  const viewRole = checkDnsSubdomain(at('viewClusterRole'), props.viewClusterRole ?? 'kubeflow-view');
  if (!view && props.viewClusterRole !== undefined) {
    fail(at('viewClusterRole'), props.viewClusterRole, 'is set while defaultAccess is not "view"', 'remove it, or set defaultAccess: "view"');
  }
  return { role, view, viewRole };
}

/** One SSO account to make: where it lives, its rule and precedence, and the profiles it edits and views. */
interface AccountPlan {
  readonly cid: string;
  readonly namespace: string;
  readonly name: string;
  readonly rule: string;
  readonly precedence: number;
  readonly profiles: readonly string[];
  readonly viewProfiles: readonly string[];
}

/**
 * The accounts argo-server's SSO RBAC picks from, in output order (docs/login.md's table). With
 * namespace delegation (3.3+): a login account that admits the members (with "view": anyone, and
 * views every profile), and in each profile an account for its members, which outranks it there.
 * Before: one account per user; with "view", it also views the other profiles, and anyone else
 * matches the viewer account, which ranks below every user's.
 */
function planAccounts(profiles: readonly KubeflowProfile[], home: string, verified: boolean, view: boolean, delegation: boolean): AccountPlan[] {
  const all = profiles.map((p) => p.namespace);
  // sso.requireVerifiedEmail: every rule also requires a verified address
  const anyone = verified ? VERIFIED : ANYONE;
  const plan = (cid: string, namespace: string, name: string, rule: string, precedence: number, edit: readonly string[], viewProfiles: readonly string[] = []): AccountPlan =>
    ({ cid, namespace, name, rule, precedence, profiles: edit, viewProfiles });
  if (delegation) {
    const everyone = { emails: profiles.flatMap(members), groups: profiles.flatMap((p) => p.groups ?? []) };
    return [
      plan('Login', home, LOGIN_ACCOUNT, view ? anyone : rbacRule(everyone, verified), 0, [], view ? all : []),
      ...profiles.map((p) => plan(`Profile-${p.namespace}`, p.namespace, PROFILE_ACCOUNT, rbacRule({ emails: members(p), groups: p.groups }, verified), 1, [p.namespace])),
    ];
  }
  const byUser = new Map<string, string[]>();
  for (const p of profiles) for (const email of members(p)) byUser.set(email, [...(byUser.get(email) ?? []), p.namespace]);
  const users = [...byUser.keys()].sort().map((email) => {
    const own = byUser.get(email)!;
    return plan(`User-${email}`, home, userAccountName(email), rbacRule({ emails: [email] }, verified), 0, own, view ? all.filter((ns) => !own.includes(ns)) : []);
  });
  return view ? [...users, plan('Viewer', home, VIEWER_ACCOUNT, anyone, -1, [], all)] : users;
}

/** An account: its ServiceAccount with argo-server's annotations, its token Secret, and its RoleBindings. */
function addAccount(scope: Construct, a: AccountPlan, roles: AccountRoles, tokenSecretByName: boolean): SsoAccount {
  const { cid, namespace, name, rule, precedence, profiles, viewProfiles } = a;
  // The token Secret's name holds a hash of what the account grants to whom, so a change of
  // membership or rights makes a new token, and prune.sh deletes the old Secret, which
  // ends its token (profile contributors can read it: they hold kubeflow-edit there).
  const token = tokenSecretName(name, { rule, precedence, profiles, viewProfiles, role: roles.role, viewRole: roles.viewRole });
  const serviceAccount = new k8s.KubeServiceAccount(scope, `${cid}Account`, {
    metadata: {
      name, namespace,
      annotations: {
        [RBAC_RULE_ANNOTATION]: rule, [RBAC_PRECEDENCE_ANNOTATION]: String(precedence),
        // from 3.4.2 argo-server takes the Secret this annotation names (util/secrets/secret_name.go
        // TokenNameForServiceAccount: the account's first listed Secret, else this, else "<account>.service-account-token")
        ...(tokenSecretByName ? { [TOKEN_NAME_ANNOTATION]: token } : {}),
      },
    },
    // up to 3.4.1 argo-server takes the first Secret the account lists (util/secrets); from
    // 3.4.2 the annotation names it, and listing it would make Kubernetes 1.29+ treat it as
    // an auto-generated legacy token it may clean up
    ...(tokenSecretByName ? {} : { secrets: [{ name: token }] }),
    // workloads never run as these accounts
    automountServiceAccountToken: false,
  });
  const tokenSecret = new k8s.KubeSecret(scope, `${cid}Token`, {
    metadata: { name: token, namespace, annotations: { 'kubernetes.io/service-account.name': name } },
    type: 'kubernetes.io/service-account-token',
  });
  const bind = (ns: string, clusterRole: string) => new k8s.KubeRoleBinding(scope, `${cid}Binding-${ns}`, {
    metadata: { name, namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
  for (const ns of profiles) bind(ns, roles.role);
  for (const ns of viewProfiles) bind(ns, roles.viewRole);
  return { serviceAccount, tokenSecret, rule, precedence, profiles, viewProfiles };
}

/** Per namespace, a Role that lets argo-server get exactly the token Secrets of the accounts there. */
function addTokenReaders(scope: Construct, accounts: readonly SsoAccount[], serverNamespace: string): void {
  const tokensByNamespace = new Map<string, string[]>();
  for (const a of accounts) {
    const namespace = a.serviceAccount.metadata.namespace!;
    tokensByNamespace.set(namespace, [...(tokensByNamespace.get(namespace) ?? []), a.tokenSecret.name]);
  }
  for (const [namespace, tokens] of [...tokensByNamespace.entries()].sort(([a], [b]) => compareText(a, b))) {
    new k8s.KubeRole(scope, `TokenReader-${namespace}`, {
      metadata: { name: TOKEN_READER, namespace },
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [...tokens].sort(), verbs: ['get'] }],
    });
    new k8s.KubeRoleBinding(scope, `TokenReaderBinding-${namespace}`, {
      metadata: { name: TOKEN_READER, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: TOKEN_READER },
      subjects: [{ kind: 'ServiceAccount', name: ARGO_SERVER_NAME, namespace: serverNamespace }],
    });
  }
}

/** The choices of {@link ProfileSsoAccessOptions.defaultAccess}. */
const SSO_DEFAULT_ACCESS: readonly SsoDefaultAccess[] = ['none', 'view'];

/** The annotation that names an account's token Secret (argo-workflows `workflow/common/common.go`, v3.4.2+). */
export const TOKEN_NAME_ANNOTATION = 'workflows.argoproj.io/service-account-token.name';

/**
 * The token Secret of an SSO account: `<account>-<hash>.service-account-token`, the hash (8 hex
 * digits of SHA-256) taken over what the account grants to whom.
 */
export function tokenSecretName(account: string, grants: object): string {
  return `${account}-${createHash('sha256').update(JSON.stringify(grants)).digest('hex').slice(0, 8)}.service-account-token`;
}

/** The rule every logged-in user matches. */
const ANYONE = 'true';

/** The owner and contributors of a profile. */
function members(p: KubeflowProfile): string[] {
  return [p.owner!, ...(p.contributors ?? [])];
}

/**
 * The per-user account name (Argo 3.1, 3.2): `argo-sso-` and the address as a DNS label, cut to
 * fit, plus a hash of the exact address, so two addresses never share an account.
 */
export function userAccountName(email: string): string {
  const slug = email.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 44).replace(/-+$/, '');
  const hash = createHash('sha256').update(email).digest('hex').slice(0, 8);
  return `argo-sso-${slug}-${hash}`;
}

/**
 * Checks the profiles for SSO: the checks every profile gets (lib/kubeflow/profile.ts), then what
 * SSO needs of each: an owner, and `groups` only where the Argo line can honour them.
 */
export function checkProfiles(where: Where, value: unknown, platform: Platform): CheckedProfile[] {
  const argo = platform.spec.argoWorkflows;
  return checkProfileList(where, value, {
    namespaceOnly: false,
    also: (w, p) => {
      if (p.owner === undefined) {
        fail(within(w, 'owner'), p.owner, `is missing: profile "${p.namespace}" needs its owner for SSO (the Profile's spec.owner.name)`, 'add owner: "<the owner\'s e-mail address>"');
      }
      if (p.groups.length && !argo.sso.namespaceDelegation) {
        fail(within(w, 'groups'), p.groups, `cannot be used on ${platform.id} (Argo ${argo.line.name}): it gives each user one account, so a user in a group and in another profile would lose one of them`,
          'list the members\' e-mail addresses as contributors instead');
      }
      if (p.groups.length && argo.sso.strictClaims) {
        fail(within(w, 'groups'), p.groups, `cannot be used on ${platform.id} (Argo ${argo.line.name}): a rule that names "groups" refuses every user whose token has no groups (argo-workflows#13061: rules are compiled against the claims from v3.4.17 and v3.5.5)`,
          'list the members\' e-mail addresses as contributors instead');
      }
    },
  });
}
