// YAML written by lib/synth/yaml.ts reads back, with the reader Kubernetes tools use, as exactly
// the objects that were written: sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 resolver), built from
// Debian's golang-k8s-sigs-yaml-dev, and `kubectl kustomize` over the written directory.
// Where the writer departs from cdk8s' Yaml.stringify, Kubernetes misreads cdk8s' text.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, Yaml } from 'cdk8s';
import { KubeflowArgoChart } from '../../packages/library/lib';
import { stringifyDocuments } from '../../packages/library/lib/synth/yaml';
import { synthesizeApp } from '../../packages/library/lib/synth/synthesize';
import { buildApp } from '../../app/main';
import { CONFIGS } from '../support/configs';
import { hasKubectl, k8sYamlReader, readAsKubernetes } from '../support/util';

/** Strings on which YAML 1.1 readers disagree or that need escapes (issue 11, item 8). */
export const CORPUS: string[] = [
  // YAML 1.1 / Go integers and floats: octal, hex, binary, `_` separators, sexagesimal, signs
  '0o755', '0O17', '0755', '08', '0X1f', '0x1F', '0x', '0b101', '-0b1', '+0b1', '1_000', '1__0', '0_7', '_1', '12_', '1_0.5',
  '1:20', '190:20:30', '-1:20', '1e3', '1E+3', '1e', '1.', '1.e5', '.5', '-.5', '+12', '+.inf', '.INF', '-.Inf', '.nan', '.NaN', '0x1p-2', '0.0.1',
  // booleans and nulls of YAML 1.1 and of go-yaml's table
  'y', 'Y', 'n', 'N', 'yes', 'Yes', 'NO', 'on', 'On', 'Off', 'OFF', 'true', 'False', '~', 'null', 'Null', 'NULL', '',
  // the merge key and other indicators, timestamps
  '<<', '<< ', '=', '2021-01-01', '2021-1-1', '2001-12-14t21:59:43.10-05:00', '2021-01-01 12:00', '12:30', '300s', '256Mi', '1.5Gi',
  // control characters, DEL, C1, NEL/LS/PS, BOM, non-characters, non-ASCII
  ...Array.from({ length: 32 }, (_, c) => `x${String.fromCharCode(c)}y`), 'x\u007fy', 'x\u0080y', 'x\u0085y', 'x\u009fy', 'x\u00a0y',
  'x\u2028y', 'x\u2029y', '\ufeffx', 'x\ufeff', 'a\n\ufeffb', 'a\ufeff\nb', 'x\ufffey', 'x\uffffy', '\u0085', 'é', '😀', 'ünïcode \u2028 mixed\n',
  // leading/trailing spaces and newlines, blank lines in block scalars
  ' ', '  ', 'a ', ' a', '\t', 'a\t', '\tb', ' \n', '\n', '\n\n', 'a\n', 'a\n\n', '\na', ' \na', 'a \nb', 'a\n b', 'a\n\tb', 'a\r\nb', 'a\rb',
  'a\n  b\n', '  lead\nx', 'x\n\n\n', 'x\n \n', 'x\n  \ny', '\n\nx', ' \n \n', 'x\n\t\n', '---', '--- a', '...', 'a\n---\nb', '# c', 'a # c',
  // very long lines
  'a'.repeat(5000), 'w '.repeat(3000), `${'x'.repeat(70000)}\n${'y'.repeat(10)}`,
];

const reader = k8sYamlReader();
if (reader.skipped) {
  // eslint-disable-next-line no-console
  console.log(`YAML round trip through sigs.k8s.io/yaml skipped: ${reader.skipped}`);
}
const goTest = reader.bin ? test : test.skip;
const read = (text: string) => readAsKubernetes(reader.bin!, text);

/** Each string as a value, a key, a sequence item, nested, and next to a multi-line string. */
function documentsOf(s: string): unknown[] {
  return [{ v: s }, { [s]: 'k' }, { l: [s, [s]] }, { m: { [s]: [s] } }, { block: 'a\nb', v: s }];
}

describe('what Kubernetes reads back equals what was written', () => {
  goTest('the corpus, as values, keys and sequence items', () => {
    const docs = CORPUS.flatMap(documentsOf);
    expect(read(stringifyDocuments(docs))).toEqual(docs);
  });

  goTest('where the writer departs from cdk8s\' Yaml.stringify, Kubernetes misreads cdk8s\' text', () => {
    // The writer decides per string (not per position): a string it writes its own way must be
    // misread by Kubernetes in cdk8s' text in at least one of the positions tried.
    const misreads = (doc: unknown) => {
      try { return JSON.stringify(read(Yaml.stringify(doc))[0]) !== JSON.stringify(doc); } catch { return true; /* rejected */ }
    };
    let departures = 0;
    for (const s of CORPUS) {
      const docs = documentsOf(s);
      if (docs.every((d) => stringifyDocuments([d]) === Yaml.stringify(d))) continue;
      departures++;
      expect([s, docs.some(misreads)]).toEqual([s, true]);
    }
    expect(departures).toBeGreaterThan(12); // the corpus does exercise the departures
  });

  goTest('random strings over characters YAML readers treat specially (seeded)', () => {
    const alphabet = ['a', 'y', 'n', 'o', 'O', 'x', 'X', 'b', 'e', '0', '1', '7', '_', ':', '.', '+', '-', '<', '~', ' ', '\t', '\n', '#', '"', "'",
      '\\', '\u0085', '\u2028', '\ufeff', '\u007f', '\u0000', 'é'];
    let seed = 11;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
    const docs: unknown[] = [];
    for (let i = 0; i < 4000; i++) {
      const s = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      docs.push({ v: s }, { [s]: 'k' }, { l: [s] });
    }
    expect(read(stringifyDocuments(docs))).toEqual(docs);
  });

  goTest.each(CONFIGS)('every object of: %s', (_name, props) => {
    const objs = Testing.synth(new KubeflowArgoChart(Testing.app(), 'c', props));
    expect(read(stringifyDocuments(objs))).toEqual(objs);
  });

  goTest('the committed dist/: Kubernetes reads exactly the objects the app in main.ts makes', () => {
    const dist = path.join(__dirname, '..', '..', 'app', 'dist');
    const made = synthesizeApp(buildApp());
    for (const f of fs.readdirSync(dist).filter((n) => n.endsWith('.yaml'))) {
      const back = read(fs.readFileSync(path.join(dist, f), 'utf8'));
      expect(back).toEqual(made.find((m) => m.file === f)!.objects);
      expect(read(stringifyDocuments(back))).toEqual(back); // written again from what Kubernetes read: the same objects
    }
  });
});

(hasKubectl() && reader.bin ? test : test.skip)('kubectl kustomize reads the corpus as ConfigMaps back unchanged', () => {
  // kustomize reads with kyaml (go-yaml v3) and writes again; its output read with sigs.k8s.io/yaml
  // must hold the same data. ConfigMap data keys must be valid keys, so strings are values here.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-kustomize-yaml-'));
  try {
    // kustomize's own writer (go-yaml v3) emits DEL, C1 controls (NEL among them) and U+FFFE/U+FFFF
    // raw, and then rejects or misreads them, whatever the input's escapes: a kustomize limit.
    const corpus = CORPUS.filter((s) => !/[\x7f-\x9f\ufffe\uffff]/.test(s));
    const objs = corpus.map((s, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, annotations: { a: s } }, data: { v: s, [`k${i}`]: s } }));
    fs.writeFileSync(path.join(dir, 'all.yaml'), stringifyDocuments(objs));
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'resources:\n  - all.yaml\n');
    const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
    const back = read(out) as any[];
    const byName = new Map(back.map((o) => [o.metadata.name, o]));
    for (const o of objs) expect(byName.get(o.metadata.name)).toEqual(o);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
