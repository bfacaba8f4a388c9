// imports/ is generated and committed: regenerate it and compare, so a hand edit or a changed
// generator shows up. Needs ../shared/upstream (present in development and CI only).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const UPSTREAM = path.resolve(ROOT, '..', 'shared', 'upstream');
const present = fs.existsSync(UPSTREAM);
if (!present) {
  // eslint-disable-next-line no-console
  console.log(`imports regeneration test skipped: ${UPSTREAM} not found`);
}

(present ? test : test.skip)('imports/ is exactly what scripts/import.sh generates', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-imports-'));
  try {
    execFileSync(path.join(ROOT, 'scripts', 'import.sh'), [out], { cwd: ROOT, stdio: 'pipe' });
    const list = (dir: string, prefix = ''): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? list(path.join(dir, e.name), `${prefix}${e.name}/`) : e.name.endsWith('.ts') ? [`${prefix}${e.name}`] : []))
      .sort();
    const generated = list(out);
    const committed = list(path.join(ROOT, 'imports'));
    expect(committed).toEqual(generated);
    for (const f of generated) {
      expect(fs.readFileSync(path.join(ROOT, 'imports', f), 'utf8') === fs.readFileSync(path.join(out, f), 'utf8')).toBe(true);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 60_000);
