#!/usr/bin/env node
// `npm run preflight -- [--output DIR] FILE...`: checks a cluster's objects (a dump, see --help)
// against this project's output before it is applied. preflight/checks.ts does the work; it is
// bundled here with esbuild (a devDependency, offline), as scripts/synth.js bundles the app.
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');
const { parseAllDocuments } = require('yaml');
const { parseCommandLine, shown } = require('./cli');

const root = path.resolve(__dirname, '..');

const HELP = `usage: npm run preflight -- [--output DIR] FILE...
       (or: node scripts/preflight.js ...)

Checks, offline, whether the output (default: dist/ of this project) would work on a cluster,
from a dump of that cluster's objects. Take the dump with:

  kubectl get namespaces,serviceaccounts,networkpolicies,authorizationpolicies.security.istio.io,requestauthentications.security.istio.io,clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml > cluster.yaml
  kubectl -n istio-system get configmap istio -o yaml > mesh.yaml
  kubectl -n istio-system get configmap oidc-authservice-parameters -o yaml > login.yaml   # Kubeflow 1.4-1.8 only

then: npm run preflight -- cluster.yaml mesh.yaml [login.yaml]

Per check it prints PASS and the path the request takes, or FAIL and the object that blocks it:
the ingress gateway reaches argo-server and each event source (NetworkPolicies); every pod
meets its namespace's Pod Security level; a browser with a Kubeflow session reaches argo-server
without an Authorization header it did not send; a webhook without a session reaches each event
source; each Sensor may create Workflows in exactly its target namespaces; default-editor may
create Workflows in each profile; argo-server cannot obtain another account's token (it may
create Secrets only where the other accounts are unbound or already readable by it); no object
of the dump that carries the output's label has left the output, and no SSO account of an
earlier, unlabelled output is left (the dump holds no Secrets: prune.sh deletes old tokens).

  --output DIR   the synthesized output to check (its top-level .yaml files)

Paths are relative to the current directory.
Exit codes: 0 every check passes, 1 a check fails, 2 a file could not be read, 64 bad command line.`;

function readObjects(file) {
  const text = fs.readFileSync(file, 'utf8');
  return parseAllDocuments(text).flatMap((d) => {
    if (d.errors.length) throw new Error(`${shown(file)}: ${d.errors[0].message}`);
    const o = d.toJS();
    if (!o) return [];
    return o.kind === 'List' || (o.kind && o.kind.endsWith('List') && Array.isArray(o.items)) ? o.items : [o];
  });
}

function loadChecks() {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [path.join(root, 'preflight', 'checks.ts')],
    bundle: true, platform: 'node', target: 'node18', format: 'cjs', write: false,
    nodePaths: [path.join(root, 'node_modules')], logLevel: 'silent',
  });
  const m = new Module(path.join(root, 'preflight', 'checks.bundle.js'));
  m.paths = Module._nodeModulePaths(root);
  m._compile(result.outputFiles[0].text, m.id);
  return m.exports;
}

function main() {
  const { values, positionals } = parseCommandLine('preflight', process.argv.slice(2), { output: { type: 'string' } }, HELP, { allowPositionals: true });
  if (positionals.length === 0) {
    console.error('preflight: give at least one dump FILE (see --help for the kubectl commands)');
    return 64;
  }
  const outdir = values.output !== undefined ? path.resolve(values.output) : path.join(root, 'dist');
  let cluster;
  let output;
  try {
    cluster = positionals.flatMap((f) => readObjects(path.resolve(f)));
    const manifests = fs.readdirSync(outdir).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (manifests.length === 0) throw new Error(`no manifests in ${shown(outdir)}/`);
    output = manifests.flatMap((f) => readObjects(path.join(outdir, f)));
  } catch (err) {
    console.error(`preflight: ${err.message}`);
    return 2;
  }
  const results = loadChecks().preflight(cluster, output);
  for (const r of results) console.log(`${r.pass ? 'PASS' : 'FAIL'} ${r.check}\n     ${r.detail}`);
  const failed = results.filter((r) => !r.pass).length;
  console.log(`${results.length - failed} of ${results.length} checks pass`);
  return failed ? 1 : 0;
}

process.exitCode = main();
