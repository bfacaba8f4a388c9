#!/usr/bin/env node
// Generates plugins/schema-validation/schemas/ from the pinned upstream schemas in
// ../shared/upstream (or $UPSTREAM): one JSON file per upstream release, plus index.json that
// maps `apiVersion/kind` to the definitions of each release that defines it. Like imports/,
// the output is generated once and committed, so synth and tests never need ../shared, and a
// synth only parses the files of the releases its platform uses.
//
// Transformations (documented in plugins/schema-validation/README.md):
// - only the kinds listed below and the definitions they reference are kept; every name is
//   prefixed with its release (`istio-1.9.6:…`), so releases never collide;
// - each schema is normalized by plugins/schema-validation/normalize.js (annotations dropped,
//   int-or-string and nullable made explicit, objects with `properties` closed);
// - a CRD's `metadata: {type: object}` is replaced by Kubernetes' ObjectMeta;
// - repeated subschemas are shared (see dedupe());
// - the output may only use keywords the interpreter implements (assertKnownKeywords): the
//   generator fails otherwise, so schemas and checker cannot drift apart.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { normalizeSchema } = require('../packages/library/plugins/schema-validation/normalize');
const { assertKnownKeywords } = require('../packages/library/plugins/schema-validation/validate');

const root = path.resolve(__dirname, '..');
const up = path.resolve(root, process.env.UPSTREAM || '../shared/upstream');
const out = path.resolve(root, process.argv[2] || 'plugins/schema-validation/schemas');

const K8S = { release: 'kubernetes-v1.25.0', file: 'cdk8s/master-71f8cba7ecc8/kubernetes-schemas/v1.25.0/_definitions.json' };
const OBJECT_META = `${K8S.release}:io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

/** Core kinds the constructs emit (apiVersion → kinds). */
const K8S_KINDS = {
  v1: ['ServiceAccount', 'Service', 'ConfigMap', 'Secret', 'Namespace'],
  'apps/v1': ['Deployment'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'networking.k8s.io/v1': ['NetworkPolicy'],
};

// The Argo Workflows lines and Argo Events releases come from the release record (lib/platform.ts).
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
const { Platform, argoWorkflowsLines } = require('../packages/library/lib/platform');

/** CRD files per release, with the versions to take from each: each Argo line's WorkflowTemplate CRD, then Istio's. */
const CRDS = [
  ...argoWorkflowsLines().map(({ manifests }) => ({
    release: `argo-workflows-${manifests}`, file: `argo-workflows/${manifests}/manifests/base/crds/full/argoproj.io_workflowtemplates.yaml`, versions: ['v1alpha1'],
  })),
  { release: 'istio-1.9.6', file: 'istio/1.9.6/split-crds/virtualservices.networking.istio.io.yaml', versions: ['v1alpha3', 'v1beta1'] },
  { release: 'istio-1.9.6', file: 'istio/1.9.6/split-crds/authorizationpolicies.security.istio.io.yaml', versions: ['v1beta1'] },
  { release: 'istio-1.30.3', file: 'istio/1.30.3/split-crds/virtualservices.networking.istio.io.yaml', versions: ['v1', 'v1alpha3', 'v1beta1'] },
  { release: 'istio-1.30.3', file: 'istio/1.30.3/split-crds/authorizationpolicies.security.istio.io.yaml', versions: ['v1', 'v1beta1'] },
  // EnvoyFilter (argo-server's SSO login redirect): only Istio 1.9.6's crd-all.gen.yaml holds it. Its
  // own schema release, checked on every platform: Istio serves EnvoyFilter only as v1alpha3, from
  // 1.9 to 1.28, and later releases only add fields, so 1.9.6's schema checks what every release reads.
  { release: 'istio-envoyfilter-1.9.6', file: 'istio/1.9.6/manifests/charts/base/crds/crd-all.gen.yaml', kind: 'EnvoyFilter', versions: ['v1alpha3'] },
];

/**
 * Argo Events: the CRDs are schemaless (x-kubernetes-preserve-unknown-fields), so the kinds are
 * typed from the generated JSON Schema of the API (api/jsonschema/schema.json).
 */
const ARGO_EVENTS = [...new Set(Platform.ALL.map((p) => p.spec.argoEvents.release))].map((release) => ({
  release, file: `argo-events/${release.replace('argo-events-', '')}/api/jsonschema/schema.json`,
}));
const ARGO_EVENTS_KINDS = ['EventBus', 'EventSource', 'Sensor'];
/**
 * Fields the generated JSON Schema marks required (Go fields without `omitempty`) although the
 * controllers treat them as optional and the upstream examples leave them out. v1.9's generic
 * `WebhookEventSource` inlines `WebhookContext` (`pkg/apis/events/v1alpha1/eventsource_types.go`
 * at v1.9.11), so its schema repeats the four; Argo Events checks only `endpoint` and `port`
 * (`pkg/eventsources/common/webhook/validate.go` `ValidateWebhookContext`, v1.9.11; the same in
 * v1.5.6), and its own `examples/event-sources/webhook.yaml` has no `url` (issue 20, item 3).
 */
const ARGO_EVENTS_OPTIONAL = {
  WebhookContext: ['url', 'port', 'method', 'endpoint'],
  WebhookEventSource: ['url', 'port', 'method', 'endpoint'],
  GitlabEventSource: ['projectID'],
};

function main() {
  if (!fs.existsSync(up)) {
    console.error(`gen-schemas: ${up} not found; the schemas are committed, regenerate them only where the upstream files are available`);
    process.exit(1);
  }
  const acc = collector();
  addKubernetes(acc);
  for (const crd of CRDS) addCrd(acc, crd);
  for (const source of ARGO_EVENTS) addArgoEvents(acc, source);
  writeSchemas(acc);
}

/** What the readers below fill: definitions per release, the releases of each kind, the files read per release. */
function collector() {
  const acc = { groups: {}, kinds: {}, sources: {} };
  acc.group = (release) => (acc.groups[release] = acc.groups[release] || {});
  acc.addKind = (key, release, def) => { (acc.kinds[key] = acc.kinds[key] || []).push({ release, def }); };
  return acc;
}

/** The core kinds the constructs emit, and every definition they reference. */
function addKubernetes(acc) {
  const k8s = JSON.parse(fs.readFileSync(path.join(up, K8S.file), 'utf8')).definitions;
  const k8sDefs = acc.group(K8S.release);
  const addK8s = (name) => {
    const key = `${K8S.release}:${name}`;
    if (k8sDefs[key]) return;
    if (!k8s[name]) throw new Error(`missing Kubernetes definition ${name}`);
    k8sDefs[key] = {};
    k8sDefs[key] = normalizeSchema(rewriteRefs(k8s[name], `${K8S.release}:`), (ref) => addK8s(ref.slice(K8S.release.length + 1)));
  };
  for (const [apiVersion, list] of Object.entries(K8S_KINDS)) {
    const [g, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    for (const kind of list) {
      const name = Object.keys(k8s).find((n) => (k8s[n]['x-kubernetes-group-version-kind'] || [])
        .some((x) => x.group === g && x.version === version && x.kind === kind));
      if (!name) throw new Error(`no definition for ${apiVersion} ${kind}`);
      addK8s(name);
      acc.addKind(`${apiVersion}/${kind}`, K8S.release, `${K8S.release}:${name}`);
    }
  }
  addK8s('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  acc.sources[K8S.release] = [K8S.file];
}

/** One CRD file: each listed version's openAPIV3Schema, with Kubernetes' ObjectMeta as metadata. */
function addCrd(acc, crd) {
  const doc = crd.kind
    ? YAML.parseAllDocuments(fs.readFileSync(path.join(up, crd.file), 'utf8')).map((d) => d.toJS()).find((d) => d && d.spec && d.spec.names && d.spec.names.kind === crd.kind)
    : YAML.parse(fs.readFileSync(path.join(up, crd.file), 'utf8'));
  if (!doc) throw new Error(`${crd.file}: no CRD of kind ${crd.kind}`);
  const { group: apiGroup, names } = doc.spec;
  for (const version of crd.versions) {
    const v = (doc.spec.versions || []).find((x) => x.name === version);
    if (!v) throw new Error(`${crd.file} does not serve ${version}`);
    const raw = (v.schema && v.schema.openAPIV3Schema) || (doc.spec.validation && doc.spec.validation.openAPIV3Schema);
    if (!raw) throw new Error(`${crd.file} has no openAPIV3Schema for ${version}`);
    const schema = normalizeSchema(raw, () => { throw new Error(`${crd.file}: unexpected $ref`); });
    schema.properties = {
      ...schema.properties,
      apiVersion: { type: 'string', enum: [`${apiGroup}/${version}`] },
      kind: { type: 'string', enum: [names.kind] },
      metadata: { $ref: `#/definitions/${OBJECT_META}` },
    };
    schema.required = [...new Set([...(schema.required || []), 'apiVersion', 'kind', 'metadata'])];
    const name = `${crd.release}:${apiGroup}/${version}/${names.kind}`;
    acc.group(crd.release)[name] = schema;
    acc.addKind(`${apiGroup}/${version}/${names.kind}`, crd.release, name);
  }
  (acc.sources[crd.release] = acc.sources[crd.release] || []).push(crd.file);
}

/** One Argo Events release: its kinds from the API's JSON Schema, with the fields it does not require relaxed. */
function addArgoEvents(acc, { release, file }) {
  const defs = JSON.parse(fs.readFileSync(path.join(up, file), 'utf8')).definitions;
  const prefix = `${release}:`;
  const target = acc.group(release);
  const addDef = (name) => {
    const key = prefix + name;
    if (target[key]) return;
    if (!defs[name]) throw new Error(`${file}: missing definition ${name}`);
    target[key] = {};
    const schema = normalizeSchema(rewriteRefs(defs[name], prefix), (ref) => addDef(ref.slice(prefix.length)));
    const relax = ARGO_EVENTS_OPTIONAL[name.split('.').pop()];
    if (relax && schema.required) {
      schema.required = schema.required.filter((r) => !relax.includes(r));
      if (schema.required.length === 0) delete schema.required;
    }
    target[key] = schema;
  };
  for (const kind of ARGO_EVENTS_KINDS) {
    const name = Object.keys(defs).find((n) => n.endsWith(`.v1alpha1.${kind}`) && defs[n].properties && defs[n].properties.spec);
    if (!name) throw new Error(`${file}: no ${kind} definition`);
    addDef(name);
    const def = target[prefix + name];
    def.properties.apiVersion = { type: 'string', enum: ['argoproj.io/v1alpha1'] };
    def.properties.kind = { type: 'string', enum: [kind] };
    def.required = [...new Set([...(def.required || []), 'apiVersion', 'kind', 'metadata'])];
    acc.addKind(`argoproj.io/v1alpha1/${kind}`, release, prefix + name);
  }
  acc.sources[release] = [file];
}

/** Replaces the output directory: one file per release, and index.json. */
function writeSchemas({ groups, kinds, sources }) {
  const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const [release, defs] of Object.entries(groups)) {
    dedupe(defs, release);
    assertKnownKeywords({ definitions: defs }, `${release} (scripts/gen-schemas.js)`);
    fs.writeFileSync(path.join(out, `${release}.json`), releaseFile(release, sources[release], sorted(defs)));
  }
  const index = {
    $comment: 'GENERATED by scripts/gen-schemas.js from ../shared/upstream; do not edit. See plugins/schema-validation/README.md.',
    releases: Object.keys(groups).sort(),
    kinds: sorted(kinds),
  };
  fs.writeFileSync(path.join(out, 'index.json'), JSON.stringify(index, null, 1) + '\n');
  console.log(`wrote ${path.relative(root, out)}/ (${Object.keys(kinds).length} kinds, releases: ${index.releases.join(', ')})`);
}

/**
 * A release file: plain JSON, with each definition on a line of its own
 * (`"<name>":<schema>,`), so the plugin can parse only the definitions a synth reaches instead
 * of the whole file (see `definitionLines` in plugins/schema-validation/index.js).
 */
function releaseFile(release, sources, definitions) {
  const lines = Object.entries(definitions).map(([name, def]) => {
    if (/["\\\n]/.test(name)) throw new Error(`definition name ${JSON.stringify(name)} must not contain quotes, backslashes or newlines`);
    return `${JSON.stringify(name)}:${JSON.stringify(def)}`;
  });
  return `${JSON.stringify({ release, sources }).slice(0, -1)},"definitions":{\n${lines.join(',\n')}\n}}\n`;
}

/**
 * Shares repeated subschemas within a release. CRDs inline every type they use (the Argo
 * WorkflowTemplate schema repeats the container, volume and affinity schemas many times),
 * which makes the files large and slow to parse on every synth. Every subschema of at least
 * MIN_SHARED characters that occurs more than once becomes one definition
 * (`<release>:shared:<hash>`) and a `$ref` to it; content-hash names keep the output stable.
 */
const MIN_SHARED = 100;
function dedupe(definitions, release) {
  const counts = new Map();
  const childSchemas = (node) => {
    const kids = [];
    for (const k of ['properties', 'patternProperties']) if (node[k]) kids.push(...Object.values(node[k]));
    for (const k of ['items', 'additionalProperties', 'not']) if (node[k] && typeof node[k] === 'object') kids.push(node[k]);
    for (const k of ['anyOf', 'oneOf', 'allOf']) if (node[k]) kids.push(...node[k]);
    return kids;
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
    const name = `${release}:shared:${crypto.createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
    if (!shared[name]) {
      shared[name] = {};
      shared[name] = replace(node);
    }
    return { $ref: `#/definitions/${name}` };
  };
  for (const name of Object.keys(definitions)) definitions[name] = replace(definitions[name]);
  Object.assign(definitions, shared);
}

/** Prefixes every local `$ref` so definitions from several files can share one namespace. */
function rewriteRefs(schema, prefix) {
  if (Array.isArray(schema)) return schema.map((s) => rewriteRefs(s, prefix));
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).map(([k, v]) =>
    [k, k === '$ref' ? v.replace('#/definitions/', `#/definitions/${prefix}`) : rewriteRefs(v, prefix)]));
}

main();
