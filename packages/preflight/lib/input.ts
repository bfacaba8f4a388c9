import { parse, parseAllDocuments, parseDocument } from 'yaml';

/**
 * What `npm run preflight` reads, checked before any check runs: a file it cannot use is refused
 * with one line naming the file (and the position, for YAML errors), never read as an empty
 * cluster, and never ends in a stack trace. `the CLI's kfa-preflight (packages/cli/lib/preflight.js)` exits 2 on it, apart from 1,
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

/**
 * The largest dump file read, JSON (kubectl -o json) or YAML. YAML over MAX_WHOLE_YAML is read
 * document by document and a List item by item (readLargeYaml): the parser needs far more memory
 * per byte than the objects it gives. One over MAX_WHOLE_YAML that cannot be cut so is refused.
 */
const MAX_DUMP = 128 * 1048576;
const MAX_WHOLE_YAML = 8 * 1048576;

/** The most YAML aliases a dump may use (an "alias bomb" expands a few lines into gigabytes). */
const MAX_ALIASES = 100;

/** The size limits of readDump (tests lower them to reach the large-file paths with small files). */
export interface DumpLimits {
  /** The largest file read, in UTF-16 code units. */
  readonly maxDump?: number;
  /** The largest YAML read in one parse; larger YAML is read document by document, item by item. */
  readonly maxWholeYaml?: number;
  /** The largest piece (a document without its List's items, or one item) of such YAML read in one parse. */
  readonly maxYamlPiece?: number;
}

/**
 * The Kubernetes objects in one dump file (`name` for messages): every document, a `List`'s
 * items in its place. Refused: UTF-16 text (what PowerShell's `>` writes), YAML errors, alias
 * bombs, a document or item that is not a Kubernetes object (a mapping with `kind` and
 * `metadata.name`), and a file with no objects at all.
 */
export function readDump(name: string, content: Buffer | string, limits: DumpLimits = {}): any[] {
  const maxDump = limits.maxDump ?? MAX_DUMP;
  const maxWholeYaml = limits.maxWholeYaml ?? MAX_WHOLE_YAML;
  // a string is the file read as UTF-8 (what the CLI's kfa-preflight (packages/cli/lib/preflight.js) passes, to hold one copy of a large dump)
  let text = typeof content === 'string' ? content : content.toString('utf8');
  const utf16 = typeof content === 'string' ? text.startsWith('\ufffd\ufffd') : content.length >= 2 && ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff));
  if (utf16 || text.slice(0, 4096).includes('\u0000')) {
    throw new InputError(`${name}: is UTF-16 or binary, not UTF-8 text (PowerShell's ">" writes UTF-16: use "| Out-File -Encoding utf8 ${name}")`);
  }
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const json = /^\s*[{[]/.test(text);
  if (text.length > maxDump) {
    throw new InputError(`${name}: is ${Math.round(text.length / 1048576)} MB, over the ${Math.round(maxDump / 1048576)} MB a dump may have (preflight keeps its memory under 500 MiB); dump fewer kinds per file`);
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
  if (text.length > maxWholeYaml) {
    const objects = readLargeYaml(name, text, limits.maxYamlPiece ?? MAX_WHOLE_YAML);
    if (!objects) {
      throw new InputError(`${name}: is ${Math.round(text.length / 1048576)} MB of YAML that is not laid out as kubectl writes it (documents, a List's items each starting "- " at one indentation), over the ${Math.round(maxWholeYaml / 1048576)} MB read in one piece; take it as JSON (kubectl get ... -o json)`);
    }
    return objects;
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
      return withoutUnread(doc.toJS({ maxAliasCount: MAX_ALIASES }));
    } catch (e) {
      throw new InputError(`${name}: document ${d + 1}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (at most ${MAX_ALIASES} aliases)`);
    }
  }));
}

/**
 * Drops what no check reads and a real dump is full of (managedFields, kubectl's last-applied
 * copy) from an object, or from each item of a List, as JSON.parse's reviver does for JSON.
 */
function withoutUnread(v: unknown): unknown {
  const strip = (o: unknown) => {
    if (!isObject(o) || !isObject(o.metadata)) return;
    delete o.metadata.managedFields;
    if (isObject(o.metadata.annotations)) delete o.metadata.annotations[LAST_APPLIED];
  };
  strip(v);
  if (isObject(v) && Array.isArray(v.items)) v.items.forEach(strip);
  return v;
}

/**
 * A piece of a large YAML dump: its text, and where each run of it starts in the file
 * ([offset in the piece, offset in the file]), so an error's position is the file's own.
 */
interface YamlPiece { readonly text: string; readonly runs: ReadonlyArray<readonly [number, number]> }

/**
 * A document of a large dump: its head (the lines outside a List's items) and each item, as
 * `[start, end)` offsets of the file, flat (`[s0, e0, s1, e1, …]`): a dump holds hundreds of
 * thousands of items, and a piece (text and runs) is made only while its item is parsed.
 */
interface YamlDocument { readonly head: YamlPiece; readonly items: readonly number[] }

/**
 * A large YAML dump read in pieces, so memory follows the largest object, not the file: cut at
 * document markers (`---`), and a List document's items (`items:` then entries that start with
 * "- " at one indentation, as kubectl's `-o yaml` writes them) parsed one at a time, each as a
 * one-entry sequence. Undefined when the text is not laid out so (only a whole parse would do).
 */
function readLargeYaml(name: string, text: string, maxPiece: number): any[] | undefined {
  const objects: any[] = [];
  const shared = sharedStrings();
  let d = 0;
  for (const doc of yamlDocuments(text)) {
    d += 1;
    if (!doc || doc.head.text.length > maxPiece || doc.items.some((at, i) => i % 2 === 1 && at - doc.items[i - 1] > maxPiece)) return undefined;
    const head = withoutUnread(parsePiece(name, text, doc.head, d)) as any;
    if (doc.items.length === 0) {
      objects.push(...objectsOfDocument(`${name}: document ${d}`, head));
      continue;
    }
    if (!isObject(head) || typeof head.kind !== 'string' || !head.kind.endsWith('List')) return undefined;
    for (let i = 0; i < doc.items.length; i += 2) {
      const start = doc.items[i];
      const entry = parsePiece(name, text, { text: text.slice(start, doc.items[i + 1]), runs: [[0, start]] }, d);
      objects.push(kubernetesObject(`${name}: document ${d}, item ${i / 2 + 1}`, shared(withoutUnread(Array.isArray(entry) ? entry[0] : entry))));
    }
  }
  if (objects.length === 0) throw new InputError(`${name}: holds no Kubernetes objects (take the dump with the kubectl commands in --help)`);
  return objects;
}

/**
 * A function that gives every string of a parsed object the copy it already gave for the same
 * text: a dump repeats the same apiVersions, kinds, names and namespaces across hundreds of
 * thousands of objects, and each parse makes its own copies (about a third of the memory of a
 * 100 MB YAML dump; `npm run bench`).
 */
function sharedStrings(): <T>(value: T) => T {
  const pool = new Map<string, string>();
  const share = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const hit = pool.get(v);
      if (hit !== undefined) return hit;
      pool.set(v, v);
      return v;
    }
    if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) v[i] = share(v[i]); return v; }
    if (isObject(v)) { for (const k of Object.keys(v)) v[k] = share(v[k]); }
    return v;
  };
  return share as <T>(value: T) => T;
}

/** A piece parsed as YAML: errors name the file's line and column; aliases bounded. */
function parsePiece(name: string, text: string, piece: YamlPiece, d: number): unknown {
  const doc = parseDocument(piece.text, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const run = [...piece.runs].reverse().find(([at]) => at <= error.pos[0]) ?? piece.runs[0];
    throw new InputError(`${name}${lineAndColumn(text, run[1] + error.pos[0] - run[0])}: not YAML: ${error.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    throw new InputError(`${name}: document ${d}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)} (at most ${MAX_ALIASES} aliases)`);
  }
}

/** The documents of `text`, cut as kubectl writes them; undefined for one that is not. */
function* yamlDocuments(text: string): Generator<YamlDocument | undefined> {
  let pos = 0;
  while (pos < text.length) {
    const doc = new DocumentCutter(text);
    pos = doc.cut(pos);
    if (doc.bad) { yield undefined; return; }
    yield doc.result();
  }
}

/** Cuts one document of a large dump, line by line, into its head and its List's items. */
class DocumentCutter {
  public bad = false;
  private readonly head: Array<[number, number]> = []; // [start, end) runs of the file
  private readonly items: number[] = []; // [start, end) of each item, flat
  private indent: string | undefined; // the items' indentation, once known
  private inItems = false;
  private item = -1; // start of the current item
  constructor(private readonly text: string) {}

  /** Reads from `pos` (after a `---` line, if any) to the next document marker; the offset after it. */
  public cut(pos: number): number {
    const text = this.text;
    let first = true;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl + 1;
      const line = text.slice(pos, Math.min(end, pos + 256)); // enough to classify it
      if (/^(---|\.\.\.)(\s|$)/.test(line)) {
        if (!/^(---|\.\.\.)[ \t]*(#.*)?\r?\n?$/.test(text.slice(pos, end))) this.bad = true; // content after a marker
        // a later `---` starts the next document there; `...` ends this one and is consumed
        if (!(first && line.startsWith('---'))) { this.endItem(pos); return line.startsWith('...') ? end : pos; }
      } else {
        this.line(pos, end, line);
      }
      if (this.bad) return text.length;
      first = false;
      pos = end;
    }
    this.endItem(pos);
    return pos;
  }

  public result(): YamlDocument {
    let at = 0;
    const runs = this.head.map(([start, end]) => { const run = [at, start] as const; at += end - start; return run; });
    return { head: { text: this.head.map(([start, end]) => this.text.slice(start, end)).join(''), runs: runs.length ? runs : [[0, 0]] }, items: this.items };
  }

  private line(pos: number, end: number, line: string): void {
    const blank = /^\s*(#.*)?$/.test(line.replace(/\r?\n$/, ''));
    if (this.inItems) {
      if (blank && this.item >= 0) return;
      const m = /^( *)-(\s|$)/.exec(line);
      if (m && (this.indent === undefined || m[1] === this.indent)) {
        this.indent = m[1];
        this.endItem(pos);
        this.item = pos;
        return;
      }
      if (this.item >= 0 && line.startsWith(this.indent!) && /^\s/.test(line.slice(this.indent!.length))) return;
      if (!blank && /^\s/.test(line)) { this.bad = true; return; } // an indentation kubectl does not write
      if (!blank) { this.endItem(pos); this.inItems = false; }
    }
    if (/^items:[ \t]*(#.*)?\r?\n?$/.test(line)) this.inItems = true;
    this.pushHead(pos, end);
  }

  private pushHead(start: number, end: number): void {
    const last = this.head[this.head.length - 1];
    if (last && last[1] === start) last[1] = end;
    else this.head.push([start, end]);
  }

  private endItem(at: number): void {
    if (this.item >= 0) this.items.push(this.item, at);
    this.item = -1;
  }
}

/** The Kubernetes objects of a file's documents (a List's items in its place), each checked. */
function objectsOf(name: string, documents: readonly unknown[]): any[] {
  const objects = documents.flatMap((value, d) => objectsOfDocument(`${name}: document ${d + 1}`, value));
  if (objects.length === 0) {
    throw new InputError(`${name}: holds no Kubernetes objects (take the dump with the kubectl commands in --help)`);
  }
  return objects;
}

/** The objects of one document (`where` for messages): none, the object, or a List's items. */
function objectsOfDocument(where: string, value: unknown): any[] {
  if (value === null || value === undefined) return [];
  const v = value as any;
  if (isObject(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && (Array.isArray(v.items) || v.items === null)) {
    return (v.items ?? []).map((item: unknown, i: number) => kubernetesObject(`${where}, item ${i + 1}`, item));
  }
  return [kubernetesObject(where, v)];
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
