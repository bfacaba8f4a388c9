// Turns an OpenAPI v3 schema as Kubernetes uses it (a CRD's openAPIV3Schema, a definition of
// the Kubernetes OpenAPI document) into the JSON Schema the interpreter checks. Used by
// scripts/gen-schemas.js for the bundled schemas and by user-schemas.js for schemas users add.
//
// - descriptions, `format`, `example` and `x-kubernetes-*` annotations are dropped (not
//   validation rules for our purpose), except `x-kubernetes-int-or-string` and
//   `format: int-or-string`, which become integer|string, `x-kubernetes-preserve-unknown-fields`,
//   which keeps an object open, and `nullable: true`, which also allows null (as the API server does);
// - every object schema that lists `properties` and has no `additionalProperties` is closed
//   (`additionalProperties: false`): `kubectl apply` (strict field validation) and the API
//   server's structural pruning reject or drop unknown fields, so a typo must fail here.
'use strict';

/**
 * Returns a normalized copy of `schema`.
 * @param {object} schema an OpenAPI v3 schema
 * @param {(name: string) => void} [ref] called with each `#/definitions/<name>` it references
 */
function normalizeSchema(schema, ref = () => {}) {
  if (Array.isArray(schema)) return schema.map((s) => normalizeSchema(s, ref));
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key === 'format' || key === 'nullable' || key === 'example' || key.startsWith('x-kubernetes-')) continue;
    if (key === '$ref') {
      ref(value.replace('#/definitions/', ''));
      out.$ref = value;
    } else if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeSchema(v, ref)]));
    } else if (key === 'enum' || key === 'required' || key === 'default' || key === 'const') {
      out[key] = value;
    } else {
      out[key] = normalizeSchema(value, ref);
    }
  }
  if (schema['x-kubernetes-int-or-string'] || schema.format === 'int-or-string') {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (schema.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.properties && out.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

module.exports = { normalizeSchema };
