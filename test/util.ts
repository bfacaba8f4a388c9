import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';

/** A synthesized Kubernetes object. */
export type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

/** Builds a fresh chart, lets `build` add constructs to it, and returns the synthesized objects. */
export function synth(build: (chart: Chart) => void): Obj[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart) as Obj[];
}

/** The one object of `kind` (and `name`, if given); fails the test when there is not exactly one. */
export function one(objs: Obj[], kind: string, name?: string): Obj {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${kind}${name ? ` "${name}"` : ''}, found ${found.length}: ${objs.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found[0];
}

/** True when a kubectl client is on PATH (tests that need it skip otherwise). */
export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A directory's files (top level) as name → contents, sorted by name; {} when it is missing. */
export function readDir(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Runs cdk8s' own `app.synth()` into a scratch directory and returns the files it wrote. */
export function synthToDir(build: (outdir: string) => App): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-app-'));
  try {
    build(dir).synth();
    return readDir(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
