// A small JSON Schema interpreter for the schemas in schemas/.
//
// Why not compile the schemas (Ajv)? The Argo WorkflowTemplate schema alone inlines every
// Kubernetes pod type: compiling it takes seconds, and even Ajv's precompiled standalone code
// is megabytes that a fresh process must parse before the first check. Walking the object and
// the schema together only visits the schema nodes for fields the object actually has, so a
// synth pays for what it emits, not for the size of the schema. The test suite checks this
// interpreter against Ajv on every object the constructs emit and on broken ones.
//
// Supported keywords (all that schemas/ uses): $ref, type, properties,
// additionalProperties, required, items, enum, pattern, anyOf, oneOf, not. `default` is ignored.
'use strict';

const TYPE_CHECKS = {
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  array: (v) => Array.isArray(v),
  string: (v) => typeof v === 'string',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
};

/** Escapes one JSON pointer segment. */
function seg(key) {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A validator over one schema bundle ({ definitions }). */
class SchemaInterpreter {
  /** @param {Record<string, object> | ((name: string) => object | undefined)} definitions */
  constructor(definitions) {
    this.lookup = typeof definitions === 'function' ? definitions : (name) => definitions[name];
    this.patterns = new Map();
  }

  /**
   * Validates `value` against the definition `name`.
   * @returns {{pointer: string, message: string}[]} violations, empty when valid
   */
  validate(name, value) {
    const errors = [];
    this.check({ $ref: `#/definitions/${name}` }, value, '', errors);
    return errors;
  }

  resolve(ref) {
    const name = ref.slice('#/definitions/'.length);
    const def = this.lookup(name);
    if (!def) throw new Error(`schema bundle has no definition ${name}`);
    return def;
  }

  /** True when `value` matches `schema` (no error details). */
  matches(schema, value) {
    const errors = [];
    this.check(schema, value, '', errors);
    return errors.length === 0;
  }

  check(schema, value, ptr, errors) {
    if (schema === true || schema === undefined) return;
    if (schema === false) {
      errors.push({ pointer: ptr, message: 'is not allowed here' });
      return;
    }
    if (schema.$ref) {
      this.check(this.resolve(schema.$ref), value, ptr, errors);
    }
    if (schema.anyOf && !schema.anyOf.some((s) => this.matches(s, value))) {
      errors.push({ pointer: ptr, message: alternativesMessage(schema.anyOf, 'anyOf') });
    }
    if (schema.oneOf) {
      const n = schema.oneOf.filter((s) => this.matches(s, value)).length;
      if (n !== 1) errors.push({ pointer: ptr, message: n === 0 ? alternativesMessage(schema.oneOf, 'oneOf') : 'must match exactly one schema in oneOf' });
    }
    if (schema.not && this.matches(schema.not, value)) {
      errors.push({ pointer: ptr, message: `must NOT match ${describeNot(schema.not)}` });
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((t) => TYPE_CHECKS[t](value))) {
        errors.push({ pointer: ptr, message: `must be ${types.join(' or ')}` });
        return;
      }
    }
    if (schema.enum && !schema.enum.some((e) => e === value)) {
      errors.push({ pointer: ptr, message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
    }
    if (schema.pattern !== undefined && typeof value === 'string' && !this.pattern(schema.pattern).test(value)) {
      errors.push({ pointer: ptr, message: `must match pattern "${schema.pattern}"` });
    }
    if (TYPE_CHECKS.object(value)) {
      if (schema.required) {
        for (const r of schema.required) {
          if (!Object.prototype.hasOwnProperty.call(value, r)) errors.push({ pointer: ptr, message: `must have required property '${r}'` });
        }
      }
      const props = schema.properties;
      for (const key of Object.keys(value)) {
        const child = value[key];
        if (props && Object.prototype.hasOwnProperty.call(props, key)) {
          this.check(props[key], child, `${ptr}/${seg(key)}`, errors);
        } else if (schema.additionalProperties === false) {
          errors.push({ pointer: `${ptr}/${seg(key)}`, message: 'is not a field of this schema (typo, or a field of another API version?)' });
        } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
          this.check(schema.additionalProperties, child, `${ptr}/${seg(key)}`, errors);
        }
      }
    }
    if (Array.isArray(value) && schema.items) {
      value.forEach((item, i) => this.check(schema.items, item, `${ptr}/${i}`, errors));
    }
  }

  pattern(source) {
    let re = this.patterns.get(source);
    if (!re) {
      re = new RegExp(source, 'u');
      this.patterns.set(source, re);
    }
    return re;
  }
}

function alternativesMessage(alternatives, keyword) {
  const types = alternatives.map((s) => s.type).filter((t) => typeof t === 'string');
  return types.length === alternatives.length ? `must be ${types.join(' or ')}` : `must match a schema in ${keyword}`;
}

function describeNot(schema) {
  const req = schema.anyOf && schema.anyOf.every((s) => s.required) ? schema.anyOf.flatMap((s) => s.required) : undefined;
  return req ? `set ${req.map((r) => `"${r}"`).join(' or ')} here` : 'the excluded schema';
}

module.exports = { SchemaInterpreter };
