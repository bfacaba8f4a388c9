// The Kubeflow-side Component (lib/kubeflow/kubeflow-patches.ts), applied with `kubectl kustomize`
// to each release's own base files from ../shared/upstream: the webhook path joins the login's
// skip list and nothing else changes. Skips with a note when ../shared or kubectl is missing.
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { KubeflowArgoChart, KubeflowPatches, Platform } from '../../packages/library/lib';
import { dashboardConfig, kustomize, MANIFESTS } from '../support/release-cluster';
import { authserviceSkipParser, authserviceSkips, hasKubectl } from '../support/util';
const why = !fs.existsSync(MANIFESTS) ? `${MANIFESTS} not found` : !hasKubectl() ? 'kubectl not found' : undefined;
// eslint-disable-next-line no-console
if (why) console.log(`Kubeflow patch tests against the releases' manifests skipped: ${why}`);
const withReleases = why ? test.skip : test;

const HOOK = '/argo-events/github/push';
const authservice = why ? {} : authserviceSkipParser();
// eslint-disable-next-line no-console
if (authservice.skipped) console.log(`the authservice's own parsing of the skip list is not run: ${authservice.skipped}`);

/** The release's own folder the patches apply to: the authservice base, or oauth2-proxy's gateway Component. */
function releaseBase(platform: Platform): string {
  const tag = platform.spec.kubeflow.release;
  for (const rel of ['common/oidc-authservice/base', 'common/oidc-client/oidc-authservice/base']) {
    if (fs.existsSync(path.join(MANIFESTS, tag, rel))) return path.join(MANIFESTS, tag, rel);
  }
  return path.join(MANIFESTS, tag, 'common/oauth2-proxy/components/istio-external-auth');
}

/** `kubectl kustomize` of the release's folder alone, and with our Component. */
function render(platform: Platform, withPatches: boolean): any[] {
  const patches = new KubeflowPatches(Testing.chart(), 'p', { platform, webhookPaths: [HOOK] });
  return kustomize(releaseBase(platform), withPatches ? patches.component : undefined);
}

const find = (objs: any[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};

describe.each(Platform.ALL.map((p) => [p.id, p] as const))('%s', (_id, platform) => {
  withReleases(`applied to kubeflow/manifests ${platform.spec.kubeflow.release}, the webhook path skips the login; nothing else changes`, () => {
    const before = render(platform, false);
    const after = render(platform, true);
    const strip = (objs: any[]) => JSON.parse(JSON.stringify(objs));
    const skip = platform.spec.kubeflow.skipAuth;
    if ('notPaths' in skip) {
      expect(skip.notPaths).toEqual(['istio-ingressgateway-oauth2-proxy', 'istio-ingressgateway-require-jwt']);
      for (const name of skip.notPaths) {
        const was = find(before, 'AuthorizationPolicy', name).spec.rules[0].to[0].operation.notPaths;
        expect(was).toEqual(expect.arrayContaining(['/dex/*']));
        expect(find(after, 'AuthorizationPolicy', name).spec.rules[0].to[0].operation.notPaths).toEqual([...was, HOOK]);
      }
      // everything else is untouched
      const rest = (objs: any[]) => strip(objs).map((o: any) => (o.kind === 'AuthorizationPolicy' ? { ...o, spec: { ...o.spec, rules: undefined } } : o));
      expect(rest(after)).toEqual(rest(before));
    } else {
      const { variable, statefulSet, separator } = skip;
      const value = `/dex${separator}${HOOK}`;
      const cmBefore = find(before, 'ConfigMap', 'oidc-authservice-parameters');
      expect(cmBefore.data[variable]).toBe('/dex'); // the release's own value, which the patch keeps
      const cmAfter = find(after, 'ConfigMap', 'oidc-authservice-parameters');
      expect(cmAfter.data).toEqual({ ...cmBefore.data, [variable]: value });
      // the release's authservice, parsing it as its code does, skips /dex and the webhook path
      if (authservice.bin) expect(authserviceSkips(authservice.bin, skip.commit, cmAfter.data)).toEqual(expect.arrayContaining(['/dex', HOOK]));
      const sts = find(after, 'StatefulSet', statefulSet);
      expect(sts.spec.template.metadata.annotations['cdk8s-kubeflow-argo/skip-auth']).toBe(value);
      // the image the StatefulSet runs is the commit the preset names (whose parsing the line above ran)
      expect(sts.spec.template.spec.containers[0].image).toMatch(new RegExp(`oidc-authservice:${skip.commit}$`));
      // the StatefulSet reads that ConfigMap, so the annotation change restarts it with the new value
      expect(JSON.stringify(sts.spec.template.spec)).toContain('oidc-authservice-parameters');
      const rest = (objs: any[]) => strip(objs).filter((o: any) => o.kind !== 'ConfigMap' && o.kind !== 'StatefulSet');
      expect(rest(after)).toEqual(rest(before));
      const { annotations, ...stsMeta } = sts.spec.template.metadata;
      const { annotations: wasAnnotations, ...wasMeta } = find(before, 'StatefulSet', statefulSet).spec.template.metadata;
      expect(stsMeta).toEqual(wasMeta);
      expect(annotations).toEqual({ ...wasAnnotations, 'cdk8s-kubeflow-argo/skip-auth': value });
    }
  }, 60_000);
});

describe.each(Platform.ALL.map((p) => [p.id, p] as const))('%s dashboard', (_id, platform) => {
  withReleases('the menu gets the Argo entry after the release\'s own; every other link and key is the release\'s', () => {
    const c = Testing.chart();
    const patches = new KubeflowPatches(c, 'p', { platform, menuLinks: [{ text: 'Argo Workflows', link: '/argo/' }] });
    const before = dashboardConfig(platform);
    const after = dashboardConfig(platform, patches.component);
    const was = JSON.parse(before.data.links);
    expect(was.menuLinks.length).toBeGreaterThan(3);
    expect(JSON.parse(after.data.links)).toEqual({ ...was, menuLinks: [...was.menuLinks, { type: 'item', link: '/argo/', text: 'Argo Workflows', icon: 'av:playlist-play' }] });
    expect({ ...after, data: { ...after.data, links: '' } }).toEqual({ ...before, data: { ...before.data, links: '' } });
  }, 60_000);
});

test('the chart writes the Component for its event sources beside the manifests; bad paths are refused', () => {
  const chart = new KubeflowArgoChart(Testing.app(), 'k', {
    platform: Platform.KUBEFLOW_1_11,
    events: { sources: [{ type: 'webhook', webhookSecret: { name: 's', key: 'k' } }, { type: 'github', repositories: ['a/b'], webhookSecret: { name: 's', key: 'k' } }] },
  });
  expect(chart.kubeflowPatches!.component).toContain('value: /argo-events/webhook/webhook');
  expect(chart.kubeflowPatches!.component).toContain('value: /argo-events/github/push');
  expect(() => new KubeflowPatches(Testing.chart(), 'p', { webhookPaths: ['/argo-events/*'] })).toThrow(/webhookPaths\[0\] must be a plain absolute path of a webhook/);
  expect(() => new KubeflowPatches(Testing.chart(), 'p', { webhookPaths: ['/dex/x'] })).toThrow(/webhookPaths\[0\] must be a plain absolute path/);
  expect(() => new KubeflowPatches(Testing.chart(), 'p', { webhookPaths: [] })).toThrow(/webhookPaths and menuLinks are both empty and there is no dexClient, so there is nothing to patch/);
  expect(() => new KubeflowPatches(Testing.chart(), 'p', { menuLinks: [{ text: 'Argo', link: 'argo' }] })).toThrow(/menuLinks\[0\]\.link must be a path on the Kubeflow host/);
  // a link the release already has is not added twice; [] turns the menu entry off
  const again = new KubeflowPatches(Testing.chart(), 'p', { platform: Platform.KUBEFLOW_1_4, menuLinks: [{ text: 'Notebooks', link: '/jupyter/' }] });
  expect(again.component.match(/"link": "\/jupyter\/"/g)).toHaveLength(1);
  expect(new KubeflowArgoChart(Testing.app(), 'k', { dashboardMenuLinks: [] }).kubeflowPatches).toBeUndefined();
});
