// Issue 23, case 4: single sign-on to the Argo UI through Kubeflow's Dex, run for real
// (test/support/request-path.ts with `sso`: the reference app's SSO output applied, the client Secret as
// docs/login.md step 1 makes it, Dex of the release with the output's static client and the
// Component's changes to its Deployment, argo-server of the preset's tag behind its sidecar's Lua
// filter, and on 1.9+ Kubeflow's own login in front). A browser-like client, logged in to Kubeflow
// where its login runs, signs in at `/argo/` through Dex: argo-server's redirect to Dex's
// in-cluster address is rewritten to `/dex/` by the filter, Dex's form takes the password, the
// callback sets argo-server's session. Then, as docs/login.md's table says: argo-server picks the
// login account (3.1: the user's own) and, in the profile, the profile's, for a token without
// groups; the profile's owner and
// its contributor list, create and delete workflows in `team-a` and get 403 elsewhere; a stranger
// gets 403 everywhere (with `defaultAccess: 'view'`: lists the profile, may not create, 403
// elsewhere); logging out (the UI's login page) ends the session; after a contributor
// leaves the profile and the new output is applied and pruned (prune.sh, docs/login.md), their old
// session and a new login are refused while the owner keeps working.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { outputFiles } from '../../packages/library/lib/synth/output-formats';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { referenceApp } from '../../scripts/rights-doc';
import { REQUEST_PATH_PRESETS } from '../support/argo-server-bin';
import { Browser, forms, Page } from '../support/browser';
import { clusterBinaries } from '../support/cluster';
import { loadClusterFixture } from '../support/cluster-fixtures';
import { hasOauth2Proxy } from '../support/login-bin';
import { PASSWORD } from '../support/login-stack';
import { RequestPath, requestPathForBlock } from '../support/request-path';
import { describeUnless, hasKubectl, lua51 } from '../support/util';

const CASES = REQUEST_PATH_PRESETS;
const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const why = bins.skipped ?? (lua51() ? undefined : 'lua5.1 is missing') ?? CASES.map((p) => loadClusterFixture(p)).map((f) => ('skipped' in f ? f.skipped : undefined)).find(Boolean);
// eslint-disable-next-line no-console
if (why) console.log(`SSO request path tests skipped: ${why}`);

/** Fails with what happened: the page, the browser's trail and the programs' logs. */
function fail(what: string, page: Page, rp: RequestPath, b: Browser): never {
  throw new Error(`${what}: status ${page.status} at ${page.url}\n${page.body.slice(0, 500)}\n--- trail ---\n${b.trail.join('\n')}\n${rp.logs()}`);
}

/** Submits Dex's password form on `page` as `user`. */
async function dexPassword(b: Browser, page: Page, user: string, rp: RequestPath): Promise<Page> {
  const form = forms(page).find((f) => 'password' in f.fields);
  if (!form) fail(`no Dex password form for ${user}`, page, rp, b);
  return b.submit(page, form, { login: user, password: PASSWORD });
}

/** Lists the workflows of `ns` as `who` and fails with the trail unless the status is `want`. */
async function expectList(rp: RequestPath, b: Browser, ns: string, want: number, who: string): Promise<void> {
  const r = await b.api('GET', `/argo/api/v1/workflows/${ns}`);
  if (r.status !== want) fail(`${who} lists ${ns}`, r, rp, b);
}

/** A browser signed in to the Argo UI as `user` (after Kubeflow's own login where it runs). */
async function argoSession(rp: RequestPath, platform: (typeof CASES)[number], user: string): Promise<Browser> {
  const b = new Browser(rp.gateway.port);
  if (hasOauth2Proxy(platform)) {
    const start = await b.get('/');
    const signIn = forms(start).find((f) => f.action.includes('/oauth2/start'));
    if (!signIn) fail('no Kubeflow sign-in button', start, rp, b);
    const home = await dexPassword(b, await b.submit(start, signIn), user, rp);
    if (home.body !== `dashboard for ${user}`) fail(`Kubeflow login of ${user}`, home, rp, b);
  }
  // the UI's single sign-on button: /argo/oauth2/redirect
  const dex = await b.get('/argo/oauth2/redirect?redirect=%2Fargo%2Fworkflows');
  if (!dex.url.startsWith('/dex/')) fail('argo-server\'s login redirect did not reach Dex through the gateway', dex, rp, b);
  const back = await dexPassword(b, dex, user, rp);
  if (back.status !== 200 || !back.url.startsWith('/argo/')) fail(`SSO login of ${user}`, back, rp, b);
  return b;
}

/** The reference app without contributors, written as the synth writes it, applied, and pruned with its prune.sh. */
function applyWithoutContributors(rp: RequestPath, platform: (typeof CASES)[number], dir: string): void {
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  const synthesized = synthesizeApp(referenceApp(platform, true, []));
  for (const f of outputFiles(synthesized)) {
    fs.mkdirSync(path.join(out, path.dirname(f.file)), { recursive: true });
    fs.writeFileSync(path.join(out, f.file), f.text);
  }
  const applied = rp.cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: synthesized.flatMap((f) => f.objects) }));
  if (applied.status !== 0 || applied.stderr) throw new Error(`applying the new output: ${applied.stderr}`);
  const kubectlDir = path.dirname(spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim());
  const pruned = spawnSync('sh', [path.join(out, 'prune.sh'), '--kubeconfig', rp.cluster.kubeconfig], { encoding: 'utf8', env: { ...process.env, PATH: `${kubectlDir}:${process.env.PATH}` } });
  if (pruned.status !== 0) throw new Error(`prune.sh: ${pruned.stderr}`);
}

/** Polls `check` for up to 20 s (the API server accepts a deleted account's token for up to 10 s: docs/login.md). */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) if (await check()) return true;
  return check();
}

describeUnless(why).each(CASES.map((p) => [p.id, p] as const))('%s: single sign-on for real', (_id, platform) => {
  let rp: RequestPath;
  const dir = requestPathForBlock(platform, bins as { etcd: string; kubernetes: string }, { sso: true }, (x) => { rp = x; });


  test('case 4: the owner signs in through Dex, lists, creates and deletes workflows in the profile, and is refused elsewhere', async () => {
    const b = await argoSession(rp, platform, 'alice@example.com');
    const session = b.cookies('/argo/');
    expect(session).toMatch(/authorization=/);
    await expectList(rp, b, 'team-a', 200, 'owner');
    const template = rp.objects.find((o) => o.kind === 'WorkflowTemplate' && o.metadata.namespace === 'team-a');
    const created = await b.api('POST', '/argo/api/v1/workflows/team-a', { namespace: 'team-a', workflow: { metadata: { generateName: 'sso-' }, spec: { workflowTemplateRef: { name: template.metadata.name } } } });
    if (created.status !== 200) fail('owner creates in team-a', created, rp, b);
    const name = JSON.parse(created.body).metadata.name;
    const deleted = await b.api('DELETE', `/argo/api/v1/workflows/team-a/${name}`);
    if (deleted.status !== 200) fail('owner deletes in team-a', deleted, rp, b);
    for (const ns of ['kubeflow', 'argo-server-sso']) await expectList(rp, b, ns, 403, 'owner');
  }, 120_000);

  test('case 4: argo-server picks the accounts docs/login.md\'s table names, for a user whose token has no groups', async () => {
    const b = await argoSession(rp, platform, 'alice@example.com');
    const logged = () => rp.argo.log(Number.MAX_SAFE_INTEGER).split('\n');
    const before = logged().length;
    await expectList(rp, b, 'team-a', 200, 'owner');
    const listing = logged().slice(before - 1);
    // userinfo answers the claims argo-server keeps and the account it used for this request, which
    // names no namespace: the login account (server/info/info_server.go GetUserInfo; the
    // gatekeeper's getClientsForServiceAccount sets claims.ServiceAccountName)
    const info = await b.api('GET', '/argo/api/v1/userinfo');
    if (info.status !== 200) fail('userinfo', info, rp, b);
    const user = JSON.parse(info.body);
    // Dex's static passwords carry no groups claim: the rules admit her without one (3.4.17+ and
    // 3.5.5+ refuse a user whose token lacks a claim a rule names)
    expect([user.email, user.groups ?? []]).toEqual(['alice@example.com', []]);
    const perUser = /^v3\.[12]\./.test(rp.argo.build.version);
    expect(user.serviceAccountName).toMatch(perUser ? /^argo-sso-alice-example-com-[0-9a-f]{8}$/ : /^argo-sso-login$/);
    if (perUser) return;
    // in the profile, the profile's account acts for her: argo-server's audit line for the list
    // (server/auth/gatekeeper.go rbacAuthorization, "selected SSO RBAC service account for user")
    const line = listing.find((l) => l.includes('selected SSO RBAC service account') && l.includes('alice@example.com'));
    if (!line) throw new Error(`argo-server logged no account for alice@example.com:\n${rp.logs()}`);
    expect(line).toMatch(/\bserviceAccount"?[=:]\s*"?argo-sso-editor\b/);
    expect(line).toMatch(/\bssoDelegated"?[=:]\s*"?true\b/);
  }, 120_000);

  test('case 4: a contributor works in the profile; a stranger signs in and is refused everywhere', async () => {
    const bob = await argoSession(rp, platform, 'bob@example.com');
    await expectList(rp, bob, 'team-a', 200, 'contributor');
    const mallory = await argoSession(rp, platform, 'mallory@example.com');
    for (const ns of ['team-a', 'kubeflow']) await expectList(rp, mallory, ns, 403, 'stranger');
  }, 120_000);

  test('case 4: logging out (the UI reloads its login page) ends the session', async () => {
    const b = await argoSession(rp, platform, 'alice@example.com');
    await expectList(rp, b, 'team-a', 200, 'the owner before logout');
    await b.get('/argo/login?redirect=%2Fargo%2F');
    expect(b.cookies('/argo/')).not.toMatch(/authorization=/);
    await expectList(rp, b, 'team-a', 401, 'the owner after logout');
  }, 120_000);

  test('case 4: after the documented prune, a contributor who left is refused with the old session and with a new login; the owner keeps working', async () => {
    const alice = await argoSession(rp, platform, 'alice@example.com');
    const bob = await argoSession(rp, platform, 'bob@example.com');
    await expectList(rp, bob, 'team-a', 200, 'the contributor before leaving');
    applyWithoutContributors(rp, platform, dir);
    const refused = (b: Browser) => async () => [401, 403].includes((await b.api('GET', '/argo/api/v1/workflows/team-a')).status);
    if (!await eventually(refused(bob))) fail('the old session of a contributor who left', await bob.api('GET', '/argo/api/v1/workflows/team-a'), rp, bob);
    const again = await argoSession(rp, platform, 'bob@example.com');
    await expectList(rp, again, 'team-a', 403, 'a new login of the contributor who left');
    await expectList(rp, alice, 'team-a', 200, 'the owner after the prune');
  }, 120_000);
});

describeUnless(why).each(CASES.map((p) => [p.id, p] as const))('%s: single sign-on with defaultAccess "view", for real', (_id, platform) => {
  let rp: RequestPath;
  requestPathForBlock(platform, bins as { etcd: string; kubernetes: string }, { sso: true, app: referenceApp(platform, true, ['bob@example.com'], 'view') }, (x) => { rp = x; });


  test('case 4: a stranger views the listed profile read-only (docs/login.md: defaultAccess "view") and nothing else; the owner still works there', async () => {
    const mallory = await argoSession(rp, platform, 'mallory@example.com');
    await expectList(rp, mallory, 'team-a', 200, 'a stranger with defaultAccess view');
    const template = rp.objects.find((o) => o.kind === 'WorkflowTemplate' && o.metadata.namespace === 'team-a');
    const body = { namespace: 'team-a', workflow: { metadata: { generateName: 'view-' }, spec: { workflowTemplateRef: { name: template.metadata.name } } } };
    const created = await mallory.api('POST', '/argo/api/v1/workflows/team-a', body);
    if (created.status !== 403) fail('a stranger with defaultAccess view creates in team-a', created, rp, mallory);
    await expectList(rp, mallory, 'kubeflow', 403, 'a stranger with defaultAccess view');
    const alice = await argoSession(rp, platform, 'alice@example.com');
    const made = await alice.api('POST', '/argo/api/v1/workflows/team-a', body);
    if (made.status !== 200) fail('the owner creates in team-a with defaultAccess view', made, rp, alice);
  }, 120_000);
});
