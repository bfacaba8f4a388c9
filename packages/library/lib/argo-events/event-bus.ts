import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { brand, hasBrand } from '../brands';
import { ARGO_EVENTS_NAMESPACE, ISTIO_INJECT_ANNOTATION } from '../constants';
import { Platform, resolvePlatform } from '../platform';
import { checkKnownKeys, checkOptions, checkNamespace, checkOneOf, fail, propNames, snapshotProps, whereIn } from '../validation';
import { EventBusObject, EventBusSpec } from './events-api';
import { EVENT_SOURCE_OPTIONS, WebhookEventSource, WebhookEventSourceOptions } from './webhook-event-source';
import { CALENDAR_SOURCE_OPTIONS, CalendarEventSource, CalendarEventSourceOptions } from './calendar-event-source';

const at = whereIn('EventBus');

/** NATS client port of every EventBus. */
export const EVENT_BUS_CLIENT_PORT = 4222;

/**
 * JetStream versions the Argo Events v1.9.11 controller can run
 * (`argo-events-controller-config`); `latest` is left out on purpose.
 */
export const JETSTREAM_VERSIONS: readonly string[] = ['2.8.1', '2.8.1-alpine', '2.8.2', '2.8.2-alpine', '2.9.1', '2.9.12', '2.9.16', '2.10.29'];

// the compiler checks this list against the props interface (propNames)
/** What {@link EventBus.addWebhookEventSource} decides for the source, and the fix for each. */
const SET_BY_BUS = {
  eventBus: 'leave it out: the source uses this bus',
  namespace: 'the source lives next to its bus: set namespace on the EventBus',
  platform: 'the source follows the bus: set platform on the EventBus',
};

/** Keys of {@link EventBusOptions}. */
export const EVENT_BUS_OPTIONS = propNames<EventBusOptions>()('replicas', 'jetstream');
const PROPS = propNames<EventBusProps>()('platform', 'namespace', 'replicas', 'jetstream');

/** JetStream settings for {@link EventBusProps.jetstream}. */
export interface JetStreamOptions {
  /** JetStream (NATS server) version the controller knows: 2.8.1, 2.8.2, 2.9.1, 2.9.12, 2.9.16 or 2.10.29 (2.8.x also as `-alpine`). */
  readonly version: string;
}

/** Props for {@link EventBus}. */
export interface EventBusProps extends EventBusOptions {
  /**
   * Platform preset: which Argo Events release the bus is for.
   * @default - the enclosing chart's, else Platform.DEFAULT
   */
  readonly platform?: Platform;

  /**
   * Namespace of the bus: the one holding the EventSources and Sensors that use it.
   * @default "argo-events"
   */
  readonly namespace?: string;
}

/** The bus itself, wherever it lives ({@link KubeflowArgoChart} puts it next to the sensors). */
export interface EventBusOptions {
  /**
   * Bus pods. NATS Streaming and JetStream need at least 3 for a quorum.
   * @default 3
   */
  readonly replicas?: number;

  /**
   * Use JetStream instead of native NATS Streaming. Needs Argo Events v1.7 or later: refused on
   * KUBEFLOW_1_4 (Argo Events v1.5 only has native NATS), allowed from KUBEFLOW_1_5 (Argo Events v1.9).
   * @default - native NATS Streaming with token auth
   */
  readonly jetstream?: JetStreamOptions;
}

/**
 * The `default` EventBus of a namespace, set up to work next to Istio.
 *
 * Every namespace with EventSources or Sensors needs an EventBus called `default`. NATS is a
 * server-first protocol: behind Istio the bus pods must not get a sidecar (set here) and the
 * client port must be named `tcp-client` so client sidecars do not wait for the client to
 * speak first (the Argo Events controller names the Service port `tcp-client` since the Istio
 * fix argoproj/argo-events#1312). EventSources and Sensors built by this library also send
 * bus traffic around their own sidecar ({@link clientPodAnnotations}), which works with any
 * controller release.
 */
export class EventBus extends Construct {
  /** The EventBus object (also `ApiObject.of(bus)`). */
  public readonly eventBus: ApiObject;
  /** Always `default`: EventSources and Sensors use the bus of that name. */
  public readonly name = 'default';
  /** Namespace of the bus. */
  public readonly namespace: string;
  /** The NATS client port (4222). */
  public readonly clientPort = EVENT_BUS_CLIENT_PORT;
  /** Name the controller gives the client port on the bus Service. */
  public readonly clientPortName = 'tcp-client';
  /** `jetstream` or `nats`. */
  public readonly type: 'nats' | 'jetstream';
  /** The platform preset. */
  public readonly platform: Platform;
  /**
   * Annotations for pods that talk to this bus through an Istio sidecar: bus traffic bypasses
   * the client sidecar (the bus pods have none, so there is no mTLS to lose).
   */
  public readonly clientPodAnnotations: Readonly<Record<string, string>> = {
    'traffic.sidecar.istio.io/excludeOutboundPorts': String(EVENT_BUS_CLIENT_PORT),
  };

  /** True for an EventBus of this library (also across duplicate installs of the package). */
  public static isEventBus(x: unknown): x is EventBus {
    return hasBrand(x, 'EventBus');
  }

  constructor(scope: Construct, id: string, props: EventBusProps = {}) {
    super(scope, id);
    brand(this, 'EventBus');
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('EventBus', props);
      checkKnownKeys(at(''), props, PROPS);
      this.platform = resolvePlatform(at('platform'), props.platform, this);
      this.namespace = checkNamespace(at('namespace'), props.namespace ?? ARGO_EVENTS_NAMESPACE);
      const replicas = props.replicas ?? 3;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 3 || replicas > 9) {
        fail(at('replicas'), replicas, 'must be a whole number from 3 to 9 (a NATS quorum needs 3)', 'use 3 or 5');
      }
      if (props.jetstream !== undefined) {
        if (!this.platform.spec.argoEvents.jetstream) {
          fail(at('jetstream'), props.jetstream,
            `is not available on platform ${this.platform.id} (${this.platform.spec.argoEvents.release} has only native NATS)`,
            'remove jetstream, or use platform a Kubeflow 1.5 or later preset (Argo Events v1.9)');
        }
        checkKnownKeys(at('jetstream'), props.jetstream, ['version']);
        checkOneOf(at('jetstream.version'), props.jetstream.version, JETSTREAM_VERSIONS);
      }
      this.type = props.jetstream ? 'jetstream' : 'nats';

      const noSidecar = { annotations: { [ISTIO_INJECT_ANNOTATION]: 'false' } };
      const spec: EventBusSpec = props.jetstream
        ? { jetstream: { version: props.jetstream.version, replicas, metadata: noSidecar } }
        : { nats: { native: { replicas, auth: 'token', metadata: noSidecar } } };
      this.eventBus = new EventBusObject(this, 'Resource', {
        metadata: { name: this.name, namespace: this.namespace },
        spec,
      });
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /**
   * A webhook EventSource that publishes its events on this bus: it lives in the bus's
   * namespace and its pods reach the bus around their Istio sidecar.
   */
  public addWebhookEventSource(id: string, options: WebhookEventSourceOptions): WebhookEventSource {
    checkOptions({ owner: 'WebhookEventSource', prop: '' }, snapshotProps('WebhookEventSource', options), EVENT_SOURCE_OPTIONS, 'the bus (EventBus.addWebhookEventSource)', SET_BY_BUS);
    return new WebhookEventSource(this, id, { ...options, eventBus: this });
  }

  /** A calendar source on this bus, in its namespace ({@link CalendarEventSource}). */
  public addCalendarEventSource(id: string, options: CalendarEventSourceOptions): CalendarEventSource {
    checkOptions({ owner: 'CalendarEventSource', prop: '' }, snapshotProps('CalendarEventSource', options), CALENDAR_SOURCE_OPTIONS, 'the bus (EventBus.addCalendarEventSource)', SET_BY_BUS);
    return new CalendarEventSource(this, id, { ...options, eventBus: this });
  }
}
