import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';

/** File written next to the manifests for the schema-validation plugin. */
export const OBJECT_PATHS_FILE = 'object-paths.json';

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

/** Writes {@link objectPaths} into `app.outdir` (the synth script removes it before publishing). */
export function writeObjectPaths(app: App): void {
  fs.writeFileSync(path.join(app.outdir, OBJECT_PATHS_FILE), JSON.stringify(objectPaths(app), null, 2) + '\n');
}
