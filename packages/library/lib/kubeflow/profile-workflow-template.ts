import { Construct, IConstruct } from 'constructs';
import { brand, hasBrand } from '../brands';
import { ISTIO_INJECT_ANNOTATION } from '../constants';
import {
  WorkflowTemplate, WorkflowTemplateSpecArguments, WorkflowTemplateSpecTemplates, WorkflowTemplateSpecTemplatesContainerResourcesLimits as Quantity,
} from '../../imports/argoproj.io';
import { Platform, resolvePlatform } from '../platform';
import { checkEmitted, pointerToProp } from '../schema-check';
import { ShellSink, shellSinks } from './shell-sinks';
import {
  checkAnnotations, checkBoolean, checkDnsLabel, checkDnsSubdomain, checkImage, checkKnownKeys, checkLabels, checkList, checkNamespace, checkProfileNamespace, fail, propNames, snapshotProps, Where, whereIn,
} from '../validation';

const at = whereIn('ProfileWorkflowTemplate');

/** Default image of the built-in example template (pinned, small, has `echo`). */
export const DEFAULT_EXAMPLE_IMAGE = 'docker.io/library/busybox:1.36';

// the compiler checks this list against the props interface (propNames)
/** Keys of {@link ProfileWorkflowTemplateOptions}. */
export const TEMPLATE_OPTIONS = propNames<ProfileWorkflowTemplateOptions>()(
  'name', 'serviceAccountName', 'templates', 'entrypoint', 'arguments', 'podMetadata', 'labels', 'annotations',
  'allowUnpinnedImages',
);
const PROPS = propNames<ProfileWorkflowTemplateProps>()(
  'platform', 'namespace', 'name', 'serviceAccountName', 'templates', 'entrypoint', 'arguments', 'podMetadata', 'labels', 'annotations',
  'allowUnpinnedImages',
);

/** Labels and annotations for every pod of the workflow (`spec.podMetadata`). */
export interface PodMetadata {
  /** @default {} */
  readonly labels?: Record<string, string>;
  /** Extra annotations. `sidecar.istio.io/inject: "false"` is always added. @default {} */
  readonly annotations?: Record<string, string>;
}

/** Props for {@link ProfileWorkflowTemplate}. */
export interface ProfileWorkflowTemplateProps extends ProfileWorkflowTemplateOptions {
  /**
   * Platform preset: the Argo Workflows release whose WorkflowTemplate schema the output must
   * match (the fields this construct sets are the same in 3.1, 3.4 and 3.5).
   * @default - the enclosing chart's, else Platform.DEFAULT
   */
  readonly platform?: Platform;

  /** The Kubeflow profile (user) namespace, e.g. `kubeflow-user-example-com`. */
  readonly namespace: string;
}

/** The template itself, whichever profile it goes to ({@link KubeflowArgoChart} gives one to each profile). */
export interface ProfileWorkflowTemplateOptions {
  /**
   * Name of the WorkflowTemplate.
   * @default "hello-kubeflow"
   */
  readonly name?: string;

  /**
   * ServiceAccount the workflow pods run as. `default-editor` is the profile's editor
   * account that Kubeflow's profile controller creates.
   * @default "default-editor"
   */
  readonly serviceAccountName?: string;

  /**
   * The workflow's templates, typed from the Argo v3.1.15 WorkflowTemplate CRD. Each one gets
   * `sidecar.istio.io/inject: "false"` in `metadata.annotations`.
   * @default - one `main` template that echoes its `message` input
   */
  readonly templates?: WorkflowTemplateSpecTemplates[];

  /**
   * Template to start with; must name one of `templates`.
   * @default - the first template's name
   */
  readonly entrypoint?: string;

  /**
   * Workflow arguments (parameters and artifacts) with their defaults.
   * @default - `message: "hello from Kubeflow"` for the built-in template, none otherwise
   */
  readonly arguments?: WorkflowTemplateSpecArguments;

  /**
   * Extra pod labels and annotations (`spec.podMetadata`).
   * @default - only the injection annotation
   */
  readonly podMetadata?: PodMetadata;

  /** Labels on the WorkflowTemplate object. @default {} */
  readonly labels?: Record<string, string>;

  /** Extra annotations on the WorkflowTemplate object. @default - only the injection annotation */
  readonly annotations?: Record<string, string>;

  /**
   * Accept step images without a tag or digest, or with `:latest`. Risky: the image can change
   * under the template between two runs, so a run is not reproducible, and a compromised tag is
   * picked up silently.
   * @default false
   */
  readonly allowUnpinnedImages?: boolean;
}

/**
 * A WorkflowTemplate a trigger can run: a {@link ProfileWorkflowTemplate}, or one made elsewhere
 * ({@link ProfileWorkflowTemplate.fromWorkflowTemplateName}).
 */
export interface IWorkflowTemplate extends IConstruct {
  /** Template name (for `workflowTemplateRef.name`). */
  readonly name: string;
  /** Namespace it lives in: Workflows that use it are submitted there. */
  readonly namespace: string;
  /** The workflow parameters it declares, when known; trigger parameters are checked against them. */
  readonly parameterNames?: readonly string[];
  /**
   * Where the given workflow parameters would become code (see
   * {@link ProfileWorkflowTemplate.shellSinks}); empty when the body is not known here.
   */
  shellSinks(parameters: readonly string[]): ShellSink[];
}

/** What is known of a WorkflowTemplate made elsewhere ({@link ProfileWorkflowTemplate.fromWorkflowTemplateName}). */
export interface WorkflowTemplateImportOptions {
  /** Its namespace. */
  readonly namespace: string;
  /**
   * The workflow parameters it declares, to check trigger parameters against.
   * @default - not checked
   */
  readonly parameterNames?: string[];
}

/**
 * A WorkflowTemplate that actually runs in an Istio-injected Kubeflow profile namespace.
 *
 * An Istio sidecar in a workflow pod never exits, so the step hangs. Argo 3.1 does not copy
 * Workflow `metadata.annotations` to pods, so `sidecar.istio.io/inject: "false"` is set where it
 * reaches them: `spec.podMetadata` (used when the template runs via `workflowTemplateRef`, as
 * the UI's "submit" does) and every template's `metadata` (used when a single template is
 * pulled in with `templateRef`), plus the object's own metadata (harmless, and what people
 * look for). Pods run as `default-editor`.
 */
export class ProfileWorkflowTemplate extends Construct implements IWorkflowTemplate {
  /** True for a workflow template of this library, made here or imported (also across duplicate installs). */
  public static isWorkflowTemplate(x: unknown): x is IWorkflowTemplate {
    return hasBrand(x, 'WorkflowTemplate');
  }

  /**
   * A WorkflowTemplate made elsewhere (another app, the UI, a Helm chart), for triggers to run.
   * Nothing is emitted for it; its body is not known here, so the shell-injection check cannot
   * look into it.
   */
  public static fromWorkflowTemplateName(scope: Construct, id: string, name: string, options: WorkflowTemplateImportOptions): IWorkflowTemplate {
    return new ImportedWorkflowTemplate(scope, id, name, options);
  }

  /** The WorkflowTemplate (also `ApiObject.of(template)`). */
  public readonly workflowTemplate: WorkflowTemplate;
  /** Namespace of the template. */
  public readonly namespace: string;
  /** Name of the template (for `workflowTemplateRef.name`). */
  public readonly name: string;
  /** Names of the templates it contains. */
  public readonly templateNames: readonly string[];
  /** Names of the workflow parameters it declares in `spec.arguments`. */
  public readonly parameterNames: readonly string[];
  /** The platform preset. */
  public readonly platform: Platform;
  private readonly templates: readonly WorkflowTemplateSpecTemplates[];
  private readonly entrypoint: string;

  constructor(scope: Construct, id: string, props: ProfileWorkflowTemplateProps) {
    super(scope, id);
    brand(this, 'WorkflowTemplate');
    // A construct whose props are refused leaves the tree as it was (it removes itself).
    try {
      props = snapshotProps('ProfileWorkflowTemplate', props);
      if (props === undefined || props === null) {
        fail(at('props'), props, 'are required', 'pass at least { namespace: "<profile namespace>" }');
      }
      checkKnownKeys(at(''), props, PROPS);
      this.platform = resolvePlatform(at('platform'), props.platform, this);
      this.namespace = checkProfileNamespace(at('namespace'), props.namespace);
      this.name = checkDnsSubdomain(at('name'), props.name ?? 'hello-kubeflow');
      const serviceAccountName = checkDnsSubdomain(at('serviceAccountName'), props.serviceAccountName ?? 'default-editor');
      checkKnownKeys(at('podMetadata'), props.podMetadata, ['labels', 'annotations']);
      const podLabels = checkLabels(at('podMetadata.labels'), props.podMetadata?.labels ?? {});
      const podAnnotations = withoutInjection(at('podMetadata.annotations'), checkAnnotations(at('podMetadata.annotations'), props.podMetadata?.annotations ?? {}));
      const labels = checkLabels(at('labels'), props.labels ?? {});
      const annotations = withoutInjection(at('annotations'), checkAnnotations(at('annotations'), props.annotations ?? {}));

      const useExample = props.templates === undefined;
      const templates = checkTemplates(props, useExample);
      const names = templates.map((t) => t.name as string); // checked by checkTemplates
      const entrypoint = props.entrypoint ?? names[0];
      if (!names.includes(entrypoint)) {
        fail(at('entrypoint'), entrypoint, `names no template (templates are ${names.map((n) => `"${n}"`).join(', ')})`,
          'set entrypoint to one of the template names');
      }
      const args = props.arguments ?? (useExample ? { parameters: [{ name: 'message', value: 'hello from Kubeflow' }] } : undefined);
      this.templateNames = names;
      this.parameterNames = checkArguments(args);
      this.templates = templates;
      this.entrypoint = entrypoint;
      const manifest = templateManifest({
        name: this.name, namespace: this.namespace, labels, annotations, entrypoint, serviceAccountName, args, podLabels, podAnnotations, templates,
      });
      // templates and arguments are free-form Argo structures: check them against the platform's
      // WorkflowTemplate schema before anything is created, naming the prop a violation came from
      checkEmitted('ProfileWorkflowTemplate', withoutUndefined({ apiVersion: WorkflowTemplate.GVK.apiVersion, kind: WorkflowTemplate.GVK.kind, ...manifest }),
        this.platform.schemaReleases, (pointer) => pointerToProp(pointer, '/spec/templates', 'templates')
          ?? pointerToProp(pointer, '/spec/arguments', 'arguments') ?? pointerToProp(pointer, '/spec/podMetadata', 'podMetadata')
          ?? pointerToProp(pointer, '/metadata/labels', 'labels') ?? pointerToProp(pointer, '/metadata/annotations', 'annotations') ?? pointer);
      this.workflowTemplate = new WorkflowTemplate(this, 'Resource', manifest);
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /**
   * Where the given workflow parameters would become code: a `script.source`, or the script of a
   * `sh -c` (Argo substitutes `{{…}}` as text). Event data must not go there.
   * @param parameters workflow parameter names (default: all the template declares)
   */
  public shellSinks(parameters: readonly string[] = this.parameterNames): ShellSink[] {
    return shellSinks(this.templates, this.entrypoint, parameters);
  }
}

/** The templates (the built-in example when none are given): names, labels, env names and images checked, names unique. */
function checkTemplates(props: ProfileWorkflowTemplateProps, useExample: boolean): WorkflowTemplateSpecTemplates[] {
  const templates = useExample ? [exampleTemplate()] : props.templates!;
  if (Array.isArray(templates)) templates.forEach((t, i) => withQuantities(at(`templates[${i}]`), t));
  if (!Array.isArray(templates) || templates.length === 0) {
    fail(at('templates'), props.templates, 'must list at least one template',
      'pass one or more templates, or leave templates out for the built-in example');
  }
  const allowUnpinned = checkBoolean(at('allowUnpinnedImages'), props.allowUnpinnedImages ?? false);
  const names = templates.map((t, i) => {
    const name = checkDnsLabel(at(`templates[${i}].name`), t?.name);
    if (t.metadata?.labels) checkLabels(at(`templates[${i}].metadata.labels`), t.metadata.labels);
    checkEnvNames(at(`templates[${i}]`), t);
    if (t.metadata?.annotations) {
      withoutInjection(at(`templates[${i}].metadata.annotations`), checkAnnotations(at(`templates[${i}].metadata.annotations`), t.metadata.annotations));
    }
    return name;
  });
  templates.forEach((t, i) => {
    for (const [path, image] of stepImages(t)) {
      if (image !== undefined) checkImage(at(`templates[${i}].${path}`), image, undefined, { allowUnpinned });
    }
  });
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) {
    fail(at('templates'), dup, 'contains two templates with the same name', 'give each template a unique name');
  }
  return templates;
}

/** The declared parameter names: each a valid name, none twice. */
function checkArguments(args: ProfileWorkflowTemplateProps['arguments']): string[] {
  if (args !== undefined) checkKnownKeys(at('arguments'), args, ['parameters', 'artifacts']);
  const declared = args?.parameters ?? [];
  if (!Array.isArray(declared)) {
    fail(at('arguments.parameters'), declared, 'must be a list of { name, value }', 'pass e.g. [{ name: "revision", value: "main" }]');
  }
  const paramNames = declared.map((p, i) => checkParamName(at(`arguments.parameters[${i}].name`), p?.name));
  const dupParam = paramNames.find((n, i) => paramNames.indexOf(n) !== i);
  if (dupParam) {
    fail(at('arguments.parameters'), dupParam, 'declares the same parameter twice', 'remove the duplicate');
  }
  return paramNames;
}

/**
 * The WorkflowTemplate: `sidecar.istio.io/inject: "false"` on the template, in `podMetadata` and on
 * every template's `metadata` (Argo 3.1 copies neither the Workflow's annotations nor podMetadata
 * to every pod on its own).
 */
function templateManifest(t: {
  name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string>; entrypoint: string; serviceAccountName: string;
  args: ProfileWorkflowTemplateProps['arguments']; podLabels: Record<string, string>; podAnnotations: Record<string, string>; templates: readonly WorkflowTemplateSpecTemplates[];
}) {
  const inject = { [ISTIO_INJECT_ANNOTATION]: 'false' };
  return {
    metadata: {
      name: t.name,
      namespace: t.namespace,
      ...(Object.keys(t.labels).length ? { labels: { ...t.labels } } : {}),
      annotations: { ...t.annotations, ...inject },
    },
    spec: {
      entrypoint: t.entrypoint,
      serviceAccountName: t.serviceAccountName,
      ...(t.args ? { arguments: t.args } : {}),
      podMetadata: {
        ...(Object.keys(t.podLabels).length ? { labels: { ...t.podLabels } } : {}),
        annotations: { ...t.podAnnotations, ...inject },
      },
      templates: t.templates.map((tpl) => ({
        ...tpl,
        metadata: { ...tpl.metadata, annotations: { ...tpl.metadata?.annotations, ...inject } },
      })),
    },
  };
}

/** A WorkflowTemplate made elsewhere: its name, namespace and (optionally) parameters. */
class ImportedWorkflowTemplate extends Construct implements IWorkflowTemplate {
  public readonly name: string;
  public readonly namespace: string;
  public readonly parameterNames?: readonly string[];

  constructor(scope: Construct, id: string, name: string, options: WorkflowTemplateImportOptions) {
    super(scope, id);
    brand(this, 'WorkflowTemplate');
    try {
      const o = snapshotProps('ProfileWorkflowTemplate', options);
      if (o === undefined || o === null) fail(at('options'), o, 'are required', 'pass { namespace: "<namespace of the template>" }');
      checkKnownKeys(at(''), o, ['namespace', 'parameterNames']);
      this.name = checkDnsSubdomain(at('name'), name);
      this.namespace = checkNamespace(at('namespace'), o.namespace);
      this.parameterNames = o.parameterNames === undefined ? undefined : checkList(at('parameterNames'), o.parameterNames, checkParamName, { allowEmpty: true });
    } catch (e) {
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  public shellSinks(): ShellSink[] {
    return [];
  }
}

/** Every image a template runs, with where it is: container, script, init containers, sidecars, container set. */
function stepImages(t: WorkflowTemplateSpecTemplates): Array<[string, unknown]> {
  const any = t as Record<string, any>;
  const list = (key: string, items: unknown) => (Array.isArray(items) ? items.map((c, j): [string, unknown] => [`${key}[${j}].image`, c?.image]) : []);
  return [
    ...(any.container ? [['container.image', any.container.image] as [string, unknown]] : []),
    ...(any.script ? [['script.image', any.script.image] as [string, unknown]] : []),
    ...list('initContainers', any.initContainers),
    ...list('sidecars', any.sidecars),
    ...list('containerSet.containers', any.containerSet?.containers),
  ];
}

/** Refuses a `sidecar.istio.io/inject` value other than "false": it would make the step hang. */
function withoutInjection(where: Where, annotations: Record<string, string>): Record<string, string> {
  const value = annotations[ISTIO_INJECT_ANNOTATION];
  if (value !== undefined && value !== 'false') {
    fail({ owner: where.owner, prop: `${where.prop}["${ISTIO_INJECT_ANNOTATION}"]` }, value,
      'must be "false": an Istio sidecar never exits, so the workflow step would hang', 'remove the annotation (the construct sets "false")');
  }
  return annotations;
}

function checkParamName(where: Where, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) {
    fail(where, value, 'must be a parameter name of letters, digits, "_" and "-"', 'use e.g. "repo-url"');
  }
  return value;
}

function exampleTemplate(): WorkflowTemplateSpecTemplates {
  return {
    name: 'main',
    inputs: { parameters: [{ name: 'message' }] },
    container: {
      name: 'main',
      image: DEFAULT_EXAMPLE_IMAGE,
      // the message arrives as data, so an event may set it (WorkflowTrigger, shell-sinks.ts)
      command: ['sh', '-c', 'printf "%s\\n" "$MESSAGE"'],
      env: [{ name: 'MESSAGE', value: '{{inputs.parameters.message}}' }],
    },
  };
}

/**
 * An environment variable name Kubernetes accepts on every release we support (IsEnvVarName up
 * to 1.33: `[-._a-zA-Z][-._a-zA-Z0-9]*`; 1.34 relaxed it, older API servers refuse the rest).
 */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Calls `visit` for every key named `key` in the plain objects of a template, with its value and
 * path (`container.env`); the walk does not go below a visited key.
 */
function eachKey(value: unknown, key: string, visit: (v: unknown, path: string) => void, path = ''): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => eachKey(v, key, visit, `${path}[${i}]`));
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${k}` : k;
    if (k === key) visit(v, here);
    else eachKey(v, key, visit, here);
  }
}

/** Checks the name of every `env` entry anywhere in a template (container, script, init containers, sidecars, container set). */
function checkEnvNames(where: Where, template: unknown): void {
  eachKey(template, 'env', (env, here) => {
    if (!Array.isArray(env)) return;
    env.forEach((e, i) => {
      const name = (e as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || !ENV_NAME.test(name)) {
        fail({ owner: where.owner, prop: `${where.prop}.${here}[${i}].name` }, name, 'must be an environment variable name (letters, digits, "_", "-", ".", not starting with a digit)', 'use e.g. "REPO_URL"');
      }
    });
  });
}

/** A Kubernetes quantity as the API server parses it (decimal, optional exponent or SI or binary suffix). */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/**
 * Turns the quantities of every `resources.limits`/`resources.requests` in a template (its
 * container, script, init containers, sidecars, container set) given as plain strings or
 * numbers into the imported Quantity type, which the WorkflowTemplate's serializer reads (a plain
 * `'1'` would be written as `null`), checking each on the way. Changes the snapshot in place.
 */
function withQuantities(where: Where, template: unknown): void {
  eachKey(template, 'resources', (resources, here) => {
    if (resources === null || typeof resources !== 'object' || Array.isArray(resources)) return;
    for (const kind of ['limits', 'requests']) {
      const list = (resources as Record<string, unknown>)[kind];
      if (list === null || typeof list !== 'object' || Array.isArray(list)) continue;
      for (const [res, q] of Object.entries(list as Record<string, unknown>)) {
        const w = { owner: where.owner, prop: `${where.prop}.${here}.${kind}.${res}` };
        if (typeof q === 'number') {
          if (!Number.isFinite(q) || q < 0) fail(w, q, 'must be a non-negative quantity', 'use e.g. "500m" or "1Gi"');
          // the CRD's schema takes an integer or a string (x-kubernetes-int-or-string): 0.5 goes as "0.5"
          (list as Record<string, unknown>)[res] = Number.isInteger(q) ? Quantity.fromNumber(q) : Quantity.fromString(String(q));
        } else if (typeof q === 'string') {
          if (!QUANTITY.test(q) || q.startsWith('-')) fail(w, q, 'must be a Kubernetes quantity', 'use e.g. "500m", "2" or "1Gi"');
          (list as Record<string, unknown>)[res] = Quantity.fromString(q);
        }
      }
    }
  });
}

/**
 * What the output will hold: keys whose value is undefined dropped (they are not emitted), the
 * union-value classes of the generated imports (`Quantity.fromString('1')`, `IntOrString`)
 * replaced by their value, other values kept as they are.
 */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== 'object') return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    const v = (value as { value?: unknown }).value;
    return Object.prototype.hasOwnProperty.call(value, 'value') && (typeof v === 'string' || typeof v === 'number') ? v : value;
  }
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, withoutUndefined(v)]));
}
