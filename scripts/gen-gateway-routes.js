#!/usr/bin/env node
// Generates imports/kubeflow-gateway-routes.json from the kubeflow/manifests copies in
// ../shared/upstream (or $UPSTREAM): per release, every URI prefix (and exact path) the
// release's own VirtualServices route on the Kubeflow gateway (`kubeflow/kubeflow-gateway` or
// `kubeflow-gateway`), with the file that routes it. The constructs refuse a base href or webhook
// prefix that overlaps one of them (lib/istio/kubeflow-routes.ts): Istio merges the
// VirtualServices of one gateway in no guaranteed order, so an overlap takes one of the two routes.
// Regenerated with imports/, never edited by hand.
//   node scripts/gen-gateway-routes.js [OUTFILE]
'use strict';
const fs = require('fs');
const path = require('path');
const { parseAllDocuments } = require('yaml');
const { root, upstream, KUBEFLOW_RELEASES: RELEASES } = require('./kubeflow-manifests');

const out = path.resolve(process.argv[2] || path.join(root, 'imports', 'kubeflow-gateway-routes.json'));

function* yamlFiles(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* yamlFiles(p);
    else if (/\.ya?ml$/.test(e.name)) yield p;
  }
}

const result = {};
for (const tag of RELEASES) {
  const dir = path.join(upstream, 'kubeflow-manifests', tag);
  if (!fs.existsSync(dir)) throw new Error(`no kubeflow/manifests ${tag} under ${upstream}`);
  const routes = new Map();
  for (const file of yamlFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('VirtualService')) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) continue; // templates and fragments that are not YAML on their own
      const o = doc.toJS();
      if (!o || o.kind !== 'VirtualService' || !o.spec) continue;
      const gateways = o.spec.gateways || [];
      if (!gateways.some((g) => g === 'kubeflow/kubeflow-gateway' || g === 'kubeflow-gateway')) continue;
      for (const h of o.spec.http || []) {
        for (const m of h.match || []) {
          const p = m.uri && (m.uri.prefix || m.uri.exact);
          if (typeof p === 'string' && !routes.has(p)) routes.set(p, path.relative(dir, file).split(path.sep).join('/'));
        }
      }
    }
  }
  result[tag] = Object.fromEntries([...routes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), out)} (${RELEASES.length} releases)`);
