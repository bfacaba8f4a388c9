// A source that fires on a schedule: Argo Events' calendar EventSource. It has no gateway route
// (nothing calls it), so it is only the EventSource; its events carry `eventTime` and `metadata`
// (event-kinds.ts). The checks follow what the calendar source itself accepts at argo-events
// v1.9.11 (pkg/eventsources/sources/calendar/start.go, resolveSchedule; v1.5.6 the same in
// eventsources/sources/calendar/start.go): a five-field cron schedule (robfig/cron/v3 with
// Minute|Hour|Dom|Month|Dow, no descriptors, no seconds) or a Go duration, and a time zone Go's
// time.LoadLocation finds.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { brand } from '../brands';
import type { Platform } from '../platform';
import {
  checkDnsLabel, checkKnownKeys, checkOptions, fail, propNames, requireString, snapshotProps, whereIn,
} from '../validation';
import type { EventBus } from './event-bus';
import { checkPlacement, IEventSource, SET_BY_SOURCE } from './event-source';
import { CalendarEventSourceSpec, EventSourceObject } from './events-api';
import { WorkflowTrigger, WorkflowTriggerOptions, TRIGGER_OPTIONS } from './workflow-trigger';

const at = whereIn('CalendarEventSource');

/** Keys of {@link CalendarEventSourceOptions}, for {@link EventBus.addCalendarEventSource}. */
export const CALENDAR_SOURCE_OPTIONS = propNames<CalendarEventSourceOptions>()('name', 'eventName', 'schedule', 'interval', 'timezone', 'metadata');
const PROPS = propNames<CalendarEventSourceProps>()('platform', 'namespace', 'eventBus', 'name', 'eventName', 'schedule', 'interval', 'timezone', 'metadata');

/** Props for {@link CalendarEventSource}. Give exactly one of `schedule` and `interval`. */
export interface CalendarEventSourceProps extends CalendarEventSourceOptions {
  /**
   * Platform preset (the Argo Events release).
   * @default - the eventBus's platform, else the enclosing chart's, else Platform.DEFAULT
   */
  readonly platform?: Platform;

  /**
   * Namespace of the EventSource; it needs an EventBus named `default`.
   * @default - the eventBus's namespace, else "argo-events"
   */
  readonly namespace?: string;

  /**
   * The bus of the namespace: its pods get the annotations that let them reach it through an
   * Istio sidecar. `eventBus.addCalendarEventSource()` sets it.
   * @default - the bus is managed elsewhere
   */
  readonly eventBus?: EventBus;
}

/** What a calendar source adds to its bus ({@link EventBus.addCalendarEventSource}, the chart's `events.schedules`). */
export interface CalendarEventSourceOptions {
  /** EventSource name (Sensors refer to it). @default "calendar" */
  readonly name?: string;

  /** Name of the event inside the EventSource (a Sensor's dependency uses it). @default "schedule" */
  readonly eventName?: string;

  /**
   * A five-field cron schedule: minute, hour, day of month, month, day of week (`0 2 * * *`:
   * every day at 02:00). Names (`JAN`, `MON`), ranges, lists and steps are allowed.
   * @default - none; give this or interval
   */
  readonly schedule?: string;

  /**
   * A fixed interval as a Go duration, at least one second and in whole seconds (`30m`, `1h`).
   * @default - none; give this or schedule
   */
  readonly interval?: string;

  /** IANA time zone the schedule is read in (`Europe/Berlin`). @default - UTC */
  readonly timezone?: string;

  /** Labels-style metadata passed along in every event (`EventField.path("metadata.<key>")`). @default - none */
  readonly metadata?: Record<string, string>;
}

/**
 * An Argo Events calendar EventSource: an event on a cron schedule or a fixed interval, for
 * {@link WorkflowTrigger}s to start workflows on (nightly builds, periodic reports). Its events
 * carry `eventTime` (Go's `time.Time.String()` form, not RFC 3339) and the `metadata` given here;
 * read them with `EventField.path("eventTime")`, or the CloudEvents time with `EventField.context("time")`.
 */
export class CalendarEventSource extends Construct implements IEventSource {
  /** The EventSource (also `ApiObject.of(source)`). */
  public readonly eventSource: ApiObject;
  /** The platform preset. */
  public readonly platform: Platform;
  /** EventSource name. */
  public readonly name: string;
  /** Namespace. */
  public readonly namespace: string;
  /** Its kind: `calendar`. */
  public readonly type = 'calendar' as const;
  /** Event names this source emits. */
  public readonly eventNames: readonly string[];
  /** Labels on the event source pods. */
  public readonly podLabels: Readonly<Record<string, string>>;
  /** The bus, when given. */
  public readonly eventBus?: EventBus;

  constructor(scope: Construct, id: string, props: CalendarEventSourceProps) {
    super(scope, id);
    brand(this, 'EventSource');
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('CalendarEventSource', props);
      if (!props) fail(at('props'), props, 'are required', 'pass at least { schedule: "0 2 * * *" }');
      checkKnownKeys(at(''), props, PROPS);
      const c = checkProps(props, this);
      this.eventBus = props.eventBus;
      this.platform = c.platform;
      this.name = c.name;
      this.namespace = c.namespace;
      this.eventNames = [c.eventName];
      this.podLabels = { 'eventsource-name': this.name };
      this.eventSource = new EventSourceObject(this, 'Resource', {
        metadata: { name: c.name, namespace: c.namespace },
        spec: {
          template: {
            metadata: {
              labels: { ...this.podLabels },
              ...(this.eventBus ? { annotations: { ...this.eventBus.clientPodAnnotations } } : {}),
            },
          },
          calendar: { [c.eventName]: c.calendar },
        },
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

/** Where the source lives, and its calendar section. */
function checkProps(props: CalendarEventSourceProps, scope: Construct) {
  const { platform, namespace } = checkPlacement(at, props, scope);
  const name = checkDnsLabel(at('name'), props.name ?? 'calendar');
  const eventName = checkDnsLabel(at('eventName'), props.eventName ?? 'schedule');
  if ((props.schedule === undefined) === (props.interval === undefined)) {
    fail(at(props.schedule === undefined ? 'schedule' : 'interval'), props.schedule === undefined ? undefined : props.interval,
      props.schedule === undefined ? 'or interval is required' : 'contradicts schedule, which is set (Argo Events would ignore the interval)',
      props.schedule === undefined ? 'give schedule: "0 2 * * *" (cron) or interval: "1h"' : 'give one of them');
  }
  const calendar: CalendarEventSourceSpec = {
    ...(props.schedule !== undefined ? { schedule: checkSchedule(at('schedule'), props.schedule) } : { interval: checkInterval(at('interval'), props.interval) }),
    ...(props.timezone !== undefined ? { timezone: checkTimezone(at('timezone'), props.timezone) } : {}),
    ...(props.metadata !== undefined ? { metadata: checkMetadata(at('metadata'), props.metadata) } : {}),
  };
  return { platform, name, namespace, eventName, calendar };
}

/** The fields of a five-field cron schedule, with robfig/cron/v3's bounds and names (parser.go). */
const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], first: 1 },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], first: 0 },
];

/** Checks a cron schedule as robfig/cron/v3's standard parser reads it (what the calendar source runs). */
function checkSchedule(where: ReturnType<typeof at>, value: unknown): string {
  requireString(where, value);
  const fix = 'write five fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * *" (02:00 every day)';
  if (/^(CRON_)?TZ=/.test(value)) fail(where, value, 'carries its own time zone', 'set timezone instead and leave the TZ= prefix out');
  if (value.startsWith('@')) fail(where, value, 'is a descriptor, which the calendar source does not accept', fix);
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) fail(where, value, `has ${fields.length} field${fields.length === 1 ? '' : 's'}, not 5 (no seconds field)`, fix);
  fields.forEach((field, i) => {
    const f = CRON_FIELDS[i];
    for (const part of field.split(',')) {
      const problem = cronPartProblem(part, f);
      if (problem) fail(where, value, `has ${f.name} "${part}", which ${problem}`, fix);
    }
  });
  return value;
}

/** Why one comma-separated part of a cron field is refused, or undefined (robfig/cron/v3 getRange). */
function cronPartProblem(part: string, f: (typeof CRON_FIELDS)[number]): string | undefined {
  const m = /^(\*|\?|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
  if (!m) return 'is not a value, a range a-b, "*" or one of these with /step';
  const [, lo, hi, step] = m;
  if (step !== undefined && Number(step) === 0) return 'has a step of 0';
  if (lo === '*' || lo === '?') return hi === undefined ? undefined : 'puts a range after "*"';
  const value = (s: string) => {
    if (/^\d+$/.test(s)) return Number(s);
    const n = f.names?.indexOf(s.toLowerCase()) ?? -1;
    return n >= 0 ? n + (f.first ?? 0) : NaN;
  };
  const a = value(lo);
  const b = hi === undefined ? a : value(hi);
  if (Number.isNaN(a) || Number.isNaN(b)) return `is not a number${f.names ? ` or a ${f.name} name (${f.names[0].toUpperCase()}…)` : ''}`;
  if (a < f.min || b > f.max) return `is outside ${f.min}-${f.max}`;
  if (a > b) return 'is a range that ends before it starts';
  return undefined;
}

/** Checks a fixed interval: Go's time.ParseDuration syntax, at least a second, whole seconds (robfig/cron's ConstantDelaySchedule drops the rest). */
function checkInterval(where: ReturnType<typeof at>, value: unknown): string {
  requireString(where, value);
  const fix = 'write a number and a unit, e.g. "30m", "1h" or "90s"';
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|m|s|ms|us|µs|ns))+$/.test(value)) fail(where, value, 'must be a duration such as "30m" or "1h"', fix);
  const NS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let seconds = 0;
  for (const [, num, unit] of value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/g)) seconds += Number(num) * NS[unit];
  if (seconds < 1) fail(where, value, 'is shorter than a second (the calendar source rounds it up to 1s)', fix);
  if (Math.abs(seconds - Math.round(seconds)) > 1e-9) fail(where, value, 'is not whole seconds (the calendar source drops the fraction)', 'round it, e.g. "90s"');
  return value;
}

/** Checks the metadata: string values under keys a trigger can name in a path (`metadata.<key>`). */
function checkMetadata(where: ReturnType<typeof at>, value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(where, value, 'must be an object of strings', 'pass e.g. { team: "data" }');
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9_-]+$/.test(k)) fail(where, k, 'has a key a trigger cannot name (letters, digits, "-" and "_" only)', `rename it, e.g. "${k.replace(/[^A-Za-z0-9_-]+/g, '-')}"`);
    if (typeof v !== 'string') fail({ ...where, prop: `${where.prop}.${k}` }, v, 'must be a string', `quote it: "${String(v)}"`);
  }
  return { ...(value as Record<string, string>) };
}

/** Checks an IANA time zone name as Go's time.LoadLocation finds it (case matters there). */
function checkTimezone(where: ReturnType<typeof at>, value: unknown): string {
  requireString(where, value);
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch { /* not a zone */ }
  if (!resolved || value === 'Local' || (resolved !== value && resolved.toLowerCase() === value.toLowerCase())) {
    fail(where, value, 'is not an IANA time zone name', resolved && resolved !== value ? `write "${resolved}" (Go reads the name case-sensitively)` : 'use e.g. "UTC" or "Europe/Berlin"');
  }
  return value;
}
