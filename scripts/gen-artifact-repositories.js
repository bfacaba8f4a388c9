#!/usr/bin/env node
// Generates imports/kfp-artifact-repositories.json from the copies in ../shared/upstream (or
// $UPSTREAM): the `artifactRepository` value of KFP's workflow-controller-configmap, per Kubeflow
// release (kubeflow/manifests `{apps,applications}/pipeline/upstream/third-party/argo/base/
// workflow-controller-configmap-patch.yaml`) and per standalone KFP release we hold a copy of
// (kubeflow/pipelines `manifests/kustomize/third-party/argo/base/…`). argo-server in SSO mode
// reads its own ConfigMap instead of KFP's (`--configmap`), and shows artifacts and logs only
// with this value (lib/argo-server/sso.ts). It holds Secret references, never keys.
//
// The two kustomize vars are resolved as every install does: $(kfp-namespace) is the namespace
// KFP runs in ("kubeflow") and $(kfp-artifact-bucket-name) is `bucketName` of
// pipeline-install-config ("mlpipeline" at every tag; upstream docs/troubleshooting.md, "Not saved").
//   node scripts/gen-artifact-repositories.js [OUTFILE]
'use strict';
const fs = require('fs');
const path = require('path');
const { parse } = require('yaml');
const { root, upstream, KUBEFLOW_RELEASES: RELEASES, applicationPath } = require('./kubeflow-manifests');

const out = path.resolve(process.argv[2] || path.join(root, 'packages', 'library', 'imports', 'kfp-artifact-repositories.json'));
const KFP = ['2.15.0', '2.17.0'];
const VARS = { 'kfp-namespace': 'kubeflow', 'kfp-artifact-bucket-name': 'mlpipeline' };
const PATCH = 'third-party/argo/base/workflow-controller-configmap-patch.yaml';

function read(file, from) {
  const text = parse(fs.readFileSync(file, 'utf8')).data.artifactRepository;
  if (typeof text !== 'string') throw new Error(`${file}: no data.artifactRepository`);
  const resolved = text.replace(/\$\(([a-z-]+)\)/g, (m, name) => {
    if (!(name in VARS)) throw new Error(`${file}: unknown kustomize var ${m}`);
    return VARS[name];
  });
  // comments are upstream's explanations, not settings: keep the YAML only
  const yaml = resolved.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\n+$/, '\n');
  parse(yaml); // must stay valid YAML
  return { from, artifactRepository: yaml };
}

const result = { kubeflow: {}, kfp: {} };
for (const tag of RELEASES) {
  const file = applicationPath(tag, 'pipeline', 'upstream', PATCH);
  if (!file) throw new Error(`no workflow-controller-configmap patch for ${tag} under ${upstream}`);
  result.kubeflow[tag] = read(file, `kubeflow/manifests ${tag} ${path.relative(path.join(upstream, 'kubeflow-manifests', tag), file)}`);
}
for (const tag of KFP) {
  const file = path.join(upstream, 'kubeflow-pipelines', tag, 'manifests', 'kustomize', PATCH);
  result.kfp[tag] = read(file, `kubeflow/pipelines ${tag} manifests/kustomize/${PATCH}`);
}
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), out)} (${RELEASES.length} Kubeflow releases, KFP ${KFP.join(', ')})`);
