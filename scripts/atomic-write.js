// Replaces a directory's contents in one step: files are written into a new directory beside
// the target, which then takes the target's place in two renames (the old one is put back if
// the second rename fails). Used by scripts/synth.js and scripts/helm.js.
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * @param {{file: string, text: string}[]} files paths relative to `outdir`
 * @param {string} outdir the directory to replace
 */
function writeAtomically(files, outdir) {
  const parent = path.dirname(outdir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}.new-`));
  try {
    const staged = path.join(tmp, 'out');
    fs.mkdirSync(staged);
    for (const f of files) {
      const target = path.join(staged, f.file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.text);
    }
    const old = path.join(tmp, 'old');
    const had = fs.existsSync(outdir);
    if (had) fs.renameSync(outdir, old);
    try {
      fs.renameSync(staged, outdir);
    } catch (err) {
      if (had) fs.renameSync(old, outdir);
      throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { writeAtomically };
