// Security defaults, audited over the reference app (the template as shipped), examples/sso/dist/ and over charts built with every non-risky option:
// nothing weaker than the defaults appears unless a risky prop explicitly asks for it.
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { KubeflowArgoChart } from '../../packages/library/lib';
import { buildApp as buildReferenceApp } from '../support/reference-app';
import { Obj, synthToDir } from '../support/util';

const dirObjs = (dir: string): Obj[] => fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS())).filter(Boolean);
/** The reference app's manifests (main.ts is a template users edit; test/support/reference-app.ts). */
const referenceObjs = (): Obj[] => Object.entries(synthToDir(buildReferenceApp)).filter(([f]) => f.endsWith('.yaml'))
  .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS())).filter(Boolean);
const chartObjs = (props: any = {}): Obj[] => Testing.synth(new KubeflowArgoChart(Testing.app(), 'kfa', props)) as Obj[];

const OUTPUTS: Array<[string, () => Obj[]]> = [
  ['the reference app', referenceObjs],
  ['examples/sso/dist/', () => dirObjs(path.join(__dirname, '..', '..', 'examples', 'sso', 'dist'))],
  ['chart defaults', () => chartObjs()],
  ['chart with every safe option', () => chartObjs({
    profiles: [{ namespace: 'alice', owner: 'alice@example.com' }, { namespace: 'bob', owner: 'bob@example.com', contributors: ['alice@example.com'] }],
    kubeflowRoles: true,
    sso: {},
    argoServer: { xFrameOptions: 'DENY' },
    argoEventsRbac: { operations: ['submit', 'resubmit', 'retry', 'resume', 'suspend', 'terminate'], clusterWorkflowTemplates: true },
    events: {
      sources: [
        { type: 'github', repositories: ['a/b'], webhookSecret: { name: 'gh', key: 'secret' }, apiToken: { name: 'gh-api', key: 'token' }, publicUrl: 'https://kf.example.com' },
        { type: 'gitlab', projects: ['g/p'], webhookSecret: { name: 'gl', key: 'token' }, apiToken: { name: 'gl-api', key: 'token' }, publicUrl: 'https://kf.example.com' },
        { type: 'webhook', webhookSecret: { name: 'hook', key: 'token' } },
      ],
      triggers: [{ source: 'github', profile: 'alice' }],
    },
  })],
];

/** Every (path, value) pair in an object, for whole-output scans. */
function* walk(value: unknown, at = ''): Generator<[string, unknown]> {
  yield [at, value];
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* walk(v, `${at}/${k}`);
  }
}

describe.each(OUTPUTS)('%s', (_name, objects) => {
  const objs = objects();

  test('no allow-all AuthorizationPolicy: every rule names its sources', () => {
    const policies = objs.filter((o) => o.kind === 'AuthorizationPolicy');
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) {
      expect(p.spec.action).toBe('ALLOW');
      expect(p.spec.selector?.matchLabels).toBeDefined();
      expect(p.spec.rules.length).toBeGreaterThan(0);
      for (const rule of p.spec.rules) {
        expect(rule.from?.length).toBeGreaterThan(0);
        for (const f of rule.from) expect(f.source.principals?.length || f.source.namespaces?.length).toBeGreaterThan(0);
      }
    }
  });

  test('no "*" in any RBAC rule', () => {
    for (const o of objs.filter((x) => x.kind === 'ClusterRole' || x.kind === 'Role')) {
      for (const r of o.rules) {
        expect([...r.verbs, ...(r.resources ?? []), ...(r.apiGroups ?? [])]).not.toContain('*');
      }
    }
  });

  test('no secret material: only empty token Secrets Kubernetes fills, secrets only by {name, key} reference, no literal credentials in env', () => {
    for (const s of objs.filter((o) => o.kind === 'Secret')) {
      // SSO accounts' tokens: the token controller writes the token; the output holds none
      expect(s.type).toBe('kubernetes.io/service-account-token');
      expect(Object.keys(s.metadata.annotations)).toEqual(['kubernetes.io/service-account.name']);
    }
    for (const o of objs) {
      if (o.kind !== 'ConfigMap') expect(o.data).toBeUndefined();
      expect(o.stringData).toBeUndefined();
      // argo-server's own ConfigMap (SSO): its YAML values hold Secret references only
      const inner = o.kind === 'ConfigMap' ? Object.values(o.data as Record<string, string>).map((text) => parse(text)) : [];
      for (const [at, v] of [...walk(o), ...inner.flatMap((x) => [...walk(x)])]) {
        if (/\/(webhookSecret|apiToken|secretToken|accessToken|authSecret|clientId|clientSecret|accessKeySecret|secretKeySecret)$/.test(at)) {
          expect(Object.keys(v as object).sort()).toEqual(['key', 'name']);
        }
        if (at.match(/\/env\/\d+$/) && v && typeof v === 'object' && 'value' in (v as object)) {
          expect((v as { name: string }).name).not.toMatch(/TOKEN|PASSWORD|SECRET|KEY|CREDENTIAL/i);
        }
      }
    }
  });

  test('argo-server runs non-root with all capabilities dropped and nothing privileged', () => {
    const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'argo-server')!;
    const pod = d.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostPID).toBeUndefined();
    expect((pod.volumes ?? []).filter((v: any) => v.hostPath)).toEqual([]);
    for (const c of pod.containers) {
      expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
      expect(c.securityContext.capabilities.add).toBeUndefined();
      expect(c.securityContext.privileged).not.toBe(true);
      expect(c.securityContext.allowPrivilegeEscalation).not.toBe(true);
    }
  });

  test('argo-server requires a login (no --auth-mode=server) and keeps a frame policy', () => {
    const args: string[] = objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].args;
    expect(args).not.toContain('--auth-mode=server');
    expect(args).not.toContain('--x-frame-options=');
  });
});

describe('the weaker settings appear only when a prop asks for them', () => {
  test('allowAllSources: true is the only way to an allow-all policy', () => {
    const p = chartObjs({ route: { allowAllSources: true } }).find((o) => o.kind === 'AuthorizationPolicy')!;
    expect(p.spec.rules).toEqual([{}]);
  });

  test('allowAllVerbs: true is the only way to a "*" verb', () => {
    const r = chartObjs({ argoEventsRbac: { allowAllVerbs: true } }).find((o) => o.metadata.name === 'operate-workflow-role')!;
    expect(r.rules[0].verbs).toEqual(['*']);
  });
});
