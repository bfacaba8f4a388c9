// The login programs of a Kubeflow release, built from their Go modules (issue 23; test/support/go-bin.ts):
// - Dex at the tag of the release's image (`common/dex/base/deployment.yaml`). The Go module proxy
//   serves no v2 tag of github.com/dexidp/dex (its go.mod says `module github.com/dexidp/dex`, so
//   `v2.x.y` tags are not module versions); the tag's commit is fetched as its pseudo-version. Its
//   go.mod replaces github.com/dexidp/dex/api/v2 with ./api/v2, a nested module the download
//   leaves out: the build puts there the api/v2 module the proxy serves for that commit, or the
//   release of it whose files are the same (checked with `git diff` of dexidp/dex, below).
// - oauth2-proxy (Kubeflow 1.9+) at the release's version, or the nearest the proxy serves.
// oidc-authservice (Kubeflow 1.4-1.8) cannot be built: the proxy refuses
// github.com/arrikto/oidc-authservice at every version (its list, and the pseudo-versions of the
// commits 28c59ef and e236439 the releases' images name), so those releases' login is not run.
import { Platform } from '../../packages/library/lib';
import { downloadModule, filesOf, goBinary, GoBuild } from './go-bin';

/**
 * Dex tags of the releases the suite runs: the commit's pseudo-version and the api/v2 module
 * version for ./api/v2. v2.24.0 has no nested module. v2.36.0: api/v2 v2.1.0, whose api.proto is
 * the tag's (`git diff api/v2.1.0 v2.36.0 -- api/v2/api.proto` is empty; only the generated code's
 * protoc version differs). v2.39.1: the commit's own pseudo-version. v2.44.0: v2.4.0, the same
 * files (`git diff api/v2.4.0 v2.44.0 -- api/v2` is empty).
 */
export const DEX_BUILDS: Record<string, { readonly version: string; readonly api?: string }> = {
  'v2.24.0': { version: 'v0.0.0-20200512115545-709d4169d646' },
  'v2.36.0': { version: 'v0.0.0-20230320125501-2bb4896d120e', api: 'v2.1.0' },
  'v2.39.1': { version: 'v0.0.0-20240409110506-3705207f0190', api: 'v2.1.1-0.20240409110506-3705207f0190' },
  'v2.44.0': { version: 'v0.0.0-20250829100637-2dce75009acf', api: 'v2.4.0' },
};

/**
 * oauth2-proxy versions the Go module proxy served on 2026-12-05 (v7.8.0-v7.15.5 were refused):
 * where a release's version is not served, the nearest of these is used.
 */
export const OAUTH2_PROXY_SERVED = ['v7.6.0', 'v7.7.1', 'v7.15.6'];

/** A login program's build: the version the release ships and the one built. */
export interface LoginBuild extends GoBuild { readonly wanted: string }

const imageTag = (deployment: any): string => deployment.spec.template.spec.containers[0].image.split(':').pop();

/** Dex of the release's tag (from its Deployment in `login`), or why not. */
export function dexBinary(login: readonly any[]): LoginBuild | { skipped: string } {
  const wanted = imageTag(login.find((o) => o.kind === 'Deployment' && o.metadata.name === 'dex'));
  const pinned = DEX_BUILDS[wanted];
  if (!pinned) return { skipped: `Dex ${wanted} has no entry in test/support/login-bin.ts DEX_BUILDS` };
  const built = goBinary({
    name: 'dex', module: 'github.com/dexidp/dex', pkg: './cmd/dex',
    files: () => {
      if (!pinned.api) return new Map();
      const api = downloadModule('github.com/dexidp/dex/api/v2', pinned.api);
      if (!api.dir) throw new Error(`github.com/dexidp/dex/api/v2@${pinned.api}: ${api.error}`);
      return new Map([...filesOf(api.dir)].map(([name, data]) => [`api/v2/${name}`, data]));
    },
  }, [pinned.version]);
  // the tag itself, built from its commit
  return 'skipped' in built ? built : { ...built, version: `${wanted} (${built.version})`, wanted: `${wanted} (${built.version})` };
}

const minorOf = (v: string) => Number(/^v\d+\.(\d+)/.exec(v)![1]);

/** oauth2-proxy of the release's version (from its Deployment in `login`), or of the nearest one served. */
export function oauth2ProxyBinary(login: readonly any[]): LoginBuild | { skipped: string } {
  const wanted = imageTag(login.find((o) => o.kind === 'Deployment' && o.metadata.name === 'oauth2-proxy'));
  const nearest = [...OAUTH2_PROXY_SERVED].sort((a, b) => Math.abs(minorOf(a) - minorOf(wanted)) - Math.abs(minorOf(b) - minorOf(wanted)) || minorOf(b) - minorOf(a));
  const built = goBinary({ name: 'oauth2-proxy', module: 'github.com/oauth2-proxy/oauth2-proxy/v7', pkg: '.' }, [...new Set([wanted, ...nearest])]);
  return 'skipped' in built ? built : { ...built, wanted };
}

/** Whether the release's login runs on oauth2-proxy (1.9+), which the suite can build. */
export const hasOauth2Proxy = (platform: Platform): boolean => 'notPaths' in platform.spec.kubeflow.skipAuth;
