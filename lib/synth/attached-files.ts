import { IConstruct } from 'constructs';

/**
 * Files a construct adds to the output directory beside the manifests, e.g. the kustomize
 * Component of Kubeflow-side patches in `kubeflow-patches/`. They are not Kubernetes objects for
 * this cluster's `kubectl apply -f dist/` (which reads only the top-level .yaml files), so they are
 * not ApiObjects: the synth command (lib/synth/synthesize.ts) writes them, `app.synth()` does not.
 */
export interface AttachedFile {
  /** Path relative to the output directory, with at least one folder (`kubeflow-patches/kustomization.yaml`). */
  readonly file: string;
  /** The file's text. */
  readonly text: string;
  /** Construct path of the construct that attached it (for error reports). */
  readonly path: string;
}

const ATTACHED = Symbol.for('cdk8s-kubeflow-argo.attached-files');

/** Adds `file` to the output of the app `scope` belongs to. */
export function attachFile(scope: IConstruct, file: string, text: string): void {
  const root = scope.node.root as unknown as Record<symbol, AttachedFile[] | undefined>;
  if (!root[ATTACHED]) Object.defineProperty(root, ATTACHED, { value: [] });
  root[ATTACHED]!.push({ file, text, path: scope.node.path });
}

/** Every file attached to the app, in the order the constructs attached them. */
export function attachedFiles(app: IConstruct): readonly AttachedFile[] {
  return (app as unknown as Record<symbol, AttachedFile[] | undefined>)[ATTACHED] ?? [];
}
