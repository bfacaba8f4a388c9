// Where the generators find kubeflow/manifests: ../shared/upstream (or $UPSTREAM), the releases
// the presets target, and a release's applications folder (`apps/` up to 1.9, `applications/`
// from 1.10). Shared by scripts/gen-dashboard-links.js and scripts/gen-artifact-repositories.js.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const upstream = process.env.UPSTREAM ? path.resolve(process.env.UPSTREAM) : path.resolve(root, '..', 'shared', 'upstream');

// The release record (lib/platform.ts, ARCHITECTURE.md) is the one list of releases.
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
const { Platform } = require('../packages/library/lib/platform');

/** The kubeflow/manifests tags of the presets, oldest first. */
const KUBEFLOW_RELEASES = Platform.ALL.map((p) => p.spec.kubeflow.release);

/** The commit each tag names (../shared/upstream/README.md's provenance table), for reading a clone. */
const KUBEFLOW_COMMITS = Object.fromEntries(Platform.ALL.map((p) => [p.spec.kubeflow.release, p.spec.kubeflow.commit]));

/** `<upstream>/kubeflow-manifests/<tag>/{applications,apps}/<parts>`: the one that exists, or undefined. */
function applicationPath(tag, ...parts) {
  return ['applications', 'apps'].map((a) => path.join(upstream, 'kubeflow-manifests', tag, a, ...parts)).find((p) => fs.existsSync(p));
}

module.exports = { root, upstream, KUBEFLOW_RELEASES, KUBEFLOW_COMMITS, applicationPath };
