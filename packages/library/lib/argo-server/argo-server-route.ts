import { checkNotKubeflowRoute } from '../gateway/kubeflow-routes';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { hasBrand } from '../brands';
import { ARGO_SERVER_NAME, ARGO_SERVER_PORT, ARGO_SERVER_SELECTOR, INGRESS_GATEWAY_PRINCIPAL, KUBEFLOW_GATEWAY, KUBEFLOW_NAMESPACE } from '../constants';
import { AuthorizationPolicySpecAction, AuthorizationPolicySpecRules } from '../../imports/security.istio.io';
import type { ArgoServer } from './argo-server';
import { Platform, resolvePlatform } from '../platform';
import {
  checkBoolean, checkDuration, checkGateway, checkHost, checkKnownKeys, checkList, checkNamespace, checkPathPrefix, checkPort, checkPrincipal, fail, propNames, snapshotProps, whereIn,
} from '../validation';
import { gatewayNetworkPolicy } from '../gateway/gateway-network-policy';
import { claimRoute } from '../gateway/gateway-routes';
import { createAuthorizationPolicy, createVirtualService } from '../gateway/istio-api';

const at = whereIn('ArgoServerRoute');

// the compiler checks these lists against the interfaces (propNames)
/** Keys of {@link ArgoServerRouteOptions}, for {@link ArgoServer.addRoute}. */
export const ROUTE_OPTIONS = propNames<ArgoServerRouteOptions>()('gateway', 'hosts', 'timeout', 'allowedPrincipals', 'allowAllSources');
const PROPS = propNames<ArgoServerRouteProps>()(
  'platform', 'server', 'namespace', 'baseHref', 'port', 'gateway', 'hosts', 'timeout', 'allowedPrincipals', 'allowAllSources',
);

/** Props for {@link ArgoServerRoute}. */
export interface ArgoServerRouteProps extends ArgoServerRouteOptions {
  /**
   * Platform preset: the Istio API versions to emit.
   * @default - the server's platform, else Platform.KUBEFLOW_1_4
   */
  readonly platform?: Platform;

  /**
   * The argo-server to route to. Its namespace, base href and port become this route's
   * defaults, and a contradicting prop is refused. `server.addRoute()` sets it.
   * @default - route to Service `argo-server` in `namespace`
   */
  readonly server?: ArgoServer;

  /**
   * Namespace of argo-server; the VirtualService and AuthorizationPolicy go there too.
   * @default - `server.namespace`, else "kubeflow"
   */
  readonly namespace?: string;

  /**
   * URL prefix on the gateway. Must equal argo-server's base href, or the UI loads blank.
   * Requests are rewritten to `/` before they reach argo-server.
   * @default - `server.baseHref`, else "/argo/"
   */
  readonly baseHref?: string;

  /**
   * argo-server Service port.
   * @default 2746
   */
  readonly port?: number;

}

/** What a route adds to its server ({@link ArgoServer.addRoute}). */
export interface ArgoServerRouteOptions {
  /**
   * Gateway the route binds to, as `namespace/name`.
   * @default "kubeflow/kubeflow-gateway"
   */
  readonly gateway?: string;

  /**
   * Hosts the route answers for (Kubeflow's gateway serves `*`).
   * @default ["*"]
   */
  readonly hosts?: string[];

  /**
   * Request timeout on the route (Istio duration). Long enough for log streaming.
   * @default "300s"
   */
  readonly timeout?: string;

  /**
   * Workload principals allowed to call argo-server. Kubeflow 1.4 installs a mesh-wide
   * deny-all, so without an ALLOW policy every request gets "RBAC: access denied".
   * @default ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"]
   */
  readonly allowedPrincipals?: string[];

  /**
   * Allow every source (the seed's `rules: [{}]`) instead of only `allowedPrincipals`.
   * Risky: any pod in the mesh, including user notebooks in every profile, can then call
   * argo-server directly, without going through the gateway's Kubeflow login. With
   * `--auth-mode=server` that hands them argo-server's cluster-wide permissions.
   * @default false
   */
  readonly allowAllSources?: boolean;
}

/**
 * Publishes argo-server through the Kubeflow Istio gateway at its base href: a VirtualService
 * (prefix match, rewrite to `/`, redirect of the bare prefix) and an ALLOW AuthorizationPolicy
 * on the argo-server pods that admits only the ingress gateway by default.
 */
export class ArgoServerRoute extends Construct {
  /** The VirtualService (also `ApiObject.of(route)`). */
  public readonly virtualService: ApiObject;
  /** The AuthorizationPolicy selecting `app: argo-server`. */
  public readonly authorizationPolicy: ApiObject;
  /** The platform preset. */
  public readonly platform: Platform;
  /** The prefix the route serves. */
  public readonly baseHref: string;
  /**
   * Admits the ingress gateway to argo-server's port where the platform's NetworkPolicies restrict
   * argo-server's namespace (Kubeflow 1.9+ in `kubeflow`); undefined elsewhere.
   */
  public readonly networkPolicy?: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoServerRouteProps = {}) {
    super(scope, id);
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('ArgoServerRoute', props);
      checkKnownKeys(at(''), props, PROPS);
      const server = props.server;
      if (server !== undefined && !hasBrand(server, 'ArgoServer')) {
        fail(at('server'), typeof server, 'must be an ArgoServer construct',
          'pass the ArgoServer instance, or leave server out and set namespace/baseHref/port');
      }

      this.platform = resolvePlatform(at('platform'), props.platform, this, server && { platform: server.platform, from: 'server' });
      const namespace = checkNamespace(at('namespace'), props.namespace ?? server?.namespace ?? KUBEFLOW_NAMESPACE);
      this.baseHref = checkNotKubeflowRoute(at('baseHref'), checkPathPrefix(at('baseHref'), props.baseHref ?? server?.baseHref ?? '/argo/'), this.platform);
      const port = checkPort(at('port'), props.port ?? server?.port ?? ARGO_SERVER_PORT);
      const gateway = checkGateway(at('gateway'), props.gateway ?? KUBEFLOW_GATEWAY);
      const hosts = checkList(at('hosts'), props.hosts ?? ['*'], checkHost);
      const timeout = checkDuration(at('timeout'), props.timeout ?? '300s');
      const allowAll = checkBoolean(at('allowAllSources'), props.allowAllSources ?? false);
      const principals = checkList(at('allowedPrincipals'), props.allowedPrincipals ?? [INGRESS_GATEWAY_PRINCIPAL], checkPrincipal);

      if (server) checkAgainstServer(server, namespace, this.baseHref, port);
      if (allowAll && props.allowedPrincipals !== undefined) {
        contradiction('allowAllSources', true, 'allowedPrincipals is set too, and allowAllSources ignores it', 'set only one of them');
      }

      const host = server?.serviceHost ?? `${ARGO_SERVER_NAME}.${namespace}.svc.cluster.local`;
      claimRoute(this, 'ArgoServerRoute', 'baseHref', { gateway, prefix: this.baseHref, hosts });
      this.virtualService = createVirtualService(this, 'Resource', this.platform, routeSpec(this.platform, { namespace, gateway, hosts, baseHref: this.baseHref, host, port, timeout }));

      const rules: AuthorizationPolicySpecRules[] = allowAll
        ? [{}]
        : [{ from: [{ source: { principals } }] }];
      this.authorizationPolicy = createAuthorizationPolicy(this, 'AuthorizationPolicy', this.platform, {
        metadata: { name: ARGO_SERVER_NAME, namespace },
        spec: {
          action: AuthorizationPolicySpecAction.ALLOW,
          selector: { matchLabels: { ...(server?.podSelector ?? ARGO_SERVER_SELECTOR) } },
          rules,
        },
      });
      this.networkPolicy = gatewayNetworkPolicy(this, 'NetworkPolicy', this.platform, {
        name: ARGO_SERVER_NAME, namespace, podSelector: server?.podSelector ?? ARGO_SERVER_SELECTOR, port, principals, allowAll,
      });
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}

/** A route built on a server must agree with it, and argo-server must speak plain HTTP behind the mesh. */
function checkAgainstServer(server: ArgoServer, namespace: string, baseHref: string, port: number): void {
  if (server.namespace !== namespace) {
    contradiction('namespace', namespace, `argo-server runs in "${server.namespace}"`, 'leave namespace out to follow the server');
  }
  if (server.baseHref !== baseHref) {
    contradiction('baseHref', baseHref, `argo-server's baseHref is "${server.baseHref}" and the UI loads blank when they differ`,
      'leave baseHref out to follow the server');
  }
  if (server.port !== port) contradiction('port', port, `argo-server listens on ${server.port}`, 'leave port out');
  if (server.secure) {
    contradiction('server', 'secure: true', 'this route sends plain HTTP, which argo-server with secure: true rejects',
      'keep secure: false on the ArgoServer (the mesh encrypts pod-to-pod traffic)');
  }
}

/** The VirtualService: the bare prefix redirected to the base href, then the base href rewritten to `/`. */
function routeSpec(platform: Platform, r: { namespace: string; gateway: string; hosts: string[]; baseHref: string; host: string; port: number; timeout: string }) {
  const bare = r.baseHref.slice(0, -1);
  return {
    metadata: { name: ARGO_SERVER_NAME, namespace: r.namespace },
    spec: {
      gateways: [r.gateway],
      hosts: r.hosts,
      http: [
        ...(bare ? [{ match: [{ uri: { exact: bare } }], redirect: { uri: r.baseHref } }] : []),
        {
          match: [{ uri: { prefix: r.baseHref } }],
          rewrite: { uri: '/' },
          route: [{ destination: { host: r.host, port: { number: r.port } } }],
          timeout: r.timeout,
          // oauth2-proxy (Kubeflow 1.9+) hands argo-server "Authorization: Bearer <Dex ID token>";
          // argo-server reads that header before its own "authorization" cookie (server/auth/gatekeeper.go
          // getAuthHeaders), so the token a user pasted in the UI would never be used.
          ...(platform.spec.kubeflow.authorizationUpstream ? { headers: { request: { remove: ['authorization'] } } } : {}),
        },
      ],
    },
  };
}

function contradiction(prop: string, value: unknown, problem: string, fix: string): never {
  fail(at(prop), value, `contradicts the server: ${problem}`, fix);
}
