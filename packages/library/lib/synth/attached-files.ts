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

interface Attached extends AttachedFile {
  readonly scope: IConstruct;
}

/** Adds `file` to the output of the app `scope` belongs to. */
export function attachFile(scope: IConstruct, file: string, text: string): void {
  const root = scope.node.root as unknown as Record<symbol, Attached[] | undefined>;
  if (!root[ATTACHED]) Object.defineProperty(root, ATTACHED, { value: [] });
  root[ATTACHED]!.push({ file, text, path: scope.node.path, scope });
}

/**
 * Every file attached to the app by a construct that is still in it, in the order they were
 * attached: a construct refused after it attached a file (it removes itself, or its parent
 * does) leaves no file behind.
 */
export function attachedFiles(app: IConstruct): readonly AttachedFile[] {
  const all = (app as unknown as Record<symbol, Attached[] | undefined>)[ATTACHED] ?? [];
  return all.filter((a) => inTree(a.scope, app)).map(({ file, text, path }) => ({ file, text, path }));
}

/** True while `c` is still reachable from `root` (every ancestor still holds its child). */
function inTree(c: IConstruct, root: IConstruct): boolean {
  for (let node = c; node !== root; node = node.node.scope!) {
    const parent = node.node.scope;
    if (!parent || parent.node.tryFindChild(node.node.id) !== node) return false;
  }
  return true;
}
