import { Yaml } from 'cdk8s';

/**
 * Writes Kubernetes objects as YAML that Kubernetes' own reader reads back exactly, and that is
 * byte-identical to cdk8s' `Yaml.stringify` (the `yaml` library, YAML 1.1 schema, block style)
 * wherever that text would be read back correctly, without building a YAML document tree per
 * object.
 *
 * Kubernetes tools (kubectl, the API machinery, Argo CD) read YAML with sigs.k8s.io/yaml, i.e.
 * go-yaml v2, whose resolver is not the `yaml` library's YAML 1.1 schema: it reads `0o755`,
 * `0X1f` and `1_0` as integers (Go's `strconv.ParseInt(s, 0, 64)` after dropping `_`), `<<` as a
 * merge key, NEL/LS/PS (U+0085/U+2028/U+2029) as line breaks even inside quotes, rejects DEL,
 * C1 controls and U+FFFE/U+FFFF, drops a BOM, and loses whitespace-only lines of a block scalar.
 * Such strings are written double-quoted with escapes (`doubleQuoted`); everything else is
 * written as the library writes it. `test/yaml-k8s.test.ts` reads the output back with a Go
 * program built on sigs.k8s.io/yaml and with `kubectl kustomize`.
 *
 * That tree is most of the cost of a cdk8s synth: half a millisecond per WorkflowTemplate, 0.5 s
 * for 1,000 profiles. Structure (maps, sequences, indentation) is written directly. Strings on
 * one line of printable ASCII are written the way the library's rules (`plainString`,
 * `quotedString` in yaml 2.x) write them when the outcome is certain: plain, `"double"` or
 * `'single'` quoted. Anything the library might read back as another YAML 1.1 type (numbers,
 * timestamps, booleans, null, the merge key) and every other scalar and key is rendered once by
 * the `yaml` library itself and cached. A document with a scalar that would need a multi-line
 * (block) form is handed to `Yaml.stringify` as a whole, with the strings the library would write
 * in a form Kubernetes misreads swapped for placeholders and written by `doubleQuoted`.
 * `test/yaml.test.ts` checks the output against `Yaml.stringify` on every emitted object and on
 * generated edge cases.
 */
export function stringifyDocuments(docs: readonly unknown[]): string {
  return docs.map(stringifyDocument).join('---\n');
}

/** One document, as `Yaml.stringify` would write it. */
export function stringifyDocument(doc: unknown): string {
  if (doc === undefined) return '\n';
  try {
    if (isMap(doc) && Object.keys(doc).length > 0) return map(doc, '');
    if (Array.isArray(doc) && doc.length > 0) return seq(doc, '');
  } catch (e) {
    if (e !== FALLBACK) throw e;
  }
  return libraryDocument(doc);
}

/**
 * The library writes the whole document; strings it would write in a form Kubernetes misreads
 * are first replaced by unique plain placeholders, which are then swapped for `doubleQuoted`.
 */
function libraryDocument(doc: unknown): string {
  const swaps = new Map<string, string>();
  let n = 0;
  const token = () => `kfa-yaml-placeholder-${(n++).toString(36)}-q7x`;
  const swap = (s: string, isKey = false): string => {
    if (!misreadByKubernetes(s, isKey)) return s;
    const t = token();
    swaps.set(t, doubleQuoted(s));
    return t;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return swap(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [swap(k, true), walk(x)]));
    return v;
  };
  const safe = walk(doc);
  let text = Yaml.stringify(safe);
  if (swaps.size === 0) return text;
  for (const [t, quoted] of swaps) {
    if (text.split(t).length !== 2) throw new Error(`YAML writer: placeholder ${t} is not unique in the document`);
    text = text.replace(t, () => quoted);
  }
  return text;
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

const FALLBACK = new Error('yaml fallback');

/**
 * Strings the library always writes plain: starts with a letter, `_` or `/`; no indicators;
 * not a YAML 1.1 float like `e5` (nor a boolean/null word, checked with YAML11_WORDS).
 */
const SAFE_PLAIN = /^(?![eE][-+]?[0-9]+$)[A-Za-z_/][A-Za-z0-9_./-]*$/;
/** YAML 1.1 words that would read back as booleans or null: the library quotes them. */
const YAML11_WORDS = /^(y|n|yes|no|true|false|on|off|null)$/i;
/** Printable ASCII on one line, without backslashes: the only strings `quick` decides. */
const SIMPLE = /^[\x20-\x5b\x5d-\x7e]+$/;
/** Digits only: a YAML 1.1 int (decimal or octal) as plain text, so the library double-quotes it. */
const DIGITS = /^[0-9]+$/;
/**
 * Might read back as another YAML 1.1 type: starts like a number and holds only characters
 * YAML 1.1 numbers and timestamps use (hex digits, `0x`/`0b`, `.inf`/`.nan`, `T`/`Z`, `:`), or an
 * exponent-only float (`e5`), or starts with `~`, `<` (merge key) or `=`. `300s` and `256Mi` do not.
 */
const MAYBE_NOT_STRING = /^(?:[-+0-9.][0-9a-fA-F_.:+\-xXbBoOiInNtTzZ ]*$|[-+]?[eE][-+]?[0-9]+$|[~<=])/;
/** Starts like a document marker: the library's form then depends on the indentation. */
const DOC_MARKER = /^(?:---|\.\.\.)/;
/** The library's test for strings that may not be plain (one-line form): indicators, `: `, ` #`, ... */
const NOT_PLAIN = /^[ ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-] |: | #| $|:$/;

/** The library's text for a string in block context, where it is certain; otherwise undefined. */
function quick(s: string): string | undefined {
  if (DOC_MARKER.test(s)) throw FALLBACK; // no one text fits every position: the library writes the document
  if (!SIMPLE.test(s)) return undefined;
  if (DIGITS.test(s)) return `"${s}"`;
  if (MAYBE_NOT_STRING.test(s) || YAML11_WORDS.test(s)) return undefined;
  if (!NOT_PLAIN.test(s)) return s;
  // quoted: double unless the string holds a double quote and no single one (no escapes needed)
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  return undefined;
}

const valueCache = new Map<string, string>();
const keyCache = new Map<string, string>();

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function map(obj: Record<string, unknown>, indent: string): string {
  let out = '';
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const k = keyText(key);
    if (isMap(v) && Object.keys(v).length > 0) {
      out += `${indent}${k}:\n${map(v, indent + '  ')}`;
    } else if (Array.isArray(v) && v.length > 0) {
      out += `${indent}${k}:\n${seq(v, indent + '  ')}`;
    } else {
      out += `${indent}${k}: ${scalar(v)}\n`;
    }
  }
  return out;
}

function seq(arr: readonly unknown[], indent: string): string {
  let out = '';
  const inner = indent + '  ';
  for (const v of arr) {
    if (isMap(v) && Object.keys(v).length > 0) {
      out += `${indent}- ${map(v, inner).slice(inner.length)}`;
    } else if (Array.isArray(v) && v.length > 0) {
      out += `${indent}- ${seq(v, inner).slice(inner.length)}`;
    } else {
      out += `${indent}- ${scalar(v)}\n`;
    }
  }
  return out;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') {
    if (SAFE_PLAIN.test(v) && !YAML11_WORDS.test(v)) return v;
    if (v === '') return '""';
    const known = quick(v);
    if (known !== undefined) return known;
    if (misreadByKubernetes(v)) return doubleQuoted(v);
    const text = libraryText(v);
    if (text.includes('\n')) throw FALLBACK;
    return text;
  }
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  if (isMap(v)) return '{}';
  if (Array.isArray(v)) return '[]';
  // floats, undefined, anything unusual: let the library write the whole document
  throw FALLBACK;
}

function keyText(key: string): string {
  if (key.length > 1000) throw FALLBACK; // the library writes keys over 1,024 characters as `? key`
  if (SAFE_PLAIN.test(key) && !YAML11_WORDS.test(key)) return key;
  const known = quick(key);
  if (known !== undefined) return known;
  if (misreadByKubernetes(key, true)) return doubleQuoted(key);
  let text = keyCache.get(key);
  if (text === undefined) {
    const out = Yaml.stringify({ [key]: 0 });
    if (!out.endsWith(': 0\n') || out.indexOf('\n') !== out.length - 1) throw FALLBACK;
    text = out.slice(0, -4);
    keyCache.set(key, text);
  }
  return text;
}
