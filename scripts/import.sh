#!/usr/bin/env bash
# Regenerates imports/ offline from the pinned upstream CRD files (see imports/README.md).
# Usage: scripts/import.sh [OUTDIR]   (UPSTREAM=/path/to/shared/upstream to override)
set -euo pipefail
cd "$(dirname "$0")/.."
up="${UPSTREAM:-../shared/upstream}"
out="${1:-imports}"
if [ ! -d "$up" ]; then
  echo "import: $up not found; imports/ is committed, regenerate it only where the upstream CRD files are available" >&2
  exit 1
fi
cdk8s=node_modules/.bin/cdk8s
# One CRD per call: `cdk8s import` with several files imports only the first.
for crd in \
  "$up/argo-workflows/v3.1.15/manifests/base/crds/full/argoproj.io_workflowtemplates.yaml" \
  "$up/istio/1.9.6/split-crds/virtualservices.networking.istio.io.yaml" \
  "$up/istio/1.9.6/split-crds/authorizationpolicies.security.istio.io.yaml"; do
  CDK8S_CHECK_UPGRADE=false "$cdk8s" import "$crd" --language typescript --output "$out" >/dev/null
done
echo "imports written to $out/"
