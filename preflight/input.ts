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

/** kubectl's annotation holding a copy of the object as last applied. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The largest dump file read: JSON (kubectl -o json), and YAML, whose parser needs far more memory per byte. */
const MAX_JSON = 128 * 1048576;
const MAX_YAML = 16 * 1048576;

/** The most YAML aliases a dump may use (an "alias bomb" expands a few lines into gigabytes). */
const MAX_ALIASES = 100;

/**
 * The Kubernetes objects in one dump file (`name` for messages): every document, a `List`'s
 * items in its place. Refused: UTF-16 text (what PowerShell's `>` writes), YAML errors, alias
 * bombs, a document or item that is not a Kubernetes object (a mapping with `kind` and
 * `metadata.name`), and a file with no objects at all.
 */
export function readDump(name: string, content: Buffer | string): any[] {
  // a string is the file read as UTF-8 (what scripts/preflight.js passes, to hold one copy of a large dump)
  let text = typeof content === 'string' ? content : content.toString('utf8');
  const utf16 = typeof content === 'string' ? text.startsWith('\ufffd\ufffd') : content.length >= 2 && ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff));
  if (utf16 || text.slice(0, 4096).includes('\u0000')) {
    throw new InputError(`${name}: is UTF-16 or binary, not UTF-8 text (PowerShell's ">" writes UTF-16: use "| Out-File -Encoding utf8 ${name}")`);
  }
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const json = /^\s*[{[]/.test(text);
  if (text.length > (json ? MAX_JSON : MAX_YAML)) {
    throw new InputError(json
      ? `${name}: is ${Math.round(text.length / 1048576)} MB, over the ${MAX_JSON / 1048576} MB a dump may have (preflight keeps its memory under 500 MiB); dump fewer kinds per file`
      : `${name}: is ${Math.round(text.length / 1048576)} MB of YAML, over ${MAX_YAML / 1048576} MB; take it as JSON (kubectl get ... -o json), which preflight reads in far less memory`);
  }
  // kubectl's -o json: JSON.parse is several times faster and leaner than a YAML parse of it
  if (json) {
    let value: unknown;
    try {
      // what no check reads and a real dump is full of: managedFields, and kubectl's copy of each object
      value = JSON.parse(text, (key, v) => (key === 'managedFields' || key === LAST_APPLIED ? undefined : v));
    } catch {
      value = undefined; // not JSON after all (YAML flow style): read as YAML below, which names the position
    }
    if (value !== undefined) return objectsOf(name, [value]);
  }
  const docs = parseAllDocuments(text, { prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  return objectsOf(name, list.map((doc, d) => {
    const error = doc.errors[0];
    if (error) {
      const at = lineAndColumn(text, error.pos[0]);
      throw new InputError(`${name}${at}: not YAML: ${error.message.split('\n')[0]}`);
    }
    try {
      return doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      throw new InputError(`${name}: document ${d + 1}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (at most ${MAX_ALIASES} aliases)`);
    }
  }));
}

/** The Kubernetes objects of a file's documents (a List's items in its place), each checked. */
function objectsOf(name: string, documents: readonly unknown[]): any[] {
  const objects: any[] = [];
  documents.forEach((value, d) => {
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
