// Programs of the request path built from their own Go modules (issue 23): `go mod download` of
// the module at a version (checked against the Go checksum database), a copy of it with the files
// the build needs added (`files`), and `go build -mod=readonly` with the module's own go.mod and
// go.sum, into the temp directory, keyed by the version and the files added. The caller gives
// the versions to try, best first (the one a release ships, then the nearest the Go module proxy
// serves); the first that downloads is built, and which one it was is returned to be printed.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { skipUnlessCi } from './util';

/** A program of a Go module. */
export interface GoProgram {
  /** A short name for the binary's file and messages (`dex`). */
  readonly name: string;
  readonly module: string;
  /** The package to build, relative to the module (`./cmd/dex`). */
  readonly pkg: string;
  /** Files the build needs that the module's download lacks, by path in the module, read from the download `moduleDir`. */
  readonly files?: (moduleDir: string, version: string) => Map<string, string | Buffer>;
}

/** One build: the program's name, the binary and the version it was built from. */
export interface GoBuild { readonly name: string; readonly bin: string; readonly version: string; /** The module's download (read-only). */ readonly moduleDir: string }

const BUILD_ARGS = ['build', '-mod=readonly', '-trimpath'];
const GO_ENV = { GO111MODULE: 'on', GOFLAGS: '-mod=mod' };

/** `go mod download` of `module@version`: its directory (read-only, in the module cache), or the refusal. */
export function downloadModule(module: string, version: string): { dir?: string; error?: string } {
  const r = spawnSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: os.tmpdir(), env: { ...process.env, ...GO_ENV } });
  const out = (() => { try { return JSON.parse(r.stdout); } catch { return {}; } })();
  return out.Dir && !out.Error ? { dir: out.Dir } : { error: (out.Error ?? r.stderr).trim().split('\n').pop() };
}

/** Every file of a directory, by path relative to it. */
export function filesOf(dir: string, under = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of fs.readdirSync(path.join(dir, under), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.join(under, e.name);
    if (e.isDirectory()) for (const [k, v] of filesOf(dir, rel)) out.set(k, v);
    else out.set(rel, fs.readFileSync(path.join(dir, rel)));
  }
  return out;
}

/** Copies a downloaded module to `dest`, writable. */
function copyModule(dir: string, dest: string): void {
  fs.cpSync(dir, dest, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', dest]);
}

/**
 * The program built from the first of `versions` the Go module proxy serves (cached in the temp
 * directory), or why none can be had (tests then skip; under CI=true they fail).
 */
export function goBinary(program: GoProgram, versions: readonly string[]): GoBuild | { skipped: string } {
  if (spawnSync('go', ['version']).status !== 0) return skipUnlessCi('no Go toolchain') as { skipped: string };
  const refused: string[] = [];
  for (const version of versions) {
    const got = downloadModule(program.module, version);
    if (!got.dir) { refused.push(`${version} (${got.error})`); continue; }
    const files = program.files?.(got.dir, version) ?? new Map<string, string | Buffer>();
    const hash = createHash('sha256').update(`${program.module}@${version} ${program.pkg} ${BUILD_ARGS.join(' ')}`);
    for (const [name, data] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(`\0${name}\0`).update(data);
    const bin = path.join(os.tmpdir(), `kfa-${program.name}-${version.replace(/[^\w.-]/g, '_')}-${hash.digest('hex').slice(0, 12)}`);
    if (!fs.existsSync(bin)) build(program, version, got.dir, files, bin);
    return { name: program.name, bin, version, moduleDir: got.dir };
  }
  return skipUnlessCi(`the Go module proxy serves none of ${program.module} ${versions.join(', ')}: ${refused.join('; ')}`) as { skipped: string };
}

/** Copies the module, adds `files`, builds the package into `bin`; prints how long it took. */
function build(program: GoProgram, version: string, moduleDir: string, files: Map<string, string | Buffer>, bin: string): void {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), `kfa-${program.name}-src-`));
  const start = Date.now();
  try {
    copyModule(moduleDir, src);
    for (const [name, data] of files) {
      fs.mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
      fs.writeFileSync(path.join(src, name), data);
    }
    const r = spawnSync('go', [...BUILD_ARGS, '-o', `${bin}.${process.pid}`, program.pkg], {
      cwd: src, encoding: 'utf8', env: { ...process.env, GOCACHE: path.join(os.tmpdir(), 'kfa-gocache'), GO111MODULE: 'on', GOFLAGS: '-buildvcs=false' },
    });
    if (r.status !== 0) throw new Error(`go build ${program.pkg} of ${program.module}@${version} failed:\n${r.stderr}`);
    fs.renameSync(`${bin}.${process.pid}`, bin);
    // eslint-disable-next-line no-console
    console.log(`built ${path.basename(bin)} in ${Math.round((Date.now() - start) / 1000)} s`);
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
}
