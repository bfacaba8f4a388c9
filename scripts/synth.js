#!/usr/bin/env node
// `npm run synth`: synthesize the default app into dist/ without ever losing dist/.
//
// `cdk8s synth` deletes its output directory *before* it runs the app, so a failing app
// (or a failing validation) would leave no dist/ — and a GitOps tool that prunes would then
// delete the whole deployment. Here cdk8s writes to a fresh temporary directory next to
// dist/, and dist/ is replaced (two renames) only when cdk8s exits 0. On any failure dist/
// stays byte-identical and the exit code is non-zero.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const outName = process.env.SYNTH_OUTDIR || 'dist';
const outdir = path.resolve(root, outName);
const cli = path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

function main() {
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(outdir), `.${path.basename(outdir)}.new-`));
  const staged = path.join(tmp, 'out');
  try {
    const res = spawnSync(process.execPath, [cli, 'synth', '--output', staged, ...process.argv.slice(2)], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    if (res.error) throw res.error;
    if (res.status !== 0) {
      console.error(`synth failed (exit ${res.status ?? res.signal}); ${path.relative(root, outdir) || outdir}/ left unchanged`);
      return res.status || 1;
    }
    // cdk8s leaves construct metadata for validation reports; it is not a manifest.
    for (const f of ['construct-metadata.json', 'object-paths.json']) fs.rmSync(path.join(staged, f), { force: true });
    swap(staged, outdir, tmp);
    console.log(`wrote ${path.relative(root, outdir) || outdir}/`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Replaces `target` with `staged`; puts the old `target` back if the second rename fails. */
function swap(staged, target, tmp) {
  const old = path.join(tmp, 'old');
  const had = fs.existsSync(target);
  if (had) fs.renameSync(target, old);
  try {
    fs.renameSync(staged, target);
  } catch (err) {
    if (had) fs.renameSync(old, target);
    throw err;
  }
}

process.exitCode = main();
