import { Yaml } from 'cdk8s';

/**
 * Writes Kubernetes objects as YAML, byte-identical to cdk8s' `Yaml.stringify` (the `yaml`
 * library, YAML 1.1 schema, block style), but without building a YAML document tree per object.
 *
 * That tree is most of the cost of a cdk8s synth: half a millisecond per WorkflowTemplate, 0.5 s
 * for 1,000 profiles. Structure (maps, sequences, indentation) is written directly. Strings on
 * one line of printable ASCII are written the way the library's rules (`plainString`,
 * `quotedString` in yaml 2.x) write them when the outcome is certain: plain, `"double"` or
 * `'single'` quoted. Anything the library might read back as another YAML 1.1 type (numbers,
 * timestamps, booleans, null, the merge key) and every other scalar and key is rendered once by
 * the `yaml` library itself and cached. A document with a scalar that would need a multi-line
 * (block) form is handed to `Yaml.stringify` as a whole.
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
  return Yaml.stringify(doc);
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
    let text = valueCache.get(v);
    if (text === undefined) {
      text = Yaml.stringify({ k: v }).slice(3, -1);
      valueCache.set(v, text);
    }
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
  let text = keyCache.get(key);
  if (text === undefined) {
    const out = Yaml.stringify({ [key]: 0 });
    if (!out.endsWith(': 0\n') || out.indexOf('\n') !== out.length - 1) throw FALLBACK;
    text = out.slice(0, -4);
    keyCache.set(key, text);
  }
  return text;
}
