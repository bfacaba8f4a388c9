
/**
 * argo-server's SSO RBAC rules: `expr` expressions over the user's claims, as the annotation
 * `workflows.argoproj.io/rbac-rule` of a ServiceAccount. argo-server turns the claims into JSON
 * (`jsonutil.Jsonify`) and evaluates each rule with them as the environment
 * (`server/auth/gatekeeper.go`). `email` and `groups` are `omitempty` in every line's
 * `server/auth/types/claims.go`: a user without groups has no `groups` at all.
 *
 * The rules written here use only what the oldest dialect (antonmedv/expr 1.8, Argo 3.1) and
 * the newest (expr-lang, Argo 3.4.17+/3.5.5+) both read the same way: string literals, `==`, `in`
 * on a list of strings, `||`, `&&`, `!= nil` and `any(list, {# in [...]})`.
 * test/slow/sso-releases.test.ts evaluates them with the exact expr module and call of each preset's
 * argo-server tag (test/fixtures/exprrules, built per tag from the Go module proxy).
 */

/** The annotations argo-server reads on an SSO RBAC account. */
export const RBAC_RULE_ANNOTATION = 'workflows.argoproj.io/rbac-rule';
export const RBAC_PRECEDENCE_ANNOTATION = 'workflows.argoproj.io/rbac-rule-precedence';

/**
 * An `expr` string literal: JSON's double-quoted form. Its escapes (`\"`, `\\`, `\n`, `\uXXXX`)
 * are the ones both expr dialects read back as the same text.
 */
export function exprString(value: string): string {
  return JSON.stringify(value);
}

/** The users a rule matches: any of these e-mail addresses, or anyone in one of these groups. */
export interface RuleMembers {
  readonly emails: readonly string[];
  readonly groups?: readonly string[];
}

/**
 * The rule that matches exactly `members`: `email in ["a", "b"]` (one address: `email == "a"`),
 * or'ed with `groups != nil && any(groups, {# in ["g"]})` when there are groups. The nil check
 * keeps the rule from failing for a user in no group on lines that evaluate without compiling
 * against the claims (up to 3.4.16 and 3.5.4); newer tags refuse such a rule outright for such a user, so
 * callers write groups only where {@link ArgoSsoPreset.strictClaims} is false. With
 * `verifiedOnly`, the rule also requires {@link VERIFIED}.
 */
export function rbacRule(members: RuleMembers, verifiedOnly = false): string {
  const emails = [...new Set(members.emails)].sort();
  const groups = [...new Set(members.groups ?? [])].sort();
  if (emails.length === 0 && groups.length === 0) throw new Error('rbacRule: no members');
  const list = (items: readonly string[]) => `[${items.map(exprString).join(', ')}]`;
  const parts: string[] = [];
  if (emails.length === 1) parts.push(`email == ${exprString(emails[0])}`);
  else if (emails.length > 1) parts.push(`email in ${list(emails)}`);
  if (groups.length) parts.push(`(groups != nil && any(groups, {# in ${list(groups)}}))`);
  const who = parts.join(' || ');
  return verifiedOnly ? `${VERIFIED} && (${who})` : who;
}

/**
 * The condition that the provider verified the address: `email_verified` is in the claims the
 * rules see only when true (3.1 to 3.3: `email_verified,omitempty`), so `== true` is false for a
 * user without it, in both dialects ({@link ArgoSsoPreset.emailVerifiedInRules}).
 */
export const VERIFIED = 'email_verified == true';
