import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { Platform } from '../platform';

/** File written next to the manifests for the schema-validation plugin (`cdk8s synth`). */
export const SYNTH_METADATA_FILE = 'synth-metadata.json';

/**
 * Maps each synthesized object (`apiVersion kind namespace/name`) to its construct path, so
 * validation errors can name the construct. cdk8s' own `construct-metadata.json` is keyed by
 * `metadata.name` alone, which is ambiguous here (five objects are called `argo-server`).
 */
export function objectPaths(app: App): Record<string, string> {
  const out: Record<string, string> = {};
  for (const chart of app.charts) {
    for (const obj of chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
      out[`${obj.apiVersion} ${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.name}`] = obj.node.path;
    }
  }
  return out;
}

/**
 * The upstream schema releases the app's output must match: the union over the platforms of
 * its constructs (e.g. `istio-1.9.6` for Platform.KFP_1_7), or undefined when no construct
 * has a platform (then any known release is accepted).
 */
export function schemaReleases(app: App): string[] | undefined {
  const releases = new Set<string>();
  for (const c of app.node.findAll()) {
    const platform = (c as { platform?: unknown }).platform;
    if (Platform.isPlatform(platform)) platform.schemaReleases.forEach((r) => releases.add(r));
  }
  return releases.size ? [...releases].sort() : undefined;
}

/** Writes object paths and schema releases into `app.outdir` for the cdk8s validation plugin. */
export function writeSynthMetadata(app: App): void {
  fs.writeFileSync(path.join(app.outdir, SYNTH_METADATA_FILE),
    JSON.stringify({ objectPaths: objectPaths(app), schemaReleases: schemaReleases(app) }, null, 2) + '\n');
}
