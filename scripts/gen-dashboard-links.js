#!/usr/bin/env node
// Generates imports/kubeflow-dashboard-links.json from the kubeflow/manifests copies in
// ../shared/upstream (or $UPSTREAM): per release, the central dashboard's `links` as the example
// install configures them (ConfigMap `centraldashboard-config` of the base, replaced whole by the
// kserve overlay's patch from 1.5 on). The dashboard reads the key as one JSON string, so adding a
// menu entry means writing the whole value (lib/kubeflow/kubeflow-patches.ts); this file is the
// release's own value, regenerated with imports/, never edited by hand.
//   node scripts/gen-dashboard-links.js [OUTFILE]
'use strict';
const fs = require('fs');
const path = require('path');
const { parse } = require('yaml');
const { root, upstream, KUBEFLOW_RELEASES: RELEASES, applicationPath } = require('./kubeflow-manifests');

const out = path.resolve(process.argv[2] || path.join(root, 'packages', 'library', 'imports', 'kubeflow-dashboard-links.json'));

const result = {};
for (const tag of RELEASES) {
  const dir = applicationPath(tag, 'centraldashboard', 'upstream');
  if (!dir) throw new Error(`no centraldashboard manifests for ${tag} under ${upstream}`);
  const base = parse(fs.readFileSync(path.join(dir, 'base', 'configmap.yaml'), 'utf8'));
  const patchFile = path.join(dir, 'overlays', 'kserve', 'patches', 'configmap.yaml');
  const patch = fs.existsSync(patchFile) ? parse(fs.readFileSync(patchFile, 'utf8')) : undefined;
  const text = (patch && patch.data && patch.data.links) || base.data.links;
  result[tag] = JSON.parse(text);
}
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), out)} (${RELEASES.length} releases)`);
