import { Yaml } from 'cdk8s';

/**
 * Writes Kubernetes objects as YAML with cdk8s' own `Yaml.stringify` (the `yaml` library, YAML
 * 1.1 schema, block style), except for the strings Kubernetes' reader would misread in that text.
 *
 * Kubernetes tools (kubectl, the API machinery, Argo CD) read YAML with sigs.k8s.io/yaml, i.e.
 * go-yaml v2, whose resolver is not the `yaml` library's YAML 1.1 schema: it reads `0o755`,
 * `0X1f` and `1_0` as integers (Go's `strconv.ParseInt(s, 0, 64)` after dropping `_`), `<<` as a
 * merge key, NEL/LS/PS (U+0085/U+2028/U+2029) as line breaks even inside quotes, rejects DEL,
 * C1 controls and U+FFFE/U+FFFF, drops a BOM, and loses whitespace-only lines of a block scalar.
 * The library's own double quotes do not escape those characters, so such strings are replaced
 * by unique plain placeholders before the library writes the document and the placeholders are
 * then swapped for `doubleQuoted`. `test/slow/yaml-k8s.test.ts` reads the output back with a Go
 * program built on sigs.k8s.io/yaml and with `kubectl kustomize`; `test/slow/yaml.test.ts` checks the
 * text equals `Yaml.stringify` wherever no such string occurs.
 *
 * The library writer was measured against a hand-made one (issue 13): with it, synth stays
 * within the goals of docs/performance.md, so no hand-made writer is kept.
 */
export function stringifyDocuments(docs: readonly unknown[]): string {
  return docs.map(stringifyDocument).join('---\n');
}

/** One document, as `Yaml.stringify` writes it, with the strings Kubernetes misreads double-quoted. */
function stringifyDocument(doc: unknown): string {
  if (doc === undefined) return '\n';
  const swaps = new Map<string, string>();
  let n = 0;
  const swap = (s: string, isKey = false): string => {
    if (!misreadByKubernetes(s, isKey)) return s;
    const token = `kfa-yaml-placeholder-${(n++).toString(36)}-q7x`;
    swaps.set(token, doubleQuoted(s));
    return token;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [swap(k, true), walk(x)]));
    return v;
  };
  const safe = walk(doc);
  let text = Yaml.stringify(safe);
  for (const [token, quoted] of swaps) {
    if (text.split(token).length !== 2) throw new Error(`YAML writer: placeholder ${token} is not unique in the document`);
    text = text.replace(token, () => quoted);
  }
  return text;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Characters go-yaml v2 (sigs.k8s.io/yaml) rejects or reads as something else when the `yaml`
 * library writes them raw: DEL and C1 controls (NEL U+0085 is a line break there), LS/PS
 * (line breaks), U+FFFE/U+FFFF (rejected), and a BOM that starts a string (dropped from a key).
 */
const MISREAD_CHARS = /[\x7f-\x9f\u2028\u2029\ufffe\uffff]|^\ufeff/;
/**
 * Multi-line strings go-yaml misreads as the library's block scalar when the block has no
 * indentation indicator: whitespace-only lines before the first line with text (go-yaml takes
 * the indentation from them and drops their spaces), or a first line with text that starts
 * with a tab (rejected).
 */
const BAD_BLOCK = /^(?:[ \t]*\n)*[ \t]+(?:\n|$)|^\n*\t/;
/** go-yaml v2 resolve(): integers after `_` is dropped, via Go's ParseInt base 0 (0x, 0o, 0b, 0 octal). */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/;
/** go-yaml v2 resolve(): `yamlStyleFloat`, also after `_` is dropped. */
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** go-yaml v2 `allowedTimestampFormats` (date, or date and time with `T`, `t` or a space; zone optional). */
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?)?)?$/;
/** go-yaml v2 resolve(): its table of booleans, nulls, infinities and the merge key. */
const GO_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO',
  'false', 'False', 'FALSE', 'off', 'Off', 'OFF', '', '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF',
  '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF']);

/**
 * True when go-yaml v2 would read `s`, written plain, as something other than that string
 * (gopkg.in/yaml.v2 resolve.go `resolve`): a word of its table, an integer, a float, or a
 * timestamp. Where unsure it says yes: quoting is always read back correctly.
 */
function goYamlReadsAsNonString(s: string): boolean {
  if (GO_WORDS.has(s)) return true;
  const c = s.charCodeAt(0);
  const digitOrSign = (c >= 48 && c <= 57) || c === 43 || c === 45;
  if (c === 46) return GO_FLOAT.test(s); // '.': ParseFloat of `.5`, `.5e3`
  if (!digitOrSign) return false;
  if (GO_TIMESTAMP.test(s)) return true;
  const plain = s.replace(/_/g, '');
  return GO_INT.test(plain) || GO_FLOAT.test(plain) || /^-0b[01]+$/.test(plain);
}

/**
 * True when Kubernetes' reader would not read back the library's text for `s` as `s`. A plain
 * `<<` is go-yaml's merge key, so as a key it must be quoted (as a value it is read as text).
 */
export function misreadByKubernetes(s: string, isKey = false): boolean {
  if (MISREAD_CHARS.test(s)) return true;
  if (isKey && s === '<<') return true;
  if (s.includes('\n') && BAD_BLOCK.test(s) && /^[|>][-+]?(?:$|\n)/.test(libraryText(s))) return true; // a block without indicator
  if (!goYamlReadsAsNonString(s)) return false;
  const first = libraryText(s)[0];
  return first !== '"' && first !== "'"; // the library writes it plain
}

/** `s` as a double-quoted YAML scalar with every character go-yaml could misread escaped. */
function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** The library's text for a string value in block context (cached). */
function libraryText(s: string): string {
  let text = valueCache.get(s);
  if (text === undefined) {
    text = Yaml.stringify({ k: s }).slice(3, -1);
    valueCache.set(s, text);
  }
  return text;
}

const valueCache = new Map<string, string>();

/** Characters YAML reads as a line break (YAML 1.1 also NEL, LS and PS), which would end a comment. */
const YAML_LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

/**
 * YAML comment lines, `# ` before each: the one way text of ours goes into a YAML file outside
 * {@link stringifyDocuments}. A line that holds a line break would end its comment and start YAML
 * content (a newline in a Secret name once added a second Dex client), so it is refused: props
 * are checked before they get here, and this keeps it so by construction.
 */
export function yamlComment(lines: readonly string[]): string {
  for (const line of lines) {
    if (YAML_LINE_BREAK.test(line)) throw new Error(`yamlComment: a comment line holds a line break: ${JSON.stringify(line)}`);
  }
  return lines.map((l) => `# ${l}\n`).join('');
}
