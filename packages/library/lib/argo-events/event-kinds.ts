// What the events of each kind of source carry, for the triggers that read them: the top-level
// keys of the event data (where EventField.path may start) and, for pushes, where the push
// fields are. A kind of source is its construct (which emits the EventSource and implements
// IEventSource) plus its line here (ARCHITECTURE.md, "Checklist: adding an event source that is not a webhook"). Webhook kinds
// come from the provider registry (webhook-providers/).
import { PROVIDERS, WebhookEventSourceType, WEBHOOK_EVENT_SOURCE_TYPES } from './webhook-providers';
import type { PushFields } from './webhook-providers/provider';

/** Every kind of event source a trigger can listen to: a webhook provider, or `calendar`. */
export type EventSourceType = WebhookEventSourceType | 'calendar';

/** What a kind's events carry. */
export interface EventKind {
  /** The top-level keys of the event data: a parameter's `dataKey` starts with one of them. */
  readonly dataRoots: readonly string[];
  /** Where a push payload keeps the push fields (GitHub, GitLab); none for other kinds. */
  readonly push?: PushFields;
  /** How messages name the kind ("a generic webhook"). */
  readonly title: string;
}

/**
 * Webhook events: Argo Events' WebhookEventData `{ header, body }` as a Sensor reads it (the
 * `headers` key of the event data).
 */
const WEBHOOK_DATA_ROOTS = ['body', 'headers'];

/** A webhook provider's events: the payload and headers, and its push fields if it has them. */
function webhookKind(type: WebhookEventSourceType): EventKind {
  return { dataRoots: WEBHOOK_DATA_ROOTS, push: PROVIDERS[type].push, title: type === 'webhook' ? 'a generic webhook' : `a ${type} webhook` };
}

/** Every kind, by the `type` of its sources. */
export const EVENT_KINDS: Readonly<Record<EventSourceType, EventKind>> = {
  ...Object.fromEntries(WEBHOOK_EVENT_SOURCE_TYPES.map((t) => [t, webhookKind(t)])) as Record<WebhookEventSourceType, EventKind>,
  // CalendarEventData { eventTime, metadata }: argo-events v1.9.11 pkg/eventsources/events/event-data.go,
  // v1.5.6 pkg/apis/events/event-data.go (the same struct)
  calendar: { dataRoots: ['eventTime', 'metadata'], title: 'a calendar source' },
};

/** Every {@link EventSourceType}. */
export const EVENT_SOURCE_TYPES = Object.keys(EVENT_KINDS) as EventSourceType[];

/** The types whose events carry a push payload. */
export const PUSH_SOURCE_TYPES = EVENT_SOURCE_TYPES.filter((t) => EVENT_KINDS[t].push);

/** Every top-level key some kind's event data has, in registration order. */
export const DATA_ROOTS: readonly string[] = [...new Set(EVENT_SOURCE_TYPES.flatMap((t) => EVENT_KINDS[t].dataRoots))];
