import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Names, Yaml, YamlOutputType } from 'cdk8s';
import { stringifyDocuments } from './yaml';

/** One output file of a synthesized app. */
export interface SynthesizedFile {
  /** File name relative to the output directory, e.g. `kubeflow-argo.k8s.yaml`. */
  readonly file: string;
  /** The objects in the file, in order. */
  readonly objects: readonly any[];
  /** The file's contents. */
  readonly text: string;
}

/**
 * Synthesizes an app in memory: the same files `app.synth()` writes, plus the objects in them,
 * so a caller can validate before anything touches the disk (and without parsing YAML back).
 *
 * The common case (file per chart, one chart) takes the fast path: one `chart.toJson()` and
 * the direct YAML writer. Anything else (several charts, which cdk8s may order and number by
 * dependency, other output types) is synthesized by cdk8s itself into a scratch directory and
 * read back, so the result always equals `app.synth()`.
 */
export function synthesizeApp(app: App): SynthesizedFile[] {
  const charts = app.charts;
  const simple = app.yamlOutputType === YamlOutputType.FILE_PER_CHART && charts.length === 1
    && !charts[0].node.findAll().some((c) => c !== charts[0] && c instanceof Chart);
  if (!simple) return synthesizeWithCdk8s(app);
  const chart = charts[0];
  const objects = chart.toJson();
  return [{ file: `${Names.toDnsLabel(chart)}${app.outputFileExtension}`, objects, text: stringifyDocuments(objects) }];
}

function synthesizeWithCdk8s(app: App): SynthesizedFile[] {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-synth-'));
  // App.synth() only writes to app.outdir; point it at the scratch directory for this call.
  const outdir = (app as { outdir: string }).outdir;
  try {
    (app as { outdir: string }).outdir = scratch;
    app.synth();
    return listFiles(scratch).map((file) => {
      const text = fs.readFileSync(path.join(scratch, file), 'utf8');
      return { file, text, objects: Yaml.load(path.join(scratch, file)).filter((o) => o !== null && o !== undefined) };
    });
  } finally {
    (app as { outdir: string }).outdir = outdir;
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]).sort();
}
