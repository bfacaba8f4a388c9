#!/usr/bin/env node
// `npm run synth`: synthesize the app into dist/, validated, atomically, fast.
//
//   scripts/synth [--entry FILE] [--outdir DIR]      (or: node scripts/synth.js, npm run synth)
//
// 1. The entry (TypeScript, exporting `buildApp()`) is bundled once with esbuild into
//    node_modules/.cache/cdk8s-kubeflow-argo/ and rebuilt only when one of its project input
//    files or the installed packages changed (sizes and mtimes are recorded).
//    Type-checking stays in `npm test`.
// 2. The bundle is loaded with a V8 code cache, so later runs skip parsing and compiling it.
//    Node's `crypto` and `child_process` are loaded only if the app calls them (LAZY_BUILTINS).
//    scripts/synth, the fast command, also starts Node without NODE_EXTRA_CA_CERTS.
// 3. The app is synthesized in memory (lib/synth/synthesize.ts), every object is checked
//    against its upstream schema (plugins/schema-validation, the same checks the cdk8s
//    validation plugin runs), and only then written, with a `Kustomization` listing the
//    manifests: into a new directory next to the output, which replaces the output in two
//    renames. `cdk8s synth` would delete the output first.
// On any failure the output directory is left byte-identical and the exit code is non-zero:
// 1 for an app error (e.g. a bad prop), 2 for schema violations.
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');
const { writeAtomically } = require('./atomic-write');

const root = path.resolve(__dirname, '..');
/** KFA_SYNTH_TIMING=1 prints how long each phase took (for bench/ and profiling). */
const timing = process.env.KFA_SYNTH_TIMING === '1';
let last = process.hrtime.bigint();
const phases = [];
function phase(name) {
  if (!timing) return;
  const now = process.hrtime.bigint();
  phases.push(`${name} ${(Number(now - last) / 1e6).toFixed(1)}`);
  last = now;
}
/** Part of the cache key. Edits to this file rebuild the bundle anyway (it is one of the inputs). */
const RECIPE = 'kfa-synth-9';
/**
 * Node built-ins that the bundled packages require at load time but a synth rarely calls, and
 * that are slow to load: `crypto` (constructs' node addresses, ~6 ms) and `child_process`
 * (cdk8s' Yaml.load of URLs, ~10 ms). The bundle gets a stand-in for each that loads the real
 * module on first use of any of its exports.
 */
const LAZY_BUILTINS = ['child_process', 'crypto'];

/** A cache key: FNV-1a (64-bit) of `text`, as 16 hex digits. Not a security boundary. */
function cacheKey(text) {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) h = BigInt.asUintN(64, (h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

/** [name, is a plain function] for each export of built-in `name`, without running its getters. */
function exportsOf(name) {
  return Object.entries(Object.getOwnPropertyDescriptors(require(name)))
    .filter(([key]) => key !== 'default')
    .map(([key, d]) => [key, typeof d.value === 'function']);
}

/** esbuild plugin: `require("<LAZY_BUILTINS>")` in bundled code gets a lazily loading stand-in. */
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    build.onResolve({ filter }, (a) => (a.namespace === 'lazy-builtin'
      ? { path: a.path, external: true } // the stand-in's own require of the real module
      : { path: a.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({
      loader: 'js',
      // Getters, not values: TypeScript's __importStar and esbuild's __toESM copy property
      // descriptors without reading them. A function read before the module is loaded (cdk8s
      // keeps `spawnSync` at load time) is a forwarder that loads the module when called.
      contents: `let real;
const load = () => real || (real = require(${JSON.stringify(a.path)}));
const forward = (key) => function (...args) {
  const fn = load()[key];
  return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
};
for (const [key, isFunction] of ${JSON.stringify(exportsOf(a.path))}) {
  Object.defineProperty(exports, key, { enumerable: true, get: () => (isFunction && !real ? forward(key) : load()[key]) });
}
Object.defineProperty(exports, 'default', { get: load });
`,
    }));
  },
};

/**
 * The defaults (main.ts, dist) are the project's own, so the command works from any directory;
 * paths given on the command line are relative to the current directory, as usual.
 */
function parseArgs(argv) {
  const args = { entry: path.join(root, 'main.ts'), outdir: path.join(root, 'dist') };
  const usage = 'usage: scripts/synth [--entry FILE] [--outdir DIR]   (defaults: main.ts, dist/ of this project)';
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--help' || flag === '-h') {
      console.log(usage);
      process.exit(0);
    }
    if (flag !== '--entry' && flag !== '--outdir') {
      console.error(`synth: unknown argument "${argv[i]}" (expected --entry FILE or --outdir DIR)\n${usage}`);
      process.exit(64);
    }
    const value = inline !== undefined ? inline : argv[++i];
    if (!value || (inline === undefined && value.startsWith('--'))) {
      console.error(`synth: ${flag} needs a value, e.g. ${flag} ${flag === '--entry' ? 'main.ts' : 'dist'}\n${usage}`);
      process.exit(64);
    }
    args[flag.slice(2)] = path.resolve(value);
  }
  return args;
}

/** Bundles `entry` (if its inputs changed) and returns the module's exports. */
async function loadApp(entry) {
  const cacheDir = path.join(root, 'node_modules', '.cache', 'cdk8s-kubeflow-argo');
  const key = cacheKey(`${RECIPE}\0${entry}\0${process.version}`);
  const bundle = path.join(cacheDir, `${key}.js`);
  const inputsFile = path.join(cacheDir, `${key}.inputs.json`);
  const codeCacheFile = path.join(cacheDir, `${key}.v8cache`);

  const fresh = isFresh(inputsFile, bundle);
  phase('fresh-check');
  if (!fresh) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const esbuild = require('esbuild');
    const rel = (p) => `./${path.relative(root, p).split(path.sep).join('/')}`;
    const result = await esbuild.build({
      absWorkingDir: root, // metafile paths are relative to this, whatever the caller's cwd
      stdin: {
        contents: [
          `export { buildApp } from ${JSON.stringify(rel(entry))};`,
          'export { synthesizeApp } from "./lib/synth/synthesize";',
          'export { objectPaths, schemaReleases } from "./lib/synth/synth-metadata";',
          'export { kustomizationFile } from "./lib/synth/output-formats";',
        ].join('\n'),
        resolveDir: root,
        sourcefile: 'synth-entry.ts',
        loader: 'ts',
      },
      bundle: true,
      // entries outside the project (tests, other apps) resolve packages from this project
      nodePaths: [path.join(root, 'node_modules')],
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      outfile: bundle,
      metafile: true,
      minify: true,
      plugins: [lazyBuiltins],
      logLevel: 'error',
    });
    // Project files are checked one by one; installed packages through npm's record of the
    // install (node_modules/.package-lock.json changes whenever npm installs anything).
    const watched = Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith('<stdin>') && !input.startsWith('lazy-builtin:') && input !== 'synth-entry.ts' && !input.split('/').includes('node_modules'));
    watched.push(path.relative(root, __filename).split(path.sep).join('/')); // this recipe itself
    watched.push(fs.existsSync(path.join(root, 'node_modules', '.package-lock.json')) ? 'node_modules/.package-lock.json' : 'package-lock.json');
    const inputs = {};
    for (const input of watched) {
      const st = fs.statSync(path.resolve(root, input));
      inputs[input] = [st.size, st.mtimeMs];
    }
    fs.writeFileSync(inputsFile, JSON.stringify({ entry, inputs }));
    fs.rmSync(codeCacheFile, { force: true });
    pruneCache(cacheDir, entry, key);
  }

  const source = fs.readFileSync(bundle, 'utf8');
  let cachedData;
  try { cachedData = fs.readFileSync(codeCacheFile); } catch { /* first run */ }
  phase('read');
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  phase('compile');
  const mod = { exports: {} };
  const req = Module.createRequire(bundle);
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, bundle, path.dirname(bundle));
  // Call after the app ran: the cache then holds the functions a synth actually compiles.
  const saveCodeCache = () => {
    if (cachedData === undefined || script.cachedDataRejected) {
      try { fs.writeFileSync(codeCacheFile, script.createCachedData()); } catch { /* cache is optional */ }
    }
  };
  return { exports: mod.exports, saveCodeCache };
}

/** Removes caches of `entry` left by older recipes or Node versions, and caches of deleted entries. */
function pruneCache(cacheDir, entry, keep) {
  for (const f of fs.readdirSync(cacheDir)) {
    if (!f.endsWith('.inputs.json') || f.startsWith(keep)) continue;
    const k = f.slice(0, -'.inputs.json'.length);
    let stale = false;
    try {
      const cached = JSON.parse(fs.readFileSync(path.join(cacheDir, f), 'utf8')).entry;
      stale = cached === entry || !fs.existsSync(cached);
    } catch { stale = true; }
    if (stale) for (const ext of ['.js', '.inputs.json', '.v8cache']) fs.rmSync(path.join(cacheDir, k + ext), { force: true });
  }
}

function isFresh(inputsFile, bundle) {
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8')).inputs;
    if (!inputs || !fs.existsSync(bundle)) return false;
  } catch {
    return false;
  }
  for (const [input, [size, mtimeMs]] of Object.entries(inputs)) {
    let st;
    try { st = fs.statSync(path.resolve(root, input)); } catch { return false; }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

async function main() {
  const { entry, outdir } = parseArgs(process.argv.slice(2));
  const shown = path.relative(process.cwd(), outdir) || '.';
  if (timing) phases.push(`boot ${performance.now().toFixed(1)}`);
  phase('start');
  let loaded;
  try {
    loaded = await loadApp(entry);
  } catch (err) {
    // esbuild has already printed the located errors
    console.error(`synth: could not build ${path.relative(process.cwd(), entry)}: ${err && err.message ? err.message.split('\n')[0] : err}`);
    console.error(`synth failed; ${shown}/ left unchanged`);
    return 1;
  }
  const { exports: app, saveCodeCache } = loaded;
  phase('load');
  if (typeof app.buildApp !== 'function') {
    console.error(`synth: ${path.relative(root, entry)} must export buildApp(outdir?: string): App`);
    return 1;
  }
  let built;
  let files;
  try {
    built = app.buildApp(outdir);
    phase('build');
    files = app.synthesizeApp(built);
    phase('synth');
  } catch (err) {
    console.error(err && err.name === 'ValidationError' ? `error: ${err.message}` : (err && err.stack) || String(err));
    console.error(`synth failed; ${shown}/ left unchanged`);
    return 1;
  }
  const { validateObjects, formatViolations } = require('../plugins/schema-validation');
  const objects = files.flatMap((f) => f.objects);
  const releases = app.schemaReleases(built);
  const violations = validateObjects(objects, app.objectPaths(built), releases ? { releases } : {});
  phase('validate');
  if (violations.length > 0) {
    console.error(`schema validation failed (${violations.length} violation${violations.length === 1 ? '' : 's'}):`);
    console.error(formatViolations(violations));
    console.error(`synth failed; ${shown}/ left unchanged`);
    return 2;
  }
  writeAtomically([...files, app.kustomizationFile(files)], outdir);
  phase('write');
  saveCodeCache();
  if (timing) console.error(`timing (ms): ${phases.join(', ')}; at ${performance.now().toFixed(1)}`);
  console.log(`wrote ${shown}/ (${files.map((f) => f.file).join(', ')}; ${objects.length} objects, schema-checked)`);
  return 0;
}

main().then((code) => { process.exitCode = code; });
