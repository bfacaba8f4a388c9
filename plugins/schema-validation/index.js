// Schema validation for every synthesized object, as a cdk8s validation plugin.
//
// Declared in cdk8s.yaml (`validations:` → package ./plugins/schema-validation, class
// SchemaValidation), so `cdk8s synth` checks its output; `npm run synth` (scripts/synth.js)
// and the tests call validateObjects() directly. Schemas come from schemas.json, generated
// from the pinned upstream definitions by scripts/gen-schemas.js (Kubernetes v1.25 as in
// cdk8s-plus-25, Argo Workflows v3.1.15, Istio 1.9.6, Argo Events v1.5.6/v1.9.11), and are
// checked by the interpreter in validate.js (no compile step).
'use strict';
const fs = require('fs');
const path = require('path');
const { SchemaInterpreter } = require('./validate');

/** File the default app writes next to its manifests: object key → construct path. */
const OBJECT_PATHS_FILE = 'object-paths.json';
const SCHEMAS_FILE = path.join(__dirname, 'schemas.json');

let bundle;
let interpreter;

function load() {
  if (!bundle) {
    bundle = JSON.parse(fs.readFileSync(SCHEMAS_FILE, 'utf8'));
    interpreter = new SchemaInterpreter(bundle.definitions);
  }
  return bundle;
}

/** The kinds this validator knows, as `apiVersion/kind` strings. */
function knownKinds() {
  return Object.keys(load().kinds);
}

/** A stable key for an object: `apiVersion kind namespace/name`. */
function objectKey(obj) {
  const md = (obj && obj.metadata) || {};
  return `${obj && obj.apiVersion} ${obj && obj.kind} ${md.namespace || ''}/${md.name}`;
}

/**
 * Validates one Kubernetes object against its upstream schema.
 * @returns {{pointer: string, message: string}[]} violations; empty when valid
 */
function validateObject(obj) {
  if (!obj || typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    return [{ pointer: '', message: 'is not a Kubernetes object (apiVersion and kind must be strings)' }];
  }
  const defs = load().kinds[`${obj.apiVersion}/${obj.kind}`];
  if (!defs) {
    return [{ pointer: '/kind', message: `no schema for ${obj.apiVersion} ${obj.kind}: add it to scripts/gen-schemas.js (known: ${knownKinds().join(', ')})` }];
  }
  // Valid when any supported upstream release accepts it; otherwise report the default's view.
  let first;
  for (const def of defs) {
    const errors = interpreter.validate(def, obj);
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
 * @returns {{object: string, constructPath?: string, pointer: string, message: string}[]}
 */
function validateObjects(objects, paths = {}) {
  const out = [];
  for (const obj of objects) {
    for (const v of validateObject(obj)) {
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
      const pathsFile = path.join(path.dirname(manifest), OBJECT_PATHS_FILE);
      const paths = fs.existsSync(pathsFile) ? JSON.parse(fs.readFileSync(pathsFile, 'utf8')) : {};
      const objects = context.parseManifest(manifest).filter((o) => o);
      count += objects.length;
      for (const obj of objects) {
        const violations = validateObject(obj);
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

module.exports = { SchemaValidation, validateObject, validateObjects, formatViolations, objectKey, knownKinds, OBJECT_PATHS_FILE };
