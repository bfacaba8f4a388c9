import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoEventsRbac, ArgoEventsRbacProps } from './argo-events/argo-events-rbac';
import { EVENT_BUS_OPTIONS, EventBus, EventBusOptions } from './argo-events/event-bus';
import { EventField } from './argo-events/event-field';
import { WebhookEventSource, WebhookEventSourceOptions } from './argo-events/webhook-event-source';
import { CalendarEventSource, CalendarEventSourceOptions } from './argo-events/calendar-event-source';
import { WorkflowTrigger } from './argo-events/workflow-trigger';
import { ArgoServer, ArgoServerProps } from './argo-server/argo-server';
import { ArgoServerSsoOptions } from './argo-server/sso';
import { ArgoServerRoute, ArgoServerRouteOptions } from './argo-server/argo-server-route';
import { KubeflowArgoRoles } from './kubeflow/kubeflow-argo-roles';
import { DashboardMenuLink, KubeflowPatches } from './kubeflow/kubeflow-patches';
import { checkProfileList, KubeflowProfile } from './kubeflow/profile';
import { ProfileSsoAccess, SsoDefaultAccess } from './argo-server/profile-sso-access';
import { ProfileWorkflowTemplate, ProfileWorkflowTemplateOptions, TEMPLATE_OPTIONS } from './kubeflow/profile-workflow-template';
import { brand, hasBrand } from './brands';
import { checkPlatform, Platform } from './platform';
import { OUTPUT_LABEL, pruneLabels } from './synth/prune';
import {
  checkBoolean, checkKnownKeys, LABEL_VALUE, checkOptions, checkLabels, checkList, fail, propNames, snapshotProps, whereIn,
} from './validation';
import type { Where } from './validation';

const at = whereIn('KubeflowArgoChart');

// the compiler checks this list against the props interface (propNames)
const PROPS = propNames<KubeflowArgoChartProps>()(
  'platform', 'profiles', 'argoServer', 'route', 'argoEventsRbac', 'enableArgoEventsRbac', 'workflowTemplate', 'kubeflowRoles', 'events',
  'labels', 'namespace', 'disableResourceNameHashes', 'dashboardMenuLinks', 'sso', 'outputName',
);

/** SSO for {@link KubeflowArgoChart}: argo-server's settings, and what non-members get. */
export interface KubeflowArgoSsoOptions extends ArgoServerSsoOptions {
  /**
   * What a user gets in a listed profile they are not a member of ({@link ProfileSsoAccessOptions.defaultAccess}):
   * `none` refuses users in no profile; `view` lets anyone who logs in view every listed profile.
   * @default "none"
   */
  readonly defaultAccess?: SsoDefaultAccess;
}

/** One trigger of {@link KubeflowArgoEventsOptions}: a source's events start a profile's template. */
export interface KubeflowArgoTriggerOptions {
  /** Name of one of `events.sources`. */
  readonly source: string;
  /** Profile (one of `profiles`) whose WorkflowTemplate runs. */
  readonly profile: string;
  /** Event of the source. @default - the source's only event */
  readonly eventName?: string;
  /** Template parameter name → event field. @default {} */
  readonly parameters?: Record<string, EventField>;
  /** Only pushes to these branches. @default - every push */
  readonly branches?: string[];
  /** Sensor name. @default "<source>-<profile>" */
  readonly name?: string;
  /**
   * Let event data reach a template anywhere but an environment variable (see WorkflowTrigger). Risky.
   * @default false
   */
  readonly allowShellInterpolation?: boolean;
}

/** Argo Events wiring for {@link KubeflowArgoChart}; everything lives in the sensor RBAC namespace. */
export interface KubeflowArgoEventsOptions {
  /** The namespace's `default` EventBus. @default - native NATS, 3 replicas */
  readonly eventBus?: EventBusOptions;
  /** Webhook event sources on that bus (names must be unique, also among `schedules`). */
  readonly sources: WebhookEventSourceOptions[];

  /**
   * Calendar sources on that bus: events on a cron schedule or at an interval
   * ({@link CalendarEventSource}); triggers name them like sources.
   * @default - none
   */
  readonly schedules?: CalendarEventSourceOptions[];
  /** Which source starts which profile's template. @default [] */
  readonly triggers?: KubeflowArgoTriggerOptions[];
}

/** Props for {@link KubeflowArgoChart}. */
export interface KubeflowArgoChartProps extends ChartProps {
  /**
   * The Kubeflow release the output targets: one {@link Platform} preset per release
   * (`Platform.KUBEFLOW_1_4` … `Platform.LATEST`), or one with a newer standalone KFP
   * (`withStandaloneKfp`). Sets the argocli line and image, upstream argo-server shape, Istio API
   * versions, what the release's login, NetworkPolicies and Pod Security need, and Argo Events
   * behaviour (docs/platforms.md, "Platform presets").
   * Every construct of the chart follows it (a child's own `platform` must agree).
   * @default Platform.DEFAULT
   */
  readonly platform?: Platform;

  /**
   * Kubeflow profiles: each gets a {@link ProfileWorkflowTemplate}. A namespace, or a
   * {@link KubeflowProfile} with its owner and contributors, which `sso` needs (their members
   * then log in to the Argo UI and work in their profiles). Output is sorted by namespace,
   * whatever the order here.
   * @default []
   */
  readonly profiles?: Array<string | KubeflowProfile>;

  /**
   * Log in to the Argo UI with your Kubeflow account (docs/login.md, "Log in with your Kubeflow
   * account"): `argoServer.sso`, plus SSO accounts that give each profile's owner and
   * contributors Kubeflow's editor rights in that profile ({@link ProfileSsoAccess}), and Dex's
   * client in the Kubeflow-side Component. Every profile needs its owner.
   * @default - no SSO: users paste a token
   */
  readonly sso?: KubeflowArgoSsoOptions;

  /**
   * argo-server settings.
   * @default - Kubeflow 1.4 defaults: namespace "kubeflow", argocli v3.1.15, base href "/argo/"
   */
  readonly argoServer?: ArgoServerProps;

  /**
   * Gateway route settings (`argoServer.addRoute`: the namespace, base href and port follow `argoServer`).
   * @default - `kubeflow/kubeflow-gateway`, hosts "*", timeout "300s", ingress gateway only
   */
  readonly route?: ArgoServerRouteOptions;

  /**
   * Emit the Argo Events sensor RBAC ({@link ArgoEventsRbac}).
   * @default true
   */
  readonly enableArgoEventsRbac?: boolean;

  /**
   * Argo Events sensor RBAC settings.
   * @default - `operate-workflow-sa` in "argo-events", submit verbs only
   */
  readonly argoEventsRbac?: ArgoEventsRbacProps;

  /**
   * The WorkflowTemplate every profile gets (its namespace is the profile's).
   * @default - the built-in `hello-kubeflow` template, run as `default-editor`
   */
  readonly workflowTemplate?: ProfileWorkflowTemplateOptions;

  /**
   * Aggregate Argo permissions into Kubeflow's `kubeflow-edit`/`kubeflow-view`
   * ({@link KubeflowArgoRoles}) so profile users and `default-editor` can create workflows.
   * Opt-in because it widens what every profile editor may do in their namespace.
   * @default false
   */
  readonly kubeflowRoles?: boolean;

  /**
   * Argo Events end to end: an EventBus, webhook EventSources behind the gateway and Sensors
   * that submit each profile's WorkflowTemplate. Lives in `argoEventsRbac.namespace` and
   * needs the sensor RBAC.
   * @default - no event sources
   */
  readonly events?: KubeflowArgoEventsOptions;

  /**
   * Entries the Kubeflow-side Component adds to the central dashboard menu (`[]`: none).
   * @default - one entry, "Argo Workflows", at argo-server's base href
   */
  readonly dashboardMenuLinks?: DashboardMenuLink[];

  /**
   * Names this output in the label every object carries (`cdk8s-kubeflow-argo/output`), beside
   * `cdk8s-kubeflow-argo/revision`, a hash of the output: `prune.sh`, which the synth writes
   * beside the manifests, deletes what left the output after you apply it (docs/apply.md, "Removing
   * what left the output"). Unique per output applied to a cluster, and kept across changes.
   * @default - the chart's id
   */
  readonly outputName?: string;
}

/**
 * Everything a Kubeflow release (its {@link Platform} preset) needs for the Argo UI at `/argo/`
 * behind its gateway and login, Argo Events triggers and profile workflow templates, as one
 * cdk8s Chart.
 */
export class KubeflowArgoChart extends Chart {
  /** True for a KubeflowArgoChart of this library (also across duplicate installs of the package). */
  public static isKubeflowArgoChart(x: unknown): x is KubeflowArgoChart {
    return hasBrand(x, 'KubeflowArgoChart');
  }

  /** The label every object of the chart carries: the output it belongs to ({@link KubeflowArgoChartProps.outputName}). */
  public static readonly OUTPUT_LABEL: string = OUTPUT_LABEL;

  /**
   * The labels that make your own chart's objects prunable by the synth's `prune.sh`:
   * `new Chart(app, 'mine', { labels: KubeflowArgoChart.pruneLabels('mine') })`.
   */
  public static pruneLabels(outputName: string): Record<string, string> {
    return pruneLabels(outputName);
  }

  /** The platform preset. */
  public readonly platform: Platform;
  /** The argo-server. */
  public readonly argoServer: ArgoServer;
  /** Its gateway route and authorization policy. */
  public readonly route: ArgoServerRoute;
  /** Sensor RBAC, unless disabled. */
  public readonly argoEventsRbac?: ArgoEventsRbac;
  /** Aggregated Kubeflow roles, when `kubeflowRoles` is true. */
  public readonly kubeflowRoles?: KubeflowArgoRoles;
  /** The SSO accounts of the profiles, with `sso`. */
  public readonly profileAccess?: ProfileSsoAccess;
  /** One WorkflowTemplate per profile, sorted by namespace. */
  public readonly workflowTemplates: readonly ProfileWorkflowTemplate[];
  /** The EventBus, when `events` is set. */
  public readonly eventBus?: EventBus;
  /** Event sources, in `events.sources` order. */
  public readonly eventSources: readonly WebhookEventSource[] = [];
  /** Calendar sources, in `events.schedules` order. */
  public readonly calendarSources: readonly CalendarEventSource[] = [];
  /** Sensors, in `events.triggers` order. */
  public readonly triggers: readonly WorkflowTrigger[] = [];
  /**
   * The Kubeflow-side changes (a kustomize Component in `<outdir>/kubeflow-patches/`): the
   * dashboard menu entries and the event sources' webhook paths past the login. Absent when there
   * is nothing to change.
   */
  public readonly kubeflowPatches?: KubeflowPatches;
  /** The value of the output label on every object of the chart ({@link KubeflowArgoChartProps.outputName}). */
  public readonly outputName: string;

  constructor(scope: Construct, id: string, props: KubeflowArgoChartProps = {}) {
    super(scope, id, chartProps(id, props));
    brand(this, 'KubeflowArgoChart');
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('KubeflowArgoChart', props); // chartProps() has checked the keys, labels and namespace
      this.platform = checkPlatform(at('platform'), props.platform);
      Platform.use(this, this.platform);
      this.outputName = this.labels[OUTPUT_LABEL];
      const profiles = checkProfiles(props);
      const enableEvents = checkBoolean(at('enableArgoEventsRbac'), props.enableArgoEventsRbac ?? true);
      if (!enableEvents && props.argoEventsRbac !== undefined) {
        fail(at('argoEventsRbac'), props.argoEventsRbac,
          'is set while enableArgoEventsRbac is false', 'remove argoEventsRbac or set enableArgoEventsRbac: true');
      }
      const server = addServer(this, props);
      this.argoServer = server.argoServer;
      this.route = server.route;
      this.profileAccess = server.profileAccess;
      // Sensors may act in the chart's profiles (each trigger binds its own target as well);
      // clusterWide: true in argoEventsRbac binds everywhere instead.
      if (enableEvents) {
        const rbacProps = { ...props.argoEventsRbac };
        if (!rbacProps.clusterWide && rbacProps.namespaces === undefined) rbacProps.namespaces = profiles;
        this.argoEventsRbac = new ArgoEventsRbac(this, 'ArgoEventsRbac', rbacProps);
      }
      if (checkBoolean(at('kubeflowRoles'), props.kubeflowRoles ?? false)) {
        this.kubeflowRoles = new KubeflowArgoRoles(this, 'KubeflowRoles');
      }
      // one template per profile: the namespace is the profile's
      checkOptions(at('workflowTemplate'), props.workflowTemplate, TEMPLATE_OPTIONS, 'the chart', {
        namespace: 'list the profile namespaces in profiles: each gets its own template',
        platform: 'set platform on the chart',
      });
      this.workflowTemplates = profiles.map((ns) =>
        new ProfileWorkflowTemplate(this, `Profile-${ns}`, { ...props.workflowTemplate, namespace: ns }));
      if (props.events !== undefined) {
        const events = addEvents(this, props.events, profiles);
        this.eventBus = events.eventBus;
        this.eventSources = events.eventSources;
        this.calendarSources = events.calendarSources;
        this.triggers = events.triggers;
      }
      this.kubeflowPatches = addKubeflowPatches(this, props);
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}

/** The profile namespaces, sorted (lib/kubeflow/profile.ts: the checks every profile gets). */
function checkProfiles(props: KubeflowArgoChartProps): string[] {
  return checkProfileList(at('profiles'), props.profiles ?? [], { namespaceOnly: true, allowEmpty: true }).map((p) => p.namespace);
}

/** argo-server, its route and, with `sso`, the profiles' SSO accounts. */
function addServer(chart: KubeflowArgoChart, props: KubeflowArgoChartProps): { argoServer: ArgoServer; route: ArgoServerRoute; profileAccess?: ProfileSsoAccess } {
  if (props.sso !== undefined && props.argoServer?.sso !== undefined) {
    fail(at('argoServer.sso'), props.argoServer.sso, 'is set together with the chart\'s sso', 'set sso on the chart only');
  }
  const { serverSso, defaultAccess } = splitSso(props.sso);
  const argoServer = new ArgoServer(chart, 'ArgoServer', serverSso === undefined ? props.argoServer : { ...props.argoServer, sso: serverSso as ArgoServerSsoOptions });
  const route = argoServer.addRoute('Route', props.route);
  if (!argoServer.sso) return { argoServer, route };
  checkSsoNeeds(props, defaultAccess, chart.platform);
  // profiles given as namespaces only have no owner: ProfileSsoAccess names them
  const entries = (props.profiles ?? []).map((p) => (typeof p === 'string' ? { namespace: p } : p));
  const profileAccess = argoServer.addProfileAccess('ProfileAccess', { profiles: entries, ...(defaultAccess === undefined ? {} : { defaultAccess }) });
  return { argoServer, route, profileAccess };
}

/** With `sso`: someone can log in, and the roles the accounts bind have Argo rights. */
function checkSsoNeeds(props: KubeflowArgoChartProps, defaultAccess: SsoDefaultAccess | undefined, platform: Platform): void {
  if ((props.profiles ?? []).length === 0) {
    fail(at('profiles'), props.profiles, 'is empty, and with sso nobody could log in', 'list the profiles with their owners, e.g. [{ namespace: "team-a", owner: "alice@example.com" }]');
  }
  if (defaultAccess === 'view' && props.kubeflowRoles !== true) {
    // KFP's multi-user roles aggregate Argo rights into kubeflow-edit only (see KubeflowArgoRoles)
    fail(at('kubeflowRoles'), props.kubeflowRoles, 'is not true, and sso.defaultAccess "view" binds kubeflow-view, which has no Argo rights on any release without it',
      'set kubeflowRoles: true');
  }
  if (!platform.spec.kubeflow.editRoleHasArgo && props.kubeflowRoles !== true) {
    fail(at('kubeflowRoles'), props.kubeflowRoles, `is not true, and on ${platform.id} Kubeflow's kubeflow-edit has no Argo rights (KFP ${platform.spec.kubeflow.kfp}), so profile members would see nothing`,
      'set kubeflowRoles: true');
  }
}

/** `events`: the EventBus next to the sensors, the sources in order, and one trigger per entry. */
function addEvents(chart: KubeflowArgoChart, events: KubeflowArgoEventsOptions, profiles: readonly string[]) {
  checkKnownKeys(at('events'), events, ['eventBus', 'sources', 'schedules', 'triggers']);
  const rbac = chart.argoEventsRbac;
  if (!rbac) {
    fail(at('events'), 'enableArgoEventsRbac: false', 'needs the sensor RBAC (sensors run as its ServiceAccount)', 'remove enableArgoEventsRbac: false');
  }
  // the bus goes next to the sensors
  checkOptions(at('events.eventBus'), events.eventBus, EVENT_BUS_OPTIONS, 'the chart', {
    namespace: 'the bus goes next to the sensors: set argoEventsRbac.namespace',
    platform: 'set platform on the chart',
  });
  const eventBus = new EventBus(chart, 'EventBus', { ...events.eventBus, namespace: rbac.namespace });
  const byName = addSources(eventBus, events.sources, events.schedules);
  const sensorNames = new Set<string>();
  const triggers = checkList(at('events.triggers'), events.triggers ?? [], (_w, v) => v as KubeflowArgoTriggerOptions, { allowEmpty: true })
    .map((t, i) => {
      const trigger = addTrigger(t, i, byName, chart.workflowTemplates, profiles, rbac);
      if (sensorNames.has(trigger.name)) {
        fail(at(`events.triggers[${i}].name`), trigger.name, 'is the name of another trigger\'s Sensor', 'set a unique name');
      }
      sensorNames.add(trigger.name);
      return trigger;
    });
  const all = [...byName.values()];
  return { eventBus, eventSources: all.filter((s): s is WebhookEventSource => s instanceof WebhookEventSource), calendarSources: all.filter((s): s is CalendarEventSource => s instanceof CalendarEventSource), triggers };
}

/** The event sources on the bus, then the calendar sources, by name; two with one name are refused (they would share a path or a Sensor dependency). */
function addSources(eventBus: EventBus, value: unknown, schedules: unknown): Map<string, WebhookEventSource | CalendarEventSource> {
  const object = (w: Where, v: unknown) => {
    if (!v || typeof v !== 'object') fail(w, v, 'must be an object', 'pass { type, ... }');
    return v as Record<string, unknown>;
  };
  const sources = checkList(at('events.sources'), value, object) as unknown as WebhookEventSourceOptions[];
  const calendars = checkList(at('events.schedules'), schedules ?? [], object, { allowEmpty: true }) as unknown as CalendarEventSourceOptions[];
  // same name, same default path: say so before the route check reports the overlap
  const entries = [
    ...sources.map((src, i) => ({ where: `events.sources[${i}].name`, name: src.name ?? src.type })),
    ...calendars.map((src, i) => ({ where: `events.schedules[${i}].name`, name: src.name ?? 'calendar' })),
  ];
  entries.forEach((e, i) => {
    if (typeof e.name === 'string' && entries.findIndex((o) => o.name === e.name) !== i) {
      fail(at(e.where), e.name, 'is used by two event sources', 'give each source a unique name');
    }
  });
  const byName = new Map<string, WebhookEventSource | CalendarEventSource>();
  const add = (source: WebhookEventSource | CalendarEventSource, where: string) => {
    if (byName.has(source.name)) fail(at(where), source.name, 'is used by two event sources', 'give each source a unique name');
    byName.set(source.name, source);
  };
  sources.forEach((src, i) => add(eventBus.addWebhookEventSource(`EventSource-${i}`, src), `events.sources[${i}].name`));
  calendars.forEach((src, i) => add(eventBus.addCalendarEventSource(`Schedule-${i}`, src), `events.schedules[${i}].name`));
  return byName;
}

/** One `events.triggers` entry: its source by name, its profile's template. */
function addTrigger(t: KubeflowArgoTriggerOptions, i: number, byName: ReadonlyMap<string, WebhookEventSource | CalendarEventSource>, templates: readonly ProfileWorkflowTemplate[],
  profiles: readonly string[], rbac: ArgoEventsRbac): WorkflowTrigger {
  const w = (prop: string) => at(`events.triggers[${i}].${prop}`);
  checkKnownKeys(at(`events.triggers[${i}]`), t, ['source', 'profile', 'eventName', 'parameters', 'branches', 'name', 'allowShellInterpolation']);
  const source = byName.get(t.source);
  if (!source) {
    fail(w('source'), t.source, `names no event source (sources are ${[...byName.keys()].map((n) => `"${n}"`).join(', ')})`,
      'use the name of one of events.sources or events.schedules');
  }
  const template = templates.find((wt) => wt.namespace === t.profile);
  if (!template) {
    fail(w('profile'), t.profile, `is not one of profiles (${profiles.map((p) => `"${p}"`).join(', ') || 'none'})`,
      'add it to profiles or fix the name');
  }
  return source.addTrigger(`Trigger-${i}`, {
    template,
    rbac,
    eventName: t.eventName,
    parameters: t.parameters,
    branches: t.branches,
    name: t.name ?? `${source.name}-${t.profile}`,
    allowShellInterpolation: t.allowShellInterpolation,
  });
}

/** The Kubeflow-side Component, when there is something to change: menu links, webhook paths, Dex's client. */
function addKubeflowPatches(chart: KubeflowArgoChart, props: KubeflowArgoChartProps): KubeflowPatches | undefined {
  const sso = chart.argoServer.sso;
  const menuLinks = props.dashboardMenuLinks ?? [{ text: 'Argo Workflows', link: chart.argoServer.baseHref }];
  const webhookPaths = chart.eventSources.map((s) => s.webhookPath);
  const dexClient = sso && {
    redirectUri: sso.redirectUrl, secretName: sso.clientSecret.name, clientIdKey: sso.clientSecret.clientIdKey, clientSecretKey: sso.clientSecret.clientSecretKey,
  };
  if (!webhookPaths.length && !dexClient && Array.isArray(menuLinks) && menuLinks.length === 0) return undefined;
  return new KubeflowPatches(chart, 'KubeflowPatches', { webhookPaths, menuLinks, ...(dexClient ? { dexClient } : {}) });
}

/**
 * The chart's `sso`: `defaultAccess` is for the accounts (ProfileSsoAccess), the rest for
 * argo-server, which also refuses a value that is not an object.
 */
function splitSso(sso: unknown): { serverSso: unknown; defaultAccess?: SsoDefaultAccess } {
  if (sso === null || typeof sso !== 'object' || Array.isArray(sso)) return { serverSso: sso };
  const { defaultAccess, ...serverSso } = sso as KubeflowArgoSsoOptions;
  return { serverSso, defaultAccess };
}

/** The Chart's own props, checked before the chart exists (a bad value leaves no node behind). */
function chartProps(id: string, props: unknown): ChartProps {
  const p = snapshotProps('KubeflowArgoChart', props);
  checkKnownKeys({ owner: 'KubeflowArgoChart', prop: '' }, p, PROPS);
  const { labels, namespace, disableResourceNameHashes } = (p ?? {}) as ChartProps;
  let sorted: Record<string, string> | undefined;
  if (labels !== undefined) {
    sorted = checkLabels({ owner: 'KubeflowArgoChart', prop: 'labels' }, labels);
    for (const key of [OUTPUT_LABEL]) {
      if (key in labels) fail(at(`labels["${key}"]`), labels[key], 'is set by the chart itself (the prune label)', 'set outputName instead');
    }
  }
  if (namespace !== undefined) {
    fail(at('namespace'), namespace,
      'is not supported: each object already has its own namespace (kubeflow, argo-events, the profiles) and a chart-wide one would move them all',
      'set argoServer.namespace, argoEventsRbac.namespace or profiles instead');
  }
  if (disableResourceNameHashes !== undefined) checkBoolean({ owner: 'KubeflowArgoChart', prop: 'disableResourceNameHashes' }, disableResourceNameHashes);
  const outputName = (p as KubeflowArgoChartProps | undefined)?.outputName;
  if (outputName !== undefined && (typeof outputName !== 'string' || !LABEL_VALUE.test(outputName))) {
    fail(at('outputName'), outputName, 'must be a label value (1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)', 'e.g. "kubeflow-argo"');
  }
  if (outputName === undefined && !LABEL_VALUE.test(id)) {
    fail(at('outputName'), outputName, `is not set, and the chart's id "${id}", its default, is not a label value`, 'set outputName to a label value, e.g. "kubeflow-argo"');
  }
  return { labels: { ...sorted, ...pruneLabels(outputName ?? id) }, namespace, disableResourceNameHashes };
}
