import { App } from 'cdk8s';
import { Platform } from '../platform';
import { SynthesizedFile } from './synthesize';

/**
 * The upstream schema releases the app's output must match: the union over the platforms of
 * its constructs (e.g. `istio-1.9.6` for Platform.KUBEFLOW_1_4), or undefined when no construct
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

/**
 * The contents of synth-metadata.json (the plugin's `SYNTH_METADATA_FILE`): each object's construct path, keyed
 * `apiVersion kind namespace/name` (cdk8s' own construct-metadata.json is keyed by
 * `metadata.name` alone, which is ambiguous: five objects are called argo-server), and the
 * schema releases. The plugin reads it under `cdk8s synth` and removes it.
 */
export function synthMetadata(app: App, files: readonly SynthesizedFile[]): string {
  const objectPaths: Record<string, string> = {};
  for (const f of files) {
    f.objects.forEach((o: any, i) => {
      objectPaths[`${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`] = f.paths[i];
    });
  }
  return JSON.stringify({ objectPaths, schemaReleases: schemaReleases(app) }, null, 2) + '\n';
}
