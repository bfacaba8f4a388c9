import { ApiObject, App, Chart, DependencyGraph, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { attachedFiles } from './attached-files';
import { stringifyDocuments } from './yaml';

/** One output file of a synthesized app. */
export interface SynthesizedFile {
  /** File name relative to the output directory, e.g. `kubeflow-argo.k8s.yaml` or `chart/Kind.name.k8s.yaml`. */
  readonly file: string;
  /** The objects in the file, in order. */
  readonly objects: readonly any[];
  /** The construct path of each object, in the same order (worked out on first use). */
  readonly paths: readonly string[];
  /** The file's contents. */
  readonly text: string;
  /** A file a construct attached beside the manifests (lib/synth/attached-files.ts), not a manifest. */
  readonly attached?: boolean;
}

/**
 * Synthesizes an app in memory: the files `app.synth()` of cdk8s 2.x writes (same names, same
 * order of objects; the text is `lib/synth/yaml.ts`, cdk8s' own YAML except where Kubernetes
 * would misread it), plus each file's objects and their construct paths, so a caller can check
 * everything before anything touches the disk. Nothing is written.
 *
 * Every `YamlOutputType`, several charts, nested charts and charts of other libraries (other
 * copies of cdk8s included: kinds are recognised by cdk8s' own `isChart`/`isApiObject` brands)
 * are handled as `App.synth()` handles them (cdk8s `lib/app.js`): charts in dependency order,
 * file names numbered `0000-` when any chart depends on another, objects in dependency order
 * within their closest chart. `test/everyday/synthesize.test.ts` compares the result with `app.synth()`.
 * cdk8s' `construct-metadata.json` is not produced: construct paths are in `paths`. Files that
 * constructs attach (`attachFile`, e.g. `kubeflow-patches/`) follow the manifests, without objects.
 */
export function synthesizeApp(app: App): SynthesizedFile[] {
  // files constructs attach beside the manifests (lib/synth/attached-files.ts), after them
  const attached = attachedFiles(app).map((a): SynthesizedFile => ({ file: a.file, objects: [], paths: [], text: a.text, attached: true }));
  return [...manifestFiles(app), ...attached];
}

/** The manifest files `app.synth()` writes. */
function manifestFiles(app: App): SynthesizedFile[] {
  if (app.charts.length === 0) return [];
  // The first toJson() prepares the whole app as App.synth() does: it resolves the dependencies
  // between charts (which reorders app.charts) and runs every construct's validation.
  const first = app.charts[0];
  const firstJson = first.toJson();
  const charts = app.charts;
  const perChart = charts.map((chart) => {
    const objects = chart === first ? firstJson : chart.toJson();
    let paths: string[] | undefined; // only error reports need them: computed on first use
    return { chart, objects, paths: () => (paths ??= apiObjectsOf(chart).map((o) => o.node.path)) };
  });
  const ext = app.outputFileExtension;
  const numbered = charts.some((c) => c.node.dependencies.some((d) => Chart.isChart(d)));
  const chartName = (chart: Chart, i: number) => `${numbered ? `${String(i).padStart(4, '0')}-` : ''}${Names.toDnsLabel(chart)}`;
  const file = (name: string, objects: any[], paths: () => string[]): SynthesizedFile => ({
    file: name, objects, text: stringifyDocuments(objects), get paths() { return paths(); },
  });

  switch (app.yamlOutputType) {
    case YamlOutputType.FILE_PER_APP:
      return [file(`app${ext}`, perChart.flatMap((c) => c.objects), () => perChart.flatMap((c) => c.paths()))];
    case YamlOutputType.FILE_PER_CHART:
      return perChart.map((c, i) => file(`${chartName(c.chart, i)}${ext}`, c.objects, c.paths));
    case YamlOutputType.FILE_PER_RESOURCE:
      return perChart.flatMap((c) => c.objects.map((o, j) => file(`${resourceFileName(o)}${ext}`, [o], () => [c.paths()[j]])));
    case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE:
      return perChart.flatMap((c, i) => c.objects.map((o, j) => file(`${chartName(c.chart, i)}/${resourceFileName(o)}${ext}`, [o], () => [c.paths()[j]])));
    default:
      return []; // App.synth() writes nothing for an output type it does not know
  }
}

/** cdk8s' file name for one object (`Kind.name`, characters outside its set dropped). */
function resourceFileName(obj: any): string {
  // the same expression as cdk8s lib/app.js, including its `Z-_` range
  return `${obj.kind}.${obj.metadata?.name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}

/** The ApiObjects whose closest chart is `chart`, in the order `chart.toJson()` emits them. */
function apiObjectsOf(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((c: IConstruct): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === chart);
}
