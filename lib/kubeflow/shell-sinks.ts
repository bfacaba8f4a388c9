import { WorkflowTemplateSpecTemplates } from '../../imports/argoproj.io';

/** A place where a workflow parameter's value becomes code. */
export interface ShellSink {
  /** The workflow parameter (`spec.arguments.parameters[].name`). */
  readonly parameter: string;
  /** Template whose script or shell command receives it. */
  readonly template: string;
  /** Where: `script.source`, or the `-c` script of `container.command`/`args`. */
  readonly location: string;
}

/** Shells whose `-c` argument is a script. */
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'busybox']);

/**
 * Where workflow parameters become code: Argo substitutes `{{…}}` as text, so a value that
 * reaches a `script.source` (any interpreter) or the script of a `sh -c` runs as code.
 *
 * Follows each parameter from `spec.arguments` into the entrypoint's inputs of the same name
 * (Argo passes workflow arguments to the entrypoint) and into `{{workflow.parameters.x}}`, then
 * through the `arguments.parameters` of every step and DAG task into the called template's
 * inputs, until nothing changes. Values given to a shell as positional arguments after its
 * script (`sh -c 'git clone "$1"' sh '{{inputs.parameters.url}}'`) or as environment variables
 * stay data and are not sinks.
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
    for (const p of parameters) if (mentions(text, `workflow.parameters.${p}`)) out.add(p);
    for (const [input, p] of tainted.get(t) ?? []) if (mentions(text, `inputs.parameters.${input}`)) out.add(p);
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
  const add = (template: string, location: string, text: unknown) => {
    for (const parameter of carried(template, text)) sinks.push({ parameter, template, location });
  };
  for (const t of templates) {
    const name = t.name ?? '';
    if (t.script) add(name, 'script.source', t.script.source);
    for (const [kind, c] of [['container', t.container], ['script', t.script]] as const) {
      if (!c) continue;
      const argv = [...(c.command ?? []), ...(c.args ?? [])];
      const script = shellScriptIndex(argv);
      if (script !== undefined) add(name, `${kind} ${script < (c.command ?? []).length ? 'command' : 'args'} (the -c script of ${argv[0]})`, argv[script]);
    }
  }
  return sinks;
}

/** True when `text` holds `{{name}}` or an expression `{{= … name … }}` (Argo's two forms). */
function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\{\\{\\s*${escaped}\\s*\\}\\}|\\{\\{=[^}]*\\b${escaped}\\b`).test(text);
}

/** Index of the script argument when argv runs a shell with `-c` (also `-ec`, `-xc`, …). */
function shellScriptIndex(argv: readonly string[]): number | undefined {
  if (argv.length === 0) return undefined;
  let i = 0;
  const base = (s: string) => s.split('/').pop() ?? s;
  if (base(argv[0]) === 'env') i = 1; // env sh -c …
  if (!SHELLS.has(base(argv[i] ?? ''))) return undefined;
  if (base(argv[i]) === 'busybox') i++; // busybox sh -c …
  for (let j = i + 1; j < argv.length; j++) {
    if (/^-[a-z]*c[a-z]*$/.test(argv[j])) return j + 1 < argv.length ? j + 1 : undefined;
    if (!argv[j].startsWith('-')) return undefined; // a script file: its text is not here
  }
  return undefined;
}
