#!/usr/bin/env node
// `npm run synth`: synthesize the app into dist/, validated, atomically, fast.
//
//   node scripts/synth.js [--entry main.ts] [--outdir dist]
//
// 1. The entry (TypeScript, exporting `buildApp()`) is bundled once with esbuild into
//    node_modules/.cache/cdk8s-kubeflow-argo/ and rebuilt only when one of its project input
//    files or the installed packages changed (sizes and mtimes are recorded).
//    Type-checking stays in `npm test`.
// 2. The bundle is loaded with a V8 code cache, so later runs skip parsing and compiling it.
// 3. The app is synthesized in memory (lib/synth/synthesize.ts), every object is checked
//    against its upstream schema (plugins/schema-validation, the same checks the cdk8s
//    validation plugin runs), and only then written, with a `Kustomization` listing the
//    manifests: into a new directory next to the output, which replaces the output in two
//    renames. `cdk8s synth` would delete the output first.
// On any failure the output directory is left byte-identical and the exit code is non-zero:
// 1 for an app error (e.g. a bad prop), 2 for schema violations.
'use strict';
const crypto = require('crypto');
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
/** Bump when the bundle recipe below changes, to invalidate old caches. */
const RECIPE = 'kfa-synth-6';

function parseArgs(argv) {
  const args = { entry: 'main.ts', outdir: 'dist' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--entry') args.entry = value();
    else if (flag === '--outdir') args.outdir = value();
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: node scripts/synth.js [--entry main.ts] [--outdir dist]');
      process.exit(0);
    } else {
      console.error(`synth: unknown argument "${argv[i]}" (expected --entry FILE or --outdir DIR)`);
      process.exit(64);
    }
  }
  return { entry: path.resolve(root, args.entry), outdir: path.resolve(root, args.outdir) };
}

/** Bundles `entry` (if its inputs changed) and returns the module's exports. */
function loadApp(entry) {
  const cacheDir = path.join(root, 'node_modules', '.cache', 'cdk8s-kubeflow-argo');
  const key = crypto.createHash('sha1').update(`${RECIPE}\0${entry}\0${process.version}`).digest('hex').slice(0, 16);
  const bundle = path.join(cacheDir, `${key}.js`);
  const inputsFile = path.join(cacheDir, `${key}.inputs.json`);
  const codeCacheFile = path.join(cacheDir, `${key}.v8cache`);

  const fresh = isFresh(inputsFile, bundle);
  phase('fresh-check');
  if (!fresh) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const esbuild = require('esbuild');
    const rel = (p) => `./${path.relative(root, p).split(path.sep).join('/')}`;
    const result = esbuild.buildSync({
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
      logLevel: 'error',
    });
    // Project files are checked one by one; installed packages through npm's record of the
    // install (node_modules/.package-lock.json changes whenever npm installs anything).
    const watched = Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith('<stdin>') && input !== 'synth-entry.ts' && !input.split('/').includes('node_modules'));
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

/** Removes caches of `entry` left by older recipes or Node versions. */
function pruneCache(cacheDir, entry, keep) {
  for (const f of fs.readdirSync(cacheDir)) {
    if (!f.endsWith('.inputs.json') || f.startsWith(keep)) continue;
    const k = f.slice(0, -'.inputs.json'.length);
    let stale = false;
    try { stale = JSON.parse(fs.readFileSync(path.join(cacheDir, f), 'utf8')).entry === entry; } catch { stale = true; }
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

function main() {
  const { entry, outdir } = parseArgs(process.argv.slice(2));
  const shown = path.relative(process.cwd(), outdir) || '.';
  phase('start');
  let loaded;
  try {
    loaded = loadApp(entry);
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
  if (timing) console.error(`timing (ms): ${phases.join(', ')}`);
  console.log(`wrote ${shown}/ (${files.map((f) => f.file).join(', ')}; ${objects.length} objects, schema-checked)`);
  return 0;
}

process.exitCode = main();
