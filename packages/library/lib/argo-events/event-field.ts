import { brand, hasBrand } from '../brands';
import { fail, whereIn } from '../validation';
import { DATA_ROOTS, EVENT_KINDS, EventKind, EventSourceType, PUSH_SOURCE_TYPES } from './event-kinds';
import type { PushFields } from './webhook-providers/provider';

export type { WebhookEventSourceType } from './webhook-providers';
export type { EventSourceType } from './event-kinds';

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
   * Any field of the event's data by dot path. Webhook events: `body.<field>` (the payload, e.g.
   * `body.head_commit.message`) or `headers.<Name>` (request headers, lists of values, e.g.
   * `headers.X-Github-Event.0`). Calendar events: `eventTime` or `metadata.<key>`. A parameter's
   * `dataKey` reads only the event data; use {@link EventField.context} for the event's context.
   * The trigger checks the path against its source's kind.
   */
  public static path(dataKey: string): EventField {
    const root = typeof dataKey === 'string' ? dataKey.split('.')[0] : '';
    if (typeof dataKey !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/.test(dataKey) || !DATA_ROOTS.includes(root) || dataKey === 'headers') {
      const hint = typeof dataKey === 'string' && /^header\./.test(dataKey) ? `use "headers.${dataKey.slice(7)}" (the data key is "headers")`
        : typeof dataKey === 'string' && /^context\./.test(dataKey) ? `use EventField.context("${dataKey.slice(8)}") (context fields are read with contextKey, not dataKey)`
          : 'use e.g. "body.repository.clone_url", "headers.X-Github-Event.0" or, for a calendar source, "eventTime"';
      fail(at('path'), dataKey, `must be a dot path into the event data starting with ${DATA_ROOTS.map((r) => `"${r}"`).join(', ')}`, hint);
    }
    return new EventField(`path(${dataKey})`, (type) => {
      const kind = EVENT_KINDS[type];
      if (!kind.dataRoots.includes(root)) {
        fail(at('path'), dataKey, `is not in the events of ${kind.title}, whose data starts with ${kind.dataRoots.map((r) => `"${r}"`).join(' or ')}`,
          `use e.g. EventField.path("${example(kind)}")`);
      }
      return { dataKey };
    });
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
    private readonly resolver: (type: EventSourceType) => EventFieldSource,
  ) {
    brand(this, 'EventField');
  }

  /** Where the value is found for events from a source of `type`. */
  public resolve(type: EventSourceType): EventFieldSource {
    return this.resolver(type);
  }
}

/** A path that exists in a kind's events, for hints. */
function example(kind: EventKind): string {
  return kind.dataRoots[0] === 'body' ? 'body.<field>' : kind.dataRoots[0];
}

/** Where events from a source of `type` keep the push fields; refused for a kind without a push payload. */
export function pushFields(type: EventSourceType, field: string): PushFields {
  const kind = EVENT_KINDS[type];
  if (!kind.push) {
    fail(at(field), type, `has no standard location in the events of ${kind.title}`,
      `use EventField.path("${example(kind)}") for ${type} sources, or a ${PUSH_SOURCE_TYPES.join(' or ')} source`);
  }
  return kind.push;
}
