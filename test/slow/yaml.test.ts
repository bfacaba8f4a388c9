// The YAML writer (cdk8s' Yaml.stringify plus a Kubernetes-safety pass) must be byte-identical
// to Yaml.stringify wherever Kubernetes reads that text back correctly. Documents holding a string it would
// misread (misreadByKubernetes) are written differently on purpose; test/slow/yaml-k8s.test.ts proves
// with Kubernetes' own reader that those departures are needed and right.
import { Testing, Yaml } from 'cdk8s';
import { KubeflowArgoChart } from '../../packages/library/lib';
import { misreadByKubernetes, stringifyDocuments } from '../../packages/library/lib/synth/yaml';
import { CONFIGS } from '../support/configs';

/** True when `doc` holds a string (value or key) that the writer deliberately writes its own way. */
function departs(doc: unknown): boolean {
  if (typeof doc === 'string') return misreadByKubernetes(doc);
  if (Array.isArray(doc)) return doc.some(departs);
  if (doc && typeof doc === 'object') return Object.entries(doc).some(([k, v]) => misreadByKubernetes(k, true) || departs(v));
  return false;
}

/** The writer's text equals Yaml.stringify's, unless the document departs on purpose. */
function expectLikeCdk8s(s: unknown, doc: unknown): void {
  if (departs(doc)) return;
  expect([s, stringifyDocuments([doc])]).toEqual([s, Yaml.stringify(doc)]);
}

const TRICKY = [
  '', ' ', 'a ', ' a', 'yes', 'No', 'ON', 'off', 'Y', 'n', 'true', 'False', 'null', 'NULL', '~', '123', '0x1F', '0o17', '0755', '1e3', '1_000',
  '1:20', '.inf', '.NaN', '.5', '-', '-a', '- a', 'a: b', 'a:b', 'a #b', 'a#b', '#', '@x', '`x', '*', '*.example.com', '&a', '!t', '|', '>', '%',
  '{{inputs.parameters.message}}', '[a]', '{a}', 'a,b', '?', '? a', 'a\nb', 'a\n', 'tab\there', 'quote"s', "single'q", 'both\'"', 'ünïcode',
  '2021-01-01', '2021-01-01T00:00:00Z', '/argo/', 'a/b', 'a.b', '_x', 'x_', 'x-', 'kubeflow/kubeflow-gateway', 'sidecar.istio.io/inject',
  'refs/heads/main', '^refs/heads/main$', '{{ trimPrefix "refs/heads/" .Input.body.ref }}', 'http://x:80/y', '=', '<<', 'a'.repeat(200),
  '+', '+1', '-1', '-.inf', '+.5', 'e5', 'E+3', '1e', 'e', '1.2.3', '.', '..', '...', '---', '--x', '-- a', '--secure=false', 'a:', 'a :b',
  ':a', '::', 'a# b', "it's", 'say "hi"', 'x: "y"', `both ' and " here: x`, '=x', '<x', '0b101', '0x', '12:30', '190:20:30',
  '2001-12-14t21:59:43.10-05:00', '2021-01-01 12:00', '12000', '0', '00', '300s', '10m', '256Mi', '1.5Gi', '0x1Fg', '1e3s', '+inf', '-.INF', '12:30s', 'a\\b', 'é', '\u0085', 'x\u2028y', 'k'.repeat(1100),
];

describe('stringifyDocuments equals Yaml.stringify', () => {
  test.each(CONFIGS)('every object of: %s', (_name, props) => {
    const objs = Testing.synth(new KubeflowArgoChart(Testing.app(), 'c', props));
    expect(stringifyDocuments(objs)).toBe(Yaml.stringify(...objs));
  });

  test('tricky strings as values, keys and sequence items', () => {
    for (const s of TRICKY) {
      const docs = [{ v: s }, { [s || 'empty']: 'x' }, { list: [s, [s], { [s || 'e']: [s] }] }, [s]];
      for (const d of docs) expectLikeCdk8s(s, d);
    }
  });

  test('random short strings over YAML indicator characters (seeded), as values and keys', () => {
    // the misread predicate must never flag a string the library already writes safely, and never miss one
    const alphabet = ['a', 'b', 'Y', 'n', 'e', 'E', 'x', 's', 'T', 'i', 'f', '0', '1', '7', '9', ' ', ':', '#', '-', '?', "'", '"', '.', '+', '~', '<', '=', '[', '{', ',',
      '%', '@', '`', '!', '&', '*', '|', '>', '/', '\\', '_', 'ü', '\t', '\n'];
    let seed = 7;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    for (let i = 0; i < 6000; i++) {
      const s = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      for (const d of [{ v: s }, { [s]: 'x' }, { list: [s] }]) expectLikeCdk8s(s, d);
    }
  });

  test('numbers, booleans, null, empty collections and nesting', () => {
    const doc = {
      ints: [0, -1, 42, 2 ** 53 - 1], floats: [1.5, -0.25, 1e21, 1e-7], bools: [true, false], nothing: null,
      emptyMap: {}, emptyList: [], nested: [[[]], [{}], [[1, 2], [3]], [{ a: [{ b: {} }] }]],
    };
    expect(stringifyDocuments([doc, undefined, doc])).toBe(Yaml.stringify(doc, undefined, doc));
  });

  test('generated documents (seeded, reproducible)', () => {
    let seed = 42;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const gen = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.35) return pick<unknown>([pick(TRICKY), Math.floor(rand() * 1000) - 500, true, false, null, 0.5]);
      if (r < 0.65) return Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(TRICKY) || 'k', gen(depth + 1)]));
    };
    for (let i = 0; i < 500; i++) {
      expectLikeCdk8s(i, gen(0));
    }
  });
});
