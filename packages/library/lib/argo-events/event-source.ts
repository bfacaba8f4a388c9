// What a trigger needs of an event source, whatever kind it is. WebhookEventSource and
// CalendarEventSource implement it, and so does an EventSource imported by name. A new kind of
// source implements it too, registers what its events carry in event-kinds.ts, and
// WorkflowTrigger accepts it (ARCHITECTURE.md, "Checklist: adding an event source that is not a webhook").
import { Construct, IConstruct } from 'constructs';
import { hasBrand } from '../brands';
import { ARGO_EVENTS_NAMESPACE } from '../constants';
import { resolvePlatform } from '../platform';
import { checkNamespace, fail, Where } from '../validation';
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

/** What a source's `addTrigger` decides for the trigger, and the fix for each. */
export const SET_BY_SOURCE = {
  eventSource: 'leave it out: the trigger listens to this source',
  platform: 'the trigger follows its event source: set platform there',
};

/** Where a source lives: its bus (if given), its platform, and its namespace, which must be the bus's. */
export function checkPlacement(at: (prop: string) => Where, props: { platform?: Platform; namespace?: string; eventBus?: EventBus }, scope: Construct) {
  if (props.eventBus !== undefined && !hasBrand(props.eventBus, 'EventBus')) {
    fail(at('eventBus'), typeof props.eventBus, 'must be an EventBus construct', 'pass the EventBus instance');
  }
  const platform = resolvePlatform(at('platform'), props.platform, scope, props.eventBus && { platform: props.eventBus.platform, from: 'eventBus' });
  const namespace = checkNamespace(at('namespace'), props.namespace ?? props.eventBus?.namespace ?? ARGO_EVENTS_NAMESPACE);
  if (props.eventBus && props.eventBus.namespace !== namespace) {
    fail(at('namespace'), namespace,
      `contradicts eventBus: the bus is in "${props.eventBus.namespace}", and an EventSource only uses the bus of its own namespace`,
      'leave namespace out to follow the bus');
  }
  return { platform, namespace };
}
