// Schemas users add for kinds the bundled schemas do not cover (their own CRDs, Kubeflow's
// Profile, a newer Ingress): CustomResourceDefinition files (YAML or JSON, apiextensions.k8s.io
// v1 or v1beta1), or JSON Schema / OpenAPI documents whose definitions carry
// `x-kubernetes-group-version-kind` (the form of Kubernetes' own OpenAPI definitions).
// Given to `kfa-synth --schema FILE` or to the cdk8s plugin as `properties.schemas`.
'use strict';
const fs = require('fs');
const path = require('path');
const { normalizeSchema } = require('./normalize');
const { assertKnownKeywords } = require('./validate');

const OBJECT_META = 'kubernetes-v1.25.0:io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The `yaml` package: the project's own, or the copy cdk8s bundles (always present with cdk8s). */
function yamlLibrary() {
  try {
    return require('yaml');
  } catch {
    return require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s/package.json'))] }));
  }
}

/**
 * Loads schema files.
 * @param {string[]} files paths (relative to `cwd`)
 * @param {string} [cwd]
 * @returns {{kinds: Record<string, {release: string, def: string}[]>, definitions: Map<string, object>, clusterScoped: Set<string>, files: string[]}}
 *   kinds keyed `apiVersion/kind`; clusterScoped holds `group/kind` of cluster-scoped CRDs
 */
function loadUserSchemas(files, cwd = process.cwd()) {
  const result = { kinds: {}, definitions: new Map(), clusterScoped: new Set(), files: [] };
  files.forEach((file, n) => {
    const abs = path.resolve(cwd, file);
    const release = `user-${n + 1}`;
    let text;
    try {
      text = fs.readFileSync(abs, 'utf8');
    } catch (err) {
      throw new Error(`schema file ${file}: cannot read it (${err.code || err.message})`);
    }
    let docs;
    try {
      docs = /\.json$/i.test(abs) ? [JSON.parse(text)] : yamlLibrary().parseAllDocuments(text).map((d) => {
        if (d.errors && d.errors.length) throw d.errors[0];
        return d.toJS();
      });
    } catch (err) {
      throw new Error(`schema file ${file}: not valid ${/\.json$/i.test(abs) ? 'JSON' : 'YAML'} (${String(err.message).split('\n')[0]})`);
    }
    let found = 0;
    const add = (apiVersion, kind, name, schema) => {
      const def = `${release}:${name}`;
      assertKnownKeywords(schema, `schema file ${file}`);
      result.definitions.set(def, schema);
      (result.kinds[`${apiVersion}/${kind}`] ||= []).push({ release, def });
      found++;
    };
    for (const doc of docs.filter((d) => d && typeof d === 'object')) {
      if (doc.kind === 'CustomResourceDefinition') {
        const { group, names, scope } = doc.spec || {};
        if (!group || !names || !names.kind) throw new Error(`schema file ${file}: CustomResourceDefinition ${doc.metadata && doc.metadata.name} has no spec.group or spec.names.kind`);
        if (scope === 'Cluster') result.clusterScoped.add(`${group}/${names.kind}`);
        for (const v of doc.spec.versions || []) {
          const raw = (v.schema && v.schema.openAPIV3Schema) || (doc.spec.validation && doc.spec.validation.openAPIV3Schema);
          if (!raw) continue; // no schema: objects of this version stay "not checked"
          const schema = normalizeSchema(raw, () => { throw new Error(`schema file ${file}: $ref is not allowed in a CRD schema`); });
          schema.properties = { ...(schema.properties || {}) };
          schema.properties.apiVersion = { type: 'string', enum: [`${group}/${v.name}`] };
          schema.properties.kind = { type: 'string', enum: [names.kind] };
          schema.properties.metadata = { $ref: `#/definitions/${OBJECT_META}` };
          schema.required = [...new Set([...(schema.required || []), 'apiVersion', 'kind'])];
          add(`${group}/${v.name}`, names.kind, `${group}/${v.name}/${names.kind}`, schema);
        }
        continue;
      }
      const defs = doc.definitions || (doc.components && doc.components.schemas);
      const entries = doc['x-kubernetes-group-version-kind'] ? [['root', doc]] : defs ? Object.entries(defs) : [];
      if (entries.length === 0) continue;
      const prefix = `${release}:`;
      const localRefs = (s) => JSON.parse(JSON.stringify(s).replace(/"\$ref":"#\/(?:definitions|components\/schemas)\//g, `"$ref":"#/definitions/${prefix}`));
      for (const [name, raw] of entries) {
        const own = { ...raw };
        if (name === 'root') delete own.definitions;
        const schema = normalizeSchema(localRefs(own));
        const gvks = raw['x-kubernetes-group-version-kind'] || [];
        assertKnownKeywords(schema, `schema file ${file}`);
        result.definitions.set(prefix + name, schema);
        for (const gvk of gvks) {
          const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
          (result.kinds[`${apiVersion}/${gvk.kind}`] ||= []).push({ release, def: prefix + name });
          found++;
        }
      }
      if (doc['x-kubernetes-group-version-kind'] && doc.definitions) {
        for (const [name, raw] of Object.entries(doc.definitions)) result.definitions.set(prefix + name, normalizeSchema(localRefs(raw)));
      }
    }
    if (found === 0) {
      throw new Error(`schema file ${file}: holds no schema for a kind (expected a CustomResourceDefinition with spec.versions[].schema.openAPIV3Schema, or JSON Schema definitions with x-kubernetes-group-version-kind)`);
    }
    result.files.push(file);
  });
  return result;
}

module.exports = { loadUserSchemas };
