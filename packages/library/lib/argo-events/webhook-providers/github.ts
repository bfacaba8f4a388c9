import { checkList, fail, requireString, Where } from '../../validation';
import { checkHookSettings, WebhookProvider } from './provider';

/** GitHub (and GitHub Enterprise) push and other repository events. */
export const GITHUB: WebhookProvider = {
  defaultEventName: 'push',
  // https://docs.github.com/webhooks/webhook-events-and-payloads#push: `after` is forty zeros when the push deletes the branch
  push: { repositoryUrl: 'body.repository.clone_url', revision: 'body.after', ref: 'body.ref', after: 'body.after' },
  uses: ['events', 'repositories', 'apiToken', 'baseUrl'],
  check(props, webhookSecret, at) {
    const { events, apiToken, baseUrl } = checkHookSettings(props, at, ['push']);
    const repositories = checkList(at('repositories'), props.repositories, checkRepository);
    return {
      method: 'POST',
      apiToken,
      spec: (eventName, webhook) => ({
        github: {
          [eventName]: {
            events,
            repositories: groupRepositories(repositories),
            webhook,
            ...(webhookSecret ? { webhookSecret } : {}),
            ...(apiToken ? { apiToken } : {}),
            ...(baseUrl ? { githubBaseURL: baseUrl } : {}),
            contentType: 'json',
            active: true,
            insecure: false,
          },
        },
      }),
    };
  },
};

function checkRepository(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(value)) {
    fail(where, value, 'must be a GitHub repository as "owner/name"', 'use e.g. "kubeflow/pipelines"');
  }
  return value;
}

/** `owner/name` strings grouped per owner, in first-seen order (upstream `repositories` shape). */
function groupRepositories(repos: readonly string[]): Array<{ owner: string; names: string[] }> {
  const out: Array<{ owner: string; names: string[] }> = [];
  for (const r of repos) {
    const [owner, name] = r.split('/');
    const entry = out.find((e) => e.owner === owner);
    if (entry) entry.names.push(name); else out.push({ owner, names: [name] });
  }
  return out;
}
