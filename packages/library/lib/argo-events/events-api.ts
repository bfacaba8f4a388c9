/**
 * Typed L1 classes for the Argo Events kinds this library emits.
 *
 * Argo Events' CRDs are schemaless (`x-kubernetes-preserve-unknown-fields`), so `cdk8s import`
 * would produce untyped classes. These interfaces are written by hand for the fields the
 * constructs use, following `api/jsonschema/schema.json` of Argo Events v1.5.6 (fields marked
 * v1.7+ exist only in later releases). Every synthesized object is still checked against the
 * full upstream JSON Schema by the schema-validation plugin.
 */
import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';

/** A key of a Kubernetes Secret in the object's namespace: only this reference is emitted, never the value. */
export interface SecretKeySelector {
  /** Secret name. */
  readonly name: string;
  /** Key inside the Secret. */
  readonly key: string;
}

/** Labels and annotations for the pods a controller creates. */
export interface EventsPodMetadata {
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** Pod template of an EventSource or Sensor (subset). */
export interface EventsPodTemplate {
  readonly serviceAccountName?: string;
  readonly metadata?: EventsPodMetadata;
}

/** HTTP server settings of a webhook-style event source. */
export interface WebhookContext {
  readonly endpoint: string;
  readonly method: string;
  /** Port as a string (upstream type). */
  readonly port: string;
  /** Public URL the provider calls (used to register hooks). */
  readonly url?: string;
  /** Bearer token the caller must send (generic webhook). */
  readonly authSecret?: SecretKeySelector;
}

/** GitHub event source (subset). */
export interface GithubEventSourceSpec {
  readonly events: string[];
  readonly repositories?: Array<{ readonly owner: string; readonly names: string[] }>;
  readonly webhook: WebhookContext;
  readonly webhookSecret?: SecretKeySelector;
  readonly apiToken?: SecretKeySelector;
  readonly contentType?: string;
  readonly active?: boolean;
  readonly insecure?: boolean;
  readonly githubBaseURL?: string;
  readonly githubUploadURL?: string;
}

/** GitLab event source (subset). */
export interface GitlabEventSourceSpec {
  readonly events: string[];
  /** Deprecated upstream in favour of `projects`, still read by v1.5. */
  readonly projectID?: string;
  readonly projects?: string[];
  readonly webhook: WebhookContext;
  readonly secretToken?: SecretKeySelector;
  readonly accessToken?: SecretKeySelector;
  readonly gitlabBaseURL: string;
  readonly enableSSLVerification?: boolean;
}

/** A calendar event (`spec.calendar.<event>`). */
export interface CalendarEventSourceSpec {
  readonly schedule?: string;
  readonly interval?: string;
  readonly timezone?: string;
  readonly metadata?: Record<string, string>;
}

/** The Service an EventSource exposes. */
export interface EventSourceService {
  readonly ports: Array<{ readonly name?: string; readonly port: number; readonly targetPort: number }>;
}

/** EventSource spec (subset). */
export interface EventSourceSpec {
  readonly eventBusName?: string;
  readonly template?: EventsPodTemplate;
  readonly service?: EventSourceService;
  readonly github?: Record<string, GithubEventSourceSpec>;
  readonly gitlab?: Record<string, GitlabEventSourceSpec>;
  readonly webhook?: Record<string, WebhookContext>;
  readonly calendar?: Record<string, CalendarEventSourceSpec>;
}

/** A data filter on an event dependency. */
export interface DataFilter {
  readonly path: string;
  readonly type: string;
  readonly value: string[];
}

/** A Sensor dependency on one event of one EventSource. */
export interface EventDependency {
  readonly name: string;
  readonly eventSourceName: string;
  readonly eventName: string;
  readonly filters?: { readonly data?: DataFilter[] };
}

/** Where a trigger parameter's value comes from. */
export interface TriggerParameterSource {
  readonly dependencyName: string;
  readonly dataKey?: string;
  readonly dataTemplate?: string;
  readonly contextKey?: string;
  readonly value?: string;
}

/** A trigger parameter: a value from the event written into the resource at `dest`. */
export interface TriggerParameter {
  readonly src: TriggerParameterSource;
  readonly dest: string;
}

/** An `argoWorkflow` trigger. */
export interface ArgoWorkflowTrigger {
  /** `submit` (default), `resubmit`, `resume`, `retry`, `suspend`, `terminate`; `submit-from` and `stop` v1.8+. */
  readonly operation?: string;
  readonly source?: { readonly resource?: Record<string, unknown> };
  readonly parameters?: TriggerParameter[];
  /** v1.8+: extra `argo` CLI arguments. */
  readonly args?: string[];
}

/** One Sensor trigger. */
export interface SensorTrigger {
  readonly template: { readonly name: string; readonly argoWorkflow?: ArgoWorkflowTrigger; readonly conditions?: string };
}

/** Sensor spec (subset). */
export interface SensorSpec {
  readonly eventBusName?: string;
  readonly template?: EventsPodTemplate;
  readonly dependencies: EventDependency[];
  readonly triggers: SensorTrigger[];
}

/** Native NATS Streaming bus (Argo Events v1.5 default). */
export interface NativeNatsBus {
  readonly replicas?: number;
  readonly auth?: 'none' | 'token';
  readonly metadata?: EventsPodMetadata;
}

/** JetStream bus (Argo Events v1.7+). */
export interface JetStreamBus {
  readonly version: string;
  readonly replicas?: number;
  readonly metadata?: EventsPodMetadata;
}

/** EventBus spec (subset). */
export interface EventBusSpec {
  readonly nats?: { readonly native: NativeNatsBus };
  readonly jetstream?: JetStreamBus;
}

/** Props shared by the Argo Events L1 classes. */
export interface EventsObjectProps<Spec> {
  /** Object metadata (name and namespace are required by the controllers). */
  readonly metadata: ApiObjectMetadata;
  /** The kind's spec. */
  readonly spec: Spec;
}

/** apiVersion of every Argo Events kind. */
export const ARGO_EVENTS_API_VERSION = 'argoproj.io/v1alpha1';

/** L1 `argoproj.io/v1alpha1` EventBus. */
export class EventBusObject extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: ARGO_EVENTS_API_VERSION, kind: 'EventBus' };
  constructor(scope: Construct, id: string, props: EventsObjectProps<EventBusSpec>) {
    super(scope, id, { ...EventBusObject.GVK, ...props });
  }
}

/** L1 `argoproj.io/v1alpha1` EventSource. */
export class EventSourceObject extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: ARGO_EVENTS_API_VERSION, kind: 'EventSource' };
  constructor(scope: Construct, id: string, props: EventsObjectProps<EventSourceSpec>) {
    super(scope, id, { ...EventSourceObject.GVK, ...props });
  }
}

/** L1 `argoproj.io/v1alpha1` Sensor. */
export class SensorObject extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: ARGO_EVENTS_API_VERSION, kind: 'Sensor' };
  constructor(scope: Construct, id: string, props: EventsObjectProps<SensorSpec>) {
    super(scope, id, { ...SensorObject.GVK, ...props });
  }
}
