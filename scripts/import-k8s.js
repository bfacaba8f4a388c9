#!/usr/bin/env node
// Generates imports/k8s.ts offline: the Kubernetes v1.25 L1 classes this project emits, and
// only those, from the same definitions `cdk8s import k8s@1.25.0` downloads (a pinned copy in
// ../shared/upstream/cdk8s), with cdk8s-cli's own generator.
//
//   node scripts/import-k8s.js [OUTDIR]        (UPSTREAM=/path/to/shared/upstream to override)
//
// Why not cdk8s-plus-25's `k8s` module: it holds every Kubernetes kind (2.3 MB of CommonJS),
// and loading it was ~8 ms of each synth. This file is ES modules with a few kinds, so the synth
// bundle carries only what those kinds reach. The classes are generated the same way, so they
// write the same JSON (test/slow/imports.test.ts compares them with cdk8s-plus-25's).
'use strict';
const fs = require('fs');
const path = require('path');
const { TypeGenerator } = require('json2jsii');

const root = path.resolve(__dirname, '..');
// cdk8s-cli's generator modules (not in its package exports; cdk8s-cli is pinned in package.json)
const cli = (file) => require(path.join(root, 'node_modules', 'cdk8s-cli', 'lib', 'import', file));
const { ImportBase, Language } = cli('base.js');
const { findApiObjectDefinitions } = cli('k8s.js');
const { emitHeader, generateConstruct, getPropsTypeName, getTypeName } = cli('codegen.js');
const { parseApiTypeName, safeParseJsonSchema } = cli('k8s-util.js');

const upstream = process.env.UPSTREAM || path.resolve(root, '..', 'shared', 'upstream');
const K8S_VERSION = '1.25.0';
const DEFINITIONS = path.join(upstream, 'cdk8s', 'master-71f8cba7ecc8', 'kubernetes-schemas', `v${K8S_VERSION}`, '_definitions.json');

/** The kinds the library creates; add one here (and regenerate) before using it in lib/. */
const KINDS = [
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.Namespace',
  'io.k8s.api.rbac.v1.ClusterRole',
  'io.k8s.api.rbac.v1.ClusterRoleBinding',
  'io.k8s.api.rbac.v1.Role',
  'io.k8s.api.rbac.v1.RoleBinding',
  'io.k8s.api.networking.v1.NetworkPolicy',
];

/** cdk8s-cli's ImportKubernetesApi, reading a local schema and keeping only KINDS. */
class ImportSelectedKubernetesKinds extends ImportBase {
  constructor(schema) {
    super();
    this.schema = schema;
  }

  get moduleNames() {
    return ['k8s'];
  }

  async generateTypeScript(code, _moduleName, options) {
    const prefix = options.classNamePrefix || 'Kube';
    const all = findApiObjectDefinitions(this.schema, prefix);
    const missing = KINDS.filter((k) => !all.some((o) => o.fqn === k));
    if (missing.length) throw new Error(`import-k8s: not in the v${K8S_VERSION} definitions: ${missing.join(', ')}`);
    const selected = all.filter((o) => KINDS.includes(o.fqn));
    const typeGenerator = new TypeGenerator({
      definitions: this.schema.definitions,
      renderTypeName: (def) => {
        const parsed = parseApiTypeName(def);
        return parsed.version ? getTypeName(false, parsed.basename, parsed.version.raw) : parsed.basename;
      },
    });
    for (const o of selected) typeGenerator.addDefinition(o.fqn, { $ref: `#/definitions/${getPropsTypeName(o)}` });
    for (const o of selected) generateConstruct(typeGenerator, o);
    emitHeader(code, false);
    code.line(typeGenerator.render());
  }
}

async function main() {
  const outdir = path.resolve(process.argv[2] || path.join(root, 'packages', 'library', 'imports'));
  if (!fs.existsSync(DEFINITIONS)) {
    console.error(`import-k8s: ${DEFINITIONS} not found; imports/k8s.ts is committed, regenerate it only where ../shared/upstream is available`);
    process.exit(1);
  }
  const schema = safeParseJsonSchema(fs.readFileSync(DEFINITIONS, 'utf8'));
  const log = console.log;
  console.log = () => {}; // ImportBase prints each module name
  try {
    await new ImportSelectedKubernetesKinds(schema).import({ outdir, targetLanguage: Language.TYPESCRIPT, classNamePrefix: 'Kube' });
  } finally {
    console.log = log;
  }
  console.log(`wrote ${path.relative(process.cwd(), path.join(outdir, 'k8s.ts'))} (${KINDS.length} kinds from Kubernetes v${K8S_VERSION})`);
}

main().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
