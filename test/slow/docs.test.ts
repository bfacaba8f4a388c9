// Public API documentation: every construct prop is documented (optional ones with @default),
// and docs/api (typedoc) is what the doc comments generate.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

function libFiles(dir = path.join(ROOT, 'packages', 'library', 'lib')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

/** Interfaces users pass to constructs: their props must be documented. */
const isPropsInterface = (name: string) => /(Props|Options)$/.test(name) || ['PodMetadata', 'SecretKeySelector'].includes(name);

test('every prop of every exported props interface has a doc comment, and every optional one a @default', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of libFiles()) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2020, true);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node) || !node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) || !isPropsInterface(node.name.text)) return;
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        checked++;
        const where = `${path.relative(ROOT, file)} ${node.name.text}.${member.name.getText(source)}`;
        const docs = ts.getJSDocCommentsAndTags(member).map((d) => d.getText(source)).join('\n');
        if (!docs.trim()) problems.push(`${where}: no doc comment`);
        else if (member.questionToken && !/@default\b/.test(docs)) problems.push(`${where}: optional but no @default`);
      }
    });
  }
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(80);
});

test('docs/api is what typedoc generates from the doc comments (npm run docs)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-docs-'));
  const list = (dir: string, prefix = ''): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])).sort();
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out, '--logLevel', 'Error'], { cwd: ROOT, stdio: 'pipe' });
    const committed = path.join(ROOT, 'docs', 'api');
    expect(list(committed)).toEqual(list(out));
    for (const f of list(out)) {
      expect([f, fs.readFileSync(path.join(committed, f), 'utf8') === fs.readFileSync(path.join(out, f), 'utf8')]).toEqual([f, true]);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
