import { WorkflowTemplateSpecTemplates } from '../../imports/argoproj.io';

/** A place where a workflow parameter's value would be read as more than data. */
export interface ShellSink {
  /** The workflow parameter (`spec.arguments.parameters[].name`). */
  readonly parameter: string;
  /** Template whose field receives it. */
  readonly template: string;
  /** Where in that template (`container.args[1]`, `script.source`, `when`, ...), and why. */
  readonly location: string;
}

/**
 * Where workflow parameters would be read as more than data. Argo substitutes `{{…}}` as text
 * everywhere in a template, and then many readers interpret the text: shells and every other
 * interpreter (`sh -c`, `bash -Ec`, `python -c`, `node -e`, `script.source`, also behind `env`,
 * `nice`, `timeout` or `tini`), programs that take options from their arguments (`git clone
 * --upload-pack=…`), Kubernetes' own `$(VAR)` expansion in `command` and `args`, Argo's `when`
 * expressions, `resource.manifest`, `podSpecPatch`. Rather than know them all, a value may go
 * only where it stays data:
 * - an `env[].value` of a container (`container`, `script`, `initContainers`, `sidecars`,
 *   `containerSet.containers`), listed before every `env` entry `valueFrom` a Secret or other
 *   source and in a container without `envFrom`: kubelet expands `$(NAME)` in an env value from
 *   the variables defined before it, so event text like `$(TOKEN)` would otherwise copy a secret
 *   into it;
 * - the `arguments.parameters[].value` of a step or DAG task, which carries it on to the called
 *   template's input, followed the same way.
 * Anything else that mentions it is a sink. Followed from `spec.arguments` into the entrypoint's
 * inputs of the same name and `{{workflow.parameters.x}}`, in both of Argo's forms
 * (`{{inputs.parameters.x}}`, and expressions `{{=…}}`, where any parameter reference counts).
 */
export function shellSinks(templates: readonly WorkflowTemplateSpecTemplates[], entrypoint: string, parameters: readonly string[]): ShellSink[] {
  // tainted[template][input] = the workflow parameter it carries
  const tainted = new Map<string, Map<string, string>>();
  const taint = (template: string, input: string, parameter: string): boolean => {
    let m = tainted.get(template);
    if (!m) tainted.set(template, m = new Map());
    if (m.has(input)) return false;
    m.set(input, parameter);
    return true;
  };
  const entry = templates.find((t) => t.name === entrypoint);
  for (const p of parameters) {
    if (entry?.inputs?.parameters?.some((i) => i.name === p)) taint(entrypoint, p, p);
  }
  /** The workflow parameters whose value `text` may contain, in template `t`. */
  const carried = (t: string, text: unknown): string[] => {
    if (typeof text !== 'string' || !text.includes('{{')) return [];
    const out = new Set<string>();
    const inputs = [...(tainted.get(t) ?? [])];
    // an expression can reach any parameter (inputs.parameters[name], sprig on workflow.parameters): all count
    if (/\{\{=[^}]*\b(?:inputs|workflow)\b/.test(text)) {
      for (const [, p] of inputs) out.add(p);
      if (/\{\{=[^}]*\bworkflow\b/.test(text)) for (const p of parameters) out.add(p);
    }
    for (const p of parameters) if (mentions(text, `workflow.parameters.${p}`)) out.add(p);
    for (const [input, p] of inputs) if (mentions(text, `inputs.parameters.${input}`)) out.add(p);
    return [...out];
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const t of templates) {
      const calls = [...(t.steps ?? []).flat(), ...(t.dag?.tasks ?? [])];
      for (const call of calls) {
        if (!call?.template) continue;
        for (const arg of call.arguments?.parameters ?? []) {
          for (const p of carried(t.name ?? '', arg.value)) changed = taint(call.template, arg.name, p) || changed;
        }
      }
    }
  }
  const sinks: ShellSink[] = [];
  for (const t of templates) {
    const name = t.name ?? '';
    for (const [path, text] of strings(t)) {
      const ps = carried(name, text);
      if (ps.length === 0) continue;
      const why = dataOnly(t, path);
      if (why === true) continue;
      for (const parameter of ps) sinks.push({ parameter, template: name, location: `${path}${why ? ` (${why})` : ''}` });
    }
  }
  return sinks;
}

/** Every string in a template with its path (`container.env[0].value`). */
function* strings(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') {
    yield [path, value];
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* strings(value[i], `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* strings(v, path ? `${path}.${k}` : k);
  }
}

/** The containers of a template, by path. */
const CONTAINER = /^(container|script|initContainers\[\d+\]|sidecars\[\d+\]|containerSet\.containers\[\d+\])\.env\[(\d+)\]\.value$/;
const CALL_ARGUMENT = /^(steps\[\d+\]\[\d+\]|dag\.tasks\[\d+\])\.arguments\.parameters\[\d+\]\.value$/;

/** True when a value at `path` of template `t` stays data; else why not (or '' for "read as code or options"). */
function dataOnly(t: WorkflowTemplateSpecTemplates, path: string): true | string {
  if (CALL_ARGUMENT.test(path)) return true;
  const env = CONTAINER.exec(path);
  if (!env) return '';
  const container = env[1].split(/[.[\]]/).filter(Boolean).reduce((o: any, k) => o?.[k], t) as { env?: Array<{ valueFrom?: unknown }>; envFrom?: unknown[] } | undefined;
  const index = Number(env[2]);
  if ((container?.envFrom ?? []).length > 0) return 'the container has envFrom, whose variables kubelet expands $(NAME) in env values from';
  if ((container?.env ?? []).slice(0, index).some((e) => e?.valueFrom !== undefined)) return 'an env entry valueFrom a Secret or other source comes before it, and kubelet expands $(NAME) in env values from earlier ones';
  return true;
}

/** True when `text` holds `{{name}}` or an expression `{{= … name … }}` (also `name` in brackets: `inputs.parameters['x-y']`). */
function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const dot = name.lastIndexOf('.');
  const bracket = `${name.slice(0, dot)}\\s*\\[\\s*['"]${name.slice(dot + 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]\\s*\\]`.replace(/\./g, '\\.');
  return new RegExp(`\\{\\{\\s*${escaped}\\s*\\}\\}|\\{\\{=[^}]*(?:\\b${escaped}\\b|${bracket})`).test(text);
}
