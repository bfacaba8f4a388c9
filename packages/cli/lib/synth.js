#!/usr/bin/env node
// kfa-synth (`npm run synth` in an app; scripts/synth in this repository): synthesize a cdk8s app
// into dist/, checked, safely. `kfa-synth --help` prints the usage, the entry contract and the exit
// codes (HELP below).
//
// 1. The entry (TypeScript or JavaScript) is bundled once with esbuild into
//    .cache/cdk8s-kubeflow-argo/ of the project's nearest node_modules and rebuilt only when one of
//    its project input files or the installed packages changed (sizes and mtimes are recorded). Cache files are
//    written under temporary names and renamed, so concurrent synths never read half a bundle.
//    Bundled modules keep their own __dirname/__filename (cdk8s' Yaml.load, an app reading files
//    next to its sources). Type-checking stays in `npm test`.
// 2. The bundle is loaded with a V8 code cache. (This repository's scripts/synth also drops
//    NODE_EXTRA_CA_CERTS.)
//    While the entry loads and builds, its app.synth() writes nothing: the entry's `cdk8s` is
//    cdk8s with an App subclass that records the app instead (appCapture; cdk8s is not patched),
//    so an entry that calls app.synth() at module level is synthesized here.
// 3. The app is synthesized in memory (the library's `cdk8s-kubeflow-argo/synth`: every cdk8s
//    output type), the whole output is checked (duplicates, namespaces on cluster-scoped objects,
//    empty output), every object is checked against its schema (the library's
//    plugins/schema-validation), and only then written, with a `Kustomization`, by
//    ./output-dir.js: it replaces the output directory only when that holds nothing but earlier
//    output, never leaves it missing, and cleans up after interrupted runs.
// On any failure the output directory is left as it was and the exit code says why (EXIT).
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');
const { parseCommandLine, projectDir, shown: relative } = require('./cli');
const { replaceOutput, recoverInterrupted, OutputError } = require('./output-dir');

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
const RECIPE = 'kfa-synth-15';
/** A cache key: the first 16 hex digits of the SHA-256 of `text`. */
function cacheKey(text) {
  return require('crypto').createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Where the app's synth() hands the app to the command instead of writing (see appCapture). */
const SYNTH_HOOK = Symbol.for('cdk8s-kubeflow-argo.synth-hook');

/**
 * esbuild plugin: in the app's own files (not packages under node_modules), `cdk8s` resolves to a
 * module that re-exports cdk8s with `App` replaced by a subclass whose synth() hands the app to
 * globalThis[SYNTH_HOOK] when the command has set it. So an entry that calls app.synth() while it
 * is loaded or built writes nothing: the command controls every write. cdk8s itself is not
 * changed (no prototype is patched): the subclass is an App to every check (instanceof, App.of),
 * and packages get the real module.
 */
const appCapture = {
  name: 'app-capture',
  setup(build) {
    build.onResolve({ filter: /^cdk8s$/ }, async (a) => {
      if (a.pluginData === 'real' || a.importer.split(/[\\/]/).includes('node_modules')) return undefined;
      // one stand-in per copy of cdk8s, keyed by the file that copy resolves to: an app with its
      // own node_modules and the library it uses may each reach another copy, and each must get
      // a subclass of its own copy's App
      const real = await build.resolve('cdk8s', { resolveDir: a.resolveDir, kind: a.kind, pluginData: 'real' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'app-capture' };
    });
    build.onLoad({ filter: /.*/, namespace: 'app-capture' }, (a) => ({
      loader: 'js',
      resolveDir: path.dirname(a.path),
      contents: `const cdk8s = require(${JSON.stringify(a.path)});
class App extends cdk8s.App {
  synth() {
    const hook = globalThis[Symbol.for(${JSON.stringify(SYNTH_HOOK.description)})];
    return hook ? hook(this) : super.synth();
  }
}
module.exports = { ...cdk8s, App };
`,
    }));
  },
};

/**
 * esbuild plugin: bundled modules that use `__dirname`/`__filename` get their own file's values,
 * not the bundle's (cdk8s' Yaml.load runs `_loadurl.mjs` next to its module; apps read files
 * next to their sources).
 */
const ownDirname = {
  name: 'own-dirname',
  setup(build) {
    const loaders = { '.js': 'js', '.cjs': 'js', '.mjs': 'js', '.ts': 'ts', '.cts': 'ts', '.mts': 'ts', '.jsx': 'jsx', '.tsx': 'tsx' };
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (a) => {
      let text = fs.readFileSync(a.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(text) || a.path.endsWith('.d.ts')) return undefined;
      if (text.startsWith('#!')) text = `//${text.slice(2)}`; // keep line numbers
      return {
        loader: loaders[path.extname(a.path)] || 'js',
        contents: `var __dirname = ${JSON.stringify(path.dirname(a.path))}, __filename = ${JSON.stringify(a.path)};\n${text}`,
      };
    });
  },
};

const HELP = `usage: kfa-synth [--entry FILE] [--outdir DIR] [--project DIR] [--schema FILE]... [--strict] [--allow-empty]
       (in an app: npm run synth -- ...)

Synthesizes a cdk8s app, checks every object, and replaces DIR with the manifests, a
Kustomization and a record of what it wrote (.synth-output).

  --entry FILE     the app (TypeScript or JavaScript); default: main.ts of the project
  --outdir DIR     default: $CDK8S_OUTDIR if set (as under cdk8s synth), else dist/ of the project
  --project DIR    the app's project: where the defaults are, and the synth cache (in the
                   nearest node_modules/.cache at or above it); default: the nearest directory
                   at or above the current one with a package.json, else the current one
  --schema FILE    CRD (YAML/JSON) or JSON Schema with x-kubernetes-group-version-kind for kinds
                   the bundled schemas do not cover; repeatable
  --strict         objects of a kind with no schema fail (default: counted as "not checked")
  --allow-empty    write an app with no objects (default: refused, DIR left as it was)

The entry must either export a function buildApp(outdir?: string): App that builds and
returns the app, or call app.synth() on one App when it is loaded (the usual cdk8s main).
Either way nothing is written while it loads: the command does all writing.

DIR is replaced only while it holds nothing but the output of an earlier synth (listed in
DIR/.synth-output); a directory with anything else (.git, sources) is refused. On any
failure DIR is left as it was. Paths are relative to the current directory.

Exit codes:
  0   written
  1   the app failed: the entry could not be built or loaded, breaks the entry contract,
      threw (e.g. a construct's ValidationError), or a --schema file is unusable
  2   the output was refused: schema violations, duplicate objects, a namespace on a
      cluster-scoped object, two objects for one file, or no objects (see --allow-empty)
  3   DIR was refused: it holds files the synth did not write, is a file or a mount point,
      or another synth is writing it
  4   DIR could not be written (disk full, read-only file system, permissions); left unchanged
  64  bad command line`;

/**
 * The defaults (main.ts, dist or $CDK8S_OUTDIR) are the project's own (projectDir), so the command
 * works from any directory of it; paths given on the command line are relative to the current one.
 */
function parseArgs(argv) {
  const { values: v, usage } = parseCommandLine('synth', argv, {
    'entry': { type: 'string' },
    'outdir': { type: 'string' },
    'project': { type: 'string' },
    'schema': { type: 'string', multiple: true },
    'strict': { type: 'boolean' },
    'allow-empty': { type: 'boolean' },
  }, HELP);
  for (const flag of ['entry', 'outdir', 'project']) {
    if (v[flag] !== undefined && (v[flag] === '' || v[flag].startsWith('--'))) usage(`--${flag} needs a value, e.g. --${flag} ${{ entry: 'main.ts', outdir: 'dist', project: '.' }[flag]}`);
  }
  for (const schema of v.schema ?? []) if (schema === '' || schema.startsWith('--')) usage('--schema needs a file, e.g. --schema crds/profile.yaml');
  const project = projectDir(v.project);
  return {
    project,
    entry: v.entry !== undefined ? path.resolve(v.entry) : path.join(project, 'main.ts'),
    outdir: v.outdir !== undefined ? path.resolve(v.outdir)
      : process.env.CDK8S_OUTDIR ? path.resolve(process.env.CDK8S_OUTDIR) : path.join(project, 'dist'),
    schemas: v.schema ?? [],
    strict: v.strict === true,
    allowEmpty: v['allow-empty'] === true,
  };
}

/** Writes `data` to `file` under a temporary name first, so readers see the old or the new file. */
function writeFileAtomically(file, data) {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * The project's installed packages: the nearest node_modules at or above it (an npm workspace
 * installs into the workspace root's), or undefined.
 */
function modulesOf(project) {
  return Module._nodeModulePaths(project).find((dir) => fs.existsSync(dir));
}

/** The synth cache: <node_modules>/.cache/cdk8s-kubeflow-argo, or one in the temporary directory. */
function cacheDirOf(project) {
  const modules = modulesOf(project);
  return modules ? path.join(modules, '.cache', 'cdk8s-kubeflow-argo') : path.join(require('os').tmpdir(), 'cdk8s-kubeflow-argo-cache');
}

/** Bundles `entry` (if its inputs changed) and returns the module's exports. */
async function loadApp(entry, project) {
  const cacheDir = cacheDirOf(project);
  const key = cacheKey(`${RECIPE}\0${entry}\0${project}\0${process.version}`);
  const bundle = path.join(cacheDir, `${key}.js`);
  const inputsFile = path.join(cacheDir, `${key}.inputs.json`);
  const codeCacheFile = path.join(cacheDir, `${key}.v8cache`);

  let source = isFresh(inputsFile, bundle, project);
  phase('fresh-check');
  if (source === undefined) {
    fs.mkdirSync(cacheDir, { recursive: true });
    const esbuild = require('esbuild');
    const result = await esbuild.build({
      absWorkingDir: project, // metafile paths are relative to this, whatever the caller's cwd
      stdin: {
        contents: [
          `export * as entry from ${JSON.stringify(`./${path.basename(entry)}`)};`,
          'export { checkOutput, outputFiles, schemaReleases, synthesizeApp, synthMetadata } from "cdk8s-kubeflow-argo/synth";',
        ].join('\n'),
        // the library the entry itself reaches (its project's copy, or the sources through tsconfig paths)
        resolveDir: path.dirname(entry),
        sourcefile: 'synth-entry.ts',
        loader: 'ts',
      },
      bundle: true,
      // the app's packages first (its cdk8s, its copy of the library), then the command's own
      // (an entry outside the project, or an app without the library)
      nodePaths: [...Module._nodeModulePaths(project), ...Module._nodeModulePaths(__dirname)],
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      outfile: bundle,
      write: false,
      metafile: true,
      minify: true,
      plugins: [appCapture, ownDirname],
      logLevel: 'error',
    });
    // Project files are checked one by one; installed packages through npm's record of the
    // install (node_modules/.package-lock.json changes whenever npm installs anything).
    const watched = Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith('<stdin>') && !input.startsWith('app-capture:') && path.basename(input) !== 'synth-entry.ts' && !input.split('/').includes('node_modules'));
    watched.push(path.relative(project, __filename).split(path.sep).join('/')); // this recipe itself
    const modules = modulesOf(project);
    const installed = modules && [path.join(modules, '.package-lock.json'), path.join(path.dirname(modules), 'package-lock.json')].find((f) => fs.existsSync(f));
    if (installed) watched.push(path.relative(project, installed).split(path.sep).join('/'));
    const inputs = {};
    for (const input of watched) {
      const st = fs.statSync(path.resolve(project, input));
      inputs[input] = [st.size, st.mtimeMs];
    }
    source = result.outputFiles[0].text;
    // bundle first, then the record that says it is fresh; each replaced in one rename
    writeFileAtomically(bundle, source);
    fs.rmSync(codeCacheFile, { force: true });
    writeFileAtomically(inputsFile, JSON.stringify({ entry, inputs }));
    pruneCache(cacheDir, entry, key);
  }

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
      try { writeFileAtomically(codeCacheFile, script.createCachedData()); } catch { /* cache is optional */ }
    }
  };
  return { exports: mod.exports, saveCodeCache };
}

/** Removes caches of `entry` left by older recipes or Node versions, and caches of deleted entries. */
function pruneCache(cacheDir, entry, keep) {
  for (const f of fs.readdirSync(cacheDir)) {
    if (f.endsWith('.tmp') && !f.includes(`.${process.pid}.`)) {
      // a temporary file of a killed run (a live run renames its own within milliseconds)
      try { if (Date.now() - fs.statSync(path.join(cacheDir, f)).mtimeMs > 60_000) fs.rmSync(path.join(cacheDir, f), { force: true }); } catch { /* gone */ }
      continue;
    }
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

/** The cached bundle's source when it is fresh, otherwise undefined. */
function isFresh(inputsFile, bundle, project) {
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8')).inputs;
    if (!inputs) return undefined;
  } catch {
    return undefined;
  }
  for (const [input, [size, mtimeMs]] of Object.entries(inputs)) {
    let st;
    try { st = fs.statSync(path.resolve(project, input)); } catch { return undefined; }
    if (st.size !== size || st.mtimeMs !== mtimeMs) return undefined;
  }
  try { return fs.readFileSync(bundle, 'utf8'); } catch { return undefined; }
}

/** The app the entry defines: buildApp()'s result, or the one App it called synth() on. */
function appOf(exports, captured, outdir, entryShown) {
  const isApp = (x) => x !== null && typeof x === 'object' && typeof x.synth === 'function' && x.node && Array.isArray(x.charts);
  if (typeof exports.buildApp === 'function') {
    const app = exports.buildApp(outdir);
    if (!isApp(app)) throw new EntryError(`${entryShown}: buildApp() returned ${app === undefined ? 'undefined' : typeof app}, expected the cdk8s App it built. Fix: end buildApp() with \`return app;\``);
    return app;
  }
  const apps = [...new Set(captured)];
  if (apps.length === 1) return apps[0];
  if (apps.length > 1) throw new EntryError(`${entryShown} calls synth() on ${apps.length} apps; the command synthesizes one. Fix: export buildApp(): App, or synthesize one App`);
  throw new EntryError(`${entryShown} neither exports buildApp(outdir?: string): App nor calls app.synth() when loaded. Fix: add \`export function buildApp(outdir?: string) { const app = new App({ outdir }); /* charts */ return app; }\``);
}

class EntryError extends Error {}

/**
 * The error the app threw, as `error: …`: a ValidationError's message (it names the construct,
 * the prop, the value and the fix), otherwise name and message. Not the stack: it would point
 * into the minified bundle.
 */
function describeAppError(err) {
  if (err instanceof EntryError || (err && err.name === 'ValidationError')) return `error: ${err.message}`;
  return err instanceof Error ? `error: the app threw ${err.name}: ${err.message}` : `error: the app threw ${String(err)}`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const shown = relative(args.outdir);
  const unchanged = `synth failed; ${shown}/ left unchanged`;
  if (timing) phases.push(`boot ${performance.now().toFixed(1)}`);
  // before anything else: output an interrupted run left aside goes back in place
  const recovered = outputStep(args.outdir, () => {
    for (const note of recoverInterrupted(args.outdir)) console.error(`synth: ${note}`);
  });
  if (recovered !== 0) return recovered;
  phase('start');
  const plugin = require('cdk8s-kubeflow-argo/plugins/schema-validation');
  let userSchemas;
  try {
    userSchemas = args.schemas.length ? plugin.useSchemas(args.schemas) : undefined;
  } catch (err) {
    console.error(`synth: ${err.message}\n${unchanged}`);
    return 1;
  }
  const built = await buildOutput(args, unchanged);
  if (typeof built === 'number') return built;
  const { lib, app, files, saveCodeCache } = built;
  const checked = checkFiles(lib, plugin, app, files, { ...args, userSchemas }, unchanged);
  if (typeof checked === 'number') return checked;
  // the manifests, the Kustomization and, for labelled objects, prune.sh
  const out = lib.outputFiles(files);
  // under `cdk8s synth` with validation plugins: construct paths for the plugin (which removes the file)
  const forPlugin = process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true'
    ? (dir) => fs.writeFileSync(path.join(dir, plugin.SYNTH_METADATA_FILE), lib.synthMetadata(app, files)) : undefined;
  const written = outputStep(args.outdir, () => {
    const { notes } = replaceOutput(args.outdir, out, { afterWrite: forPlugin });
    for (const note of notes) console.error(`synth: ${note}`);
  });
  if (written !== 0) return written;
  phase('write');
  saveCodeCache();
  if (timing) console.error(`timing (ms): ${phases.join(', ')}; at ${performance.now().toFixed(1)}`);
  const objects = files.flatMap((f) => f.objects);
  const manifests = files.map((f) => f.file);
  const counted = `${objects.length} object${objects.length === 1 ? '' : 's'}, ${plugin.summary(checked).replace(/^(\d+) objects checked/, '$1 schema-checked')}`;
  console.log(`wrote ${shown}/ (${manifests.length > 3 ? `${manifests.length} files` : manifests.join(', ') || 'no manifests'}; ${counted})`);
  return 0;
}

/** Runs a step on the output directory: 0, or the exit code of the OutputError it refused with (3, or 4 for I/O). */
function outputStep(outdir, step) {
  try {
    step();
    return 0;
  } catch (err) {
    if (!(err instanceof OutputError)) throw err;
    console.error(`synth: ${err.message}; ${relative(outdir)}/ left unchanged`);
    return err.kind === 'io' ? 4 : 3;
  }
}

/** Loads the entry, builds its app and synthesizes it in memory; exit code 1 when any of that fails. */
async function buildOutput({ entry, outdir, project }, unchanged) {
  const entryShown = relative(entry);
  if (!fs.existsSync(entry)) {
    console.error(`synth: ${entryShown} does not exist. Fix: pass --entry FILE, or --project DIR for the folder that holds the app's main.ts\n${unchanged}`);
    return 1;
  }
  const captured = [];
  globalThis[SYNTH_HOOK] = (app) => { captured.push(app); };
  let loaded;
  try {
    loaded = await loadApp(entry, project);
  } catch (err) {
    // esbuild has already printed the located errors
    const message = err && err.errors ? `could not build ${entryShown}: ${err.message.split('\n')[0]}` : describeAppError(err);
    console.error(`synth: ${message}\n${unchanged}`);
    return 1;
  }
  const { exports: lib, saveCodeCache } = loaded;
  phase('load');
  try {
    const app = appOf(lib.entry, captured, outdir, entryShown);
    phase('build');
    const files = lib.synthesizeApp(app);
    phase('synth');
    return { lib, app, files, saveCodeCache };
  } catch (err) {
    console.error(`${describeAppError(err)}\n${unchanged}`);
    return 1;
  }
}

/** The whole-output checks, then every object against its schema: the schema result, or exit code 2. */
function checkFiles(lib, plugin, app, files, { allowEmpty, userSchemas, strict }, unchanged) {
  const problems = lib.checkOutput(files, { allowEmpty, clusterScoped: userSchemas ? userSchemas.clusterScoped : [] });
  if (problems.length > 0) {
    console.error(`output check failed (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}\n${unchanged}`);
    return 2;
  }
  const objects = files.flatMap((f) => f.objects);
  const result = plugin.checkObjects(objects, () => files.flatMap((f) => f.paths), { releases: lib.schemaReleases(app), userSchemas, strict });
  phase('validate');
  if (result.violations.length > 0) {
    const n = result.violations.length;
    console.error(`schema validation failed (${n} violation${n === 1 ? '' : 's'}):\n${plugin.formatViolations(result.violations)}\n${unchanged}`);
    return 2;
  }
  return result;
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(`synth: internal error: ${(err && err.stack) || err}`);
  process.exitCode = 1;
});
