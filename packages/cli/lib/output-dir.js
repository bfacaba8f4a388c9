// Replaces an output directory (dist/, a Helm chart folder) with new contents, safely:
//
// - Only earlier output is ever replaced. Each write records the files it wrote in RECORD_FILE
//   inside the directory; a directory is replaced only when it is missing, empty, or holds
//   nothing but what its record lists (plus the metadata files cdk8s leaves for validation
//   plugins). Anything else (`.git`, sources, another tool's files) refuses the write with the
//   first foreign entry named. A symlinked directory is written through: the link stays.
// - No window without output. New files go into a staging directory beside the target
//   (`.<name>.synth-<pid>-<random>/new`); the target is renamed into the staging directory
//   (`old`), and `new` renamed into its place. A run killed between the two renames leaves the
//   complete old output in `old`: the next run puts it back before it does anything else, and
//   removes every staging directory earlier runs left. A staging directory is proven ours before
//   it is touched (a marker file with its own name and random token, and nothing but new/old);
//   anything else named like one is left alone.
// - One writer at a time per directory: proper-lockfile's lock beside it (`.<name>.synth-lock`, a
//   directory); a lock left by a killed run is taken over once stale, and anything else named like
//   the lock is refused, never removed.
// - A file written into the output while the synth runs is never lost: found in the moved-aside
//   output, it puts everything back and refuses.
// - Errors are one line (OutputError): `kind` 'refused' (the directory is not earlier output, is
//   a mount point, is locked) or 'io' (disk full, read-only, permissions), and the target is
//   left as it was.
//
// Not done: fsync. A kill at any point is covered; a power loss depends on the file system
// keeping the order of renames (ext4 and xfs do for renames over existing names).
'use strict';
const fs = require('fs');
const path = require('path');
const { CONSTRUCT_METADATA_FILE, SYNTH_METADATA_FILE } = require('cdk8s-kubeflow-argo/plugins/schema-validation');
const lockfile = require('proper-lockfile');
const { shown } = require('./cli');

/** The record of what a write put in the directory (one relative path per line). */
const RECORD_FILE = '.synth-output';
/** Files cdk8s-cli and the synth command leave for validation plugins; may be replaced too. */
const PLUGIN_FILES = [CONSTRUCT_METADATA_FILE, SYNTH_METADATA_FILE];
/** How long to wait for another writer (KFA_SYNTH_LOCK_WAIT_MS shortens it in tests). */
const LOCK_WAIT_MS = Number(process.env.KFA_SYNTH_LOCK_WAIT_MS) || 120_000;
/**
 * When a lock counts as left by a killed run (its mtime older than this; proper-lockfile's minimum
 * is 2 s; KFA_SYNTH_LOCK_STALE_MS shortens it in tests). A writer holds the lock only while it
 * replaces the directory, well under a second.
 */
const LOCK_STALE_MS = Math.max(Number(process.env.KFA_SYNTH_LOCK_STALE_MS) || 10_000, 2000);

const REASONS = {
  ENOSPC: 'no space left on device', EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted',
  EDQUOT: 'disk quota exceeded', EIO: 'input/output error', ENAMETOOLONG: 'file name too long', EMFILE: 'too many open files',
  ENOTDIR: 'a path component is not a directory', EBUSY: 'resource busy', EXDEV: 'cross-device rename', ENOENT: 'no such file or directory',
  EEXIST: 'file exists', ELOOP: 'too many symbolic links',
};

/** A one-line failure: `kind` is 'refused' or 'io'. */
class OutputError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'OutputError';
    this.kind = kind;
  }
}

/** Runs `fn`; a file system error becomes an OutputError naming what was being done. */
function io(what, p, fn) {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OutputError || !err || !err.code) throw err;
    throw new OutputError('io', `cannot ${what} ${shown(p)}: ${REASONS[err.code] || err.message} (${err.code})`);
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Every staging directory holds this file, written before anything else: its text names the
 * directory and a random token that is also the end of the directory's name. Only a directory
 * with it (and nothing but `new`, `old` and it) is ever treated as a leftover of ours.
 */
const STAGING_MARKER = '.cdk8s-kubeflow-argo-staging';
function stagingMarker(name) {
  return `cdk8s-kubeflow-argo synth staging ${name}\n`;
}
/** True when `dir` (named `name`) is a staging directory a synth made. */
function isOurStaging(dir, name) {
  try {
    if (!fs.lstatSync(dir).isDirectory()) return false;
    if (fs.readFileSync(path.join(dir, STAGING_MARKER), 'utf8') !== stagingMarker(name)) return false;
    return fs.readdirSync(dir).every((e) => e === STAGING_MARKER || e === 'new' || e === 'old');
  } catch {
    return false;
  }
}

/**
 * Takes the directory's lock, waiting for a live writer; returns a function that releases it.
 * The lock is proper-lockfile's: a directory created atomically (mkdir), released when the
 * process exits, and taken over when its mtime is older than LOCK_STALE_MS (a run killed with
 * SIGKILL). Anything else named like the lock (a file, or a directory with content) is refused,
 * never removed.
 */
function lock(parent, base) {
  const file = path.join(parent, `.${base}.synth-lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    refuseForeignLock(file);
    try {
      const release = lockfile.lockSync(parent, { lockfilePath: file, realpath: false, stale: LOCK_STALE_MS });
      return () => { try { release(); } catch { /* released already */ } };
    } catch (err) {
      if (err.code !== 'ELOCKED') return io('create the lock', file, () => { throw err; });
    }
    if (Date.now() > deadline) {
      throw new OutputError('refused', `${shown(path.join(parent, base))}/ is being written by another synth (lock ${shown(file)}); try again when it has finished`);
    }
    sleep(50);
  }
}

/** Refuses an entry named like the lock that proper-lockfile would not have made: a file, or a directory with content. */
function refuseForeignLock(file) {
  let st;
  try { st = fs.lstatSync(file); } catch { return; }
  let foreign = !st.isDirectory();
  if (!foreign) {
    try { foreign = fs.readdirSync(file).length > 0; } catch { return; /* released meanwhile */ }
  }
  if (foreign) throw new OutputError('refused', `${shown(file)} is named like this synth's lock but was not written by it. Fix: remove it if it is yours to remove`);
}

/**
 * Puts back output an interrupted run left in a staging directory (when the target is missing),
 * and removes every staging directory of earlier runs. Call with the lock held.
 * @returns {string[]} what was done, for the user
 */
function recover(parent, base, target) {
  const notes = [];
  let listing;
  try { listing = fs.readdirSync(parent, { withFileTypes: true }); } catch { return notes; }
  for (const e of listing) {
    const left = leftover(e.name, base);
    if (!left || left.kind !== 'staging' || !e.isDirectory()) continue;
    const staging = path.join(parent, e.name);
    if (!isOurStaging(staging, e.name)) continue; // named like ours, but not proven ours: left alone
    const old = path.join(staging, 'old');
    if (!fs.existsSync(target) && fs.existsSync(old)) {
      io('restore', target, () => fs.renameSync(old, target));
      notes.push(`restored ${shown(target)}/ from an interrupted run (${e.name})`);
    } else if (fs.existsSync(old)) {
      const kept = io('remove the old output in', old, () => discardOld(old, parent, base));
      if (kept) notes.push(kept);
    }
    io('remove the leftover', staging, () => fs.rmSync(staging, { recursive: true, force: true }));
    notes.push(`removed ${shown(staging)} left by an interrupted run`);
  }
  return notes;
}

/**
 * What an entry beside the output `base` is, when a synth made it: a staging directory
 * (`.<base>.synth-<pid>-<random>`, or `.<base>.new-*` of older versions), or the lock.
 */
function leftover(name, base) {
  const lockFile = `.${base}.synth-lock`;
  if (name === lockFile) return { kind: 'lock' };
  if (name.startsWith(`${lockFile}.`)) return undefined;
  if (name.startsWith(`.${base}.synth-`)) return { kind: 'staging' };
  return undefined;
}

/** Relative paths of every entry under `dir` (directories too), sorted, without following links. */
function entries(dir, prefix = '') {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      return e.isDirectory() ? [{ rel, type: 'dir' }, ...entries(dir, rel)] : [{ rel, type: e.isFile() ? 'file' : 'other' }];
    });
}

/** The files a directory's record lists, or undefined when it has none. */
function readRecord(dir) {
  let text;
  try { text = fs.readFileSync(path.join(dir, RECORD_FILE), 'utf8'); } catch { return undefined; }
  return text.split('\n').filter((l) => l && !l.startsWith('#'));
}

/**
 * Why `dir` may not be replaced (one line), or undefined when it holds only earlier output.
 */
function foreignContent(dir) {
  const all = io('read', dir, () => entries(dir));
  if (all.length === 0) return undefined;
  const record = readRecord(dir);
  if (!record) {
    // what an older synth or cdk8s synth leaves: manifests, a Kustomization, plugin metadata
    const isManifest = (e) => e.type === 'file' && /(\.ya?ml|Kustomization|metadata\.json)$/.test(e.rel);
    if (all.every((e) => e.type === 'dir' || isManifest(e))) {
      return `it has no ${RECORD_FILE} record of what a synth wrote there (first entry: "${all[0].rel}"). Fix: if it holds only the output of an older synth or of cdk8s synth, delete it once (rm -r ${shown(dir)}) and run again; otherwise choose another --outdir`;
    }
    // name the top-level entry that holds something else (".git", not ".git/HEAD")
    const top = all.filter((e) => !e.rel.includes('/'));
    const first = top.find((e) => (e.type === 'dir' ? all.some((d) => d.rel.startsWith(`${e.rel}/`) && d.type !== 'dir' && !isManifest(d)) : !isManifest(e))) || top[0];
    return `it holds "${first.rel}", which no synth wrote (there is no ${RECORD_FILE} record). Fix: choose a new or empty --outdir, or move "${first.rel}" out of it`;
  }
  const files = new Set([...record, RECORD_FILE, ...PLUGIN_FILES]);
  const dirs = new Set(record.flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const foreign = all.find((e) => (e.type === 'dir' ? !dirs.has(e.rel) : e.type !== 'file' || !files.has(e.rel)));
  if (!foreign) return undefined;
  return `it holds "${foreign.rel}", which the synth that wrote it did not write (see ${RECORD_FILE}). Fix: move "${foreign.rel}" out of it, or choose another --outdir`;
}

/** A new staging directory beside the output, its marker written before anything else. */
function createStaging(parent, base) {
  return io('create a staging directory in', parent, () => {
    const dir = fs.mkdtempSync(path.join(parent, `.${base}.synth-${process.pid}-`));
    try {
      fs.writeFileSync(path.join(dir, STAGING_MARKER), stagingMarker(path.basename(dir)));
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true }); // e.g. ENOSPC: never leave one that cannot be proven ours
      throw err;
    }
    return dir;
  });
}

/** Writes the files and their record into `fresh` (then options.afterWrite). */
function writeNew(fresh, files, options) {
  fault('write');
  fs.mkdirSync(fresh);
  for (const f of files) {
    const p = path.join(fresh, ...f.file.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, f.text);
  }
  fs.writeFileSync(path.join(fresh, RECORD_FILE), recordText(files, options.writer));
  if (options.afterWrite) options.afterWrite(fresh);
}

/**
 * Removes the old output once the new one is in place, entry by entry: the files its record
 * lists (and the record and plugin files), then its directories with rmdir, which fails on one
 * that is not empty. Whatever else it came to hold stays: a process whose working directory (or
 * open directory) was the old output can still write into it after the swap, where no path
 * reaches it. The old directory is then kept beside the output, under a name no synth touches.
 * @returns {string | undefined} a note saying where, when something was kept
 */
function discardOld(old, parent, base) {
  const record = readRecord(old) || [];
  const dirs = new Set(record.flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const isRealDir = (rel) => { try { return fs.lstatSync(path.join(old, ...rel.split('/'))).isDirectory(); } catch { return false; } };
  for (const f of new Set([...record, RECORD_FILE, ...PLUGIN_FILES])) {
    const parts = f.split('/');
    // never through a link that replaced one of our directories: it would delete outside
    if (!parts.slice(0, -1).every((_, i) => isRealDir(parts.slice(0, i + 1).join('/')))) continue;
    const p = path.join(old, ...parts);
    let st;
    try { st = fs.lstatSync(p); } catch { continue; }
    if (st.isFile()) fs.unlinkSync(p);
  }
  let kept = false;
  const deepestFirst = [...dirs].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : 1));
  for (const d of [...deepestFirst, '']) {
    try {
      fs.rmdirSync(path.join(old, ...d.split('/').filter(Boolean)));
    } catch (err) {
      if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST' || err.code === 'ENOTDIR') kept = true;
      else if (err.code !== 'ENOENT') throw err;
    }
  }
  if (!kept) return undefined;
  const keep = path.join(parent, `${base}.kept-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  fs.renameSync(old, keep);
  return `something was written into the old ${base}/ after the new output replaced it (by a process working inside it); what no synth wrote is kept in ${shown(keep)}/`;
}

function isSymlink(p) {
  try { return fs.lstatSync(p).isSymbolicLink(); } catch { return false; }
}

/** The directory the output really lives in (a symlink's target), its parent and its name. */
function locate(outdir) {
  let target = outdir;
  try {
    if (fs.lstatSync(outdir).isSymbolicLink()) target = fs.realpathSync(outdir);
  } catch { /* missing, or a dangling link: replaceOutput reports it */ }
  return { target, parent: path.dirname(target), base: path.basename(target) };
}

/**
 * What a run does before anything else: when interrupted runs left staging directories beside
 * `outdir`, puts the old output back (if `outdir` is missing) and removes them, under the lock.
 * @returns {string[]} what was done, for the user
 */
function recoverInterrupted(outdir) {
  const { target, parent, base } = locate(outdir);
  if (target === path.parse(target).root) return []; // replaceOutput refuses the root; nothing beside it is ours
  let names;
  try { names = fs.readdirSync(parent); } catch { return []; }
  if (!names.some((n) => { const left = leftover(n, base); return left && left.kind !== 'lock'; })) return [];
  const unlock = lock(parent, base);
  try {
    return recover(parent, base, target);
  } finally {
    unlock();
  }
}

/**
 * Replaces `outdir` with `files` (see the header).
 * @param {string} outdir absolute path
 * @param {{file: string, text: string}[]} files paths relative to outdir, `/`-separated
 * @param {{afterWrite?: (dir: string) => void, writer?: string}} [options] afterWrite runs on the
 *   staged new directory before it is swapped in; writer names the command in the record
 * @returns {{notes: string[]}} recovery notes
 */
function replaceOutput(outdir, files, options = {}) {
  const { target, parent, base } = locate(outdir);
  let st;
  try { st = fs.statSync(target); } catch (err) { if (err.code !== 'ENOENT') io('inspect', outdir, () => { throw err; }); }
  if (!st && target === outdir && isSymlink(outdir)) {
    throw new OutputError('refused', `${shown(outdir)} is a symbolic link to a missing directory (${fs.readlinkSync(outdir)}). Fix: create that directory or remove the link`);
  }
  if (st && !st.isDirectory()) {
    throw new OutputError('refused', `${shown(outdir)} is a file, not a directory. Fix: choose another --outdir or move the file`);
  }
  if (target === path.parse(target).root) {
    throw new OutputError('refused', `${shown(outdir)} is the root of the file system. Fix: choose a directory for the output`);
  }
  io('create the parent directory', parent, () => fs.mkdirSync(parent, { recursive: true }));
  const unlock = lock(parent, base);
  try {
    const notes = recover(parent, base, target);
    const exists = fs.existsSync(target);
    if (exists) {
      const why = foreignContent(target);
      if (why) throw new OutputError('refused', `refusing to replace ${shown(outdir)}/: ${why}`);
      if (fs.statSync(target).dev !== fs.statSync(parent).dev) {
        throw new OutputError('refused', `${shown(outdir)}/ is a mount point, which cannot be swapped in one step. Fix: use a directory inside it as --outdir`);
      }
    }
    const staging = createStaging(parent, base);
    try {
      const fresh = path.join(staging, 'new');
      io('write the new output into', fresh, () => writeNew(fresh, files, options));
      const old = path.join(staging, 'old');
      race(target);
      if (exists) io('move aside', target, () => fs.renameSync(target, old));
      // a file written into the output since the check above moved aside with it: put it all back
      const late = exists ? foreignContent(old) : undefined;
      if (late) {
        io('put back', target, () => fs.renameSync(old, target));
        throw new OutputError('refused', `refusing to replace ${shown(outdir)}/: while the synth ran, ${late.replace(/^it holds/, 'it came to hold')}; nothing was replaced`);
      }
      fault('after-first-rename');
      try {
        io('move the new output to', target, () => { fault('second-rename'); fs.renameSync(fresh, target); });
        fault('after-swap');
      } catch (err) {
        if (exists) {
          try {
            fs.renameSync(old, target);
          } catch {
            throw new OutputError('io', `${err.message}; the old output is in ${shown(old)} and the next synth puts it back`);
          }
        }
        throw err;
      }
    } finally {
      const old = path.join(staging, 'old');
      if (fs.existsSync(staging) && (fs.existsSync(target) || !fs.existsSync(old))) {
        raceOld(old);
        const kept = fs.existsSync(old) ? io('remove the old output in', old, () => discardOld(old, parent, base)) : undefined;
        if (kept) notes.push(kept);
        fs.rmSync(staging, { recursive: true, force: true });
      }
    }
    return { notes };
  } finally {
    unlock();
  }
}

function recordText(files, writer = 'the cdk8s-kubeflow-argo synth command') {
  return [
    `# Written by ${writer}: the files it wrote here. It replaces this`,
    '# directory only while it holds nothing else (see docs/synth.md, "Synth").',
    ...files.map((f) => f.file).sort(),
    '',
  ].join('\n');
}

/**
 * Test hook: KFA_SYNTH_FAULT=<point> makes the write fail at that point, as a kill (SIGKILL,
 * for `after-first-rename`) or an error with that code (`write:ENOSPC`, `second-rename:EXDEV`).
 */
/** Test hook: KFA_SYNTH_RACE=<relative path> writes that file into the output just before it is moved aside, as a user might. */
function race(target) {
  const file = process.env.KFA_SYNTH_RACE;
  if (file && fs.existsSync(target)) fs.writeFileSync(path.join(target, file), 'written by the user during the synth\n');
}

/** Test hook: KFA_SYNTH_RACE_OLD=<relative path> writes that file into the old output after the swap, as a process working inside it might. */
function raceOld(old) {
  const file = process.env.KFA_SYNTH_RACE_OLD;
  if (file && fs.existsSync(old)) {
    fs.mkdirSync(path.dirname(path.join(old, file)), { recursive: true });
    fs.writeFileSync(path.join(old, file), 'written by the user during the synth\n');
  }
}

function fault(point) {
  const spec = process.env.KFA_SYNTH_FAULT;
  if (!spec) return;
  const [at, code] = spec.split(':');
  if (at !== point) return;
  if (!code) process.kill(process.pid, 'SIGKILL');
  throw Object.assign(new Error(`injected ${code}`), { code });
}

module.exports = { replaceOutput, recoverInterrupted, OutputError, RECORD_FILE, recordText };
