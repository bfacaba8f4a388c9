// What a trigger needs of an event source, whatever kind it is. WebhookEventSource and
// CalendarEventSource implement it, and so does an EventSource imported by name. A new kind of
// source implements it too, registers what its events carry in event-kinds.ts, and
// WorkflowTrigger accepts it (ARCHITECTURE.md, "Checklist: adding an event source that is not a webhook").
import { IConstruct } from 'constructs';
import type { Platform } from '../platform';
import type { EventBus } from './event-bus';
import type { CalendarEventSource } from './calendar-event-source';
import type { WebhookEventSource } from './webhook-event-source';
import type { EventSourceType } from './event-kinds';

/**
 * An Argo Events EventSource a trigger can listen to: a {@link WebhookEventSource}, a
 * {@link CalendarEventSource}, or one made elsewhere ({@link WebhookEventSource.fromEventSourceName}).
 */
export interface IEventSource extends IConstruct {
  /** EventSource name. */
  readonly name: string;
  /** Its namespace (Sensors listening to it run there). */
  readonly namespace: string;
  /** Its kind (`github`, `gitlab`, `webhook`, `calendar`): decides which event fields exist (event-kinds.ts). */
  readonly type: EventSourceType;
  /** Event names it emits. */
  readonly eventNames: readonly string[];
  /** Its platform preset. */
  readonly platform: Platform;
  /** The bus, when known: Sensor pods get the annotations that let them reach it. */
  readonly eventBus?: EventBus;
}
