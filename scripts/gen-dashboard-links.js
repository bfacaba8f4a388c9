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

const root = path.resolve(__dirname, '..');
const upstream = process.env.UPSTREAM ? path.resolve(process.env.UPSTREAM) : path.resolve(root, '..', 'shared', 'upstream');
const out = path.resolve(process.argv[2] || path.join(root, 'imports', 'kubeflow-dashboard-links.json'));
const RELEASES = ['v1.4.1', 'v1.5.1', 'v1.6.1', 'v1.7.0', 'v1.8.1', 'v1.9.1', 'v1.10.2', 'v1.11.0'];

const result = {};
for (const tag of RELEASES) {
  const dir = ['applications', 'apps'].map((a) => path.join(upstream, 'kubeflow-manifests', tag, a, 'centraldashboard', 'upstream')).find((d) => fs.existsSync(d));
  if (!dir) throw new Error(`no centraldashboard manifests for ${tag} under ${upstream}`);
  const base = parse(fs.readFileSync(path.join(dir, 'base', 'configmap.yaml'), 'utf8'));
  const patchFile = path.join(dir, 'overlays', 'kserve', 'patches', 'configmap.yaml');
  const patch = fs.existsSync(patchFile) ? parse(fs.readFileSync(patchFile, 'utf8')) : undefined;
  const text = (patch && patch.data && patch.data.links) || base.data.links;
  result[tag] = JSON.parse(text);
}
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), out)} (${RELEASES.length} releases)`);
