// A small JSON Schema interpreter for the schemas in schemas/.
//
// Why not compile the schemas (Ajv)? The Argo WorkflowTemplate schema alone inlines every
// Kubernetes pod type: compiling it takes seconds, and even Ajv's precompiled standalone code
// is megabytes that a fresh process must parse before the first check. Walking the object and
// the schema together only visits the schema nodes for fields the object actually has, so a
// synth pays for what it emits, not for the size of the schema. The test suite checks this
// interpreter against Ajv on every object the constructs emit and on broken ones.
//
// The keywords it implements are KEYWORDS; ANNOTATIONS are read by people, not checked.
// scripts/gen-schemas.js and the loader of user schemas (user-schemas.js) refuse a schema with
// any other keyword (assertKnownKeywords), so the schemas and the interpreter cannot drift apart.
'use strict';

/** Validation keywords check() implements (JSON Schema draft 4/7 meanings, as Ajv applies them). */
const KEYWORDS = new Set([
  '$ref', 'type', 'enum', 'const', 'properties', 'additionalProperties', 'required', 'minProperties', 'maxProperties',
  'items', 'minItems', 'maxItems', 'uniqueItems', 'pattern', 'minLength', 'maxLength',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'anyOf', 'oneOf', 'allOf', 'not',
]);
/** Keywords that carry no validation rule here. */
const ANNOTATIONS = new Set(['default', 'title', 'description', '$comment', 'example', 'examples', 'readOnly', 'writeOnly', 'deprecated', 'format', '$schema', '$id', 'id']);
/** Keywords whose value is a map of names to schemas, or a list of plain values. */
const SCHEMA_MAPS = new Set(['properties', 'definitions']);
const VALUES = new Set(['enum', 'const', 'required', 'default', 'example', 'examples', 'type']);

/**
 * Throws when `schema` (a definitions map or one schema) uses a keyword the interpreter does not
 * implement, naming the keyword and where it is (`where` + JSON pointer).
 */
function assertKnownKeywords(schema, where, ptr = '') {
  if (Array.isArray(schema)) { schema.forEach((s, i) => assertKnownKeywords(s, where, `${ptr}/${i}`)); return; }
  if (schema === null || typeof schema !== 'object') return;
  for (const [key, value] of Object.entries(schema)) {
    const at = `${ptr}/${seg(key)}`;
    if (SCHEMA_MAPS.has(key)) {
      for (const [name, sub] of Object.entries(value)) assertKnownKeywords(sub, where, `${at}/${seg(name)}`);
    } else if (VALUES.has(key) || ANNOTATIONS.has(key)) {
      // plain values
    } else if (KEYWORDS.has(key)) {
      if (typeof value === 'object') assertKnownKeywords(value, where, at);
    } else {
      throw new Error(`${where}: schema keyword "${key}" at ${at || '/'} is not implemented by the schema checker (plugins/schema-validation/validate.js; it implements ${[...KEYWORDS].join(', ')})`);
    }
  }
}

/** Length in Unicode code points, as JSON Schema counts (and Ajv's ucs2length). */
function codePoints(s) {
  let n = 0;
  for (const _ of s) n++; // eslint-disable-line no-unused-vars
  return n;
}

/** JSON equality for enum/const/uniqueItems (key order does not matter). */
function equal(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]));
}

const TYPE_CHECKS = {
  // JSON objects only: a Date or Map in the props is not something the output can hold
  object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null),
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
    if (schema.allOf || schema.anyOf || schema.oneOf || schema.not) this.checkCombinators(schema, value, ptr, errors);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((t) => TYPE_CHECKS[t](value))) {
        errors.push({ pointer: ptr, message: `must be ${types.join(' or ')}` });
        return;
      }
    }
    if (schema.enum && !schema.enum.some((e) => equal(e, value))) {
      errors.push({ pointer: ptr, message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
    }
    if (schema.const !== undefined && !equal(schema.const, value)) {
      errors.push({ pointer: ptr, message: `must be ${JSON.stringify(schema.const)}` });
    }
    if (typeof value === 'string') this.checkString(schema, value, ptr, errors);
    if (typeof value === 'number') this.checkNumber(schema, value, ptr, errors);
    if (TYPE_CHECKS.object(value)) this.checkObject(schema, value, ptr, errors);
    if (Array.isArray(value)) this.checkArray(schema, value, ptr, errors);
  }

  /** allOf, anyOf, oneOf and not. */
  checkCombinators(schema, value, ptr, errors) {
    if (schema.allOf) for (const s of schema.allOf) this.check(s, value, ptr, errors);
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
  }

  /** pattern, minLength and maxLength (in code points, as JSON Schema counts). */
  checkString(schema, value, ptr, errors) {
    if (schema.pattern !== undefined && !this.pattern(schema.pattern).test(value)) {
      errors.push({ pointer: ptr, message: `must match pattern "${schema.pattern}"` });
    }
    if (schema.minLength !== undefined && codePoints(value) < schema.minLength) {
      errors.push({ pointer: ptr, message: `must NOT have fewer than ${schema.minLength} characters` });
    }
    if (schema.maxLength !== undefined && codePoints(value) > schema.maxLength) {
      errors.push({ pointer: ptr, message: `must NOT have more than ${schema.maxLength} characters` });
    }
  }

  /** Property counts, required properties, and each property against its schema or additionalProperties. */
  checkObject(schema, value, ptr, errors) {
    const n = Object.keys(value).length;
    if (schema.minProperties !== undefined && n < schema.minProperties) {
      errors.push({ pointer: ptr, message: `must NOT have fewer than ${schema.minProperties} properties` });
    }
    if (schema.maxProperties !== undefined && n > schema.maxProperties) {
      errors.push({ pointer: ptr, message: `must NOT have more than ${schema.maxProperties} properties` });
    }
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

  /** Item counts, uniqueItems, and items (one schema, or one per position). */
  checkArray(schema, value, ptr, errors) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push({ pointer: ptr, message: `must NOT have fewer than ${schema.minItems} items` });
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({ pointer: ptr, message: `must NOT have more than ${schema.maxItems} items` });
    }
    if (schema.uniqueItems === true) {
      for (let i = 1; i < value.length; i++) {
        const j = value.slice(0, i).findIndex((x) => equal(x, value[i]));
        if (j >= 0) { errors.push({ pointer: ptr, message: `must NOT have duplicate items (items ## ${j} and ${i} are identical)` }); break; }
      }
    }
    if (Array.isArray(schema.items)) {
      schema.items.forEach((s, i) => { if (i < value.length) this.check(s, value[i], `${ptr}/${i}`, errors); });
    } else if (schema.items) {
      value.forEach((item, i) => this.check(schema.items, item, `${ptr}/${i}`, errors));
    }
  }

  /** minimum/maximum (draft 4 boolean or draft 6+ numeric exclusive bounds) and multipleOf. */
  checkNumber(schema, value, ptr, errors) {
    const bound = (limit, exclusive, below) => {
      if (limit === undefined) return;
      const fails = below ? (exclusive ? value <= limit : value < limit) : (exclusive ? value >= limit : value > limit);
      if (fails) errors.push({ pointer: ptr, message: `must be ${below ? '>' : '<'}${exclusive ? '' : '='} ${limit}` });
    };
    bound(schema.minimum, schema.exclusiveMinimum === true, true);
    bound(schema.maximum, schema.exclusiveMaximum === true, false);
    if (typeof schema.exclusiveMinimum === 'number') bound(schema.exclusiveMinimum, true, true);
    if (typeof schema.exclusiveMaximum === 'number') bound(schema.exclusiveMaximum, true, false);
    if (schema.multipleOf !== undefined) {
      const q = value / schema.multipleOf;
      if (!Number.isFinite(q) || Math.abs(q - Math.round(q)) > 1e-9) errors.push({ pointer: ptr, message: `must be multiple of ${schema.multipleOf}` });
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

module.exports = { SchemaInterpreter, assertKnownKeywords, KEYWORDS };
