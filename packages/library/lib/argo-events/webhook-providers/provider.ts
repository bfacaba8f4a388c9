import { checkDnsSubdomain, checkKnownKeys, checkList, fail, requireString, Where, within } from '../../validation';
import { EventSourceSpec, SecretKeySelector, WebhookContext } from '../events-api';

/** The props of a webhook event source that only some providers use. */
export interface ProviderFields {
  readonly method?: string;
  readonly events?: string[];
  readonly repositories?: string[];
  readonly projects?: string[];
  readonly apiToken?: SecretKeySelector;
  readonly baseUrl?: string;
}

/** Why a provider refuses a prop it does not use. */
const NOT_FOR: Record<keyof ProviderFields, string> = {
  method: 'github and gitlab always POST',
  events: 'a generic webhook has no provider events',
  repositories: 'repositories are for github; gitlab uses projects',
  projects: 'projects are for gitlab; github uses repositories',
  apiToken: 'a generic webhook registers no hooks',
  baseUrl: 'only github and gitlab have an API base URL',
};

/** A provider's checked settings: how its endpoint is called and its section of the EventSource. */
export interface CheckedProvider {
  /** The HTTP method the endpoint accepts. */
  readonly method: string;
  /** The API token that lets the source register its hook, if any. */
  readonly apiToken?: SecretKeySelector;
  /** The provider's part of the EventSource spec for one event. */
  spec(eventName: string, webhook: WebhookContext): EventSourceSpec;
}

/**
 * Where a provider's push event keeps what the push presets of `EventField` and the trigger's
 * `branches` filter read (dot paths into the event data).
 */
export interface PushFields {
  /** The repository's clone URL. */
  readonly repositoryUrl: string;
  /** The pushed commit. */
  readonly revision: string;
  /** The pushed ref, `refs/heads/<branch>`. */
  readonly ref: string;
  /** The commit after the push: forty zeros when the push deletes the branch. */
  readonly after: string;
}

/**
 * One kind of webhook event source: GitHub, GitLab or a generic webhook. Each is one file of
 * this folder, registered in `PROVIDERS` (index.ts); ARCHITECTURE.md, "Adding a webhook provider".
 */
export interface WebhookProvider {
  /** The event name when none is given. */
  readonly defaultEventName: string;
  /** Where its push events keep the repository, commit and ref; none for a provider without a push payload. */
  readonly push?: PushFields;
  /** The {@link ProviderFields} it reads; the others are refused. */
  readonly uses: readonly (keyof ProviderFields)[];
  /**
   * Checks the provider's own props and rules. `webhookSecret` is already checked; `at` names
   * the props in errors.
   */
  check(props: ProviderFields, webhookSecret: SecretKeySelector | undefined, at: (prop: string) => Where): CheckedProvider;
}

/** Refuses the provider props `provider` does not use. */
export function refuseOthers(type: string, provider: WebhookProvider, props: ProviderFields, at: (prop: string) => Where): void {
  for (const key of Object.keys(NOT_FOR) as (keyof ProviderFields)[]) {
    if (props[key] !== undefined && !provider.uses.includes(key)) {
      fail(at(key), props[key], `does not apply to type "${type}" (${NOT_FOR[key]})`, `remove ${key}`);
    }
  }
}

/** What GitHub and GitLab sources share: provider events, an API token to register the hook, an API base URL. */
export interface HookSettings {
  readonly events: string[];
  readonly apiToken?: SecretKeySelector;
  readonly baseUrl?: string;
}

/** Checks the settings GitHub and GitLab share; `defaultEvents` are the provider's push events. */
export function checkHookSettings(props: ProviderFields, at: (prop: string) => Where, defaultEvents: string[]): HookSettings {
  return {
    events: checkList(at('events'), props.events ?? defaultEvents, checkEventName),
    apiToken: props.apiToken === undefined ? undefined : checkSecretRef(at('apiToken'), props.apiToken),
    baseUrl: props.baseUrl === undefined ? undefined : checkUrl(at('baseUrl'), props.baseUrl),
  };
}

/** Checks a provider event name (`push`, `PushEvents`, `*`). */
export function checkEventName(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^(\*|[A-Za-z_][A-Za-z0-9_ ]*)$/.test(value)) {
    fail(where, value, 'must be a provider event name', 'use e.g. "push" (GitHub) or "PushEvents" (GitLab)');
  }
  return value;
}

/** Checks a reference to a key of a Secret; only the reference is ever emitted. */
export function checkSecretRef(where: Where, value: unknown): SecretKeySelector {
  checkKnownKeys(where, value, ['name', 'key']);
  const ref = value as SecretKeySelector;
  checkDnsSubdomain(within(where, 'name'), ref.name);
  requireString(within(where, 'key'), ref.key);
  if (!/^[-._a-zA-Z0-9]{1,253}$/.test(ref.key)) {
    fail(within(where, 'key'), ref.key, 'must be a Secret key (letters, digits, "-", "_", ".")', 'use e.g. "secret"');
  }
  return { name: ref.name, key: ref.key };
}

/** Checks an http(s) base URL without a trailing slash, query or fragment. */
export function checkUrl(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~-]+)*$/.test(value)) {
    fail(where, value, 'must be an http(s) URL without a trailing slash, query or fragment', 'use e.g. "https://kubeflow.example.com"');
  }
  return value;
}
