// Schema validation for every synthesized object, as a cdk8s validation plugin.
//
// Declared in cdk8s.yaml (`validations:` → package ./plugins/schema-validation, class
// SchemaValidation), so every `npm run synth` checks its output; the tests call
// validateObjects() directly. Schemas come from schemas.json, generated from the pinned
// upstream definitions by scripts/gen-schemas.js (Kubernetes v1.25 as in cdk8s-plus-25,
// Argo Workflows v3.1.15 WorkflowTemplate, Istio 1.9.6 VirtualService/AuthorizationPolicy).
// Each kind's validator is compiled once per process, on first use.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const BUNDLE = require('./schemas.json');
/** File the default app writes next to its manifests: object key → construct path. */
const OBJECT_PATHS_FILE = 'object-paths.json';

let ajv;
const validators = new Map();

/** The kinds this validator knows, as `apiVersion/kind` strings. */
function knownKinds() {
  return Object.keys(BUNDLE.kinds);
}

/** Compiled validators for a kind, one per supported upstream release (first = default). */
function validatorsFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!validators.has(key)) {
    const defs = BUNDLE.kinds[key];
    if (!defs) {
      validators.set(key, undefined);
    } else {
      if (!ajv) {
        ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
        ajv.addSchema({ definitions: BUNDLE.definitions }, 'bundle');
      }
      // compiled lazily: a later release is only compiled when the default one rejects
      const compiled = defs.map((def) => {
        let fn;
        return () => fn || (fn = ajv.compile({ $ref: `bundle#/definitions/${def.replace(/~/g, '~0').replace(/\//g, '~1')}` }));
      });
      validators.set(key, compiled);
    }
  }
  return validators.get(key);
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
  const candidates = validatorsFor(obj.apiVersion, obj.kind);
  if (!candidates) {
    return [{ pointer: '/kind', message: `no schema for ${obj.apiVersion} ${obj.kind}: add it to scripts/gen-schemas.js (known: ${knownKinds().join(', ')})` }];
  }
  if (candidates.some((get) => get()(obj))) return [];
  const validate = candidates[0]();
  validate(obj);
  // An anyOf/oneOf failure (int-or-string fields) also reports each branch's failure at the
  // same pointer; fold them into one "must be integer or string".
  const alternatives = new Map();
  for (const err of validate.errors) {
    if (err.keyword === 'anyOf' || err.keyword === 'oneOf') alternatives.set(err.instancePath, []);
  }
  for (const err of validate.errors) {
    if (err.keyword === 'type' && alternatives.has(err.instancePath)) alternatives.get(err.instancePath).push(err.params.type);
  }
  const seen = new Set();
  const out = [];
  for (const err of validate.errors) {
    if (alternatives.has(err.instancePath) && err.keyword === 'type') continue;
    if (err.keyword === 'anyOf' || err.keyword === 'oneOf') {
      const types = alternatives.get(err.instancePath);
      if (types.length) err.message = `must be ${types.join(' or ')}`;
    }
    let pointer = err.instancePath || '';
    let message = err.message;
    if (err.keyword === 'additionalProperties') {
      pointer = `${pointer}/${String(err.params.additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`;
      message = 'is not a field of this schema (typo, or a field of another API version?)';
    } else if (err.keyword === 'enum') {
      message = `must be one of ${err.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    const line = `${pointer} ${message}`;
    if (seen.has(line)) continue;
    seen.add(line);
    out.push({ pointer, message });
  }
  return out;
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
