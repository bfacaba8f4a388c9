// Where the generators find kubeflow/manifests: ../shared/upstream (or $UPSTREAM), the releases
// the presets target, and a release's applications folder (`apps/` up to 1.9, `applications/`
// from 1.10). Shared by scripts/gen-dashboard-links.js and scripts/gen-artifact-repositories.js.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const upstream = process.env.UPSTREAM ? path.resolve(process.env.UPSTREAM) : path.resolve(root, '..', 'shared', 'upstream');

/** The kubeflow/manifests tags of the presets (lib/platform.ts), oldest first. */
const KUBEFLOW_RELEASES = ['v1.4.1', 'v1.5.1', 'v1.6.1', 'v1.7.0', 'v1.8.1', 'v1.9.1', 'v1.10.2', 'v1.11.0'];

/** `<upstream>/kubeflow-manifests/<tag>/{applications,apps}/<parts>`: the one that exists, or undefined. */
function applicationPath(tag, ...parts) {
  return ['applications', 'apps'].map((a) => path.join(upstream, 'kubeflow-manifests', tag, a, ...parts)).find((p) => fs.existsSync(p));
}

module.exports = { root, upstream, KUBEFLOW_RELEASES, applicationPath };
