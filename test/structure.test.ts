// The shape of lib/: no import cycles between its modules (type-only imports are erased at run
// time and do not count), and the public entry point exports only the public surface.
import * as fs from 'fs';
import * as path from 'path';
import * as lib from '../lib';

const LIB = path.join(__dirname, '..', 'lib');

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

test('the entry point exports constructs, presets, EventField and ValidationError: no helpers or constants', () => {
  expect(Object.keys(lib).sort()).toEqual([
    'ArgoEventsRbac', 'ArgoServer', 'ArgoServerRoute', 'EventBus', 'EventField', 'KubeflowArgoChart', 'KubeflowArgoRoles', 'KubeflowPatches', 'Platform',
    'ProfileSsoAccess', 'ProfileWorkflowTemplate', 'ValidationError', 'WebhookEventSource', 'WorkflowTrigger',
  ]);
});
