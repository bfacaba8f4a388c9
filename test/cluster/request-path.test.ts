// Issue 23: the request path run for real (test/support/request-path.ts starts it: the API server, the
// release's objects and the preset's output, argo-server of the preset's tag, on 1.9+ Dex and
// oauth2-proxy at the release's versions, all behind the gateway model). Through the gateway, with a
// browser-like client (test/support/browser.ts):
// - case 1, Kubeflow's login with our output applied (1.9+, where its login runs here): `/` shows
//   oauth2-proxy's sign-in page, whose button leads through Dex's login form back to `/`, which
//   reaches the central dashboard's route as the user (the `kubeflow-userid` header the gateway sets
//   from Dex's token); Dex's pages pass the login without looping; a wrong password stays on Dex's form;
// - case 2, the UI: `/argo` redirects to `/argo/`, which answers the page with `<base href="/argo/">`,
//   and every file the page names loads under it;
// - case 3, client-mode login as docs/login.md documents it, after the Kubeflow login where it runs:
//   a token of the profile's `default-editor`, sent as the UI sends it (the `authorization` cookie
//   its login box sets, which argo-server reads when no Authorization header comes:
//   server/auth/gatekeeper.go getAuthHeaders), lists and creates workflows in its profile and is
//   refused (403) in another namespace and across all; sent as the CLI sends it (an Authorization
//   header) it works on 1.4-1.8, and on 1.9+ the gateway refuses it (401: no Kubeflow JWT) while a
//   Dex token passes the gateway (and reaches argo-server without it: the route removes it).
// Not run: oidc-authservice (1.4-1.8: its Go module cannot be had; see docs/development.md).
// SSO is case 4 (test/cluster/sso-path.test.ts), webhooks case 5 (test/cluster/events-path.test.ts).
// A failing case prints the request, the status, the browser's trail and the programs' last log lines.
import { REQUEST_PATH_PRESETS } from '../support/argo-server-bin';
import { Answer, Browser, forms, Page } from '../support/browser';
import { clusterBinaries } from '../support/cluster';
import { loadClusterFixture } from '../support/cluster-fixtures';
import { hasOauth2Proxy } from '../support/login-bin';
import { PASSWORD } from '../support/login-stack';
import { RequestPath, requestPathForBlock } from '../support/request-path';
import { describeUnless, hasKubectl } from '../support/util';

const CASES = REQUEST_PATH_PRESETS;
const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const why = bins.skipped ?? CASES.map((p) => loadClusterFixture(p)).map((f) => ('skipped' in f ? f.skipped : undefined)).find(Boolean);
// eslint-disable-next-line no-console
if (why) console.log(`request path tests skipped: ${why}`);

/** Fails with the request, the answer, the browser's trail and the programs' logs when the status is not `want`. */
function expectStatus(what: string, got: Answer, want: number, rp: RequestPath, browser?: Browser): void {
  if (got.status !== want) {
    throw new Error(`${what}: status ${got.status}, expected ${want}\n${got.body.slice(0, 600)}\n${browser ? `--- trail ---\n${browser.trail.join('\n')}\n` : ''}${rp.logs()}`);
  }
}

/** Logs in to Kubeflow as `user` from `/` (oauth2-proxy's sign-in page, Dex's form) and returns the last page. */
async function kubeflowLogin(b: Browser, user: string, password: string): Promise<Page> {
  const start = await b.get('/');
  const signIn = forms(start).find((f) => f.action.includes('/oauth2/start'));
  if (!signIn) throw new Error(`no sign-in button at /: ${start.status}\n${start.body.slice(0, 400)}\n${b.trail.join('\n')}`);
  const dex = await b.submit(start, signIn);
  const form = forms(dex).find((f) => 'password' in f.fields);
  if (!form) throw new Error(`no Dex login form after the sign-in button: ${dex.status}\n${dex.body.slice(0, 400)}\n${b.trail.join('\n')}`);
  return b.submit(dex, form, { login: user, password });
}

describeUnless(why).each(CASES.map((p) => [p.id, p] as const))('%s: the request path for real', (_id, platform) => {
  let rp: RequestPath;
  requestPathForBlock(platform, bins as { etcd: string; kubernetes: string }, {}, (x) => { rp = x; });
  const login = hasOauth2Proxy(platform);
  /** A browser logged in to Kubeflow where its login runs. */
  const session = async () => {
    const b = new Browser(rp.gateway.port);
    if (login) expectStatus('Kubeflow login', await kubeflowLogin(b, 'user@example.com', PASSWORD), 200, rp, b);
    return b;
  };


  (login ? test : test.skip)('case 1: Kubeflow login through oauth2-proxy and Dex reaches the dashboard as the user; Dex is not looped; a wrong password stays on Dex', async () => {
    const b = new Browser(rp.gateway.port);
    const page = await kubeflowLogin(b, 'user@example.com', PASSWORD);
    expectStatus('Kubeflow login', page, 200, rp, b);
    expect([page.url, page.body]).toEqual(['/', 'dashboard for user@example.com']);
    // through Dex's pages and back: each /dex/ step answered by Dex itself, none sent to the login again
    const dexSteps = b.trail.filter((t) => t.includes(' /dex/'));
    expect(dexSteps.length).toBeGreaterThan(0);
    expect(dexSteps.length).toBeLessThan(6);
    expect(b.trail.filter((t) => / \/oauth2\/start/.test(t))).toHaveLength(1);
    const again = await b.get('/');
    expect([again.status, again.body]).toEqual([200, 'dashboard for user@example.com']);
    const wrong = new Browser(rp.gateway.port);
    const refused = await kubeflowLogin(wrong, 'user@example.com', 'not-the-password');
    // Dex answers its form again (200, or 401 from v2.37), saying why
    if (![200, 401].includes(refused.status)) expectStatus('Dex with a wrong password', refused, 401, rp, wrong);
    expect(forms(refused).some((f) => 'password' in f.fields)).toBe(true);
    expect(refused.body).toMatch(/Invalid (Email Address|username) and password/i);
    expect((await wrong.get('/')).body).not.toContain('dashboard for');
  }, 120_000);

  test('case 2: /argo redirects to /argo/, which is the UI page with base href /argo/; every file it names loads under it', async () => {
    const b = await session();
    const redirect = await b.once('GET', '/argo');
    expectStatus('GET /argo', redirect, 301, rp, b);
    expect(redirect.headers.location).toBe('/argo/');
    const page = await b.get('/argo/');
    expectStatus('GET /argo/', page, 200, rp, b);
    expect(page.body).toContain('<base href="/argo/">');
    expect(page.body).not.toContain('<base href="/">');
    const named = [...page.body.matchAll(/(?:href|src)="([^"/][^"]*)"/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const file of named) {
      const got = await b.get(`/argo/${file}`);
      expectStatus(`GET /argo/${file}`, got, 200, rp, b);
      expect([file, got.body]).toEqual([file, `stand-in: ${file}\n`]); // the file argo-server embeds (test/support/argo-server-bin.ts)
    }
  }, 120_000);

  test('case 3: a profile default-editor token, as the UI sends it, lists and creates workflows in its profile and is refused elsewhere; as the CLI sends it, per release', async () => {
    const b = await session();
    const token = rp.cluster.kubectl(['create', 'token', 'default-editor', '-n', 'team-a', '--duration=1h']).stdout.trim();
    expect(token).toMatch(/^ey/);
    // no argo token yet: argo-server asks for one
    expectStatus('GET /argo/api/v1/workflows/team-a (no token)', await b.api('GET', '/argo/api/v1/workflows/team-a'), 401, rp, b);
    // the login box's setCookie('authorization', token) (ui/src/shared/cookie.ts): the value as typed, `Bearer <token>`
    b.setCookie(`authorization=${encodeURIComponent(`Bearer ${token}`).replace(/%20/g, ' ')}; Path=/`, '/argo/');
    expectStatus('GET /argo/api/v1/workflows/team-a (cookie)', await b.api('GET', '/argo/api/v1/workflows/team-a'), 200, rp, b);
    const template = rp.objects.find((o) => o.kind === 'WorkflowTemplate' && o.metadata.namespace === 'team-a');
    const parameters = (template.spec.arguments?.parameters ?? []).map((p: any) => ({ name: p.name, value: p.value ?? 'x' }));
    const created = await b.api('POST', '/argo/api/v1/workflows/team-a', {
      namespace: 'team-a', workflow: { metadata: { generateName: 'path-' }, spec: { workflowTemplateRef: { name: template.metadata.name }, arguments: { parameters } } },
    });
    expectStatus('POST /argo/api/v1/workflows/team-a (cookie)', created, 200, rp, b);
    const name = JSON.parse(created.body).metadata.name;
    // the Workflow is on the API server, made with the caller's token
    expect(rp.cluster.kubectl(['get', 'workflows.argoproj.io', name, '-n', 'team-a', '-o', 'name']).stdout.trim()).toBe(`workflow.argoproj.io/${name}`);
    expect(JSON.parse((await b.api('GET', '/argo/api/v1/workflows/team-a')).body).items.map((w: any) => w.metadata.name)).toContain(name);
    expectStatus('GET /argo/api/v1/workflows/kubeflow (cookie)', await b.api('GET', '/argo/api/v1/workflows/kubeflow'), 403, rp, b);
    expectStatus('GET /argo/api/v1/workflows/ (all namespaces, cookie)', await b.api('GET', '/argo/api/v1/workflows/'), 403, rp, b);
    await cliCases(rp, token);
  }, 120_000);
});

/** The token in an Authorization header, as the argo CLI sends it, from outside any browser session. */
async function cliCases(rp: RequestPath, token: string): Promise<void> {
  const cli = new Browser(rp.gateway.port);
  const asCli = await cli.api('GET', '/argo/api/v1/workflows/team-a', undefined, { authorization: `Bearer ${token}` });
  if (!rp.release.some((o) => o.kind === 'RequestAuthentication')) {
    expectStatus('GET /argo/api/v1/workflows/team-a (Authorization header)', asCli, 200, rp, cli);
    return;
  }
  // the release's RequestAuthentication on the gateway (Kubeflow 1.9+: dex-jwt) verifies every bearer
  expectStatus('GET /argo/api/v1/workflows/team-a (Authorization header, 1.9+)', asCli, 401, rp, cli);
  expect(asCli.body).toBe('Jwt verification fails'); // the gateway's, not argo-server's
  if (!rp.login) return;
  // a Dex token (what oauth2-proxy passed to the dashboard) passes the gateway; the route removes it,
  // so argo-server sees no token and asks for one (its own 401, not the gateway's)
  const dexToken = rp.dashboardAuthorization();
  expect(dexToken).toMatch(/^Bearer ey/);
  const asM2m = await cli.api('GET', '/argo/api/v1/workflows/team-a', undefined, { authorization: dexToken! });
  expectStatus('GET /argo/api/v1/workflows/team-a (Dex token)', asM2m, 401, rp, cli);
  expect(asM2m.body).not.toBe('Jwt verification fails');
}
