import { SYSTEM_NAMESPACES } from './constants';
import type { ImageLine } from './platform';

/**
 * Prop validation shared by every construct.
 *
 * Each check throws a {@link ValidationError} whose message names the construct, the prop,
 * the bad value and the fix, e.g.
 * `ArgoServer: baseHref must start and end with "/", got "argo". Fix: use a path such as "/argo/".`
 *
 * Constructs call these in their constructors, before any child is created, so bad input
 * never reaches the output.
 */

/** The error every construct throws for a bad prop. */
export class ValidationError extends Error {
  /**
   * @param owner construct class that rejected the prop (e.g. `ArgoServer`)
   * @param prop the prop path as the user wrote it (e.g. `route.timeout`)
   * @param value the rejected value
   * @param problem what is wrong, phrased after the prop name
   * @param fix how to put it right
   */
  constructor(
    public readonly owner: string,
    public readonly prop: string,
    public readonly value: unknown,
    public readonly problem: string,
    public readonly fix: string,
  ) {
    // one line whatever the input: a key or value with a line break must not split the message
    super(oneLine(`${owner}: ${prop} ${problem}, got ${show(value)}. Fix: ${fix}`));
    this.name = 'ValidationError';
  }
}

/** `text` with control characters and Unicode line and paragraph separators written as `\uXXXX`. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Renders a rejected value for an error message; never throws, whatever the value. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    const s = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? v.toString() : v));
    if (s === undefined) return Object.prototype.toString.call(value);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return Object.prototype.toString.call(value); // cyclic, or a getter that throws
  }
}

/** Half of a UTF-16 surrogate pair without its other half (String.prototype.isWellFormed is Node 20+). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A copy of a construct's props that is safe to validate: each own enumerable property is read
 * once (a getter that throws becomes a ValidationError naming the prop), plain objects and
 * arrays are copied (objects without a prototype become ordinary ones), and a cycle is refused.
 * Instances of classes (constructs, Platform, EventField) are kept as they are. Validating the
 * copy also means a caller cannot change a value between its check and its use.
 */
export function snapshotProps<T>(owner: string, props: T): T {
  const ancestors: object[] = [];
  const copy = (value: unknown, at: string): unknown => {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      // no prop of this library takes code or symbols; YAML and JSON cannot write them either
      fail({ owner, prop: at || 'props' }, value, `must be plain data (text, numbers, booleans, objects, arrays), not a ${typeof value}`, 'pass the value itself');
    }
    if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
      // a lone UTF-16 surrogate cannot be written as UTF-8: kubectl and kustomize could not read the file
      fail({ owner, prop: at || 'props' }, value, 'holds a lone UTF-16 surrogate (half of a character), which UTF-8 files cannot carry', 'remove it, or pass the whole character');
    }
    if (value === null || typeof value !== 'object') return value;
    const proto = Object.getPrototypeOf(value);
    const isArray = Array.isArray(value);
    if (!isArray && proto !== Object.prototype && proto !== null) return value;
    if (ancestors.includes(value)) fail({ owner, prop: at || 'props' }, '[cycle]', 'refers back to itself (a cyclic object)', 'pass plain data without cycles');
    ancestors.push(value);
    try {
      const read = (key: string | number, path: string) => {
        try {
          return (value as Record<string | number, unknown>)[key];
        } catch (e) {
          return fail({ owner, prop: path }, undefined, `could not be read (its getter threw: ${e instanceof Error ? e.message : show(e)})`, 'pass plain values, not getters that throw');
        }
      };
      if (isArray) {
        // a loop, not map(): an array with its own `constructor` would make map() throw a TypeError
        const out: unknown[] = [];
        const length = Number(read('length', `${at}.length`));
        for (let i = 0; i < length; i++) out.push(copy(read(i, `${at}[${i}]`), `${at}[${i}]`));
        return out;
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const path = at ? `${at}.${key}` : key;
        if (LONE_SURROGATE.test(key)) fail({ owner, prop: path }, key, 'is a key with a lone UTF-16 surrogate, which UTF-8 files cannot carry', 'remove it');
        out[key] = copy(read(key, path), path);
      }
      return out;
    } finally {
      ancestors.pop();
    }
  };
  return copy(props, '') as T;
}

/** `unknown` when `K` lists every key of `T`; otherwise a type naming the missing ones. */
type ListsAllKeys<T, K extends readonly unknown[]> = [Exclude<keyof T, K[number]>] extends [never] ? unknown : { readonly missingProps: Exclude<keyof T, K[number]> };

/**
 * The prop names of `T`, listed once for {@link checkKnownKeys}: the compiler refuses a list
 * that misses a prop of `T` or names one `T` does not have, so the runtime check of plain
 * JavaScript input cannot drift from the TypeScript interface.
 */
export function propNames<T>() {
  return <const K extends readonly (keyof T & string)[]>(...keys: K & ListsAllKeys<T, K>): readonly string[] => keys;
}

/** Where a check is running: the construct class and the prop path. */
export interface Where {
  readonly owner: string;
  readonly prop: string;
}

/** The prop paths of one construct class: `const at = whereIn('ArgoServer'); at('image')`. */
export function whereIn(owner: string): (prop: string) => Where {
  return (prop) => ({ owner, prop });
}

/** The same owner, one level deeper: `within(at('resources'), 'limits')` is `resources.limits`. */
export function within(where: Where, sub: string): Where {
  return { owner: where.owner, prop: where.prop ? `${where.prop}.${sub}` : sub };
}

/** Every {@link ValidationError} of the library is raised here. */
export function fail(where: Where, value: unknown, problem: string, fix: string): never {
  throw new ValidationError(where.owner, where.prop, value, problem, fix);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks a string prop is a non-empty string. */
export function requireString(where: Where, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(where, value, 'must be a non-empty string', 'pass a string value');
  }
}

/** The two DNS-1123 name forms Kubernetes uses, with their grammar, length and description. */
const DNS_NAMES = {
  label: { re: DNS_LABEL, max: 63, text: 'a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)' },
  subdomain: { re: DNS_SUBDOMAIN, max: 253, text: 'a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", at most 253 characters)' },
};

function checkDnsName(where: Where, value: unknown, form: keyof typeof DNS_NAMES): string {
  requireString(where, value);
  const { re, max, text } = DNS_NAMES[form];
  if (value.length > max || !re.test(value)) fail(where, value, `must be ${text}`, `use a name such as "${suggestName(value, max)}"`);
  return value;
}

/** Checks an RFC 1123 label (namespaces, Service names, container names): ≤63 chars. */
export function checkDnsLabel(where: Where, value: unknown): string {
  return checkDnsName(where, value, 'label');
}

/** Checks an RFC 1123 subdomain (most object names): ≤253 chars. */
export function checkDnsSubdomain(where: Where, value: unknown): string {
  return checkDnsName(where, value, 'subdomain');
}

/** Checks a Kubernetes namespace name. */
export function checkNamespace(where: Where, value: unknown): string {
  return checkDnsLabel(where, value);
}

/** Checks a Kubeflow profile namespace: a namespace name that is not a system namespace. */
export function checkProfileNamespace(where: Where, value: unknown): string {
  checkNamespace(where, value);
  if (SYSTEM_NAMESPACES.includes(value as string)) {
    fail(where, value, 'is a system namespace, not a Kubeflow profile namespace', 'list the namespaces of your profiles (kubectl get profiles)');
  }
  return value as string;
}

/** RBAC verbs Kubernetes defines for resources (no wildcard). */
export const RBAC_VERBS: readonly string[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Checks an RBAC verb: a known verb, never `*`. */
export function checkVerb(where: Where, value: unknown): string {
  if (value === '*') {
    fail(where, value, 'must not be the wildcard "*" (it also grants verbs added in future Kubernetes versions)', `list the verbs you need from ${RBAC_VERBS.join(', ')}`);
  }
  return checkOneOf(where, value, RBAC_VERBS);
}

function suggestName(value: string, max: number): string {
  const s = value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return s || 'my-name';
}

/** Checks a label value: ≤63 chars, alphanumerics with `-_.` inside, may be empty. */
/** A label value that is not empty (Kubernetes: up to 63 characters, alphanumeric at both ends, `-_.` inside). */
export const LABEL_VALUE = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function checkLabelValue(where: Where, value: unknown): string {
  if (typeof value !== 'string') fail(where, value, 'must be a string', 'quote the value');
  if (value !== '' && !LABEL_VALUE.test(value)) {
    fail(where, value, 'must be a valid label value (at most 63 characters, letters, digits, "-", "_" and ".", starting and ending with a letter or digit)',
      'shorten the value or replace the other characters');
  }
  return value;
}

/** Checks a label or annotation key (`[prefix/]name`). */
export function checkLabelKey(where: Where, value: unknown): string {
  requireString(where, value);
  const parts = value.split('/');
  const name = parts.length === 2 ? parts[1] : parts[0];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (parts.length > 2 || name.length > 63 || !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)
    || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
    fail(where, value, 'must be a valid key ("[dns-prefix/]name", name at most 63 characters)',
      'use a key such as "example.com/team"');
  }
  return value;
}

/** Checks a map of labels (keys and values). */
export function checkLabels(where: Where, value: unknown): Record<string, string> {
  const map = checkStringMap(where, value);
  for (const [k, v] of Object.entries(map)) {
    checkLabelKey({ owner: where.owner, prop: `${where.prop} key` }, k);
    checkLabelValue({ owner: where.owner, prop: `${where.prop}["${k}"]` }, v);
  }
  return sortedByKey(map);
}

/** A copy of `map` with its keys in code-unit order: the output must not depend on the order props were written in. */
export function sortedByKey<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => compareText(a, b)));
}

/** Checks a map of annotations (keys valid, values strings). */
export function checkAnnotations(where: Where, value: unknown): Record<string, string> {
  const map = checkStringMap(where, value);
  for (const k of Object.keys(map)) checkLabelKey({ owner: where.owner, prop: `${where.prop} key` }, k);
  return sortedByKey(map);
}

function checkStringMap(where: Where, value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(where, value, 'must be an object of string keys to string values', 'pass e.g. { team: "ml" }');
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') {
      fail({ owner: where.owner, prop: `${where.prop}["${k}"]` }, v, 'must be a string', `quote it: ${JSON.stringify(show(v))}`);
    }
  }
  return value as Record<string, string>;
}

/**
 * A plain absolute URL path: letters, digits, `-`, `_`, `.`, `~` and `/`, no `//` and no `..`
 * (webhook endpoints, the paths let past the login, dashboard links).
 */
export function isPlainPath(value: string): boolean {
  return /^\/[A-Za-z0-9._~/-]*$/.test(value) && !value.includes('//') && !value.includes('..');
}

/**
 * Checks a URL path prefix such as a base href: starts and ends with `/`, no spaces,
 * no `..`, no query or fragment.
 */
export function checkPathPrefix(where: Where, value: unknown): string {
  requireString(where, value);
  if (value === '/') {
    fail(where, value, 'would catch every path on the shared Kubeflow gateway (the dashboard, pipelines, notebooks)', 'use a prefix of its own, e.g. "/argo/"');
  }
  if (!value.startsWith('/') || !value.endsWith('/')) {
    fail(where, value, 'must start and end with "/"', `use "/${value.replace(/^\/+|\/+$/g, '') || 'argo'}/"`);
  }
  if (/\s/.test(value)) fail(where, value, 'must not contain white space', 'remove the spaces or use "-"');
  if (value.split('/').includes('..') || value.split('/').includes('.')) {
    fail(where, value, 'must not contain "." or ".." segments', 'use a plain path such as "/argo/"');
  }
  if (/[?#%\\]/.test(value) || value.includes('//')) {
    fail(where, value, 'must be a plain path (no "?", "#", "%", "\\" or "//")', 'use a path such as "/argo/"');
  }
  return value;
}

/**
 * Checks a container image reference: an explicit tag or digest, never `latest`, and
 * (when `line` is given) a tag from the supported release line.
 */
export function checkImage(where: Where, value: unknown, line?: ImageLine, opts: { allowUnpinned?: boolean } = {}): string {
  requireString(where, value);
  if (/\s/.test(value)) fail(where, value, 'must not contain white space', 'remove the spaces');
  const ref = parseImageReference(value);
  const repo = ref ? ref.name : value.split(/[:@]/)[0];
  const suggestion = line ? `"${repo}:${exampleTag(line)}"` : `"${repo}:1.0.0"`;
  if (!ref) {
    fail(where, value, 'is not a valid image reference ([registry[:port]/]lower-case/path[:tag][@sha256:digest])',
      `use e.g. ${line ? suggestion : '"docker.io/library/busybox:1.36"'}`);
  }
  if (ref.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(ref.digest)) {
    fail(where, value, 'has a malformed digest', `use "${repo}@sha256:<64 hex digits>" or a tag such as ${suggestion}`);
  }
  if (ref.tag === undefined) {
    // A digest pins the image on its own (its Argo line cannot be checked from the reference).
    if (ref.digest !== undefined || opts.allowUnpinned) return value;
    fail(where, value, 'must carry an explicit tag or digest', `pin a ${line ? `${line.name} ` : ''}tag, e.g. ${suggestion}`);
  }
  if (ref.tag === 'latest' && !opts.allowUnpinned) {
    fail(where, value, 'must not use the "latest" tag (it changes under you and breaks reproducible deploys)', `pin a version, e.g. ${suggestion}`);
  }
  if (line && !line.tag.test(ref.tag)) {
    fail(where, value, `must be a ${line.name} tag (the Argo line this construct supports)`, `use ${suggestion}`);
  }
  return value;
}

/**
 * An image reference split as the distribution reference grammar (distribution/reference
 * `reference.go`, `regexp.go`) and Docker's normalization read it: the first component is a
 * registry only when it holds "." or ":" or is "localhost"; path components are lower-case
 * alphanumerics joined by ".", "_", "__" or dashes; a tag is at most 128 word characters, dots
 * and dashes, not starting with either; a name is at most 255 characters. Undefined when invalid.
 */
export function parseImageReference(value: string): { name: string; tag?: string; digest?: string } | undefined {
  const m = /^([^@]+?)(?::([\w][\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}))?$/.exec(value);
  if (!m) return undefined;
  const name = m[1];
  if (name.length > 255) return undefined;
  const parts = name.split('/');
  const first = parts[0];
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const DOMAIN = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
  const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
  if (hasDomain && !DOMAIN.test(first)) return undefined;
  if (!(hasDomain ? parts.slice(1) : parts).every((c) => PATH.test(c))) return undefined;
  return { name, tag: m[2], digest: m[3] };
}

function exampleTag(line: ImageLine): string {
  return line.name.replace(/x$/, '15');
}

/**
 * Checks an Istio gateway reference, always `namespace/name`: a bare name means "the route's own
 * namespace" to Istio, which for routes outside the gateway's namespace silently names a gateway
 * that does not exist.
 */
export function checkGateway(where: Where, value: unknown): string {
  requireString(where, value);
  const parts = value.split('/');
  if (parts.length !== 2 || parts.some((p) => p.length > 63 || !DNS_LABEL.test(p))) {
    fail(where, value, 'must be "<namespace>/<gateway name>" with DNS-1123 parts (a bare name would mean the route\'s own namespace)', 'use e.g. "kubeflow/kubeflow-gateway"');
  }
  return value;
}

/** Checks an Istio host: `*`, a DNS name or a wildcard DNS name (`*.example.com`). */
export function checkHost(where: Where, value: unknown): string {
  requireString(where, value);
  if (value === '*') return value;
  const name = value.startsWith('*.') ? value.slice(2) : value;
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    fail(where, value, 'must be "*", a DNS name or "*.<domain>" (no scheme, port or path)', 'use e.g. "kubeflow.example.com" or "*"');
  }
  return value;
}

/** Checks a non-empty list and each element with `check`. */
export function checkList<T>(where: Where, value: unknown, check: (w: Where, v: unknown) => T, opts: { allowEmpty?: boolean } = {}): T[] {
  if (!Array.isArray(value)) fail(where, value, 'must be a list', 'pass an array');
  if (!opts.allowEmpty && value.length === 0) fail(where, value, 'must not be empty', 'give at least one entry');
  const seen = new Set<string>();
  return value.map((v, i) => {
    const out = check({ owner: where.owner, prop: `${where.prop}[${i}]` }, v);
    const key = show(v);
    if (seen.has(key)) fail({ owner: where.owner, prop: `${where.prop}[${i}]` }, v, 'is listed twice', 'remove the duplicate');
    seen.add(key);
    return out;
  });
}

/**
 * Checks an Istio duration such as `300s`, `1.5s`, `500ms`, `1h30m`: Go's `time.ParseDuration`
 * syntax (how Istio reads the field), which fails beyond about 292 years, and Istio's own
 * validation (`ValidateDuration`: at least 1ms, whole milliseconds).
 */
export function checkDuration(where: Where, value: unknown): string {
  requireString(where, value);
  const fix = 'write a number followed by a unit (h, m, s, ms), e.g. "300s" or "1h30m"';
  if (!/^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:h|m|s|ms|us|µs|ns))+$/.test(value)) fail(where, value, 'must be a duration such as "300s", "5m" or "1h30m"', fix);
  const NS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n };
  let total = 0n;
  for (const [, num, unit] of value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/g)) {
    const [int, frac = ''] = num.split('.');
    const scale = NS[unit];
    // Go keeps the integer part exactly and the fraction to nanoseconds, truncating
    total += BigInt(int || '0') * scale + (frac ? (BigInt(frac.slice(0, 18).padEnd(18, '0')) * scale) / 10n ** 18n : 0n);
  }
  if (total > 9223372036854775807n) fail(where, value, 'is longer than a Go duration can hold (about 292 years)', fix);
  if (total < 1000000n) fail(where, value, 'must be at least 1ms (Istio refuses shorter durations)', fix);
  if (total % 1000000n !== 0n) fail(where, value, 'must be whole milliseconds (Istio refuses finer precision)', 'round it, e.g. "1ms" or "1.5s"');
  return value;
}

/** Checks a TCP port number. */
export function checkPort(where: Where, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(where, value, 'must be a whole number from 1 to 65535', 'use a port such as 2746');
  }
  return value;
}

/** Checks an Istio source principal: `cluster.local/ns/<namespace>/sa/<service account>`. */
export function checkPrincipal(where: Where, value: unknown): string {
  requireString(where, value);
  const m = /^([a-z0-9.-]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(value);
  if (!m || !DNS_LABEL.test(m[2]) || m[2].length > 63 || !DNS_SUBDOMAIN.test(m[3]) || m[3].length > 253) {
    fail(where, value, 'must be a SPIFFE principal "<trust domain>/ns/<namespace>/sa/<service account>"',
      'use e.g. "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"');
  }
  return value;
}

/** Checks a value is one of `allowed`. */
export function checkOneOf<T extends string>(where: Where, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(where, value, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, `pick one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Checks a boolean. */
export function checkBoolean(where: Where, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(where, value, 'must be true or false', 'pass a boolean, not a string');
  return value;
}

/**
 * Refuses keys a construct does not know. TypeScript catches these at compile time; plain
 * JavaScript and JSON callers would otherwise lose a misspelt prop silently.
 */
export function checkKnownKeys(where: Where, value: unknown, known: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail({ owner: where.owner, prop: where.prop || 'props' }, value, 'must be an object', 'pass an object literal');
  }
  for (const key of Object.keys(value as object)) {
    if (!known.includes(key) && (value as Record<string, unknown>)[key] !== undefined) {
      const near = closest(key, known);
      fail({ owner: where.owner, prop: where.prop ? `${where.prop}.${key}` : key }, (value as Record<string, unknown>)[key],
        'is not a known prop', near ? `did you mean "${near}"? Known: ${known.join(', ')}` : `known props are ${known.join(', ')}`);
    }
  }
}

/**
 * Checks the options given to a factory method (`server.addRoute(id, options)`) or to a child the
 * chart makes: the keys the maker decides itself are refused with their own fix, then unknown keys.
 */
export function checkOptions(where: Where, value: unknown, known: readonly string[], setBy: string, fixes: Readonly<Record<string, string>>): void {
  if (value !== null && typeof value === 'object') {
    for (const [key, fix] of Object.entries(fixes)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      // a Platform or a construct reads best by its own name (its id, its path)
      const shown = typeof v === 'object' && v !== null && v.toString !== Object.prototype.toString ? String(v) : v;
      fail(within(where, key), shown, `is set by ${setBy}`, fix);
    }
  }
  checkKnownKeys(where, value, known);
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) { bestScore = d; best = c; }
  }
  return bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/**
 * Orders two strings by UTF-16 code units, as `Array.prototype.sort()` does: the same on every
 * machine. `localeCompare` follows the process's locale (with `LANG=da_DK.UTF-8`, "aa" sorts
 * after "z"), which would make the output depend on where it is synthesized.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
