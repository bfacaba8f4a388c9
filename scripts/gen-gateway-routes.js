#!/usr/bin/env node
// Generates imports/kubeflow-gateway-routes.json: per Kubeflow release, every URI prefix (and
// exact path) the release's own VirtualServices route (on the Kubeflow gateway once its overlays
// are applied), with the file that routes it. The
// constructs refuse a base href or webhook prefix that overlaps one of them
// (lib/gateway/kubeflow-routes.ts): Istio merges the VirtualServices of one gateway in no
// guaranteed order, so an overlap takes one of the two routes.
//
// The whole release is read from a clone of github.com/kubeflow/manifests
// (KUBEFLOW_MANIFESTS_GIT=<its git dir>) at the commit each tag is pinned to below (checked
// against the clone): every app, contrib and experimental included (Jupyter, Katib, KServe's web
// app, the model registry, …), since a site may install any of them. ../shared/upstream holds a
// subset of each release (Dex, oauth2-proxy, KFP, kfam, the central dashboard); with `--check
// FILE` and no clone, the script reads that subset and fails unless FILE routes every prefix it
// finds there (what CI can check; test/slow/imports.test.ts).
// Regenerated with imports/, never edited by hand.
//   KUBEFLOW_MANIFESTS_GIT=/path/to/manifests.git node scripts/gen-gateway-routes.js [OUTFILE]
//   node scripts/gen-gateway-routes.js --check imports/kubeflow-gateway-routes.json
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { parseAllDocuments } = require('yaml');
const { root, upstream, KUBEFLOW_RELEASES: RELEASES, KUBEFLOW_COMMITS } = require('./kubeflow-manifests');

/**
 * Every `uri.prefix` / `uri.exact` of a VirtualService in one file's text, whatever gateway its
 * file names: overlays move apps onto the Kubeflow gateway with patches (e.g. the KServe models
 * web app, v1.11.0 `applications/kserve/models-web-app/overlays/kubeflow/patches/web-app-vsvc.yaml`),
 * so the file's own `gateways` does not tell.
 */
function routesIn(text) {
  if (!text.includes('VirtualService')) return [];
  const found = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) continue; // Helm templates and fragments that are not YAML on their own
    const o = doc.toJS();
    if (!o || o.kind !== 'VirtualService' || !o.spec) continue;
    for (const h of o.spec.http || []) {
      for (const m of h.match || []) {
        const p = m.uri && (m.uri.prefix || m.uri.exact);
        if (typeof p === 'string') found.push(p);
      }
    }
  }
  return found;
}

/** [relative path, text] of every YAML file of the release at its pinned commit in the clone. */
function* gitFiles(gitDir, tag) {
  const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const commit = git('rev-parse', `${tag}^{commit}`).trim();
  if (commit !== KUBEFLOW_COMMITS[tag]) throw new Error(`${gitDir}: tag ${tag} is ${commit}, expected ${KUBEFLOW_COMMITS[tag]}`);
  const files = git('ls-tree', '-r', '--name-only', commit).split('\n').filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const f of files) {
    if (/(^|\/)tests?\//.test(f) || f.startsWith('.github/')) continue; // CI fixtures, not installable
    const text = git('show', `${commit}:${f}`);
    if (text.includes('VirtualService')) yield [f, text];
  }
}

/** [relative path, text] of every YAML file of the release's copy in ../shared/upstream. */
function* copyFiles(tag) {
  const dir = path.join(upstream, 'kubeflow-manifests', tag);
  if (!fs.existsSync(dir)) throw new Error(`no kubeflow/manifests ${tag} under ${upstream}`);
  const walk = function* (d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) yield* walk(p);
      else if (/\.ya?ml$/.test(e.name)) yield [path.relative(dir, p).split(path.sep).join('/'), fs.readFileSync(p, 'utf8')];
    }
  };
  yield* walk(dir);
}

function routesOf(files) {
  const routes = new Map();
  for (const [file, text] of files) {
    for (const p of routesIn(text)) if (!routes.has(p)) routes.set(p, file);
  }
  return Object.fromEntries([...routes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function main(argv) {
  const gitDir = process.env.KUBEFLOW_MANIFESTS_GIT;
  if (argv[0] === '--check') {
    const committed = JSON.parse(fs.readFileSync(argv[1], 'utf8'));
    const missing = [];
    for (const tag of RELEASES) {
      for (const [p, file] of Object.entries(routesOf(copyFiles(tag)))) {
        if (!committed[tag] || !(p in committed[tag])) missing.push(`${tag} ${p} (${file})`);
      }
    }
    if (missing.length) throw new Error(`${argv[1]} lacks routes the releases' copies have: ${missing.join(', ')}; regenerate it with KUBEFLOW_MANIFESTS_GIT set`);
    console.log(`${argv[1]}: routes every prefix of the ${RELEASES.length} releases' copies`);
    return;
  }
  if (!gitDir) throw new Error('set KUBEFLOW_MANIFESTS_GIT to a clone of github.com/kubeflow/manifests (a git dir with its tags); the copies in ../shared hold only part of each release');
  const out = path.resolve(argv[0] || path.join(root, 'packages', 'library', 'imports', 'kubeflow-gateway-routes.json'));
  const result = {};
  for (const tag of RELEASES) result[tag] = routesOf(gitFiles(gitDir, tag));
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${RELEASES.length} releases)`);
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(`gen-gateway-routes: ${e.message}`);
  process.exit(1);
}
