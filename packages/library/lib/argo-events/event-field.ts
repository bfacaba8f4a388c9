import { brand, hasBrand } from '../brands';
import { fail, whereIn } from '../validation';
import { PROVIDERS, PUSH_SOURCE_TYPES, WebhookEventSourceType } from './webhook-providers';
import type { PushFields, WebhookProvider } from './webhook-providers/provider';

export type { WebhookEventSourceType } from './webhook-providers';

const at = whereIn('EventField');

/** How a trigger parameter reads its value from the event (Argo Events `TriggerParameterSource`). */
export interface EventFieldSource {
  /** Dot path into the event (`body.after`). */
  readonly dataKey?: string;
  /** Go template over the event (`{{ .Input.body.ref }}`). */
  readonly dataTemplate?: string;
  /** A CloudEvents context attribute of the event (`type`, `subject`, …). */
  readonly contextKey?: string;
}

/** The CloudEvents context attributes Argo Events sets on every event (`contextKey`). */
export const EVENT_CONTEXT_KEYS: readonly string[] = ['id', 'source', 'specversion', 'type', 'datacontenttype', 'subject', 'time'];

/**
 * A value taken from an incoming event, for a workflow parameter.
 *
 * The push presets resolve to the payload path of the source's provider (GitHub, GitLab:
 * `push` of webhook-providers/); a generic webhook has no standard payload, so use
 * {@link EventField.path} there.
 */
export class EventField {
  /** True for an EventField of this library (also across duplicate installs of the package). */
  public static isEventField(x: unknown): x is EventField {
    return hasBrand(x, 'EventField');
  }

  /** The repository's clone URL (GitHub `repository.clone_url`, GitLab `project.git_http_url`). */
  public static repositoryUrl(): EventField {
    return new EventField('repositoryUrl', (type) => ({ dataKey: pushFields(type, 'repositoryUrl').repositoryUrl }));
  }

  /** The pushed commit SHA (GitHub `after`, GitLab `checkout_sha`). */
  public static revision(): EventField {
    return new EventField('revision', (type) => ({ dataKey: pushFields(type, 'revision').revision }));
  }

  /** The pushed branch name, without `refs/heads/`. */
  public static branch(): EventField {
    return new EventField('branch', (type) => ({
      dataTemplate: `{{ trimPrefix "refs/heads/" .Input.${pushFields(type, 'branch').ref} }}`,
    }));
  }

  /**
   * Any field of the event's data by dot path: `body.<field>` (the payload, e.g.
   * `body.head_commit.message`) or `headers.<Name>` (request headers, lists of values, e.g.
   * `headers.X-Github-Event.0`). A parameter's `dataKey` reads only the event data, whose keys
   * are `body` and `headers`; use {@link EventField.context} for the event's context.
   */
  public static path(dataKey: string): EventField {
    if (typeof dataKey !== 'string' || !/^(body|headers)(\.[A-Za-z0-9_-]+)*$/.test(dataKey) || dataKey === 'headers') {
      const hint = typeof dataKey === 'string' && /^header\./.test(dataKey) ? `use "headers.${dataKey.slice(7)}" (the data key is "headers")`
        : typeof dataKey === 'string' && /^context\./.test(dataKey) ? `use EventField.context("${dataKey.slice(8)}") (context fields are read with contextKey, not dataKey)`
          : 'use e.g. "body.repository.clone_url" or "headers.X-Github-Event.0"';
      fail(at('path'), dataKey, 'must be a dot path into the event data starting with "body" or "headers."', hint);
    }
    return new EventField(`path(${dataKey})`, () => ({ dataKey }));
  }

  /** A CloudEvents context attribute of the event: `id`, `source`, `specversion`, `type`, `datacontenttype`, `subject` or `time`. */
  public static context(key: string): EventField {
    if (typeof key !== 'string' || !EVENT_CONTEXT_KEYS.includes(key)) {
      fail(at('context'), key, `must be a context attribute (${EVENT_CONTEXT_KEYS.join(', ')})`, 'use e.g. EventField.context("time")');
    }
    return new EventField(`context(${key})`, () => ({ contextKey: key }));
  }

  private constructor(
    /** Readable name for error messages. */
    public readonly description: string,
    private readonly resolver: (type: WebhookEventSourceType) => EventFieldSource,
  ) {
    brand(this, 'EventField');
  }

  /** Where the value is found for events from a source of `type`. */
  public resolve(type: WebhookEventSourceType): EventFieldSource {
    return this.resolver(type);
  }
}

/** Where events from a source of `type` keep the push fields; refused for a provider without a push payload. */
export function pushFields(type: WebhookEventSourceType, field: string): PushFields {
  const push = (PROVIDERS[type] as WebhookProvider | undefined)?.push;
  if (!push) {
    fail(at(field), type, `has no standard location in a ${type === 'webhook' ? 'generic webhook' : type} payload`,
      `use EventField.path("body.<field>") for ${type} sources, or a ${PUSH_SOURCE_TYPES.join(' or ')} source`);
  }
  return push;
}
