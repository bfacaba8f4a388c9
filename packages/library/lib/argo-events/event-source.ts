// What a trigger needs of an event source, whatever kind it is. WebhookEventSource implements it
// (lib/argo-events/webhook-event-source.ts), and so does an EventSource imported by name. A new
// kind of source that is not a webhook (no gateway route) implements it too, and WorkflowTrigger
// accepts it (ARCHITECTURE.md, "Adding a webhook provider").
import { IConstruct } from 'constructs';
import type { Platform } from '../platform';
import type { EventBus } from './event-bus';
import type { WebhookEventSource } from './webhook-event-source';
import type { WebhookEventSourceType } from './webhook-providers';

/**
 * An Argo Events EventSource a trigger can listen to: a {@link WebhookEventSource}, or one made
 * elsewhere ({@link WebhookEventSource.fromEventSourceName}).
 */
export interface IEventSource extends IConstruct {
  /** EventSource name. */
  readonly name: string;
  /** Its namespace (Sensors listening to it run there). */
  readonly namespace: string;
  /** Provider type: decides which event fields exist. */
  readonly type: WebhookEventSourceType;
  /** Event names it emits. */
  readonly eventNames: readonly string[];
  /** Its platform preset. */
  readonly platform: Platform;
  /** The bus, when known: Sensor pods get the annotations that let them reach it. */
  readonly eventBus?: EventBus;
}
