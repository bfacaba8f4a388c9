// The shape of lib/: no import cycles between its modules (type-only imports are erased at run
// time and do not count), and the public entry point exports only the public surface.
import * as fs from 'fs';
import * as path from 'path';
import * as lib from '../../packages/library/lib';
import * as synthApi from '../../packages/library/lib/synth-api';

const LIB = path.join(__dirname, '..', '..', 'packages', 'library', 'lib');

function modules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    (e.isDirectory() ? modules(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** The lib/ modules `file` imports at run time (`import … from './x'`, not `import type`). */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.[^']+)';/gms)) {
    const target = path.resolve(path.dirname(file), m[1]);
    for (const candidate of [`${target}.ts`, path.join(target, 'index.ts')]) {
      if (fs.existsSync(candidate)) out.push(candidate);
    }
  }
  return out;
}

/** Every cycle reachable in the graph, as a list of module paths relative to lib/. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

test('the cycle finder finds a cycle and only cycles', () => {
  expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
  expect(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
});

test('lib/ has no import cycles', () => {
  const graph = new Map(modules(LIB).map((f) => [f, runtimeImports(f)]));
  expect(graph.size).toBeGreaterThan(20);
  const rel = (f: string) => path.relative(LIB, f);
  expect(cycles(graph).map((c) => c.map(rel).join(' → '))).toEqual([]);
});

/** The folder of lib/ a module is in ('' for lib/ itself). */
const folderOf = (file: string) => path.relative(LIB, file).split(path.sep).slice(0, -1)[0] ?? '';
/** What a folder may import at run time: features the shared folders; shared folders no feature; lib/ itself anything. */
const FEATURES = ['argo-server', 'argo-events'];
const SHARED = ['kubeflow', 'gateway', 'synth'];

/** The run-time imports that cross from one lib/ folder into a folder it may not import. */
function forbiddenImports(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (!to || to === from) continue;
      const bad = (FEATURES.includes(from) && FEATURES.includes(to)) || (SHARED.includes(from) && FEATURES.includes(to));
      if (bad) found.push(`${path.relative(LIB, file)} -> ${path.relative(LIB, target)}`);
    }
  }
  return found;
}

test('lib/ is split by feature: argo-server and argo-events import the shared folders, never each other, and kubeflow/, gateway/ and synth/ import no feature', () => {
  const graph = new Map(modules(LIB).map((f) => [f, runtimeImports(f)]));
  expect(new Set(modules(LIB).map(folderOf))).toEqual(new Set(['', ...FEATURES, ...SHARED]));
  expect(forbiddenImports(graph)).toEqual([]);
  // and the rule finds a crossing
  const crossing = new Map([[path.join(LIB, 'kubeflow', 'x.ts'), [path.join(LIB, 'argo-server', 'argo-server.ts')]]]);
  expect(forbiddenImports(crossing)).toEqual(['kubeflow/x.ts -> argo-server/argo-server.ts']);
});

test('the entry point exports constructs, presets, EventField and ValidationError: no helpers or constants', () => {
  expect(Object.keys(lib).sort()).toEqual([
    'ArgoEventsRbac', 'ArgoServer', 'ArgoServerRoute', 'CalendarEventSource', 'EventBus', 'EventField', 'KubeflowArgoChart', 'KubeflowArgoRoles', 'KubeflowPatches', 'Platform',
    'ProfileSsoAccess', 'ProfileWorkflowTemplate', 'ValidationError', 'WebhookEventSource', 'WorkflowTrigger',
  ]);
});

test('cdk8s-kubeflow-argo/synth exports what the CLI and the preflight use, and nothing for apps', () => {
  expect(Object.keys(synthApi).sort()).toEqual([
    'INGRESS_GATEWAY_POD_LABELS', 'INGRESS_GATEWAY_PRINCIPAL', 'KUBEFLOW_DEX', 'KUBEFLOW_DEX_ISSUER', 'KUBEFLOW_GATEWAY', 'OUTPUT_LABEL',
    'RBAC_RULE_ANNOTATION', 'TOKEN_HEADER_ANNOTATION', 'checkOutput', 'groupKind', 'outputFiles', 'schemaReleases', 'synthMetadata', 'synthesizeApp',
  ]);
});

const PACKAGES = path.join(__dirname, '..', '..', 'packages');
/** Which of our packages each package may use (by name): the arrows point one way. */
const MAY_USE: Record<string, string[]> = { library: [], preflight: ['cdk8s-kubeflow-argo'], cli: ['cdk8s-kubeflow-argo', 'cdk8s-kubeflow-argo-preflight'] };
const OUR_PACKAGES = /^cdk8s-kubeflow-argo(-preflight|-cli)?(\/|$)/;

/** The imports of a package's file that break the arrows: a path out of its folder, or one of our packages it may not use. */
function crossings(folder: string, file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)'([^']+)'/g)) {
    const spec = m[1];
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      if (path.relative(path.join(PACKAGES, folder), target).startsWith('..')) found.push(`${path.relative(PACKAGES, file)} -> ${spec}`);
    } else if (OUR_PACKAGES.test(spec)) {
      const name = spec.split('/')[0];
      if (!MAY_USE[folder].includes(name)) found.push(`${path.relative(PACKAGES, file)} -> ${spec}`);
    }
  }
  return found;
}

test('the packages point one way: the CLI uses the preflight and the library, the preflight the library, each by its name only', () => {
  const found: string[] = [];
  let files = 0;
  for (const folder of Object.keys(MAY_USE)) {
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
      ? (['node_modules', 'build', 'schemas'].includes(e.name) ? [] : walk(path.join(dir, e.name)))
      : /\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []));
    for (const file of walk(path.join(PACKAGES, folder))) {
      files += 1;
      found.push(...crossings(folder, file, fs.readFileSync(file, 'utf8')));
    }
  }
  expect(files).toBeGreaterThan(60);
  expect(found).toEqual([]);
  // and the rule finds each kind of crossing
  const f = (folder: string) => path.join(PACKAGES, folder, 'lib', 'x.ts');
  expect(crossings('preflight', f('preflight'), "import { a } from '../../library/lib/constants';")).toEqual(['preflight/lib/x.ts -> ../../library/lib/constants']);
  expect(crossings('library', f('library'), "const c = require('cdk8s-kubeflow-argo-cli');")).toEqual(["library/lib/x.ts -> cdk8s-kubeflow-argo-cli"]);
  expect(crossings('preflight', f('preflight'), "import { b } from 'cdk8s-kubeflow-argo/synth';")).toEqual([]);
});

test('each published package carries the repository\'s LICENSE, unchanged (npm packs the one in its folder)', () => {
  const license = fs.readFileSync(path.join(PACKAGES, '..', 'LICENSE'), 'utf8');
  for (const folder of Object.keys(MAY_USE)) expect([folder, fs.readFileSync(path.join(PACKAGES, folder, 'LICENSE'), 'utf8') === license]).toEqual([folder, true]);
});

test('no build output is committed: a clean clone compiles the packages itself (npm ci runs prepare)', () => {
  // a committed tsbuildinfo made `tsc -b` in a clean clone think the preflight was built
  let files: string[];
  try {
    files = require('child_process').execFileSync('git', ['ls-files'], { cwd: path.join(PACKAGES, '..'), encoding: 'utf8' }).split('\n');
  } catch {
    console.log('committed build output test skipped: not a git work tree');
    return;
  }
  expect(files.length).toBeGreaterThan(100);
  expect(files.filter((f) => /\.tsbuildinfo$/.test(f) || /^packages\/[^/]+\/build\//.test(f))).toEqual([]);
});

/** Every function of `text` longer than `limit` lines, as `name (lines)` (TypeScript's parser; .js too). */
function longFunctions(file: string, text: string, limit: number): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: import('typescript').Node): void => {
    if ((ts.isFunctionLike(node)) && (node as { body?: unknown }).body) {
      const lines = source.getLineAndCharacterOfPosition(node.end).line - source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const name = ts.isConstructorDeclaration(node) ? 'constructor' : (node as { name?: import('typescript').Node }).name?.getText(source) ?? '(anonymous)';
      if (lines > limit) found.push(`${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('no function of the library, the scripts, the preflight, the plugin or the app is over 80 lines (STYLE: named steps)', () => {
  const ROOT = path.join(__dirname, '..', '..');
  const files = ['packages/library/lib', 'packages/library/plugins', 'packages/preflight/lib', 'packages/cli/lib', 'scripts', 'bench'].flatMap(function walk(this: void, dir: string): string[] {
    const abs = path.join(ROOT, dir);
    return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
      ? (e.name === 'schemas' ? [] : walk(path.join(dir, e.name)))
      : /\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []));
  }).concat(['app/main.ts']);
  expect(files.length).toBeGreaterThan(50);
  const long = files.flatMap((f) => longFunctions(f, fs.readFileSync(path.join(ROOT, f), 'utf8'), 80).map((l) => `${f}: ${l}`));
  expect(long).toEqual([]);
});

test('the length check finds a long function, in TypeScript and JavaScript', () => {
  const body = Array.from({ length: 81 }, (_, i) => `  x += ${i};`).join('\n');
  expect(longFunctions('a.ts', `class A {\n  constructor() {\n${body}\n  }\n}\n`, 80)).toEqual(['constructor (83 lines)']);
  expect(longFunctions('a.js', `const f = () => {\n${body}\n};\nfunction g() { return 1; }\n`, 80)).toEqual(['(anonymous) (83 lines)']);
});
