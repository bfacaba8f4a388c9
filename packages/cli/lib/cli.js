// What the commands (kfa-synth, kfa-helm, kfa-preflight) share: reading arguments, showing paths,
// finding the app's project.
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');

/** A path as the user would write it: relative to the current directory when inside it. */
function shown(p) {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
}

/**
 * Parses `argv` with node:util parseArgs (strict; positional arguments only when
 * `allowPositionals`; `--help`/`-h` added).
 * Prints `help` and exits 0 on --help; on a bad command line prints `<command>: <what is wrong>`
 * and a pointer to --help, and exits 64.
 * @param {string} command name in messages, e.g. "synth"
 * @param {string[]} argv
 * @param {Record<string, {type: 'string'|'boolean', multiple?: boolean, short?: string}>} options
 * @param {string} help
 * @param {{allowPositionals?: boolean}} [opts]
 * @returns {{values: Record<string, any>, positionals: string[], usage: (message: string) => never}}
 */
function parseCommandLine(command, argv, options, help, opts = {}) {
  const usage = (message) => {
    console.error(`${command}: ${message}\nRun kfa-${command} --help for the usage.`);
    process.exit(64);
  };
  let values;
  let positionals;
  try {
    ({ values, positionals } = util.parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: Boolean(opts.allowPositionals) }));
  } catch (err) {
    // parseArgs names the option and what is wrong with it
    usage(err.message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option/, 'unknown option'));
  }
  if (values.help) {
    console.log(help);
    process.exit(0);
  }
  return { values, positionals, usage };
}

/**
 * The app's project, where the defaults (main.ts, dist/) and the synth cache live: `given`
 * (--project) if set, else the nearest directory at or above the current one that holds a
 * package.json (where `npm run` runs a script), else the current directory.
 * @param {string | undefined} given
 * @returns {string}
 */
function projectDir(given) {
  if (given !== undefined) return path.resolve(given);
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

module.exports = { shown, parseCommandLine, projectDir };
