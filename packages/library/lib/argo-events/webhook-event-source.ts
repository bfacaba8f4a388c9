import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { brand, hasBrand } from '../brands';
import { ARGO_EVENTS_NAMESPACE, INGRESS_GATEWAY_PRINCIPAL, KUBEFLOW_GATEWAY } from '../constants';
import { claimRoute } from '../gateway/gateway-routes';
import { gatewayNetworkPolicy } from '../gateway/gateway-network-policy';
import { createAuthorizationPolicy, createVirtualService } from '../gateway/istio-api';
import { webhookTokenFilter, WEBHOOK_TOKEN_HEADER } from './webhook-token';
import { checkNotKubeflowRoute } from '../gateway/kubeflow-routes';
import { Platform, resolvePlatform } from '../platform';
import {
  checkBoolean, checkDnsLabel, checkGateway, checkHost, checkKnownKeys, checkOptions, checkList, checkNamespace, checkOneOf, checkPathPrefix, checkPort, checkPrincipal, fail,
  isPlainPath, propNames, requireString, snapshotProps, whereIn,
} from '../validation';
import type { EventBus } from './event-bus';
import { EventSourceObject, SecretKeySelector, WebhookContext } from './events-api';
import { checkPlacement as checkSourcePlacement, IEventSource, SET_BY_SOURCE } from './event-source';
import { PROVIDERS, WebhookEventSourceType, WEBHOOK_EVENT_SOURCE_TYPES } from './webhook-providers';

export type { IEventSource } from './event-source';
import { CheckedProvider, checkSecretRef, checkUrl, refuseOthers, WebhookProvider } from './webhook-providers/provider';
import { WorkflowTrigger, WorkflowTriggerOptions, TRIGGER_OPTIONS } from './workflow-trigger';

const at = whereIn('WebhookEventSource');

// the compiler checks these lists against the interfaces (propNames)
/** Keys of {@link WebhookEventSourceOptions}, for {@link EventBus.addWebhookEventSource}. */
export const EVENT_SOURCE_OPTIONS = propNames<WebhookEventSourceOptions>()(
  'type', 'name', 'eventName', 'port', 'endpoint', 'method', 'events', 'repositories', 'projects',
  'webhookSecret', 'apiToken', 'publicUrl', 'baseUrl', 'pathPrefix', 'gateway', 'hosts', 'allowedPrincipals', 'allowUnauthenticated',
);
const PROPS = propNames<WebhookEventSourceProps>()(
  'platform', 'namespace', 'eventBus', 'type', 'name', 'eventName', 'port', 'endpoint', 'method', 'events', 'repositories', 'projects',
  'webhookSecret', 'apiToken', 'publicUrl', 'baseUrl', 'pathPrefix', 'gateway', 'hosts', 'allowedPrincipals', 'allowUnauthenticated',
);

/** Where to find an EventSource made elsewhere ({@link WebhookEventSource.fromEventSourceName}). */
export interface EventSourceImportOptions {
  /** Its provider type. */
  readonly type: WebhookEventSourceType;
  /** Its namespace. @default "argo-events" */
  readonly namespace?: string;
  /** The event names it emits. @default - the type's default ("push", or "webhook") */
  readonly eventNames?: string[];
  /** Its platform. @default - the enclosing chart's, else Platform.DEFAULT */
  readonly platform?: Platform;
}

/** Props for {@link WebhookEventSource}. */
export interface WebhookEventSourceProps extends WebhookEventSourceOptions {
  /**
   * Platform preset: Istio API versions and Argo Events release.
   * @default - the eventBus's platform, else the enclosing chart's, else Platform.DEFAULT
   */
  readonly platform?: Platform;

  /**
   * Namespace of the EventSource; it needs an EventBus named `default`.
   * @default - the eventBus's namespace, else "argo-events"
   */
  readonly namespace?: string;

  /**
   * The bus of the namespace. When given, its namespace is used and pods get the annotations
   * that let them reach it through an Istio sidecar. `eventBus.addWebhookEventSource()` sets it.
   * @default - the bus is managed elsewhere
   */
  readonly eventBus?: EventBus;
}

/** What an event source adds to its bus ({@link EventBus.addWebhookEventSource}). */
export interface WebhookEventSourceOptions {
  /** `github`, `gitlab` or a generic `webhook`. */
  readonly type: WebhookEventSourceType;

  /**
   * EventSource name (Sensors refer to it).
   * @default - the type, e.g. "github"
   */
  readonly name?: string;

  /**
   * Name of the event inside the EventSource (Sensor dependencies use it).
   * @default "push" for github/gitlab, "webhook" for a generic webhook
   */
  readonly eventName?: string;

  /**
   * Port the event source listens on (and its Service port).
   * @default 12000
   */
  readonly port?: number;

  /**
   * HTTP path of the endpoint inside the event source.
   * @default - "/" + eventName
   */
  readonly endpoint?: string;

  /**
   * HTTP method a generic webhook accepts (github/gitlab always POST).
   * @default "POST"
   */
  readonly method?: string;

  /**
   * Provider events to subscribe to (github: `push`, `pull_request`, …; gitlab: `PushEvents`,
   * `TagPushEvents`, …). Not used by generic webhooks.
   * @default ["push"] for github, ["PushEvents"] for gitlab
   */
  readonly events?: string[];

  /** GitHub repositories as `owner/name` (required for github). @default - none */
  readonly repositories?: string[];

  /** GitLab projects as `group/name` or numeric IDs (required for gitlab). @default - none */
  readonly projects?: string[];

  /**
   * Secret that authenticates calls: GitHub `webhookSecret` (HMAC signature), GitLab
   * `secretToken`, or the generic webhook's bearer token (`authSecret`). Required unless
   * `allowUnauthenticated` is true, because webhook paths must bypass Kubeflow's login.
   * For gitlab it also needs `apiToken` and `publicUrl`: Argo Events only checks the GitLab
   * token when the source registers the hook itself.
   * @default - none (refused unless allowUnauthenticated)
   */
  readonly webhookSecret?: SecretKeySelector;

  /**
   * API token (GitHub `apiToken`, GitLab `accessToken`) that lets the event source register
   * the hook itself. Needs `publicUrl`. Without it, add the hook by hand (docs/events.md). Required for
   * gitlab with `webhookSecret` (see there).
   * @default - hooks are registered by hand (github); required for gitlab with webhookSecret
   */
  readonly apiToken?: SecretKeySelector;

  /**
   * Public base URL of the Kubeflow gateway as the provider reaches it, e.g.
   * `https://kubeflow.example.com`. Used to register hooks and to print {@link WebhookEventSource.webhookUrl}.
   * @default - none; required with apiToken
   */
  readonly publicUrl?: string;

  /**
   * API base URL for GitHub Enterprise or a self-hosted GitLab.
   * @default - github.com; "https://gitlab.com" for gitlab
   */
  readonly baseUrl?: string;

  /**
   * Path prefix on the gateway; rewritten to `/` before the event source.
   * @default "/argo-events/<name>/"
   */
  readonly pathPrefix?: string;

  /** Gateway, as `namespace/name`. @default "kubeflow/kubeflow-gateway" */
  readonly gateway?: string;

  /** Hosts on the gateway. @default ["*"] */
  readonly hosts?: string[];

  /**
   * Workload principals allowed to reach the event source port.
   * @default ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"]
   */
  readonly allowedPrincipals?: string[];

  /**
   * Accept calls without a secret. Risky: the path bypasses Kubeflow's login, so anyone who
   * can reach the gateway can then start workflows.
   * @default false
   */
  readonly allowUnauthenticated?: boolean;
}

/**
 * A GitHub, GitLab or generic webhook EventSource, published through the Kubeflow gateway at
 * its own path prefix (default `/argo-events/<name>/`) with an AuthorizationPolicy that lets
 * only the ingress gateway in, and only to the event source port, method and endpoint.
 * Secrets are referenced by name and key; their values never appear in the output.
 */
export class WebhookEventSource extends Construct implements IEventSource {
  /** True for an event source of this library, made here or imported (also across duplicate installs). */
  public static isEventSource(x: unknown): x is IEventSource {
    return hasBrand(x, 'EventSource');
  }

  /**
   * An EventSource made elsewhere (another app, or by hand), for triggers to listen to. Nothing
   * is emitted for it.
   */
  public static fromEventSourceName(scope: Construct, id: string, name: string, options: EventSourceImportOptions): IEventSource {
    return new ImportedEventSource(scope, id, name, options);
  }

  /** The EventSource (also `ApiObject.of(source)`). */
  public readonly eventSource: ApiObject;
  /** Route from the gateway. */
  public readonly virtualService: ApiObject;
  /** Lets only the ingress gateway reach the event source. */
  public readonly authorizationPolicy: ApiObject;
  /** The platform preset. */
  public readonly platform: Platform;
  /** EventSource name. */
  public readonly name: string;
  /** Namespace. */
  public readonly namespace: string;
  /** Provider type. */
  public readonly type: WebhookEventSourceType;
  /** Event names this source emits (Sensor dependencies must use one of them). */
  public readonly eventNames: readonly string[];
  /** Gateway path prefix. */
  public readonly pathPrefix: string;
  /** Path on the gateway the provider must call (prefix + endpoint). */
  public readonly webhookPath: string;
  /**
   * The header a generic webhook's caller sends the secret in: `Authorization` (as
   * `Bearer <secret>`, Argo Events' own form) where the gateway lets it through (Kubeflow 1.4–1.8),
   * else `X-Argo-Events-Token` (the bare secret), which {@link tokenFilter} turns into
   * `Authorization: Bearer <secret>` on the event source's sidecar (Kubeflow 1.9+, where the
   * gateway answers any bearer token that is not a Kubeflow JWT with 401). Undefined for GitHub and
   * GitLab, which sign or send their own headers, and without a secret.
   */
  public readonly tokenHeader?: string;
  /** The EnvoyFilter that moves {@link tokenHeader} into `Authorization`, where one is needed. */
  public readonly tokenFilter?: ApiObject;
  /** Full URL to paste into the provider, when `publicUrl` is known. */
  public readonly webhookUrl?: string;
  /** Event source port. */
  public readonly port: number;
  /** Labels on the event source pods. */
  public readonly podLabels: Readonly<Record<string, string>>;
  /**
   * Admits the ingress gateway to the event source port where the platform's NetworkPolicies
   * restrict its namespace (Kubeflow 1.9+ in `kubeflow`); undefined elsewhere.
   */
  public readonly networkPolicy?: ApiObject;
  /** The bus, when given. */
  public readonly eventBus?: EventBus;

  constructor(scope: Construct, id: string, props: WebhookEventSourceProps) {
    super(scope, id);
    brand(this, 'EventSource');
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('WebhookEventSource', props);
      if (!props) fail(at('props'), props, 'are required', 'pass at least { type: "github" }');
      checkKnownKeys(at(''), props, PROPS);
      const c = checkProps(props, this);
      this.type = c.type;
      this.eventBus = props.eventBus;
      this.platform = c.platform;
      this.name = c.name;
      this.namespace = c.namespace;
      this.eventNames = [c.eventName];
      this.port = c.port;
      this.pathPrefix = c.pathPrefix;
      this.webhookPath = `${this.pathPrefix.slice(0, -1)}${c.endpoint}`;
      this.webhookUrl = c.publicUrl ? `${c.publicUrl}${this.webhookPath}` : undefined;
      this.podLabels = { 'eventsource-name': this.name };

      this.eventSource = new EventSourceObject(this, 'Resource', eventSourceProps(this, c));
      claimRoute(this, 'WebhookEventSource', 'pathPrefix', { gateway: c.gateway, prefix: this.pathPrefix, hosts: c.hosts });
      this.virtualService = createVirtualService(this, 'Route', this.platform, routeProps(this, c));
      this.authorizationPolicy = createAuthorizationPolicy(this, 'AuthorizationPolicy', this.platform, policyProps(this, c));
      if (c.type === 'webhook' && c.webhookSecret) {
        const viaHeader = this.platform.spec.kubeflow.gatewayVerifiesBearer;
        this.tokenHeader = viaHeader ? WEBHOOK_TOKEN_HEADER : 'Authorization';
        if (viaHeader) {
          this.tokenFilter = new ApiObject(this, 'TokenFilter', webhookTokenFilter({
            name: `${this.name}-eventsource-token`, namespace: this.namespace, podSelector: this.podLabels, port: this.port,
          }));
        }
      }
      this.networkPolicy = gatewayNetworkPolicy(this, 'NetworkPolicy', this.platform, {
        name: `${this.name}-eventsource`, namespace: this.namespace, podSelector: this.podLabels, port: this.port, principals: c.principals, allowAll: false,
      });
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /** A Sensor that runs a WorkflowTemplate when this source fires ({@link WorkflowTrigger}). */
  public addTrigger(id: string, options: WorkflowTriggerOptions): WorkflowTrigger {
    checkOptions({ owner: 'WorkflowTrigger', prop: '' }, snapshotProps('WorkflowTrigger', options), TRIGGER_OPTIONS, 'the event source (addTrigger)', SET_BY_SOURCE);
    return new WorkflowTrigger(this, id, { ...options, eventSource: this });
  }
}

/** The props as checked, defaults filled in: what the objects are built from. */
interface CheckedProps {
  readonly type: WebhookEventSourceType;
  readonly platform: Platform;
  readonly name: string;
  readonly namespace: string;
  readonly eventName: string;
  readonly port: number;
  readonly endpoint: string;
  readonly webhookSecret?: SecretKeySelector;
  readonly provider: CheckedProvider;
  readonly publicUrl?: string;
  readonly pathPrefix: string;
  readonly gateway: string;
  readonly hosts: string[];
  readonly principals: string[];
}

/** Checks every prop once: where the source lives, then how it is reached and who may call it. */
function checkProps(props: WebhookEventSourceProps, scope: Construct): CheckedProps {
  const where = checkPlacement(props, scope);
  const provider: WebhookProvider = PROVIDERS[where.type];
  const eventName = checkDnsLabel(at('eventName'), props.eventName ?? provider.defaultEventName);
  const port = checkPort(at('port'), props.port ?? 12000);
  const endpoint = props.endpoint ?? `/${eventName}`;
  requireString(at('endpoint'), endpoint);
  if (!isPlainPath(endpoint)) {
    fail(at('endpoint'), endpoint, 'must be a plain absolute path such as "/push"', 'start it with "/" and use letters, digits, "-", "_", "." and "/"');
  }
  const webhookSecret = props.webhookSecret === undefined ? undefined : checkSecretRef(at('webhookSecret'), props.webhookSecret);
  refuseOthers(where.type, provider, props, at);
  const checked = provider.check(props, webhookSecret, at);
  const publicUrl = props.publicUrl === undefined ? undefined : checkUrl(at('publicUrl'), props.publicUrl);
  checkCallers(props, webhookSecret, checked, publicUrl);
  return {
    ...where,
    eventName,
    port,
    endpoint,
    webhookSecret,
    provider: checked,
    publicUrl,
    pathPrefix: checkNotKubeflowRoute(at('pathPrefix'), checkPathPrefix(at('pathPrefix'), props.pathPrefix ?? `/argo-events/${where.name}/`), where.platform),
    gateway: checkGateway(at('gateway'), props.gateway ?? KUBEFLOW_GATEWAY),
    hosts: checkList(at('hosts'), props.hosts ?? ['*'], checkHost),
    principals: checkList(at('allowedPrincipals'), props.allowedPrincipals ?? [INGRESS_GATEWAY_PRINCIPAL], checkPrincipal),
  };
}

/** The provider type, the bus, the platform, the name and the namespace, which must agree with the bus. */
function checkPlacement(props: WebhookEventSourceProps, scope: Construct) {
  const type = checkOneOf(at('type'), props.type, WEBHOOK_EVENT_SOURCE_TYPES);
  const { platform, namespace } = checkSourcePlacement(at, props, scope);
  const name = checkDnsLabel(at('name'), props.name ?? type);
  if (name.length > 47) {
    // Argo Events names the Service "<name>-eventsource-svc", itself a DNS-1123 label (at most 63)
    fail(at('name'), name, `is ${name.length} characters; Argo Events derives the Service name "<name>-eventsource-svc", which must fit in 63`,
      'use a name of at most 47 characters');
  }
  return { type, platform, name, namespace };
}

/** A secret, or an explicit `allowUnauthenticated`; a source that registers its hook needs the URL to register. */
function checkCallers(props: WebhookEventSourceProps, webhookSecret: SecretKeySelector | undefined, provider: CheckedProvider, publicUrl: string | undefined): void {
  const allowUnauthenticated = checkBoolean(at('allowUnauthenticated'), props.allowUnauthenticated ?? false);
  if (!webhookSecret && !allowUnauthenticated) {
    fail(at('webhookSecret'), undefined,
      'is required: the webhook path bypasses Kubeflow\'s login, so the secret is what keeps strangers from starting workflows',
      'create a Secret (kubectl -n <namespace> create secret generic <name> --from-literal=secret=<random>) and pass { name, key }, or set allowUnauthenticated: true');
  }
  if (webhookSecret && allowUnauthenticated) {
    fail(at('allowUnauthenticated'), true, 'contradicts webhookSecret, which is set', 'remove one of them');
  }
  if (provider.apiToken && !publicUrl) {
    fail(at('publicUrl'), undefined,
      'is required with apiToken: the event source registers the hook at that URL', 'pass the gateway URL the provider can reach, e.g. "https://kubeflow.example.com"');
  }
}

/** The EventSource: the provider's section, a Service port Istio reads as HTTP, the bus's client annotations. */
function eventSourceProps(source: WebhookEventSource, c: CheckedProps) {
  // The provider calls url + endpoint, so the registered url carries the gateway prefix.
  const webhook: WebhookContext = {
    endpoint: c.endpoint,
    method: c.provider.method,
    port: String(c.port),
    ...(c.publicUrl ? { url: `${c.publicUrl}${c.pathPrefix.slice(0, -1)}` } : {}),
  };
  return {
    metadata: { name: c.name, namespace: c.namespace },
    spec: {
      template: {
        metadata: {
          labels: { ...source.podLabels },
          ...(source.eventBus ? { annotations: { ...source.eventBus.clientPodAnnotations } } : {}),
        },
      },
      // Port name prefix "http-" tells Istio the protocol.
      service: { ports: [{ name: 'http-webhook', port: c.port, targetPort: c.port }] },
      ...c.provider.spec(c.eventName, webhook),
    },
  };
}

/** The gateway route: the path prefix, rewritten to `/`, to the event source's Service. */
function routeProps(source: WebhookEventSource, c: CheckedProps) {
  return {
    metadata: { name: `${c.name}-eventsource`, namespace: c.namespace },
    spec: {
      gateways: [c.gateway],
      hosts: c.hosts,
      http: [{
        match: [{ uri: { prefix: c.pathPrefix } }],
        rewrite: { uri: '/' },
        route: [{ destination: { host: `${c.name}-eventsource-svc.${c.namespace}.svc.cluster.local`, port: { number: source.port } } }],
      }],
    },
  };
}

/** Only the allowed principals (the ingress gateway), only the endpoint, its method and port. */
function policyProps(source: WebhookEventSource, c: CheckedProps) {
  return {
    metadata: { name: `${c.name}-eventsource`, namespace: c.namespace },
    spec: {
      action: AuthorizationPolicySpecAction.ALLOW,
      selector: { matchLabels: { ...source.podLabels } },
      rules: [{
        from: [{ source: { principals: c.principals } }],
        to: [{ operation: { ports: [String(c.port)], methods: [c.provider.method], paths: [c.endpoint] } }],
      }],
    },
  };
}

/** An EventSource made elsewhere: only what a trigger needs to know of it. */
class ImportedEventSource extends Construct implements IEventSource {
  public readonly name: string;
  public readonly namespace: string;
  public readonly type: WebhookEventSourceType;
  public readonly eventNames: readonly string[];
  public readonly platform: Platform;

  constructor(scope: Construct, id: string, name: string, options: EventSourceImportOptions) {
    super(scope, id);
    brand(this, 'EventSource');
    try {
      const o = snapshotProps('WebhookEventSource', options);
      checkKnownKeys(at(''), o, ['type', 'namespace', 'eventNames', 'platform']);
      this.name = checkDnsLabel(at('name'), name);
      this.type = checkOneOf(at('type'), o?.type, WEBHOOK_EVENT_SOURCE_TYPES);
      this.namespace = checkNamespace(at('namespace'), o.namespace ?? ARGO_EVENTS_NAMESPACE);
      this.eventNames = checkList(at('eventNames'), o.eventNames ?? [PROVIDERS[this.type].defaultEventName], checkDnsLabel);
      this.platform = resolvePlatform(at('platform'), o.platform, this);
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}
