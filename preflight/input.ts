import { parse, parseAllDocuments } from 'yaml';

/**
 * What `npm run preflight` reads, checked before any check runs: a file it cannot use is refused
 * with one line naming the file (and the position, for YAML errors), never read as an empty
 * cluster, and never ends in a stack trace. `scripts/preflight.js` exits 2 on it, apart from 1,
 * "a check failed".
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The most YAML aliases a dump may use (an "alias bomb" expands a few lines into gigabytes). */
const MAX_ALIASES = 100;

/**
 * The Kubernetes objects in one dump file (`name` for messages): every document, a `List`'s
 * items in its place. Refused: UTF-16 text (what PowerShell's `>` writes), YAML errors, alias
 * bombs, a document or item that is not a Kubernetes object (a mapping with `kind` and
 * `metadata.name`), and a file with no objects at all.
 */
export function readDump(name: string, bytes: Buffer): any[] {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) || bytes.subarray(0, 4096).includes(0)) {
    throw new InputError(`${name}: is UTF-16 or binary, not UTF-8 text (PowerShell's ">" writes UTF-16: use "| Out-File -Encoding utf8 ${name}")`);
  }
  let text = bytes.toString('utf8');
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const docs = parseAllDocuments(text, { prettyErrors: false });
  const objects: any[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, d) => {
    const error = doc.errors[0];
    if (error) {
      const at = lineAndColumn(text, error.pos[0]);
      throw new InputError(`${name}${at}: not YAML: ${error.message.split('\n')[0]}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      throw new InputError(`${name}: document ${d + 1}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (at most ${MAX_ALIASES} aliases)`);
    }
    if (value === null || value === undefined) return;
    const where = `${name}: document ${d + 1}`;
    const v = value as any;
    if (isObject(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
      v.items.forEach((item: unknown, i: number) => objects.push(kubernetesObject(`${where}, item ${i + 1}`, item)));
    } else {
      objects.push(kubernetesObject(where, v));
    }
  });
  if (objects.length === 0) {
    throw new InputError(`${name}: holds no Kubernetes objects (take the dump with the kubectl commands in --help)`);
  }
  return objects;
}

/** `:line:column` (1-based) of offset `pos` in `text`. */
function lineAndColumn(text: string, pos: number): string {
  const before = text.slice(0, Math.max(0, pos));
  const line = before.split('\n').length;
  return `:${line}:${before.length - before.lastIndexOf('\n')}`;
}

function isObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `v` when it is a Kubernetes object as the checks read it; else an InputError naming `where`. */
function kubernetesObject(where: string, v: unknown): any {
  const what = v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
  if (!isObject(v) || typeof v.kind !== 'string' || typeof v.apiVersion !== 'string' || !isObject(v.metadata) || typeof v.metadata.name !== 'string'
    || (v.metadata.namespace !== undefined && typeof v.metadata.namespace !== 'string')) {
    throw new InputError(`${where}: not a Kubernetes object (${what} without apiVersion, kind and metadata.name)`);
  }
  for (const field of ['labels', 'annotations'] as const) {
    const m = v.metadata[field];
    if (m !== undefined && m !== null && (!isObject(m) || Object.values(m).some((x) => typeof x !== 'string'))) {
      throw new InputError(`${where}: ${v.kind} ${v.metadata.name}: metadata.${field} is not a map of strings`);
    }
  }
  return v;
}

/**
 * Checks what the checks read inside the objects of the cluster: the mesh config of ConfigMap
 * `istio-system/istio` must be YAML (and no alias bomb), and there must be Namespaces.
 */
export function checkCluster(cluster: readonly any[]): void {
  if (!cluster.some((o) => o.kind === 'Namespace')) {
    throw new InputError('the dump holds no Namespaces: take it with the kubectl commands in --help (the first one lists namespaces)');
  }
  const mesh = cluster.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio' && o.metadata.namespace === 'istio-system');
  if (mesh && mesh.data?.mesh !== undefined) {
    try {
      if (typeof mesh.data.mesh !== 'string') throw new Error('not text');
      parse(mesh.data.mesh, { maxAliasCount: MAX_ALIASES, prettyErrors: false });
    } catch (e) {
      throw new InputError(`ConfigMap istio-system/istio: data.mesh is not usable YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
}
