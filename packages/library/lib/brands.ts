/**
 * Brand checks instead of `instanceof`: an app can hold two copies of this package (a library
 * that depends on it plus the app's own), and an object made by one copy is not an `instanceof`
 * the other's class. A brand is a non-enumerable property under a global symbol, so every copy
 * recognises it.
 */
export type Brand = 'Platform' | 'ArgoServer' | 'EventBus' | 'EventSource' | 'EventField' | 'ArgoEventsRbac' | 'WorkflowTemplate' | 'KubeflowPatches' | 'ProfileSsoAccess' | 'KubeflowArgoChart';

const symbols = new Map<Brand, symbol>();
function symbolOf(name: Brand): symbol {
  let s = symbols.get(name);
  if (!s) symbols.set(name, s = Symbol.for(`cdk8s-kubeflow-argo.${name}`));
  return s;
}

/** Marks `obj` as a `name` of this library. */
export function brand(obj: object, name: Brand): void {
  Object.defineProperty(obj, symbolOf(name), { value: true });
}

/** True when `x` was marked as a `name` by any copy of this library. */
export function hasBrand(x: unknown, name: Brand): boolean {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && (x as Record<symbol, unknown>)[symbolOf(name)] === true;
}
