import { SynthesizedFile } from './synthesize';

/**
 * Kinds Kubernetes serves cluster-scoped (`group/Kind`, core group empty): those of Kubernetes
 * 1.25 (`kubectl api-resources --namespaced=false`), Argo's ClusterWorkflowTemplate and
 * Kubeflow's Profile. CRDs given as schema files add their own (`spec.scope: Cluster`).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass',
  'certificates.k8s.io/CertificateSigningRequest', 'policy/PodSecurityPolicy',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'argoproj.io/ClusterWorkflowTemplate', 'kubeflow.org/Profile',
]);

/** Options for {@link checkOutput}. */
export interface OutputCheckOptions {
  /**
   * An app with no objects is written (an empty Kustomization) instead of refused.
   * @default false
   */
  readonly allowEmpty?: boolean;
  /**
   * More cluster-scoped kinds (`group/Kind`), e.g. from CRD schema files.
   * @default - only CLUSTER_SCOPED_KINDS
   */
  readonly clusterScoped?: Iterable<string>;
}

/** `group/Kind` of an object (`/Kind` for the core group). */
export function groupKind(obj: any): string {
  const apiVersion = String(obj?.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  return `${slash < 0 ? '' : apiVersion.slice(0, slash)}/${obj?.kind}`;
}

/**
 * Checks the whole output before anything is written, and returns one line per problem:
 * - no objects at all (unless `allowEmpty`): writing would replace the output with nothing,
 *   and a GitOps tool with pruning would delete every object it deployed;
 * - two objects with the same API group, kind, namespace and name (kustomize refuses the
 *   directory: "may not add resource with an already registered id"; `kubectl apply` keeps the
 *   last one), named by both construct paths;
 * - two objects that would go to the same file (FILE_PER_RESOURCE; cdk8s overwrites silently);
 * - a cluster-scoped object with `metadata.namespace`;
 * - what the API server refuses whatever the kind: annotations over 256 KiB in all (apimachinery
 *   `ValidateAnnotationsSize`, `TotalAnnotationSizeLimitB`), an object over 1.5 MiB (etcd's
 *   default request limit, `--max-request-bytes`), and text a UTF-8 file cannot hold (a lone
 *   UTF-16 surrogate: kubectl and kustomize could not read the file).
 */
export function checkOutput(files: readonly SynthesizedFile[], options: OutputCheckOptions = {}): string[] {
  const problems: string[] = [];
  const scoped = new Set([...CLUSTER_SCOPED_KINDS, ...(options.clusterScoped ?? [])]);
  const objects = files.flatMap((f) => f.objects.map((obj, i) => ({ obj, file: f, i })));
  if (objects.length === 0 && !options.allowEmpty) {
    problems.push('the app has no objects to write. Fix: add constructs to a chart (is buildApp() returning the app it built?), or pass --allow-empty if an empty output is intended');
  }
  const seenFiles = new Map<string, SynthesizedFile>();
  for (const f of files) {
    const other = seenFiles.get(f.file);
    if (other) problems.push(`two objects would be written to the same file ${f.file}: [${other.paths.join(', ')}] and [${f.paths.join(', ')}]. Fix: give them different names or use another YamlOutputType`);
    seenFiles.set(f.file, f);
  }
  const seen = new Map<string, { file: SynthesizedFile; i: number }>();
  for (const { obj, file, i } of objects) {
    const gk = groupKind(obj);
    const ns = obj?.metadata?.namespace;
    const name = obj?.metadata?.name;
    const where = () => `[${file.paths[i] ?? 'unknown construct'}]`; // paths are worked out only for errors
    if (scoped.has(gk) && ns !== undefined) {
      problems.push(`${where()} ${obj.kind} ${name} is cluster-scoped but has metadata.namespace "${ns}". Fix: define it in a chart without a namespace, or remove the field (ApiObject.of(construct).addJsonPatch(JsonPatch.remove('/metadata/namespace')))`);
    }
    for (const problem of sizeProblems(obj)) problems.push(`${where()} ${obj?.kind} ${name}: ${problem}`);
    const key = `${gk} ${scoped.has(gk) ? '' : ns ?? ''}/${name}`;
    const first = seen.get(key);
    if (first) {
      const id = `${obj.kind} ${ns && !scoped.has(gk) ? `${ns}/` : ''}${name} (${obj.apiVersion})`;
      problems.push(`duplicate object ${id}: defined by [${first.file.paths[first.i] ?? 'unknown construct'}] and ${where()}. Fix: give one of them another name or namespace, or remove one`);
    } else {
      seen.set(key, { file, i });
    }
  }
  return problems;
}

/** The API server's limit on all annotations of an object together (keys and values, in bytes). */
const ANNOTATIONS_LIMIT = 256 * 1024;
/** etcd's default request limit, which bounds one object. */
const OBJECT_LIMIT = 1.5 * 1024 * 1024;

/** What the API server refuses in any object: too large annotations or object, text UTF-8 cannot hold. */
function sizeProblems(obj: any): string[] {
  const out: string[] = [];
  const annotations = obj?.metadata?.annotations ?? {};
  const size = Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (size > ANNOTATIONS_LIMIT) out.push(`its annotations take ${size} bytes, over the API server's ${ANNOTATIONS_LIMIT}. Fix: keep large data in a ConfigMap`);
  const json = JSON.stringify(obj);
  // JSON.stringify writes a lone surrogate as an escape (\udXXX), and only a lone one
  if (/(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F][0-9a-fA-F]{2}/.test(json)) out.push('holds a lone UTF-16 surrogate, which a UTF-8 file cannot carry. Fix: remove it');
  if (Buffer.byteLength(json) > OBJECT_LIMIT) out.push(`is ${Buffer.byteLength(json)} bytes, over etcd's ${OBJECT_LIMIT}-byte request limit. Fix: split it or move data out`);
  return out;
}
