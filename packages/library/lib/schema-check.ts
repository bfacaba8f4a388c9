import * as fs from 'fs';
import * as path from 'path';
import { fail } from './validation';

interface SchemaPlugin {
  validateObject(obj: unknown, options: { releases?: readonly string[] }): Array<{ pointer: string; message: string }>;
}

let plugin: SchemaPlugin | undefined;

/**
 * The bundled schema checker (plugins/schema-validation), next to lib/ in the repository and
 * two levels up from build/lib/ in the npm package. Loaded on first use.
 */
function schemaPlugin(): SchemaPlugin {
  if (!plugin) {
    const dir = ['..', path.join('..', '..')].map((up) => path.join(__dirname, up, 'plugins', 'schema-validation'))
      .find((d) => fs.existsSync(path.join(d, 'index.js')));
    if (!dir) throw new Error(`cdk8s-kubeflow-argo: plugins/schema-validation not found next to ${__dirname}; the package is incomplete`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    plugin = require(dir) as SchemaPlugin;
  }
  return plugin;
}

/**
 * Checks an object a construct is about to emit against its upstream schema (the platform's
 * releases), and throws a ValidationError for the first violation, naming the prop it came
 * from: `prop(pointer)` maps a JSON pointer into the object to the prop path the user wrote
 * (e.g. `/spec/templates/0/container/args/0` → `templates[0].container.args[0]`).
 */
export function checkEmitted(owner: string, obj: unknown, releases: readonly string[], prop: (pointer: string) => string): void {
  const [v] = schemaPlugin().validateObject(obj, { releases });
  if (!v) return;
  const o = obj as { kind?: string };
  fail({ owner, prop: prop(v.pointer) }, valueAt(obj, v.pointer), `${v.message} (in the ${o.kind} it makes, at ${v.pointer || '/'}, checked against its upstream schema)`,
    'correct that field: it must match the Kubernetes or Argo API');
}

/** The unescaped segments of a JSON pointer (`/a~1b/0` → `["a/b", "0"]`). */
function segments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a JSON pointer, or undefined. */
function valueAt(obj: unknown, pointer: string): unknown {
  let v: any = obj;
  for (const seg of segments(pointer)) v = v?.[seg];
  return v;
}

/** `/a/0/b` → `a[0].b`: a JSON pointer below `base` written as a prop path. */
export function pointerToProp(pointer: string, base: string, prefix: string): string | undefined {
  if (pointer !== base && !pointer.startsWith(`${base}/`)) return undefined;
  return segments(pointer.slice(base.length)).reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), prefix);
}
