// A Kubeflow profile as the constructs take it, and the checks every profile gets, in one place:
// KubeflowArgoChart (which also takes a bare namespace) and ProfileSsoAccess (which adds what SSO
// needs: an owner, groups only where the Argo line honours them) both check through it.
import { checkKnownKeys, checkList, checkProfileNamespace, compareText, fail, requireString, ValidationError, Where, within } from '../validation';

/** A Kubeflow profile: its namespace and who may work in it, as its Profile and KFAM say. */
export interface KubeflowProfile {
  /** The profile's namespace (its name). */
  readonly namespace: string;
  /**
   * The owner's e-mail address (`spec.owner.name` of the Profile): the address the user logs in
   * to Kubeflow with. Required for SSO.
   * @default - none
   */
  readonly owner?: string;
  /**
   * E-mail addresses of the contributors (KFAM's RoleBindings `user-<email>-clusterrole-edit`).
   * @default []
   */
  readonly contributors?: string[];
  /**
   * Groups whose members may work in the profile (the `groups` claim from Dex). Only on Argo
   * 3.3 (Kubeflow 1.6 to 1.8): 3.1 and 3.2 give each user one account, and from v3.4.17 and
   * v3.5.5 (so Kubeflow 1.9's pinned 3.4.18 too) a rule naming `groups` refuses every user whose
   * token has no groups (argo-workflows#13061).
   * @default []
   */
  readonly groups?: string[];
}

/** A profile as checked: its namespace, and its members with the lists filled in. */
export interface CheckedProfile {
  readonly namespace: string;
  readonly owner?: string;
  readonly contributors: string[];
  readonly groups: string[];
}

/** Runs `check`; a ValidationError it raises about a member also names the profile. */
export function inProfile<T>(namespace: string, check: () => T): T {
  const name = `profile "${namespace}"`;
  try {
    return check();
  } catch (e) {
    if (e instanceof ValidationError && !e.problem.includes(name)) throw new ValidationError(e.owner, e.prop, e.value, `(${name}) ${e.problem}`, e.fix);
    throw e;
  }
}

/** How a list of profiles is checked. */
export interface ProfileListOptions {
  /** A bare namespace (`"team-a"`) is a profile without members. */
  readonly namespaceOnly: boolean;
  /** An empty list is allowed. @default false */
  readonly allowEmpty?: boolean;
  /**
   * What the caller needs of each profile beyond the common checks (run in order, naming the profile).
   * @default - nothing more
   */
  readonly also?: (where: Where, profile: CheckedProfile) => void;
}

/**
 * Checks a list of profiles: each a profile object (or, with `namespaceOnly`, a namespace), its
 * namespace, the owner's and contributors' addresses (each once; the owner not again as a
 * contributor) and its groups (each once); no namespace twice. Sorted by namespace: the output
 * must not depend on the order profiles happen to be listed in.
 */
export function checkProfileList(where: Where, value: unknown, options: ProfileListOptions): CheckedProfile[] {
  const seen = new Set<string>();
  const profiles = checkList(where, value, (w, v) => {
    const profile = checkProfile(w, v, options.namespaceOnly);
    if (seen.has(profile.namespace)) fail(within(w, 'namespace'), profile.namespace, 'is listed twice', 'list each profile once, with all its contributors');
    seen.add(profile.namespace);
    if (options.also) inProfile(profile.namespace, () => options.also!(w, profile));
    return profile;
  }, { allowEmpty: options.allowEmpty ?? false });
  return profiles.sort((a, b) => compareText(a.namespace, b.namespace));
}

function checkProfile(w: Where, v: unknown, namespaceOnly: boolean): CheckedProfile {
  if (namespaceOnly && typeof v === 'string') return { namespace: checkProfileNamespace(w, v), contributors: [], groups: [] };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    fail(w, v, namespaceOnly ? 'must be a profile namespace or a profile object' : 'must be a profile object',
      namespaceOnly ? 'pass e.g. "team-a" or { namespace: "team-a", owner: "alice@example.com" }' : 'pass e.g. { namespace: "team-a", owner: "alice@example.com" }');
  }
  checkKnownKeys(w, v, ['namespace', 'owner', 'contributors', 'groups']);
  const p = v as KubeflowProfile;
  const namespace = checkProfileNamespace(within(w, 'namespace'), p.namespace);
  const name = `profile "${namespace}"`;
  return inProfile(namespace, () => {
    const owner = p.owner === undefined ? undefined : checkEmail(within(w, 'owner'), p.owner);
    // (checkList refuses an address listed twice among the contributors)
    const contributors = checkList(within(w, 'contributors'), p.contributors ?? [], checkEmail, { allowEmpty: true });
    contributors.forEach((c, i) => {
      if (c === owner) fail(within(w, `contributors[${i}]`), c, `is already the owner of ${name}`, 'list each address once per profile');
    });
    const groups = checkList(within(w, 'groups'), p.groups ?? [], checkGroup, { allowEmpty: true });
    groups.forEach((g, i) => {
      if (groups.indexOf(g) !== i) fail(within(w, `groups[${i}]`), g, `is listed twice in ${name}`, 'list each group once');
    });
    return { namespace, ...(owner === undefined ? {} : { owner }), contributors, groups };
  });
}

/**
 * An e-mail address as Kubeflow keys users (the `email` claim, the profile's owner): the WHATWG
 * "valid e-mail address" form, which has no quotes, backslashes or spaces.
 */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Checks an e-mail address (a profile's owner or contributor). */
export function checkEmail(where: Where, value: unknown): string {
  requireString(where, value);
  if (value.length > 254 || !EMAIL.test(value)) {
    fail(where, value, 'is not an e-mail address', 'write the address the user logs in to Kubeflow with, e.g. "alice@example.com"');
  }
  return value;
}

/** Checks a group name as Dex passes it in the `groups` claim (any printable text). */
export function checkGroup(where: Where, value: unknown): string {
  requireString(where, value);
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > 256 || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) {
    fail(where, value, 'is not a group name (1 to 256 printable characters)', 'write the group as your Dex connector puts it in the "groups" claim, e.g. "ml-team"');
  }
  return value;
}
