import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import DASHBOARD_LINKS from '../../imports/kubeflow-dashboard-links.json';
import { brand, hasBrand } from '../brands';
import { KUBEFLOW_DEX } from '../constants';
import { AuthserviceSkip, Platform, resolvePlatform } from '../platform';
import { attachedFiles, attachFile } from '../synth/attached-files';
import { stringifyDocuments, yamlComment } from '../synth/yaml';
import { checkDnsSubdomain, checkKnownKeys, checkList, fail, isPlainPath, propNames, requireString, snapshotProps, Where, whereIn, within } from '../validation';

const at = whereIn('KubeflowPatches');

// the compiler checks this list against the props interface (propNames)
const PROPS = propNames<KubeflowPatchesProps>()('platform', 'webhookPaths', 'menuLinks', 'directory', 'dexClient');

/** argo-server's OAuth2 client at Kubeflow's Dex ({@link KubeflowPatchesProps.dexClient}). */
export interface DexClient {
  /** The redirect URI argo-server sends (its `sso.redirectUrl`), e.g. "/argo/oauth2/callback". */
  readonly redirectUri: string;
  /** The Secret with the client id and secret; the same name in Dex's namespace (`auth`) as in argo-server's. */
  readonly secretName: string;
  /** Key of the client id. */
  readonly clientIdKey: string;
  /** Key of the client secret. */
  readonly clientSecretKey: string;
}

/** The Dex environment variables the static client entry reads its id and secret from. */
export const DEX_CLIENT_ENV = { id: 'ARGO_WORKFLOWS_SSO_CLIENT_ID', secret: 'ARGO_WORKFLOWS_SSO_CLIENT_SECRET' } as const;

/** File (in the Component's folder) with the entry to add to Dex's `staticClients`. */
export const DEX_CLIENT_FILE = 'dex-static-client.yaml';

/** Set by this package's synth command (scripts/synth.js) while it loads and builds an app. */
const SYNTH_COMMAND = Symbol.for('cdk8s-kubeflow-argo.synth-hook');

/** An entry of Kubeflow's central dashboard menu. */
export interface DashboardMenuLink {
  /** The text of the entry. */
  readonly text: string;
  /** Where it leads: a path on the Kubeflow host, e.g. "/argo/". */
  readonly link: string;
  /**
   * An iron-icons name, as Kubeflow's own entries use.
   * @default "av:playlist-play"
   */
  readonly icon?: string;
}

/** Props for {@link KubeflowPatches}. */
export interface KubeflowPatchesProps {
  /**
   * The Kubeflow release whose objects are patched.
   * @default - the enclosing chart's, else Platform.DEFAULT
   */
  readonly platform?: Platform;

  /**
   * Gateway paths that must reach the cluster without a Kubeflow login: the webhook paths of the
   * event sources ({@link WebhookEventSource.webhookPath}). Each is let through exactly, not as a
   * prefix where the release allows it.
   * @default []
   */
  readonly webhookPaths?: string[];

  /**
   * Entries added to the central dashboard's menu, after the release's own (which are kept as the
   * release's manifests set them). The dashboard reads its links as one JSON string, so the
   * Component writes the whole value: the release's links plus these.
   * @default []
   */
  readonly menuLinks?: DashboardMenuLink[];

  /**
   * Folder of the output directory the Component is written to.
   * @default "kubeflow-patches"
   */
  readonly directory?: string;

  /**
   * argo-server's SSO client at Kubeflow's Dex. The Component then gives Dex's Deployment the
   * client's id and secret as environment variables (from the Secret of that name in `auth`,
   * which must exist first: a new Dex pod waits for it), and writes the `staticClients`
   * entry that reads them to `dex-static-client.yaml` next to it: Dex's config is one string
   * in ConfigMap `auth/dex` that admins edit for their connectors and users, so the entry is
   * added by hand (docs/login.md, "Log in with your Kubeflow account") instead of replacing it.
   * @default - no Dex change
   */
  readonly dexClient?: DexClient;
}

/** The login's skip list each release starts with (its params.env / AuthorizationPolicies): Dex itself. */
const RELEASE_SKIPS = ['/dex'];

/**
 * The changes Kubeflow's own objects need, as a kustomize Component an admin adds to the
 * Kubeflow manifests overlay (`components: [<path>/kubeflow-patches]`), instead of editing them by
 * hand. Written to `<outdir>/kubeflow-patches/kustomization.yaml` by the synth command (not by
 * `app.synth()`, and not applied by `kubectl apply -f dist/`).
 *
 * Webhook paths past the login, per release:
 * - Kubeflow 1.4–1.8 (oidc-authservice): `SKIP_AUTH_URI` (1.4–1.6) or `SKIP_AUTH_URLS` (1.7–1.8) of
 *   ConfigMap `oidc-authservice-parameters` becomes the release's `/dex` plus the paths, as
 *   prefixes separated the way that release's authservice splits them (1.4–1.6, commit `28c59ef`:
 *   spaces; 1.7–1.8, commit `e236439`: commas; {@link AuthserviceSkip}). The authservice reads it only at start, so its pod template
 *   (StatefulSet `authservice`, from 1.8 `oidc-authservice`) gets the same value as an
 *   annotation: a change rolls the StatefulSet.
 * - Kubeflow 1.9+ (oauth2-proxy): the paths join the `notPaths` of the gateway's
 *   `istio-ingressgateway-oauth2-proxy` (CUSTOM: requests it matches go to oauth2-proxy) and
 *   `istio-ingressgateway-require-jwt` (DENY without a verified JWT). A request the CUSTOM policy
 *   does not match never reaches oauth2-proxy, so its `skip_auth_routes` needs no change.
 *
 * Menu entries: ConfigMap `kubeflow/centraldashboard-config` key `links` (one JSON string) becomes
 * the release's own links plus the entries, generated whole from the release's manifests
 * (`imports/kubeflow-dashboard-links.json`).
 */
export class KubeflowPatches extends Construct {
  /** True for a KubeflowPatches of this library (also across duplicate installs of the package). */
  public static isKubeflowPatches(x: unknown): x is KubeflowPatches {
    return hasBrand(x, 'KubeflowPatches');
  }

  /** The platform preset. */
  public readonly platform: Platform;
  /**
   * Writes the files of every KubeflowPatches in the app `scope` belongs to (the Component's
   * `kustomization.yaml`, and with `dexClient` the `dex-static-client.yaml` entry) into `outdir`,
   * beside the manifests: call it after `app.synth()` in an app that `cdk8s synth` (or any synth
   * other than this package's `npm run synth`, which writes them itself) runs, or the Kubeflow-side
   * patches are missing and the webhook and SSO paths cannot work. Each file is written whole
   * (a temporary file renamed); nothing else in `outdir` changes. Returns the paths written.
   * Under this package's synth command, which writes every file of the app itself (and only after
   * its checks pass), it writes nothing and returns `[]`.
   *
   * @param outdir the output directory @default - the app's `outdir` (cdk8s' `CDK8S_OUTDIR` or `dist`)
   */
  public static writeFiles(scope: IConstruct, outdir?: string): string[] {
    if (typeof (globalThis as Record<symbol, unknown>)[SYNTH_COMMAND] === 'function') return [];
    const root = scope.node.root;
    const dir = outdir ?? (root instanceof App ? root.outdir : undefined);
    const where = at('writeFiles.outdir');
    if (typeof dir !== 'string' || dir === '') {
      fail(where, dir, 'is required when the scope\'s root is not a cdk8s App', 'pass the directory app.synth() wrote');
    }
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      fail(where, dir, 'is not a directory', 'call app.synth() first, or pass the directory it wrote');
    }
    return attachedFiles(root).map((f) => {
      const target = path.join(dir, f.file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, f.text);
      fs.renameSync(tmp, target);
      return target;
    });
  }

  /** Output folder of the Component. */
  public readonly directory: string;
  /** The Component (`kustomization.yaml`) as written. */
  public readonly component: string;
  /** The `staticClients` entry for Dex (`dex-static-client.yaml`), with `dexClient`. */
  public readonly dexStaticClient?: string;

  constructor(scope: Construct, id: string, props: KubeflowPatchesProps) {
    super(scope, id);
    brand(this, 'KubeflowPatches');
    try {
      props = snapshotProps('KubeflowPatches', props);
      if (!props) fail(at('props'), props, 'are required', 'pass { webhookPaths: [...] } or { menuLinks: [...] }');
      checkKnownKeys(at(''), props, PROPS);
      this.platform = resolvePlatform(at('platform'), props.platform, this);
      const paths = checkList(at('webhookPaths'), props.webhookPaths ?? [], checkGatewayPath, { allowEmpty: true });
      const menu = checkList(at('menuLinks'), props.menuLinks ?? [], checkMenuLink, { allowEmpty: true });
      const dex = props.dexClient === undefined ? undefined : checkDexClient(at('dexClient'), props.dexClient);
      if (paths.length === 0 && menu.length === 0 && !dex) {
        fail(at('webhookPaths'), props.webhookPaths, 'and menuLinks are both empty and there is no dexClient, so there is nothing to patch', 'pass the webhook paths of your event sources, or a menu entry');
      }
      this.directory = checkFolder(at('directory'), props.directory ?? 'kubeflow-patches');
      const kubeflow = this.platform.spec.kubeflow;
      const header = yamlComment([
        `Kubeflow-side changes for ${this.platform.id} (kubeflow/manifests ${kubeflow.release}), generated by cdk8s-kubeflow-argo.`,
        `Add this folder to your Kubeflow manifests overlay:  components: [<path to>/${this.directory}]`,
        'It lets the webhook paths of the event sources past the Kubeflow login and adds entries to the',
        'central dashboard menu (docs/platforms.md, "Kubeflow-side patches").',
        ...(dex ? [`It also gives Dex argo-server's SSO client; add the entry in ${DEX_CLIENT_FILE} to Dex's config by hand.`] : []),
      ]);
      const skip = kubeflow.skipAuth;
      const login = paths.length === 0 ? {} : 'notPaths' in skip ? oauth2ProxyPatches(skip.notPaths, paths) : authservicePatches(skip, paths);
      const patches = [...(login.patches ?? []), ...(menu.length ? [dashboardPatch(kubeflow.release, menu)] : []), ...(dex ? [dexEnvPatch(dex)] : [])];
      this.component = header + stringifyDocuments([{
        apiVersion: 'kustomize.config.k8s.io/v1alpha1',
        kind: 'Component',
        ...(login.configMapGenerator ? { configMapGenerator: login.configMapGenerator } : {}),
        patches,
      }]);
      attachFile(this, `${this.directory}/kustomization.yaml`, this.component);
      if (dex) {
        this.dexStaticClient = dexStaticClient(this.platform, dex);
        attachFile(this, `${this.directory}/${DEX_CLIENT_FILE}`, this.dexStaticClient);
      }
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}

/**
 * ConfigMap `kubeflow/centraldashboard-config` with `links` = the release's own links (as its
 * example install sets them, imports/kubeflow-dashboard-links.json) plus `menu` at the end of
 * `menuLinks`; an entry whose link the release already has is not added twice.
 */
function dashboardPatch(release: string, menu: readonly DashboardMenuLink[]) {
  const own = (DASHBOARD_LINKS as Record<string, any>)[release];
  const known = new Set((own.menuLinks ?? []).map((l: any) => l.link));
  const links = {
    ...own,
    menuLinks: [...(own.menuLinks ?? []), ...menu.filter((m) => !known.has(m.link)).map((m) => ({ type: 'item', link: m.link, text: m.text, icon: m.icon ?? 'av:playlist-play' }))],
  };
  return {
    target: { version: 'v1', kind: 'ConfigMap', name: 'centraldashboard-config', namespace: 'kubeflow' },
    patch: stringifyDocuments([{
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'centraldashboard-config', namespace: 'kubeflow' },
      data: { links: JSON.stringify(links, null, 2) },
    }]),
  };
}

/** The skip list written the way the release's authservice splits it (AuthserviceSkip.separator). */
function authservicePatches(skip: AuthserviceSkip, paths: readonly string[]): { configMapGenerator?: unknown[]; patches?: unknown[] } {
  const { variable, statefulSet, separator } = skip;
  const value = [...RELEASE_SKIPS, ...paths].join(separator);
  return {
    configMapGenerator: [{ name: 'oidc-authservice-parameters', namespace: 'istio-system', behavior: 'merge', literals: [`${variable}=${value}`] }],
    patches: [{
      target: { group: 'apps', version: 'v1', kind: 'StatefulSet', name: statefulSet, namespace: 'istio-system' },
      patch: stringifyDocuments([{
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: statefulSet, namespace: 'istio-system' },
        spec: { template: { metadata: { annotations: { 'cdk8s-kubeflow-argo/skip-auth': value } } } },
      }]),
    }],
  };
}

function oauth2ProxyPatches(policies: readonly string[], paths: readonly string[]): { configMapGenerator?: unknown[]; patches?: unknown[] } {
  const notPaths = paths.map((value) => ({ op: 'add', path: '/spec/rules/0/to/0/operation/notPaths/-', value }));
  return {
    patches: policies.map((name) => ({
      target: { group: 'security.istio.io', kind: 'AuthorizationPolicy', name, namespace: 'istio-system' },
      patch: stringifyDocuments([notPaths]),
    })),
  };
}

/** A gateway path let past the login: a plain absolute path (no wildcards, query or spaces). */
function checkGatewayPath(where: Where, value: unknown): string {
  requireString(where, value);
  if (!isPlainPath(value) || value === '/' || value.startsWith('/dex')) {
    fail(where, value, 'must be a plain absolute path of a webhook (letters, digits, "-", "_", ".", "~" and "/"; not "/" or Dex\'s own)', 'pass the event source\'s webhookPath, e.g. "/argo-events/github/push"');
  }
  return value;
}

function checkMenuLink(where: Where, value: unknown): DashboardMenuLink {
  checkKnownKeys(where, value, ['text', 'link', 'icon']);
  const v = (value ?? {}) as DashboardMenuLink;
  requireString(within(where, 'text'), v.text);
  requireString(within(where, 'link'), v.link);
  if (!isPlainPath(v.link)) fail(within(where, 'link'), v.link, 'must be a path on the Kubeflow host', 'use e.g. "/argo/"');
  if (v.icon !== undefined && (typeof v.icon !== 'string' || !/^[a-z0-9-]+(:[a-z0-9-]+)?$/.test(v.icon))) {
    fail(within(where, 'icon'), v.icon, 'must be an iron-icons name', 'use e.g. "av:playlist-play"');
  }
  return { text: v.text, link: v.link, icon: v.icon };
}

/** A folder name inside the output directory. */
function checkFolder(where: Where, value: unknown): string {
  requireString(where, value);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(value)) fail(where, value, 'must be one folder name (lower-case letters, digits, ".", "_", "-")', 'use e.g. "kubeflow-patches"');
  return value;
}

function checkDexClient(where: Where, value: unknown): DexClient {
  checkKnownKeys(where, value, ['redirectUri', 'secretName', 'clientIdKey', 'clientSecretKey']);
  const v = (value ?? {}) as DexClient;
  for (const key of ['redirectUri', 'secretName', 'clientIdKey', 'clientSecretKey'] as const) requireString(within(where, key), v[key]);
  checkDnsSubdomain(within(where, 'secretName'), v.secretName);
  for (const key of ['clientIdKey', 'clientSecretKey'] as const) {
    if (!/^[-._a-zA-Z0-9]{1,253}$/.test(v[key])) fail(within(where, key), v[key], 'must be a Secret data key (letters, digits, "-", "_", ".")', 'use e.g. "client-secret"');
  }
  if (!/^(?:https?:\/\/[A-Za-z0-9.:-]+)?\/[A-Za-z0-9._~\/-]*$/.test(v.redirectUri)) {
    fail(within(where, 'redirectUri'), v.redirectUri, 'must be a path or an http(s) URL', 'use argo-server\'s sso.redirectUrl, e.g. "/argo/oauth2/callback"');
  }
  return { redirectUri: v.redirectUri, secretName: v.secretName, clientIdKey: v.clientIdKey, clientSecretKey: v.clientSecretKey };
}

/**
 * Dex's Deployment gets the client id and secret as environment variables, from the Secret in
 * Dex's namespace. Not `optional`: Dex reads `idEnv`/`secretEnv` only after checking that they
 * are set (`cmd/dex/serve.go`: `ID == "" && IDEnv == ""`, then `os.Getenv`), so a missing Secret
 * would register a client with an empty id and an empty secret. Without the Secret the new Dex
 * pod waits (CreateContainerConfigError) while the running one keeps serving: Kubeflow's Dex is
 * one replica with the default RollingUpdate (maxUnavailable 25% rounds down to 0). A strategic
 * merge patch: `env` entries merge by name, the release's own stay.
 */
function dexEnvPatch(dex: DexClient) {
  const { namespace, deployment, container } = KUBEFLOW_DEX;
  const env = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: dex.secretName, key } } });
  return {
    target: { group: 'apps', version: 'v1', kind: 'Deployment', name: deployment, namespace },
    patch: stringifyDocuments([{
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: deployment, namespace },
      spec: { template: { spec: { containers: [{ name: container, env: [env(DEX_CLIENT_ENV.id, dex.clientIdKey), env(DEX_CLIENT_ENV.secret, dex.clientSecretKey)] }] } } },
    }]),
  };
}

/** The `staticClients` entry (Dex reads `idEnv`/`secretEnv` since v2.23; Kubeflow's own client uses them). */
function dexStaticClient(platform: Platform, dex: DexClient): string {
  const { namespace, configMap } = KUBEFLOW_DEX;
  return [
    yamlComment([
      `argo-server's SSO client for Kubeflow's Dex (${platform.id}), generated by cdk8s-kubeflow-argo.`,
      `Add this entry to "staticClients" in ConfigMap ${namespace}/${configMap}, key config.yaml, then restart Dex`,
      '(docs/login.md, "Log in with your Kubeflow account"). The id and secret come from the environment',
      `variables the Component gives Dex, from Secret ${namespace}/${dex.secretName}; this file holds neither.`,
    ]).trimEnd(),
    stringifyDocuments([[{
      idEnv: DEX_CLIENT_ENV.id,
      secretEnv: DEX_CLIENT_ENV.secret,
      name: 'Argo Workflows',
      redirectURIs: [dex.redirectUri],
    }]]),
  ].join('\n');
}
