#!/usr/bin/env bash
# Regenerates imports/ offline from the pinned upstream CRD files (see packages/library/imports/README.md).
# Usage: scripts/import.sh [OUTDIR]   (UPSTREAM=/path/to/shared/upstream to override)
set -euo pipefail
cd "$(dirname "$0")/.."
up="${UPSTREAM:-../shared/upstream}"
out="${1:-packages/library/imports}"
if [ ! -d "$up" ]; then
  echo "import: $up not found; imports/ is committed, regenerate it only where the upstream CRD files are available" >&2
  exit 1
fi
cdk8s=node_modules/.bin/cdk8s
imp() { CDK8S_CHECK_UPGRADE=false "$cdk8s" import "$1" --language typescript --output "$2" >/dev/null; }
# One CRD per call: `cdk8s import` with several files imports only the first.
# Kubeflow 1.4 / Istio 1.9.6: networking v1alpha3 (+v1beta1), security v1beta1.
imp "$up/argo-workflows/v3.1.15/manifests/base/crds/full/argoproj.io_workflowtemplates.yaml" "$out"
imp "$up/istio/1.9.6/split-crds/virtualservices.networking.istio.io.yaml" "$out"
imp "$up/istio/1.9.6/split-crds/authorizationpolicies.security.istio.io.yaml" "$out"
# Newer meshes (platform presets for Kubeflow 1.9 and later): Istio 1.30.3 serves networking/security v1.
imp "$up/istio/1.30.3/split-crds/virtualservices.networking.istio.io.yaml" "$out/istio-1.30.3"
imp "$up/istio/1.30.3/split-crds/authorizationpolicies.security.istio.io.yaml" "$out/istio-1.30.3"
# Core Kubernetes v1.25 kinds the library emits (see scripts/import-k8s.js).
UPSTREAM="$up" node scripts/import-k8s.js "$out" >/dev/null
# Each Kubeflow release's central dashboard links (see scripts/gen-dashboard-links.js).
UPSTREAM="$up" node scripts/gen-dashboard-links.js "$out/kubeflow-dashboard-links.json" >/dev/null
# KFP's artifactRepository per release, for argo-server's own ConfigMap in SSO mode (see scripts/gen-artifact-repositories.js).
UPSTREAM="$up" node scripts/gen-artifact-repositories.js "$out/kfp-artifact-repositories.json" >/dev/null
# The paths each release's own VirtualServices route on the Kubeflow gateway (see scripts/gen-gateway-routes.js):
# read from a kubeflow/manifests clone when KUBEFLOW_MANIFESTS_GIT names one (the whole release);
# else the committed list is kept, checked against the part of each release ../shared holds.
if [ -n "${KUBEFLOW_MANIFESTS_GIT:-}" ]; then
  node scripts/gen-gateway-routes.js "$out/kubeflow-gateway-routes.json" >/dev/null
else
  UPSTREAM="$up" node scripts/gen-gateway-routes.js --check packages/library/imports/kubeflow-gateway-routes.json >/dev/null
  [ "$out" -ef packages/library/imports ] || cp packages/library/imports/kubeflow-gateway-routes.json "$out/kubeflow-gateway-routes.json"
fi
echo "imports written to $out/"
