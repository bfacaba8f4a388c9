#!/usr/bin/env node
// kfa-preflight (`npm run preflight -- [--output DIR] FILE...` in an app): checks a cluster's
// objects (a dump, see --help) against the app's output before it is applied. The cluster model is
// the package cdk8s-kubeflow-argo-preflight; this file reads the files and prints its results.
'use strict';
const fs = require('fs');
const path = require('path');
const { parseCommandLine, projectDir } = require('./cli');

const HELP = `usage: kfa-preflight [--output DIR] [--project DIR] FILE...
       (in an app: npm run preflight -- ...)

Checks, offline, whether the output (default: dist/ of the project) would work on a cluster,
from a dump of that cluster's objects. Take the dump with:

  kubectl get namespaces,serviceaccounts,networkpolicies,authorizationpolicies.security.istio.io,requestauthentications.security.istio.io,clusterroles,clusterrolebindings,roles,rolebindings -A -o json > cluster.json
  kubectl -n istio-system get configmap istio -o yaml > mesh.yaml
  kubectl -n istio-system get configmap oidc-authservice-parameters -o yaml > login.yaml   # Kubeflow 1.4-1.8 only

then: npm run preflight -- cluster.json mesh.yaml [login.yaml]

JSON (-o json) or YAML, up to 128 MB a file; YAML over 8 MB is read document by document and a
List item by item (as kubectl -o yaml writes it); JSON reads several times faster. Under npm run
the heap is held to 400 MiB.

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
  --project DIR  the app's project, where the default output is (default: the nearest directory
                 at or above the current one with a package.json, else the current one)

Paths are relative to the directory you run the command in (also under npm run).
Exit codes: 0 every check passes; 1 a check fails (also "cannot tell": the dump lacks what it
reads); 2 the input is unusable (a file that cannot be read, is not UTF-8 YAML of Kubernetes
objects, or a dump without Namespaces), one line naming the file and position; 3 an internal
error; 64 a bad command line.`;

/**
 * Where the user ran the command: `npm run preflight` runs it in the project root and keeps the
 * caller's directory in INIT_CWD; run directly (kfa-preflight), the current one.
 */
const base = process.env.npm_lifecycle_event === 'preflight' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();

function main() {
  const { values, positionals } = parseCommandLine('preflight', process.argv.slice(2), { output: { type: 'string' }, project: { type: 'string' } }, HELP, { allowPositionals: true });
  if (positionals.length === 0) {
    console.error('preflight: give at least one dump FILE (see --help for the kubectl commands)');
    return 64;
  }
  const outdir = values.output !== undefined ? path.resolve(base, values.output) : path.join(projectDir(values.project === undefined ? undefined : path.resolve(base, values.project)), 'dist');
  const checks = require('cdk8s-kubeflow-argo-preflight');
  let cluster;
  let output;
  try {
    cluster = positionals.flatMap((f) => checks.readDump(f, readFile(path.resolve(base, f), f)));
    checks.checkCluster(cluster);
    const manifests = readDir(outdir).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (manifests.length === 0) throw new checks.InputError(`${values.output ?? 'dist'}: holds no manifests (.yaml files)`);
    output = manifests.flatMap((f) => checks.readDump(path.join(values.output ?? 'dist', f), readFile(path.join(outdir, f), f)));
  } catch (err) {
    if (!(err instanceof checks.InputError)) throw err;
    console.error(`preflight: ${err.message}`);
    return 2;
  }
  const results = checks.preflight(cluster, output);
  for (const r of results) console.log(`${r.pass ? 'PASS' : 'FAIL'} ${r.check}\n     ${r.detail}`);
  const failed = results.filter((r) => !r.pass).length;
  console.log(`${results.length - failed} of ${results.length} checks pass`);
  return failed ? 1 : 0;

  function readFile(file, name) {
    try {
      return fs.readFileSync(file, 'utf8'); // one copy of a large dump in memory, not bytes and text
    } catch (err) {
      throw new checks.InputError(`${name}: cannot be read (${err.code || err.message})`);
    }
  }
  function readDir(dir) {
    try {
      return fs.readdirSync(dir);
    } catch (err) {
      throw new checks.InputError(`${values.output ?? 'dist'}: cannot be read (${err.code || err.message})`);
    }
  }
}

try {
  process.exitCode = main();
} catch (err) {
  // a defect of ours, not of the input: say so in one line, with the stack only on request
  console.error(`preflight: internal error: ${err && err.message ? err.message.split('\n')[0] : String(err)} (set PREFLIGHT_DEBUG=1 for the stack; please report it)`);
  if (process.env.PREFLIGHT_DEBUG) console.error(err && err.stack);
  process.exitCode = 3;
}
