#!/usr/bin/env node
// Generates plugins/schema-validation/schemas.json from the pinned upstream schemas in
// ../shared/upstream (or $UPSTREAM): the Kubernetes v1.25 definitions cdk8s-plus-25 is built
// from, and the openAPIV3Schema of every CRD kind the project emits. Like imports/, the output
// is generated once and committed, so synth and tests never need ../shared.
//
// Transformations (documented in plugins/schema-validation/README.md):
// - only the kinds listed in KINDS below and the definitions they reference are kept;
// - descriptions, `format` and `x-kubernetes-*` annotations are dropped (not validation rules
//   for our purpose), except `x-kubernetes-int-or-string` and `format: int-or-string`, which
//   become integer|string, and
//   `x-kubernetes-preserve-unknown-fields`, which keeps an object open;
// - every object schema that lists `properties` and has no `additionalProperties` is closed
//   (`additionalProperties: false`): `kubectl apply` (strict field validation) and the API
//   server's structural pruning reject or drop unknown fields, so a typo must fail here;
// - a CRD's `metadata: {type: object}` is replaced by Kubernetes' ObjectMeta.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const root = path.resolve(__dirname, '..');
const up = path.resolve(root, process.env.UPSTREAM || '../shared/upstream');
const out = path.resolve(root, process.argv[2] || 'plugins/schema-validation/schemas.json');

const K8S_DEFS = 'cdk8s/master-71f8cba7ecc8/kubernetes-schemas/v1.25.0/_definitions.json';

/** Core kinds the constructs emit (apiVersion → kinds). */
const K8S_KINDS = {
  v1: ['ServiceAccount', 'Service', 'ConfigMap', 'Secret', 'Namespace'],
  'apps/v1': ['Deployment'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
};

/**
 * Argo Events: the CRDs are schemaless (x-kubernetes-preserve-unknown-fields), so the kinds are
 * typed from the generated JSON Schema of the API (api/jsonschema/schema.json). An object is
 * valid when it matches one of the listed releases (first = default, reported on failure).
 */
const ARGO_EVENTS = ['v1.5.6', 'v1.9.11'];
const ARGO_EVENTS_KINDS = { EventBus: 'EventBus', EventSource: 'EventSource', Sensor: 'Sensor' };
/**
 * Fields the generated JSON Schema marks required (Go fields without `omitempty`) although the
 * controllers treat them as optional and the upstream examples leave them out.
 */
const ARGO_EVENTS_OPTIONAL = {
  WebhookContext: ['url', 'port', 'method', 'endpoint'],
  GitlabEventSource: ['projectID'],
  EventDependency: [],
};

/** CRD files whose schemas are kept, with the versions to take from each. */
const CRDS = [
  { file: 'argo-workflows/v3.1.15/manifests/base/crds/full/argoproj.io_workflowtemplates.yaml', versions: ['v1alpha1'] },
  { file: 'istio/1.9.6/split-crds/virtualservices.networking.istio.io.yaml', versions: ['v1alpha3', 'v1beta1'] },
  { file: 'istio/1.9.6/split-crds/authorizationpolicies.security.istio.io.yaml', versions: ['v1beta1'] },
];

function main() {
  if (!fs.existsSync(up)) {
    console.error(`gen-schemas: ${up} not found; schemas.json is committed, regenerate it only where the upstream files are available`);
    process.exit(1);
  }
  const k8s = JSON.parse(fs.readFileSync(path.join(up, K8S_DEFS), 'utf8')).definitions;
  const definitions = {};
  const kinds = {};

  const addDef = (name) => {
    if (definitions[name]) return;
    if (!k8s[name]) throw new Error(`missing Kubernetes definition ${name}`);
    definitions[name] = {}; // placeholder against cycles
    definitions[name] = clean(k8s[name], addDef);
  };

  for (const [apiVersion, list] of Object.entries(K8S_KINDS)) {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    for (const kind of list) {
      const name = Object.keys(k8s).find((n) => (k8s[n]['x-kubernetes-group-version-kind'] || [])
        .some((g) => g.group === group && g.version === version && g.kind === kind));
      if (!name) throw new Error(`no definition for ${apiVersion} ${kind}`);
      addDef(name);
      kinds[`${apiVersion}/${kind}`] = [name];
    }
  }

  const sources = [K8S_DEFS];
  for (const crd of CRDS) {
    const doc = YAML.parse(fs.readFileSync(path.join(up, crd.file), 'utf8'));
    const { group, names } = doc.spec;
    for (const version of crd.versions) {
      const v = (doc.spec.versions || []).find((x) => x.name === version);
      if (!v) throw new Error(`${crd.file} does not serve ${version}`);
      const raw = (v.schema && v.schema.openAPIV3Schema) || (doc.spec.validation && doc.spec.validation.openAPIV3Schema);
      if (!raw) throw new Error(`${crd.file} has no openAPIV3Schema for ${version}`);
      const schema = clean(raw, addDef);
      schema.properties = { ...schema.properties, metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' } };
      addDef('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
      schema.properties.apiVersion = { type: 'string', enum: [`${group}/${version}`] };
      schema.properties.kind = { type: 'string', enum: [names.kind] };
      schema.required = [...new Set([...(schema.required || []), 'apiVersion', 'kind', 'metadata'])];
      const name = `${group}/${version}/${names.kind}`;
      definitions[name] = schema;
      kinds[name] = [name];
    }
    sources.push(crd.file);
  }

  for (const release of ARGO_EVENTS) {
    const file = `argo-events/${release}/api/jsonschema/schema.json`;
    const defs = JSON.parse(fs.readFileSync(path.join(up, file), 'utf8')).definitions;
    const prefix = `argo-events-${release}:`;
    const addEventsDef = (name) => {
      const key = prefix + name;
      if (definitions[key]) return;
      if (!defs[name]) throw new Error(`${file}: missing definition ${name}`);
      definitions[key] = {};
      const schema = clean(rewriteRefs(defs[name], prefix), (ref) => addEventsDef(ref.slice(prefix.length)));
      const short = name.split('.').pop();
      if (ARGO_EVENTS_OPTIONAL[short] && schema.required) {
        schema.required = schema.required.filter((r) => !ARGO_EVENTS_OPTIONAL[short].includes(r));
        if (schema.required.length === 0) delete schema.required;
      }
      definitions[key] = schema;
    };
    for (const kind of Object.keys(ARGO_EVENTS_KINDS)) {
      const name = Object.keys(defs).find((n) => n.endsWith(`.v1alpha1.${kind}`) && defs[n].properties && defs[n].properties.spec);
      if (!name) throw new Error(`${file}: no ${kind} definition`);
      addEventsDef(name);
      const def = definitions[prefix + name];
      def.properties.apiVersion = { type: 'string', enum: ['argoproj.io/v1alpha1'] };
      def.properties.kind = { type: 'string', enum: [kind] };
      def.required = [...new Set([...(def.required || []), 'apiVersion', 'kind', 'metadata'])];
      const key = `argoproj.io/v1alpha1/${kind}`;
      kinds[key] = [...(kinds[key] || []), prefix + name];
    }
    sources.push(file);
  }

  dedupe(definitions);

  const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  const bundle = {
    $comment: 'GENERATED by scripts/gen-schemas.js from ../shared/upstream; do not edit. See plugins/schema-validation/README.md.',
    sources,
    kinds: sorted(kinds),
    definitions: sorted(definitions),
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(bundle) + '\n');
  console.log(`wrote ${path.relative(root, out)} (${Object.keys(kinds).length} kinds, ${Object.keys(definitions).length} definitions)`);
}

/**
 * Shares repeated subschemas. CRDs inline every type they use (the Argo WorkflowTemplate
 * schema repeats the container, volume and affinity schemas many times), which makes the file
 * large and slow to parse on every synth. Every subschema of at least MIN_SHARED characters
 * that occurs more than once becomes one definition (`shared:<hash>`) and a `$ref` to it;
 * names are content hashes, so the output stays deterministic.
 */
const MIN_SHARED = 100;
function dedupe(definitions) {
  const counts = new Map();
  const childSchemas = (node) => {
    const out = [];
    for (const k of ['properties', 'patternProperties']) if (node[k]) out.push(...Object.values(node[k]));
    for (const k of ['items', 'additionalProperties', 'not']) if (node[k] && typeof node[k] === 'object') out.push(node[k]);
    for (const k of ['anyOf', 'oneOf', 'allOf']) if (node[k]) out.push(...node[k]);
    return out;
  };
  const count = (node) => {
    const text = JSON.stringify(node);
    if (text.length >= MIN_SHARED) counts.set(text, (counts.get(text) || 0) + 1);
    childSchemas(node).forEach(count);
  };
  Object.values(definitions).forEach((d) => childSchemas(d).forEach(count));
  const shared = {};
  const replace = (node) => {
    const rewritten = { ...node };
    for (const k of ['properties', 'patternProperties']) {
      if (node[k]) rewritten[k] = Object.fromEntries(Object.entries(node[k]).map(([p, v]) => [p, share(v)]));
    }
    for (const k of ['items', 'additionalProperties', 'not']) if (node[k] && typeof node[k] === 'object') rewritten[k] = share(node[k]);
    for (const k of ['anyOf', 'oneOf', 'allOf']) if (node[k]) rewritten[k] = node[k].map(share);
    return rewritten;
  };
  const share = (node) => {
    const text = JSON.stringify(node);
    if ((counts.get(text) || 0) < 2) return replace(node);
    const name = `shared:${require('crypto').createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
    if (!shared[name]) {
      shared[name] = {};
      shared[name] = replace(node);
    }
    return { $ref: `#/definitions/${name}` };
  };
  for (const name of Object.keys(definitions)) definitions[name] = replace(definitions[name]);
  Object.assign(definitions, shared);
}

/** Prefixes every local `$ref` so definitions from several files can share one bundle. */
function rewriteRefs(schema, prefix) {
  if (Array.isArray(schema)) return schema.map((s) => rewriteRefs(s, prefix));
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).map(([k, v]) =>
    [k, k === '$ref' ? v.replace('#/definitions/', `#/definitions/${prefix}`) : rewriteRefs(v, prefix)]));
}

/** Returns a cleaned copy of an OpenAPI schema (see the header); `ref` records referenced definitions. */
function clean(schema, ref) {
  if (Array.isArray(schema)) return schema.map((s) => clean(s, ref));
  if (schema === null || typeof schema !== 'object') return schema;
  const outSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key === 'format' || key === 'nullable' || key === 'example' || key.startsWith('x-kubernetes-')) continue;
    if (key === '$ref') {
      ref(value.replace('#/definitions/', ''));
      outSchema.$ref = value;
    } else if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      outSchema[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v, ref)]));
    } else if (key === 'enum' || key === 'required' || key === 'default') {
      outSchema[key] = value;
    } else {
      outSchema[key] = clean(value, ref);
    }
  }
  if (schema['x-kubernetes-int-or-string'] || schema.format === 'int-or-string') {
    delete outSchema.type;
    outSchema.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (outSchema.properties && outSchema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    outSchema.additionalProperties = false;
  }
  return outSchema;
}

main();
