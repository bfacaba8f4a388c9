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

/** The commit each tag names (../shared/upstream/README.md's provenance table), for reading a clone. */
const KUBEFLOW_COMMITS = {
  'v1.4.1': 'ca48b5eb6b77e74c957bf4522e47ae82ed78cc4a',
  'v1.5.1': '9fc7538c118cc379313ab2abf4b96de8b43ace55',
  'v1.6.1': 'f038f81df39f3606c14ad52e06f60f3d9c5bddfb',
  'v1.7.0': '14c0f9abe70c4d0ce3e021a5839a7cdd54dc572d',
  'v1.8.1': 'a925b2968e68f3085092adc04e9af39d4f5045f3',
  'v1.9.1': 'b68bb751c3e067f4a23bad6b9b2c6720645bf266',
  'v1.10.2': 'd8d643f1a736b28c525bd9b8ee5c9b2f4a661b39',
  'v1.11.0': '854bd3a21044f767204def71b2dcda83e376891f',
};

/** `<upstream>/kubeflow-manifests/<tag>/{applications,apps}/<parts>`: the one that exists, or undefined. */
function applicationPath(tag, ...parts) {
  return ['applications', 'apps'].map((a) => path.join(upstream, 'kubeflow-manifests', tag, a, ...parts)).find((p) => fs.existsSync(p));
}

module.exports = { root, upstream, KUBEFLOW_RELEASES, KUBEFLOW_COMMITS, applicationPath };
