import { checkList, fail, requireString, Where } from '../../validation';
import { checkHookSettings, WebhookProvider } from './provider';

/** GitLab (gitlab.com or self-hosted) project events. */
export const GITLAB: WebhookProvider = {
  defaultEventName: 'push',
  // https://docs.gitlab.com/ee/user/project/integrations/webhook_events.html#push-events: `after` is forty zeros when the push deletes the branch
  push: { repositoryUrl: 'body.project.git_http_url', revision: 'body.checkout_sha', ref: 'body.ref', after: 'body.after' },
  uses: ['events', 'projects', 'apiToken', 'baseUrl'],
  check(props, webhookSecret, at) {
    const { events, apiToken, baseUrl } = checkHookSettings(props, at, ['PushEvents']);
    const projects = checkList(at('projects'), props.projects, checkProject);
    if (webhookSecret && !apiToken) {
      // argo-events v1.5.6 eventsources/sources/gitlab/start.go and v1.9.11
      // pkg/eventsources/sources/gitlab/start.go load the secret token that HandleRoute compares
      // only inside `if gitlabEventSource.NeedToCreateHooks()` (access token + webhook url).
      fail(at('apiToken'), undefined,
        'is required for a gitlab source with webhookSecret: Argo Events checks the GitLab secret token only when the source registers the hook itself (with an access token and the webhook URL), so without it any request on the webhook path would start workflows',
        'pass apiToken (a Secret with a GitLab access token, scope "api") and publicUrl, so the source registers the hook and checks X-Gitlab-Token');
    }
    return {
      method: 'POST',
      apiToken,
      spec: (eventName, webhook) => ({
        gitlab: {
          [eventName]: {
            events,
            // v1.5 still reads the deprecated single projectID when projects is empty
            projectID: projects[0],
            projects,
            webhook,
            ...(webhookSecret ? { secretToken: webhookSecret } : {}),
            ...(apiToken ? { accessToken: apiToken } : {}),
            gitlabBaseURL: baseUrl ?? 'https://gitlab.com',
            enableSSLVerification: true,
          },
        },
      }),
    };
  },
};

function checkProject(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^(\d+|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+)$/.test(value)) {
    fail(where, value, 'must be a GitLab project path ("group/name") or numeric ID', 'use e.g. "my-group/my-project" or "42"');
  }
  return value;
}
