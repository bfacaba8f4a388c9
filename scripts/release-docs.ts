// The release tables of README.md and docs/platforms.md, derived from the release record
// (lib/platform.ts): written by `npm run docs` (scripts/gen-release-docs.js) between the
// markers `<!-- release-table:NAME -->` and `<!-- /release-table:NAME -->`; test/slow/docs.test.ts
// fails when a committed table is stale. Adding a release changes these tables, never by hand.
import { Platform } from '../packages/library/lib';
import { standaloneKfpLines } from '../packages/library/lib/platform';

/** The version in an image reference, e.g. `v3.3.10` from `…/workflow-controller:v3.3.10-license-compliance`. */
const imageVersion = (image: string) => /:(v\d+\.\d+\.\d+)/.exec(image)?.[1] ?? image;
const minor = (version: string) => version.split('.').slice(0, 2).join('.');
const apiVersion = (group: string) => group.split('/')[1];

function presetName(p: Platform): string {
  const marks = [p === Platform.DEFAULT ? 'default' : '', p === Platform.LATEST ? 'latest' : ''].filter(Boolean);
  return `\`${p.id}\`${marks.length ? ` (${marks.join(', ')})` : ''}`;
}

/** The login proxy in front of the gateway. */
const loginProxy = (p: Platform) => ('notPaths' in p.spec.kubeflow.skipAuth ? 'oauth2-proxy' : 'oidc-authservice');

/** The login proxy, with what oidc-authservice's skip list is read from. */
function login(p: Platform): string {
  const skip = p.spec.kubeflow.skipAuth;
  return 'notPaths' in skip ? loginProxy(p) : `${loginProxy(p)} (\`${skip.variable}\`, StatefulSet \`${skip.statefulSet}\`)`;
}

function podSecurity(p: Platform): string {
  const { kubeflow, profiles } = p.spec.kubeflow.podSecurity;
  if (!kubeflow && !profiles) return 'none set';
  return [kubeflow && `\`kubeflow\`: ${kubeflow}`, profiles && `profiles: ${profiles}`].filter(Boolean).join(', ');
}

const events = (p: Platform) => p.spec.argoEvents.release.replace('argo-events-', '');

/** The README's table: what each preset pairs with, one row per Kubeflow release. */
export function renderReadmeTable(): string {
  const rows = Platform.ALL.map((p) => {
    const { kubeflow: kf, argoWorkflows: argo, istio } = p.spec;
    return `| ${presetName(p)} | ${kf.release} | ${kf.kfp} | ${imageVersion(argo.image)} | ${minor(istio.version)} | ${loginProxy(p)} | ${events(p)} |`;
  });
  return [
    '| Preset | kubeflow/manifests | KFP | argo-server | Istio | Login | Argo Events |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** docs/platforms.md's table: everything a preset pins and emits, one row per Kubeflow release. */
export function renderPresetTable(): string {
  const rows = Platform.ALL.map((p) => {
    const { kubeflow: kf, argoWorkflows: argo, istio } = p.spec;
    const server = [`${imageVersion(argo.image)} (${argo.line.name})`, `\`${argo.baseHrefEnv}\``, `RBAC from \`${argo.rbacFolder}\``].join('; ');
    const route = kf.authorizationUpstream ? '; the route removes the `Authorization` header' : '';
    const policy = kf.restrictedNamespaces.length ? `ingress gateway → argo-server:2746 in ${kf.restrictedNamespaces.map((n) => `\`${n}\``).join(', ')}` : 'none';
    return `| ${presetName(p)} | ${kf.release} | ${kf.kfp} (${imageVersion(argo.controller)}) | ${server} | ${istio.version} (\`${apiVersion(istio.networking)}\`/\`${apiVersion(istio.security)}\`) | ${login(p)}${route} | ${policy} | ${podSecurity(p)} | ${kf.editRoleHasArgo ? 'view' : 'edit + view'} | ${events(p)} (${p.spec.argoEvents.controllers}) |`;
  });
  return [
    '| Preset | kubeflow/manifests | KFP (workflow-controller) | argo-server (line enforced); base href variable; upstream RBAC folder | Istio (networking/security APIs emitted) | Login; what the `/argo/` route does | NetworkPolicy emitted | Pod Security the release enforces | Roles added with `kubeflowRoles` | Argo Events (controllers) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** docs/platforms.md's table of standalone KFP releases and the Argo line each selects. */
export function renderStandaloneTable(): string {
  const rows = Object.entries(standaloneKfpLines()).map(([kfp, argo]) =>
    `| \`withStandaloneKfp('${kfp}')\` | ${imageVersion(argo.controller)} | ${imageVersion(argo.image)} (${argo.line.name}) |`);
  return ['| Standalone KFP | workflow-controller | argo-server |', '|---|---|---|', ...rows].join('\n');
}

/** The generated tables: file (relative to the repository) → table name → content. */
export const RELEASE_TABLES: Readonly<Record<string, Readonly<Record<string, () => string>>>> = {
  'README.md': { releases: renderReadmeTable },
  'docs/platforms.md': { presets: renderPresetTable, standalone: renderStandaloneTable },
};

/**
 * `text` with the table between `<!-- release-table:NAME -->` and `<!-- /release-table:NAME -->`
 * replaced by `table`; throws when the markers are missing, so a removed marker is not silently skipped.
 */
export function replaceTable(text: string, name: string, table: string, file: string): string {
  const open = `<!-- release-table:${name} -->`;
  const close = `<!-- /release-table:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`${file}: the markers ${open} … ${close} are missing; put them back where the table belongs`);
  return `${text.slice(0, start + open.length)}\n${table}\n${text.slice(end)}`;
}

/** Every file of {@link RELEASE_TABLES} with its tables rewritten, from the given current contents. */
export function renderReleaseDocs(read: (file: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(RELEASE_TABLES).map(([file, tables]) => [file,
    Object.entries(tables).reduce((text, [name, render]) => replaceTable(text, name, render(), file), read(file))]));
}
