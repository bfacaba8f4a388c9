// Schema validation for every synthesized object, as a cdk8s validation plugin.
//
// Declared in cdk8s.yaml (`validations:` → package ./plugins/schema-validation, class
// SchemaValidation), so `cdk8s synth` checks its output; `kfa-synth` and the tests call
// checkObjects() directly. Schemas come from schemas/, generated from the pinned upstream
// definitions by scripts/gen-schemas.js (Kubernetes v1.25 as in cdk8s-plus-25, Argo Workflows,
// Istio, Argo Events), plus any schema files the user adds (user-schemas.js), and are checked
// by the interpreter in validate.js (no compile step).
//
// Objects of a kind no schema covers are "not checked": counted and named in the summary, not
// a failure, so the library's objects can sit next to any other kind in one chart. `strict`
// makes them violations.
'use strict';
const fs = require('fs');
const path = require('path');
const { SchemaInterpreter } = require('./validate');
const { loadUserSchemas } = require('./user-schemas');

/** Files an app may leave next to its manifests for this plugin (lib/synth/synth-metadata.ts, cdk8s). */
const SYNTH_METADATA_FILE = 'synth-metadata.json';
const CONSTRUCT_METADATA_FILE = 'construct-metadata.json';
const SCHEMAS_DIR = path.join(__dirname, 'schemas');

let index;
/** release → Map(definition name → its JSON text, replaced by the parsed schema on first use) */
const groups = new Map();
/** definitions of user schemas (name → schema), added by useSchemas() */
const userDefinitions = new Map();
const interpreter = new SchemaInterpreter((name) => {
  if (userDefinitions.has(name)) return userDefinitions.get(name);
  // definitions are named `<release>:<name>`; a release's file is read on first use, and each
  // definition parsed when a check first reaches it (a synth touches about a third of them)
  const release = name.slice(0, name.indexOf(':'));
  let defs = groups.get(release);
  if (!defs) {
    defs = definitionLines(fs.readFileSync(path.join(SCHEMAS_DIR, `${release}.json`), 'utf8'));
    groups.set(release, defs);
  }
  let def = defs.get(name);
  if (typeof def === 'string') {
    def = JSON.parse(def);
    defs.set(name, def);
  }
  return def;
});

/**
 * Splits a release file written by scripts/gen-schemas.js (JSON with one `"<name>":<schema>,`
 * line per definition) into name → schema text, without parsing the schemas. A file in any
 * other layout is parsed whole.
 */
function definitionLines(text) {
  const defs = new Map();
  const lines = text.split('\n');
  if (!lines[0].endsWith('"definitions":{') || lines[lines.length - 2] !== '}}') {
    for (const [name, def] of Object.entries(JSON.parse(text).definitions)) defs.set(name, def);
    return defs;
  }
  for (let i = 1; i < lines.length - 2; i++) {
    const line = lines[i];
    const colon = line.indexOf('":'); // names hold no quotes (checked by the generator)
    const end = line.endsWith(',') ? line.length - 1 : line.length;
    defs.set(JSON.parse(line.slice(0, colon + 1)), line.slice(colon + 2, end));
  }
  return defs;
}

function load() {
  if (!index) index = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'index.json'), 'utf8'));
  return index;
}

/** The kinds this validator knows, as `apiVersion/kind` strings. */
function knownKinds() {
  return Object.keys(load().kinds);
}

/** The upstream releases schemas exist for (e.g. `istio-1.9.6`). */
function knownReleases() {
  return load().releases;
}

/** A stable key for an object: `apiVersion kind namespace/name`. */
function objectKey(obj) {
  const md = (obj && obj.metadata) || {};
  return `${obj && obj.apiVersion} ${obj && obj.kind} ${md.namespace || ''}/${md.name}`;
}

/**
 * Loads schema files users add (CRDs or JSON Schema with x-kubernetes-group-version-kind, see
 * user-schemas.js) for use in `options.userSchemas`. Throws one-line errors naming the file.
 * @param {string[]} files
 * @param {string} [cwd] files are relative to this
 */
function useSchemas(files, cwd) {
  const loaded = loadUserSchemas(files, cwd);
  for (const [name, def] of loaded.definitions) userDefinitions.set(name, def);
  return loaded;
}

/**
 * How `obj` is checked: `unchecked` when no schema covers its kind.
 * @returns {'checked' | 'unchecked' | 'invalid'}
 */
function coverage(obj, options = {}) {
  if (!obj || typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return 'invalid';
  const key = `${obj.apiVersion}/${obj.kind}`;
  return load().kinds[key] || (options.userSchemas && options.userSchemas.kinds[key]) ? 'checked' : 'unchecked';
}

/**
 * Validates one Kubernetes object against its upstream schema.
 * @param {object} obj the object
 * @param {{releases?: string[], userSchemas?: object, strict?: boolean}} [options]
 *   releases: only these upstream releases count (a platform's set, e.g. `istio-1.9.6`); by
 *   default any release that defines the kind. userSchemas: from useSchemas(); they always count.
 *   strict: an object of a kind with no schema is a violation (by default it is not checked).
 * @returns {{pointer: string, message: string}[]} violations; empty when valid or not checked
 */
function validateObject(obj, options = {}) {
  if (!obj || typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    return [{ pointer: '', message: 'is not a Kubernetes object (apiVersion and kind must be strings)' }];
  }
  const key = `${obj.apiVersion}/${obj.kind}`;
  const bundled = load().kinds[key] || [];
  const user = (options.userSchemas && options.userSchemas.kinds[key]) || [];
  if (bundled.length === 0 && user.length === 0) {
    if (!options.strict) return [];
    return [{ pointer: '/kind', message: `no schema for ${obj.apiVersion} ${obj.kind} (strict mode). Fix: add its CRD or JSON Schema (kfa-synth --schema FILE, or the plugin's "schemas" property), or turn strict off` }];
  }
  const all = [...bundled, ...user];
  const candidates = [...(options.releases ? bundled.filter((c) => options.releases.includes(c.release)) : bundled), ...user];
  if (candidates.length === 0) {
    return [{ pointer: '/apiVersion', message: `${obj.apiVersion} ${obj.kind} is not served by the platform's releases (${options.releases.join(', ')}); it is defined by ${all.map((c) => c.release).join(', ')}` }];
  }
  // Valid when any candidate release accepts it; otherwise report the first candidate's view.
  let first;
  for (const c of candidates) {
    const errors = interpreter.validate(c.def, obj);
    if (errors.length === 0) return [];
    if (!first) first = errors;
  }
  return dedupe(first);
}

function dedupe(errors) {
  const seen = new Set();
  return errors.filter((e) => {
    const k = `${e.pointer} ${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Checks many objects.
 * @param {object[]} objects synthesized objects
 * @param {string[] | Record<string,string> | (() => string[])} [paths] construct paths: one per
 *   object in order (or a function giving them, called only when needed), or object key → path
 * @param {{releases?: string[], userSchemas?: object, strict?: boolean}} [options] see validateObject
 * @returns {{violations: {object: string, constructPath?: string, pointer: string, message: string}[], checked: number, unchecked: {object: string, constructPath?: string}[]}}
 */
function checkObjects(objects, paths = {}, options = {}) {
  let list;
  const pathOf = (obj, i) => {
    if (typeof paths === 'function') return (list ??= paths())[i];
    return Array.isArray(paths) ? paths[i] : paths[objectKey(obj)];
  };
  const violations = [];
  const unchecked = [];
  let checked = 0;
  objects.forEach((obj, i) => {
    if (coverage(obj, options) === 'unchecked' && !options.strict) {
      unchecked.push({ object: describe(obj), constructPath: pathOf(obj, i) });
      return;
    }
    checked++;
    for (const v of validateObject(obj, options)) violations.push({ object: describe(obj), constructPath: pathOf(obj, i), ...v });
  });
  return { violations, checked, unchecked };
}

/** Like checkObjects, returning only the violations. */
function validateObjects(objects, paths = {}, options = {}) {
  return checkObjects(objects, paths, options).violations;
}

/** `N objects checked, M not checked (kinds: …)`: the summary both commands print. */
function summary(result) {
  const kinds = [...new Set(result.unchecked.map((u) => u.object.replace(/^(\S+) .*\((.*)\)$/, '$2 $1')))].sort();
  const notChecked = result.unchecked.length ? `, ${result.unchecked.length} not checked (no schema for ${kinds.join(', ')})` : '';
  return `${result.checked} objects checked${notChecked}`;
}

function describe(obj) {
  const md = (obj && obj.metadata) || {};
  return `${obj && obj.kind} ${md.namespace ? `${md.namespace}/` : ''}${md.name} (${obj && obj.apiVersion})`;
}

/** One line per violation: construct path, object, JSON pointer, message. */
function formatViolations(violations) {
  return violations.map((v) => `[${v.constructPath || 'unknown construct'}] ${v.object} at ${v.pointer || '/'}: ${v.message}`).join('\n');
}

/**
 * The cdk8s validation plugin (see cdk8s.yaml). Properties (cdk8s.yaml `properties:`):
 * `schemas` (list of CRD or JSON Schema files, relative to the working directory) and `strict`
 * (objects of kinds with no schema fail). The metadata files an app leaves for it
 * (synth-metadata.json, construct-metadata.json) are removed from the output once read, so the
 * output directory holds only what `kubectl apply` should see.
 */
class SchemaValidation {
  constructor(props = {}) {
    const known = ['schemas', 'strict'];
    for (const key of Object.keys(props || {})) {
      if (!known.includes(key)) throw new Error(`schema-validation: unknown property "${key}" (known: ${known.join(', ')})`);
    }
    if (props.schemas !== undefined && (!Array.isArray(props.schemas) || props.schemas.some((f) => typeof f !== 'string'))) {
      throw new Error(`schema-validation: property "schemas" must be a list of file paths, got ${JSON.stringify(props.schemas)}`);
    }
    if (props.strict !== undefined && typeof props.strict !== 'boolean') {
      throw new Error(`schema-validation: property "strict" must be true or false, got ${JSON.stringify(props.strict)}`);
    }
    this.props = props;
  }

  /** @param {import('cdk8s-cli/lib/plugins/validation').ValidationContext} context */
  async validate(context) {
    const userSchemas = this.props.schemas && this.props.schemas.length ? useSchemas(this.props.schemas) : undefined;
    const total = { checked: 0, unchecked: [], violations: [] };
    let failures = 0;
    // kustomize's own files (the Kubeflow-side Component in kubeflow-patches/) are build inputs, not
    // cluster objects, and Dex's client entry beside them is part of Dex's config
    const parsed = context.manifests.filter((m) => !isDexClientEntry(m))
      .map((manifest) => [manifest, context.parseManifest(manifest).filter((o) => o && !isKustomizeFile(o))]);
    // cdk8s' own construct-metadata.json is keyed by metadata.name: usable only for unique names
    const named = new Map();
    for (const [, objects] of parsed) for (const o of objects) named.set(o && o.metadata && o.metadata.name, (named.get(o && o.metadata && o.metadata.name) || 0) + 1);
    const byName = (obj) => {
      const name = obj && obj.metadata && obj.metadata.name;
      if (named.get(name) > 1) return `unknown: ${named.get(name)} objects are named "${name}" (kfa-synth reports exact paths)`;
      return ((context.metadata && context.metadata[name]) || {}).path;
    };
    for (const [manifest, objects] of parsed) {
      const meta = synthMetadata(path.dirname(manifest));
      const paths = meta.objectPaths || {};
      const options = { releases: meta.schemaReleases, userSchemas, strict: this.props.strict === true };
      for (const obj of objects) {
        const constructPath = paths[objectKey(obj)] || byName(obj);
        const result = checkObjects([obj], [constructPath], options);
        total.checked += result.checked;
        total.unchecked.push(...result.unchecked);
        const violations = result.violations;
        if (violations.length === 0) continue;
        failures += violations.length;
        const resourceName = describe(obj);
        if (constructPath && context.metadata && !Object.isFrozen(context.metadata)) {
          context.metadata[resourceName] = { path: constructPath };
        }
        context.report.addViolation({
          ruleName: `schema: ${obj.apiVersion} ${obj.kind}`,
          recommendation: `The object does not match its schema: ${violations.map((v) => `${v.pointer || '/'} ${v.message}`).join('; ')}`,
          fix: 'Correct the prop that produced this field (see the construct path), or add a schema for the kind if it is newer than the bundled ones.',
          violatingResources: [{ resourceName, manifestPath: manifest, locations: violations.map((v) => `${v.pointer || '/'}: ${v.message}`) }],
        });
      }
    }
    removeMetadataFiles(context.manifests);
    context.logger.log(`schema-validation: ${summary(total)}, ${failures} violations`);
    context.report.submit(failures === 0 ? 'success' : 'failure', { objects: String(total.checked), notChecked: String(total.unchecked.length) });
  }
}

const metadataCache = new Map();
/** synth-metadata.json of a manifest's directory or, for a chart folder, of the folder above. */
function synthMetadata(dir) {
  if (!metadataCache.has(dir)) {
    const file = [path.join(dir, SYNTH_METADATA_FILE), path.join(path.dirname(dir), SYNTH_METADATA_FILE)].find((f) => fs.existsSync(f));
    metadataCache.set(dir, file ? JSON.parse(fs.readFileSync(file, 'utf8')) : {});
  }
  return metadataCache.get(dir);
}

/** A kustomize Kustomization or Component: read by kustomize, never sent to the cluster. */
/**
 * The `staticClients` entry for Dex that KubeflowPatches writes with `sso`
 * (`kubeflow-patches/dex-static-client.yaml`, lib/kubeflow/kubeflow-patches.ts DEX_CLIENT_FILE):
 * a list for Dex's config, not a manifest.
 */
function isDexClientEntry(file) {
  return path.basename(file) === 'dex-static-client.yaml' && path.basename(path.dirname(file)) === 'kubeflow-patches';
}

function isKustomizeFile(obj) {
  return typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('kustomize.config.k8s.io/');
}

/**
 * Removes the metadata files left for plugins: synth-metadata.json (from kfa-synth) next to
 * the manifests or one folder up, and cdk8s' construct-metadata.json next to the manifests.
 */
function removeMetadataFiles(manifests) {
  for (const dir of new Set(manifests.map((m) => path.dirname(m)))) {
    fs.rmSync(path.join(dir, CONSTRUCT_METADATA_FILE), { force: true });
    fs.rmSync(path.join(dir, SYNTH_METADATA_FILE), { force: true });
    fs.rmSync(path.join(path.dirname(dir), SYNTH_METADATA_FILE), { force: true });
  }
  metadataCache.clear();
}

module.exports = {
  SchemaValidation, validateObject, validateObjects, checkObjects, summary, useSchemas, formatViolations, objectKey,
  knownKinds, knownReleases, SYNTH_METADATA_FILE, CONSTRUCT_METADATA_FILE,
};
