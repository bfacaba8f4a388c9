import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { INGRESS_GATEWAY_PRINCIPAL, KUBEFLOW_GATEWAY } from '../istio/argo-server-route';
import { claimRoute } from '../istio/gateway-routes';
import { createAuthorizationPolicy, createVirtualService } from '../istio/istio-api';
import { Platform, resolvePlatform } from '../platform';
import {
  checkBoolean, checkDnsLabel, checkDnsSubdomain, checkGateway, checkHost, checkKnownKeys, checkList, checkNamespace, checkOneOf, checkPathPrefix, checkPort, checkPrincipal, fail, propNames, requireString, snapshotProps, Where, whereIn, within,
} from '../validation';
import { EventBus } from './event-bus';
import { WebhookEventSourceType } from './event-field';
import { EventSourceObject, EventSourceSpec, SecretKeySelector, WebhookContext } from './events-api';

const at = whereIn('WebhookEventSource');

/** Every {@link WebhookEventSourceType}. */
export const WEBHOOK_EVENT_SOURCE_TYPES: readonly WebhookEventSourceType[] = ['github', 'gitlab', 'webhook'];

// the compiler checks this list against the props interface (propNames)
const PROPS = propNames<WebhookEventSourceProps>()(
  'platform', 'type', 'name', 'namespace', 'eventBus', 'eventName', 'port', 'endpoint', 'method', 'events', 'repositories', 'projects',
  'webhookSecret', 'apiToken', 'publicUrl', 'baseUrl', 'pathPrefix', 'gateway', 'hosts', 'allowedPrincipals', 'allowUnauthenticated',
);

/** Default events per provider: pushes. */
const DEFAULT_EVENTS: Record<'github' | 'gitlab', string[]> = { github: ['push'], gitlab: ['PushEvents'] };

/** Props for {@link WebhookEventSource}. */
export interface WebhookEventSourceProps {
  /**
   * Platform preset: Istio API versions and Argo Events release.
   * @default - the eventBus's platform, else Platform.KFP_1_7
   */
  readonly platform?: Platform;

  /** `github`, `gitlab` or a generic `webhook`. */
  readonly type: WebhookEventSourceType;

  /**
   * EventSource name (Sensors refer to it).
   * @default - the type, e.g. "github"
   */
  readonly name?: string;

  /**
   * Namespace of the EventSource; it needs an EventBus named `default`.
   * @default - the eventBus's namespace, else "argo-events"
   */
  readonly namespace?: string;

  /**
   * The bus of the namespace. When given, its namespace is used and pods get the annotations
   * that let them reach it through an Istio sidecar.
   * @default - the bus is managed elsewhere
   */
  readonly eventBus?: EventBus;

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
   * the hook itself. Needs `publicUrl`. Without it, add the hook by hand (README). Required for
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
export class WebhookEventSource extends Construct {
  /** The EventSource (also `ApiObject.of(source)`). */
  public readonly eventSource: EventSourceObject;
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
  /** Full URL to paste into the provider, when `publicUrl` is known. */
  public readonly webhookUrl?: string;
  /** Event source port. */
  public readonly port: number;
  /** Labels on the event source pods. */
  public readonly podLabels: Readonly<Record<string, string>>;
  /** The bus, when given. */
  public readonly eventBus?: EventBus;

  constructor(scope: Construct, id: string, props: WebhookEventSourceProps) {
    super(scope, id);
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('WebhookEventSource', props);
      if (!props) fail(at('props'), props, 'are required', 'pass at least { type: "github" }');
      checkKnownKeys(at(''), props, PROPS);
      const type = this.type = checkOneOf(at('type'), props.type, WEBHOOK_EVENT_SOURCE_TYPES);
      if (props.eventBus !== undefined && !(props.eventBus instanceof EventBus)) {
        fail(at('eventBus'), typeof props.eventBus, 'must be an EventBus construct', 'pass the EventBus instance');
      }
      this.eventBus = props.eventBus;
      this.platform = resolvePlatform(at('platform'), props.platform, this, props.eventBus && { platform: props.eventBus.platform, from: 'eventBus' });
      this.name = checkDnsLabel(at('name'), props.name ?? type);
      if (this.name.length > 47) {
        // Argo Events names the Service "<name>-eventsource-svc", itself a DNS-1123 label (at most 63)
        fail(at('name'), this.name, `is ${this.name.length} characters; Argo Events derives the Service name "<name>-eventsource-svc", which must fit in 63`,
          'use a name of at most 47 characters');
      }
      this.namespace = checkNamespace(at('namespace'), props.namespace ?? props.eventBus?.namespace ?? 'argo-events');
      if (props.eventBus && props.eventBus.namespace !== this.namespace) {
        fail(at('namespace'), this.namespace,
          `contradicts eventBus: the bus is in "${props.eventBus.namespace}", and an EventSource only uses the bus of its own namespace`,
          'leave namespace out to follow the bus');
      }
      const eventName = checkDnsLabel(at('eventName'), props.eventName ?? (type === 'webhook' ? 'webhook' : 'push'));
      this.eventNames = [eventName];
      this.port = checkPort(at('port'), props.port ?? 12000);
      const endpoint = props.endpoint ?? `/${eventName}`;
      requireString(at('endpoint'), endpoint);
      if (!/^\/[A-Za-z0-9._~/-]*$/.test(endpoint) || endpoint.includes('..') || endpoint.includes('//')) {
        fail(at('endpoint'), endpoint, 'must be a plain absolute path such as "/push"', 'start it with "/" and use letters, digits, "-", "_", "." and "/"');
      }
      const method = type === 'webhook'
        ? checkOneOf(at('method'), props.method ?? 'POST', ['POST', 'PUT', 'GET'])
        : refuseFor(at('method'), props.method, type, 'github and gitlab always POST') ?? 'POST';
      const events = type === 'webhook'
        ? refuseFor(at('events'), props.events, type, 'a generic webhook has no provider events') ?? []
        : checkList(at('events'), props.events ?? DEFAULT_EVENTS[type], checkEventName);
      const repositories = type === 'github'
        ? checkList(at('repositories'), props.repositories, checkRepository)
        : refuseFor(at('repositories'), props.repositories, type, 'repositories are for github; gitlab uses projects') ?? [];
      const projects = type === 'gitlab'
        ? checkList(at('projects'), props.projects, checkProject)
        : refuseFor(at('projects'), props.projects, type, 'projects are for gitlab; github uses repositories') ?? [];
      const webhookSecret = props.webhookSecret === undefined ? undefined : checkSecretRef(at('webhookSecret'), props.webhookSecret);
      const apiToken = props.apiToken === undefined ? undefined
        : type === 'webhook' ? refuseFor(at('apiToken'), props.apiToken, type, 'a generic webhook registers no hooks')
          : checkSecretRef(at('apiToken'), props.apiToken);
      const publicUrl = props.publicUrl === undefined ? undefined : checkUrl(at('publicUrl'), props.publicUrl);
      const baseUrl = props.baseUrl === undefined ? undefined
        : type === 'webhook' ? refuseFor(at('baseUrl'), props.baseUrl, type, 'only github and gitlab have an API base URL')
          : checkUrl(at('baseUrl'), props.baseUrl);
      const allowUnauthenticated = checkBoolean(at('allowUnauthenticated'), props.allowUnauthenticated ?? false);
      if (!webhookSecret && !allowUnauthenticated) {
        fail(at('webhookSecret'), undefined,
          'is required: the webhook path bypasses Kubeflow\'s login, so the secret is what keeps strangers from starting workflows',
          'create a Secret (kubectl -n <namespace> create secret generic <name> --from-literal=secret=<random>) and pass { name, key }, or set allowUnauthenticated: true');
      }
      if (webhookSecret && allowUnauthenticated) {
        fail(at('allowUnauthenticated'), true, 'contradicts webhookSecret, which is set', 'remove one of them');
      }
      if (type === 'gitlab' && webhookSecret && !apiToken) {
        // argo-events v1.5.6 eventsources/sources/gitlab/start.go and v1.9.11
        // pkg/eventsources/sources/gitlab/start.go load the secret token that HandleRoute compares
        // only inside `if gitlabEventSource.NeedToCreateHooks()` (access token + webhook url).
        fail(at('apiToken'), undefined,
          'is required for a gitlab source with webhookSecret: Argo Events checks the GitLab secret token only when the source registers the hook itself (with an access token and the webhook URL), so without it any request on the webhook path would start workflows',
          'pass apiToken (a Secret with a GitLab access token, scope "api") and publicUrl, so the source registers the hook and checks X-Gitlab-Token');
      }
      if (apiToken && !publicUrl) {
        fail(at('publicUrl'), undefined,
          'is required with apiToken: the event source registers the hook at that URL', 'pass the gateway URL the provider can reach, e.g. "https://kubeflow.example.com"');
      }
      this.pathPrefix = checkPathPrefix(at('pathPrefix'), props.pathPrefix ?? `/argo-events/${this.name}/`);
      const gateway = checkGateway(at('gateway'), props.gateway ?? KUBEFLOW_GATEWAY);
      const hosts = checkList(at('hosts'), props.hosts ?? ['*'], checkHost);
      const principals = checkList(at('allowedPrincipals'), props.allowedPrincipals ?? [INGRESS_GATEWAY_PRINCIPAL], checkPrincipal);

      this.webhookPath = `${this.pathPrefix.slice(0, -1)}${endpoint}`;
      this.webhookUrl = publicUrl ? `${publicUrl}${this.webhookPath}` : undefined;
      this.podLabels = { 'eventsource-name': this.name };

      // The provider calls url + endpoint, so the registered url carries the gateway prefix.
      const webhook: WebhookContext = {
        endpoint,
        method,
        port: String(this.port),
        ...(publicUrl ? { url: `${publicUrl}${this.pathPrefix.slice(0, -1)}` } : {}),
      };
      const spec: EventSourceSpec = {
        template: {
          metadata: {
            labels: { ...this.podLabels },
            ...(this.eventBus ? { annotations: { ...this.eventBus.clientPodAnnotations } } : {}),
          },
        },
        // Port name prefix "http-" tells Istio the protocol.
        service: { ports: [{ name: 'http-webhook', port: this.port, targetPort: this.port }] },
        ...(type === 'github' ? {
          github: {
            [eventName]: {
              events,
              repositories: groupRepositories(repositories),
              webhook,
              ...(webhookSecret ? { webhookSecret } : {}),
              ...(apiToken ? { apiToken } : {}),
              ...(baseUrl ? { githubBaseURL: baseUrl } : {}),
              contentType: 'json',
              active: true,
              insecure: false,
            },
          },
        } : {}),
        ...(type === 'gitlab' ? {
          gitlab: {
            [eventName]: {
              events,
              // v1.5 still reads the deprecated single projectID when projects is empty
              projectID: projects[0],
              projects,
              webhook,
              ...(webhookSecret ? { secretToken: webhookSecret } : {}),
              ...(apiToken ? { accessToken: apiToken } : {}),
              gitlabBaseURL: baseUrl ?? 'https://gitlab.com',
              enableSSLVerification: true,
            },
          },
        } : {}),
        ...(type === 'webhook' ? { webhook: { [eventName]: { ...webhook, ...(webhookSecret ? { authSecret: webhookSecret } : {}) } } } : {}),
      };
      this.eventSource = new EventSourceObject(this, 'Resource', { metadata: { name: this.name, namespace: this.namespace }, spec });

      claimRoute(this, 'WebhookEventSource', 'pathPrefix', { gateway, prefix: this.pathPrefix, hosts });
      this.virtualService = createVirtualService(this, 'Route', this.platform, {
        metadata: { name: `${this.name}-eventsource`, namespace: this.namespace },
        spec: {
          gateways: [gateway],
          hosts,
          http: [{
            match: [{ uri: { prefix: this.pathPrefix } }],
            rewrite: { uri: '/' },
            route: [{ destination: { host: `${this.name}-eventsource-svc.${this.namespace}.svc.cluster.local`, port: { number: this.port } } }],
          }],
        },
      });

      this.authorizationPolicy = createAuthorizationPolicy(this, 'AuthorizationPolicy', this.platform, {
        metadata: { name: `${this.name}-eventsource`, namespace: this.namespace },
        spec: {
          action: AuthorizationPolicySpecAction.ALLOW,
          selector: { matchLabels: { ...this.podLabels } },
          rules: [{
            from: [{ source: { principals } }],
            to: [{ operation: { ports: [String(this.port)], methods: [method], paths: [endpoint] } }],
          }],
        },
      });
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}

function refuseFor<T>(where: Where, value: T | undefined, type: string, why: string): T | undefined {
  if (value !== undefined) {
    fail(where, value, `does not apply to type "${type}" (${why})`, `remove ${where.prop}`);
  }
  return undefined;
}

function checkEventName(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^(\*|[A-Za-z_][A-Za-z0-9_ ]*)$/.test(value)) {
    fail(where, value, 'must be a provider event name', 'use e.g. "push" (GitHub) or "PushEvents" (GitLab)');
  }
  return value;
}

function checkRepository(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(value)) {
    fail(where, value, 'must be a GitHub repository as "owner/name"', 'use e.g. "kubeflow/pipelines"');
  }
  return value;
}

function checkProject(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^(\d+|[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+)$/.test(value)) {
    fail(where, value, 'must be a GitLab project path ("group/name") or numeric ID', 'use e.g. "my-group/my-project" or "42"');
  }
  return value;
}

function checkSecretRef(where: Where, value: unknown): SecretKeySelector {
  checkKnownKeys(where, value, ['name', 'key']);
  const ref = value as SecretKeySelector;
  checkDnsSubdomain({ owner: where.owner, prop: `${where.prop}.name` }, ref.name);
  requireString({ owner: where.owner, prop: `${where.prop}.key` }, ref.key);
  if (!/^[-._a-zA-Z0-9]{1,253}$/.test(ref.key)) {
    fail(within(where, 'key'), ref.key, 'must be a Secret key (letters, digits, "-", "_", ".")', 'use e.g. "secret"');
  }
  return { name: ref.name, key: ref.key };
}

function checkUrl(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~-]+)*$/.test(value)) {
    fail(where, value, 'must be an http(s) URL without a trailing slash, query or fragment',
      'use e.g. "https://kubeflow.example.com"');
  }
  return value;
}

/** `owner/name` strings grouped per owner, in first-seen order (upstream `repositories` shape). */
function groupRepositories(repos: readonly string[]): Array<{ owner: string; names: string[] }> {
  const out: Array<{ owner: string; names: string[] }> = [];
  for (const r of repos) {
    const [owner, name] = r.split('/');
    const entry = out.find((e) => e.owner === owner);
    if (entry) entry.names.push(name); else out.push({ owner, names: [name] });
  }
  return out;
}
