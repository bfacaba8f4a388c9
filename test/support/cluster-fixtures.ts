// What the cluster suites install before the output, per preset, committed under
// test/fixtures/cluster so they run from a clean clone (issue 22): the CRDs the output's kinds need
// (Istio's, the Argo Workflows CRDs the preset's Kubeflow release installs that argo-server reads, Argo Events', and
// Kubeflow's Profile) and the release's own objects (test/support/release-cluster.ts: namespaces with
// their Pod Security labels, NetworkPolicies, the gateway's policies, the login's settings,
// Kubeflow's and KFP's ClusterRoles, the profile controller's bindings, one profile's bindings, and
// what the Kubeflow-side Component patches besides the login: the dashboard's ConfigMap and Dex).
//
// Generated from ../shared/upstream by `npm run fixtures:cluster`, and from a clone of
// argo-workflows (ARGO_WORKFLOWS_GIT) for what ../shared lacks: Kubeflow 1.11.0 installs its Argo CRDs from argo-workflows by a
// remote reference (`applications/pipeline/upstream/third-party/argo/installs/cluster/
// kustomization.yaml`: `manifests/base/crds/minimal?ref=v3.7.3`). Each CRD file records where it
// came from; test/slow/fixtures-cluster.test.ts regenerates what the sources at hand allow and compares.
import { createHash } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Platform } from '../../packages/library/lib';
import { Cluster, crdAsV1, UPSTREAM } from './cluster';
import { componentTargets, releaseCluster, releaseLogin } from './release-cluster';
import { PRESETS } from './util';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cluster');

/** Where a CRD file came from: a file of ../shared/upstream, or a path at a commit of a git repository. */
export interface CrdSource { readonly shared?: string; readonly git?: { readonly repo: string; readonly ref: string; readonly path: string } }

/**
 * One preset's fixture: the CRD files (under crds/), the release's objects, and what its login
 * runs on (test/support/release-cluster.ts releaseLogin: not applied, read by the request-path suite).
 */
export interface PresetFixture { readonly preset: string; readonly crds: readonly string[]; readonly release: readonly any[]; readonly login: readonly any[] }

const sourceText = (s: CrdSource): string => (s.shared ? `../shared/upstream/${s.shared}` : `${s.git!.repo}@${s.git!.ref}:${s.git!.path}`);

/** The objects of a preset's fixture, CRDs first; or why there is none. */
export function loadClusterFixture(platform: Platform): { crds: any[]; release: any[]; login: any[] } | { skipped: string } {
  const file = path.join(FIXTURES, 'presets', `${platform.id}.json`);
  if (!fs.existsSync(file)) return { skipped: `${path.relative(process.cwd(), file)} not found: run npm run fixtures:cluster` };
  const fixture: PresetFixture = JSON.parse(fs.readFileSync(file, 'utf8'));
  const crds = fixture.crds.map((f) => JSON.parse(fs.readFileSync(path.join(FIXTURES, 'crds', f), 'utf8')).object);
  return { crds, release: [...fixture.release], login: [...fixture.login] };
}


/**
 * Applies the preset's CRDs (waiting until they are established) and then the release's own
 * objects, namespaces first, on the test cluster; returns the release's objects in that order.
 * Throws with kubectl's message on any rejection (the CRDs' format warnings aside: upstream
 * schemas carry formats Kubernetes warns about).
 */
export function installRelease(cluster: Cluster, platform: Platform): any[] {
  const fixture = loadClusterFixture(platform);
  if ('skipped' in fixture) throw new Error(fixture.skipped);
  const apply = (items: any[], what: string, ignoreWarnings = false) => {
    const r = cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    const stderr = ignoreWarnings ? r.stderr.replace(/^Warning: .*\n/gm, '') : r.stderr;
    if (r.status !== 0 || stderr !== '') throw new Error(`applying ${what} of ${platform.id}: exit ${r.status}\n${r.stderr}`);
  };
  apply(fixture.crds, 'the CRDs', true);
  const wait = cluster.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  if (wait.status !== 0) throw new Error(`the CRDs of ${platform.id} were not established: ${wait.stderr}`);
  const release = [...fixture.release.filter((o) => o.kind === 'Namespace'), ...fixture.release.filter((o) => o.kind !== 'Namespace')];
  apply(release, 'the release\'s objects');
  return release;
}

/** The first of `rels` under ../shared/upstream that exists. */
function shared(...rels: string[]): CrdSource | undefined {
  const rel = rels.find((r) => fs.existsSync(path.join(UPSTREAM, r)));
  return rel ? { shared: rel } : undefined;
}

/**
 * The Argo Workflows CRDs argo-server reads (issue 23: Workflows, WorkflowTemplates, their
 * cluster-wide kind, CronWorkflows, WorkflowEventBindings), as the Kubeflow release installs them:
 * its own minimal copies, or, where the release refers to argo-workflows' instead (1.11.0), those
 * files at the referenced tag.
 */
export const ARGO_CRDS = ['workflows', 'workflowtemplates', 'clusterworkflowtemplates', 'cronworkflows', 'workfloweventbindings'];

function argoCrd(release: string, kind: string): CrdSource {
  const argoDir = (apps: string) => `kubeflow-manifests/${release}/${apps}/pipeline/upstream/third-party/argo`;
  const own = shared(...['applications', 'apps'].map((a) => `${argoDir(a)}/upstream/manifests/base/crds/minimal/argoproj.io_${kind}.yaml`));
  if (own) return own;
  const kustomization = shared(...['applications', 'apps'].map((a) => `${argoDir(a)}/installs/cluster/kustomization.yaml`));
  const text = kustomization ? readSource(kustomization) : undefined;
  const ref = text && /argoproj\/argo-workflows\/manifests\/base\/crds\/minimal\?ref=(v[\d.]+)/.exec(text)?.[1];
  if (!ref) throw new Error(`${release}: ../shared holds neither a minimal ${kind} CRD nor a reference to argo-workflows' (installs/cluster/kustomization.yaml)`);
  return { git: { repo: 'argoproj/argo-workflows', ref, path: `manifests/base/crds/minimal/argoproj.io_${kind}.yaml` } };
}

/** `git show ref:path` in the argo-workflows clone ARGO_WORKFLOWS_GIT names; undefined without one (or without the file). */
function gitShow(ref: string, file: string): string | undefined {
  const dir = process.env.ARGO_WORKFLOWS_GIT;
  if (!dir) return undefined;
  try {
    return execFileSync('git', ['--git-dir', dir, 'show', `${ref}:${file}`], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** The CRD sources of a preset, with, for Istio 1.9.6's bundle, the one CRD taken from it. */
export function crdSources(platform: Platform): Array<{ source: CrdSource; only?: string }> {
  const { release } = platform.spec.kubeflow;
  const events = platform.spec.argoEvents.release.replace('argo-events-', '');
  const istio = (f: string) => ({ source: { shared: `istio/1.30.3/split-crds/${f}` } });
  return [
    istio('virtualservices.networking.istio.io.yaml'), istio('authorizationpolicies.security.istio.io.yaml'), istio('requestauthentications.security.istio.io.yaml'),
    { source: { shared: 'istio/1.9.6/manifests/charts/base/crds/crd-all.gen.yaml' }, only: 'envoyfilters.networking.istio.io' },
    ...ARGO_CRDS.map((kind) => ({ source: argoCrd(release, kind) })),
    ...['eventbus', 'eventsources', 'sensors'].map((k) => ({ source: { shared: `argo-events/${events}/manifests/base/crds/argoproj.io_${k}.yaml` } })),
    { source: shared(...['applications', 'apps'].map((a) => `kubeflow-manifests/${release}/${a}/profiles/upstream/crd/bases/kubeflow.org_profiles.yaml`))! },
  ];
}

/** The text of a source, or undefined when neither ../shared nor the clone it needs is here. */
function readSource(s: CrdSource): string | undefined {
  if (s.shared) return fs.existsSync(path.join(UPSTREAM, s.shared)) ? fs.readFileSync(path.join(UPSTREAM, s.shared), 'utf8') : undefined;
  return gitShow(s.git!.ref, s.git!.path);
}

/**
 * Every fixture file, by path under FIXTURES, as the sources at hand give it. A CRD whose source
 * is not here (a clone not set) is taken from `committed` (FIXTURES) and named in `unchecked`.
 */
export function generateClusterFixtures(): { files: Map<string, string>; unchecked: string[] } {
  const files = new Map<string, string>();
  const unchecked: string[] = [];
  for (const platform of PRESETS) {
    const crds: string[] = [];
    for (const { source, only } of crdSources(platform)) {
      const text = readSource(source);
      if (text === undefined) {
        const kept = committedCrdFile(source, only);
        if (!kept) throw new Error(`${sourceText(source)} is not here and no committed fixture has it: set ARGO_WORKFLOWS_GIT to an argoproj/argo-workflows clone`);
        files.set(`crds/${kept}`, fs.readFileSync(path.join(FIXTURES, 'crds', kept), 'utf8'));
        unchecked.push(sourceText(source));
        crds.push(kept);
        continue;
      }
      for (const object of parseAllDocuments(text).map((d) => d.toJS()).filter((o) => o?.kind === 'CustomResourceDefinition' && (!only || o.metadata.name === only))) {
        const body = `${JSON.stringify({ source: sourceText(source), object: crdAsV1(object) }, null, 1)}\n`;
        const name = `${object.metadata.name}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.json`;
        files.set(`crds/${name}`, body);
        crds.push(name);
      }
    }
    const fixture: PresetFixture = { preset: platform.id, crds, release: [...releaseCluster(platform, 'team-a'), ...componentTargets(platform)], login: releaseLogin(platform) };
    files.set(`presets/${platform.id}.json`, `${JSON.stringify(fixture, null, 1)}\n`);
  }
  return { files, unchecked: [...new Set(unchecked)] };
}

/** The committed CRD file that came from `source` (and is CRD `only`, when given). */
function committedCrdFile(source: CrdSource, only?: string): string | undefined {
  const dir = path.join(FIXTURES, 'crds');
  if (!fs.existsSync(dir)) return undefined;
  return fs.readdirSync(dir).sort().find((f) => {
    const { source: s, object } = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    return s === sourceText(source) && (!only || object.metadata.name === only);
  });
}

/** Writes the fixtures (what `npm run fixtures:cluster` runs), removing files no preset uses. */
export function writeClusterFixtures(): string[] {
  const { files, unchecked } = generateClusterFixtures();
  fs.rmSync(FIXTURES, { recursive: true, force: true });
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(FIXTURES, rel)), { recursive: true });
    fs.writeFileSync(path.join(FIXTURES, rel), text);
  }
  return unchecked;
}
