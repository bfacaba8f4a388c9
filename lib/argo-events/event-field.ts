import { brand, hasBrand } from '../brands';
import { fail, whereIn } from '../validation';

const at = whereIn('EventField');

/** Kinds of webhook event sources. */
export type WebhookEventSourceType = 'github' | 'gitlab' | 'webhook';

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

/** Push payload paths per provider. */
const PUSH_FIELDS: Record<'repositoryUrl' | 'revision' | 'ref', Record<'github' | 'gitlab', string>> = {
  // GitHub push: https://docs.github.com/webhooks/webhook-events-and-payloads#push
  // GitLab push: https://docs.gitlab.com/ee/user/project/integrations/webhook_events.html#push-events
  repositoryUrl: { github: 'body.repository.clone_url', gitlab: 'body.project.git_http_url' },
  revision: { github: 'body.after', gitlab: 'body.checkout_sha' },
  ref: { github: 'body.ref', gitlab: 'body.ref' },
};

/**
 * A value taken from an incoming event, for a workflow parameter.
 *
 * The push presets resolve to the right payload path for GitHub and GitLab; a generic
 * webhook has no standard payload, so use {@link EventField.path} there.
 */
export class EventField {
  /** True for an EventField of this library (also across duplicate installs of the package). */
  public static isEventField(x: unknown): x is EventField {
    return hasBrand(x, 'EventField');
  }

  /** The repository's clone URL (GitHub `repository.clone_url`, GitLab `project.git_http_url`). */
  public static repositoryUrl(): EventField {
    return new EventField('repositoryUrl', (type) => ({ dataKey: PUSH_FIELDS.repositoryUrl[pushSource(type, 'repositoryUrl')] }));
  }

  /** The pushed commit SHA (GitHub `after`, GitLab `checkout_sha`). */
  public static revision(): EventField {
    return new EventField('revision', (type) => ({ dataKey: PUSH_FIELDS.revision[pushSource(type, 'revision')] }));
  }

  /** The pushed branch name, without `refs/heads/`. */
  public static branch(): EventField {
    return new EventField('branch', (type) => ({
      dataTemplate: `{{ trimPrefix "refs/heads/" .Input.${PUSH_FIELDS.ref[pushSource(type, 'branch')]} }}`,
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

function pushSource(type: WebhookEventSourceType, field: string): 'github' | 'gitlab' {
  if (type === 'webhook') {
    fail(at(field), type,
      'has no standard location in a generic webhook payload', 'use EventField.path("body.<field>") for webhook sources');
  }
  return type;
}
