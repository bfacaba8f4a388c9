// Issue 23, case 5: webhooks for real. The request path (test/support/request-path.ts) with Argo Events
// run by its own controllers and programs (test/support/events-path.ts) for an app with a GitHub source
// (branch `main`, the commit and the branch as workflow parameters) and a generic webhook (its
// message as a parameter), both triggering the profile's template. Sent to the public URL through
// the gateway (and, on 1.9+, oauth2-proxy's ext_authz and the event source's sidecar filter):
// - a GitHub push signed as GitHub signs it (X-Hub-Signature and X-Hub-Signature-256, HMAC of the
//   body with the webhook secret), and a webhook call with its secret in the header the preset's
//   docs name, each create one Workflow of the profile's template, submitted by the sensor's
//   `argo submit` with only our RBAC and its own token, with the event's values as parameters;
// - a push deleting `main`, a bad signature, a push to another branch and a wrong webhook secret
//   create nothing.
// A failing case prints the request, the status and every program's last log lines.
import { createHmac, randomBytes } from 'crypto';
import { App } from 'cdk8s';
import { EventField, KubeflowArgoChart, Platform } from '../../packages/library/lib';
import { REQUEST_PATH_PRESETS } from '../support/argo-server-bin';
import { Answer, request } from '../support/browser';
import { clusterBinaries } from '../support/cluster';
import { loadClusterFixture } from '../support/cluster-fixtures';
import { RequestPath, requestPathForBlock } from '../support/request-path';
import { describeUnless, hasKubectl } from '../support/util';

const PROFILE = 'team-a';
const PARAMS = ['revision', 'branch', 'message', 'when', 'at', 'team'];
const bins = hasKubectl() ? clusterBinaries() : { skipped: 'kubectl not found' };
const why = bins.skipped ?? REQUEST_PATH_PRESETS.map((p) => loadClusterFixture(p)).map((f) => ('skipped' in f ? f.skipped : undefined)).find(Boolean);
// eslint-disable-next-line no-console
if (why) console.log(`webhook path tests skipped: ${why}`);

/**
 * The app of docs/events.md: a GitHub push on `main` and a generic webhook start the profile's
 * template with the event's values; a calendar source every 10 s with its time and metadata.
 */
export function eventsApp(platform: Platform): App {
  const app = new App();
  new KubeflowArgoChart(app, 'kfa', {
    platform, kubeflowRoles: true,
    profiles: [{ namespace: PROFILE, owner: 'alice@example.com' }],
    workflowTemplate: {
      name: 'ci', entrypoint: 'main',
      arguments: { parameters: PARAMS.map((name) => ({ name, value: '' })) },
      templates: [{
        name: 'main', inputs: { parameters: PARAMS.map((name) => ({ name })) },
        container: { name: 'main', image: 'alpine:3.14', command: ['env'], env: PARAMS.map((p) => ({ name: p.toUpperCase(), value: `{{inputs.parameters.${p}}}` })) },
      }],
    },
    events: {
      sources: [{ type: 'github', repositories: ['o/r'], webhookSecret: { name: 'gh', key: 'secret' } }, { type: 'webhook', name: 'hook', webhookSecret: { name: 'hook', key: 'token' } }],
      schedules: [{ name: 'tick', interval: '10s', metadata: { team: 'a' } }],
      triggers: [
        { source: 'tick', profile: PROFILE, parameters: { when: EventField.path('eventTime'), at: EventField.context('time'), team: EventField.path('metadata.team') } },
        { source: 'github', profile: PROFILE, branches: ['main'], parameters: { revision: EventField.revision(), branch: EventField.branch() } },
        { source: 'hook', profile: PROFILE, parameters: { message: EventField.path('body.message') } },
      ],
    },
  });
  return app;
}

/** A push event as GitHub sends it (https://docs.github.com/webhooks/webhook-events-and-payloads#push), trimmed to what a push carries. */
function push(branch: string, after: string): string {
  return JSON.stringify({
    ref: `refs/heads/${branch}`, before: 'a'.repeat(40), after, created: false, deleted: /^0+$/.test(after), forced: false,
    repository: { name: 'r', full_name: 'o/r', owner: { login: 'o', name: 'o' }, clone_url: 'https://github.com/o/r.git' },
    pusher: { name: 'alice', email: 'alice@example.com' }, head_commit: /^0+$/.test(after) ? null : { id: after, message: 'change' },
  });
}

/** GitHub's signature headers for `body` (X-Hub-Signature: HMAC-SHA1, X-Hub-Signature-256: HMAC-SHA256, hex). */
const signed = (secret: string, body: string) => ({
  'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
});

describeUnless(why).each(REQUEST_PATH_PRESETS.map((p) => [p.id, p] as const))('%s: webhooks for real', (_id, platform) => {
  let rp: RequestPath;
  const secrets = { github: randomBytes(20).toString('hex'), hook: randomBytes(20).toString('hex') };
  requestPathForBlock(platform, bins as { etcd: string; kubernetes: string }, {
    app: eventsApp(platform), events: true,
    secrets: { 'argo-events/gh': { secret: secrets.github }, 'argo-events/hook': { token: secrets.hook } },
  }, (x) => { rp = x; });

  /** Sends a webhook to the public URL; fails with the logs when the status is not what `want` accepts. */
  const send = async (what: string, url: string, headers: Record<string, string>, body: string, want: (status: number) => boolean): Promise<Answer> => {
    const got = await request(rp.gateway.port, 'POST', url, { 'content-type': 'application/json', ...headers }, body);
    if (!want(got.status)) throw new Error(`${what}: POST ${url} answered ${got.status}\n${got.body.slice(0, 400)}\n${rp.logs()}`);
    return got;
  };
  /** The profile's Workflows' parameters from the sensors of `sensors`, once `count` exist (or the logs, after a minute). */
  const workflows = async (count: number, sensors: (name: string) => boolean = (n) => !n.startsWith('tick-')): Promise<Array<Record<string, string>>> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = rp.cluster.kubectl(['-n', PROFILE, 'get', 'workflows', '-o', 'json']);
      const items = (r.status === 0 ? JSON.parse(r.stdout).items : []).filter((w: any) => sensors(w.metadata.labels?.['events.argoproj.io/sensor'] ?? ''));
      if (items.length >= count) {
        return items.map((w: any) => ({
          template: w.spec.workflowTemplateRef?.name, sensor: w.metadata.labels?.['events.argoproj.io/sensor'],
          ...Object.fromEntries((w.spec.arguments?.parameters ?? []).map((p: any) => [p.name, p.value])),
        }));
      }
      if (Date.now() > deadline) throw new Error(`${items.length} Workflows in ${PROFILE}, expected ${count}\n${rp.logs()}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  };

  test('case 5: a signed GitHub push on main and a webhook call with its secret each start the profile\'s template with the event\'s values; a deleted branch, a bad signature, another branch and a wrong secret start nothing', async () => {
    const github = '/argo-events/github/push';
    const event = { 'x-github-event': 'push', 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'user-agent': 'GitHub-Hookshot/0' };
    const deleted = push('main', '0'.repeat(40));
    await send('a push deleting main', github, { ...event, ...signed(secrets.github, deleted) }, deleted, (s) => s === 200);
    const forged = push('main', 'b'.repeat(40));
    await send('a push with a bad signature', github, { ...event, ...signed('not-the-secret', forged) }, forged, (s) => s >= 400);
    const other = push('dev', 'c'.repeat(40));
    await send('a push to another branch', github, { ...event, ...signed(secrets.github, other) }, other, (s) => s === 200);
    const good = push('main', 'd'.repeat(40));
    await send('a signed push on main', github, { ...event, ...signed(secrets.github, good) }, good, (s) => s === 200);
    // the header the preset's docs name (docs/events.md): X-Argo-Events-Token on 1.9+, else Authorization
    const header = (secret: string): Record<string, string> => (platform.spec.kubeflow.gatewayVerifiesBearer ? { 'x-argo-events-token': secret } : { authorization: `Bearer ${secret}` });
    const hook = '/argo-events/hook/webhook';
    await send('a webhook call with a wrong secret', hook, header('not-the-secret'), '{"message":"forged"}', (s) => s >= 400);
    await send('a webhook call with its secret', hook, header(secrets.hook), '{"message":"hi"}', (s) => s === 200);
    await workflows(2);
    // what came later would have come by now: the sensors handle events in order
    await new Promise((res) => setTimeout(res, 3000));
    const got = await workflows(2);
    const sorted = got.sort((a, b) => (a.sensor ?? '').localeCompare(b.sensor ?? ''));
    expect(sorted).toEqual([
      { template: 'ci', sensor: `github-${PROFILE}`, revision: 'd'.repeat(40), branch: 'main' },
      { template: 'ci', sensor: `hook-${PROFILE}`, message: 'hi' },
    ]);
  }, 240_000);

  test('a calendar source starts the profile\'s template on its interval, with the event\'s time and metadata', async () => {
    const ticks = await workflows(1, (n) => n === `tick-${PROFILE}`);
    // eventTime is Go's time.Time.String() (start.go: `EventTime: tx.String()`), not RFC 3339:
    // "2026-12-06 07:16:43.000002859 +0000 UTC m=+10.150402064" (docs/events.md says so)
    expect(ticks[0]).toEqual({
      template: 'ci', sensor: `tick-${PROFILE}`, team: 'a',
      when: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+/),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/), // the CloudEvents time: RFC 3339
    });
  }, 120_000);
});
