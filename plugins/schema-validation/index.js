// Schema validation for every synthesized object, as a cdk8s validation plugin.
//
// Declared in cdk8s.yaml (`validations:` → package ./plugins/schema-validation, class
// SchemaValidation), so `cdk8s synth` checks its output; `npm run synth` (scripts/synth.js)
// and the tests call validateObjects() directly. Schemas come from schemas/, generated
// from the pinned upstream definitions by scripts/gen-schemas.js (Kubernetes v1.25 as in
// cdk8s-plus-25, Argo Workflows v3.1.15, Istio 1.9.6, Argo Events v1.5.6/v1.9.11), and are
// checked by the interpreter in validate.js (no compile step).
'use strict';
const fs = require('fs');
const path = require('path');
const { SchemaInterpreter } = require('./validate');

/** File a cdk8s app writes next to its manifests for this plugin (see lib/synth/object-paths.ts). */
const SYNTH_METADATA_FILE = 'synth-metadata.json';
const SCHEMAS_DIR = path.join(__dirname, 'schemas');

let index;
/** release → Map(definition name → its JSON text, replaced by the parsed schema on first use) */
const groups = new Map();
const interpreter = new SchemaInterpreter((name) => {
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
 * Validates one Kubernetes object against its upstream schema.
 * @param {object} obj the object
 * @param {{releases?: string[]}} [options] only these upstream releases count (a platform's
 *   set, e.g. `istio-1.9.6`); by default any release that defines the kind
 * @returns {{pointer: string, message: string}[]} violations; empty when valid
 */
function validateObject(obj, options = {}) {
  if (!obj || typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    return [{ pointer: '', message: 'is not a Kubernetes object (apiVersion and kind must be strings)' }];
  }
  const all = load().kinds[`${obj.apiVersion}/${obj.kind}`];
  if (!all) {
    return [{ pointer: '/kind', message: `no schema for ${obj.apiVersion} ${obj.kind}: add it to scripts/gen-schemas.js (known: ${knownKinds().join(', ')})` }];
  }
  const candidates = options.releases ? all.filter((c) => options.releases.includes(c.release)) : all;
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
 * Validates many objects.
 * @param {object[]} objects synthesized objects
 * @param {Record<string,string>} [paths] object key → construct path
 * @param {{releases?: string[]}} [options] see validateObject
 * @returns {{object: string, constructPath?: string, pointer: string, message: string}[]}
 */
function validateObjects(objects, paths = {}, options = {}) {
  const out = [];
  for (const obj of objects) {
    for (const v of validateObject(obj, options)) {
      out.push({ object: describe(obj), constructPath: paths[objectKey(obj)], ...v });
    }
  }
  return out;
}

function describe(obj) {
  const md = (obj && obj.metadata) || {};
  return `${obj && obj.kind} ${md.namespace ? `${md.namespace}/` : ''}${md.name} (${obj && obj.apiVersion})`;
}

/** One line per violation: construct path, object, JSON pointer, message. */
function formatViolations(violations) {
  return violations.map((v) => `[${v.constructPath || 'unknown construct'}] ${v.object} at ${v.pointer || '/'}: ${v.message}`).join('\n');
}

/** The cdk8s validation plugin (see cdk8s.yaml). */
class SchemaValidation {
  constructor(props = {}) {
    this.props = props;
  }

  /** @param {import('cdk8s-cli/lib/plugins/validation').ValidationContext} context */
  async validate(context) {
    let count = 0;
    let failures = 0;
    for (const manifest of context.manifests) {
      const metaFile = path.join(path.dirname(manifest), SYNTH_METADATA_FILE);
      const meta = fs.existsSync(metaFile) ? JSON.parse(fs.readFileSync(metaFile, 'utf8')) : {};
      const paths = meta.objectPaths || {};
      const options = meta.schemaReleases ? { releases: meta.schemaReleases } : {};
      const objects = context.parseManifest(manifest).filter((o) => o);
      count += objects.length;
      for (const obj of objects) {
        const violations = validateObject(obj, options);
        if (violations.length === 0) continue;
        failures += violations.length;
        const resourceName = describe(obj);
        // cdk8s looks construct paths up by resource name, and its own metadata is keyed by
        // metadata.name alone (ambiguous: five objects are called argo-server). Give it ours.
        if (paths[objectKey(obj)] && context.metadata && !Object.isFrozen(context.metadata)) {
          context.metadata[resourceName] = { path: paths[objectKey(obj)] };
        }
        context.report.addViolation({
          ruleName: `schema: ${obj.apiVersion} ${obj.kind}`,
          recommendation: `The object does not match its upstream schema: ${violations.map((v) => `${v.pointer || '/'} ${v.message}`).join('; ')}`,
          fix: 'Correct the prop that produced this field (see the construct path), or regenerate the schema if the upstream API changed.',
          violatingResources: [{ resourceName, manifestPath: manifest, locations: violations.map((v) => `${v.pointer || '/'}: ${v.message}`) }],
        });
      }
    }
    context.logger.log(`schema-validation: ${count} objects checked, ${failures} violations`);
    context.report.submit(failures === 0 ? 'success' : 'failure', { objects: String(count) });
  }
}

module.exports = { SchemaValidation, validateObject, validateObjects, formatViolations, objectKey, knownKinds, knownReleases, SYNTH_METADATA_FILE };
