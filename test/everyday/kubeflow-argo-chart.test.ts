import { Testing } from 'cdk8s';
import { ArgoServer, KubeflowArgoChart } from '../../packages/library/lib';
import { one, Obj } from '../support/util';

const chartObjs = (props: any = {}): Obj[] => Testing.synth(new KubeflowArgoChart(Testing.app(), 'kfa', props)) as Obj[];

describe('KubeflowArgoChart', () => {
  test('composes argo-server, its route, sensor RBAC and one template per profile', () => {
    const objs = chartObjs({ profiles: ['alice', 'bob'] });
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Deployment/kubeflow/argo-server',
      'ServiceAccount/kubeflow/argo-server',
      'Service/kubeflow/argo-server',
      'Role/kubeflow/argo-server',
      'RoleBinding/kubeflow/argo-server',
      'VirtualService/kubeflow/argo-server',
      'AuthorizationPolicy/kubeflow/argo-server',
      'ServiceAccount/argo-events/operate-workflow-sa',
      'ClusterRole//operate-workflow-role',
      'RoleBinding/alice/operate-workflow-role-binding',
      'RoleBinding/bob/operate-workflow-role-binding',
      'WorkflowTemplate/alice/hello-kubeflow',
      'WorkflowTemplate/bob/hello-kubeflow',
    ]);
  });

  test('no profiles by default; kubeflowRoles is opt-in', () => {
    const objs = chartObjs();
    expect(objs.filter((o) => o.kind === 'WorkflowTemplate')).toHaveLength(0);
    expect(objs.find((o) => o.metadata.name === 'kubeflow-argo-edit')).toBeUndefined();
    expect(one(chartObjs({ kubeflowRoles: true }), 'ClusterRole', 'kubeflow-argo-edit')).toBeDefined();
  });

  test('argoServer props flow into the route', () => {
    const objs = chartObjs({ argoServer: { namespace: 'argo-ui', baseHref: '/wf/' }, route: { timeout: '60s' } });
    const vs = one(objs, 'VirtualService');
    expect(vs.metadata.namespace).toBe('argo-ui');
    expect(vs.spec.http[1]).toMatchObject({ match: [{ uri: { prefix: '/wf/' } }], timeout: '60s' });
    expect(one(objs, 'RoleBinding', 'argo-server').subjects[0].namespace).toBe('argo-ui');
  });

  test('workflowTemplate props apply to every profile', () => {
    const objs = chartObjs({ profiles: ['alice', 'bob'], workflowTemplate: { name: 'ci', serviceAccountName: 'ci-sa' } });
    const wfts = objs.filter((o) => o.kind === 'WorkflowTemplate');
    expect(wfts.map((o) => [o.metadata.namespace, o.metadata.name, o.spec.serviceAccountName])).toEqual([['alice', 'ci', 'ci-sa'], ['bob', 'ci', 'ci-sa']]);
  });

  test('enableArgoEventsRbac: false drops the sensor RBAC', () => {
    expect(chartObjs({ enableArgoEventsRbac: false }).some((o) => o.metadata.name.startsWith('operate-workflow'))).toBe(false);
  });

  test('fails on a duplicate profile', () => {
    expect(() => new KubeflowArgoChart(Testing.app(), 'c', { profiles: ['alice', 'alice'] })).toThrow('KubeflowArgoChart: profiles[1].namespace is listed twice, got "alice". Fix: list each profile once, with all its contributors');
  });

  test('one set of profile rules (lib/kubeflow/profile.ts): the chart without sso refuses what ProfileSsoAccess refuses of any profile', () => {
    const profile = { namespace: 'team-a', owner: 'a@x.io', contributors: ['a@x.io'] };
    const msg = 'profiles[0].contributors[0] is already the owner of profile "team-a", got "a@x.io". Fix: list each address once per profile';
    expect(() => new KubeflowArgoChart(Testing.app(), 'c', { profiles: [profile] })).toThrow(`KubeflowArgoChart: ${msg}`);
    const server = new ArgoServer(Testing.chart(), 's', { sso: {} });
    expect(() => server.addProfileAccess('a', { profiles: [profile] })).toThrow(`ProfileSsoAccess: ${msg}`);
    // what only SSO needs stays with ProfileSsoAccess: a profile without an owner is fine without sso
    expect(() => new KubeflowArgoChart(Testing.app(), 'c', { profiles: [{ namespace: 'team-a' }] })).not.toThrow();
    expect(() => server.addProfileAccess('b', { profiles: [{ namespace: 'team-a' }] })).toThrow('ProfileSsoAccess: profiles[0].owner is missing');
  });

  test('fails when route tries to override what argoServer decides', () => {
    expect(() => new KubeflowArgoChart(Testing.app(), 'c', { route: { baseHref: '/x/' } as any }))
      .toThrow('ArgoServerRoute: baseHref is set by the server (ArgoServer.addRoute), got "/x/". Fix: the route follows the server: set baseHref on the ArgoServer');
    expect(() => new KubeflowArgoChart(Testing.app(), 'c', { profiles: ['alice'], workflowTemplate: { namespace: 'bob' } as any }))
      .toThrow(/workflowTemplate\.namespace is set by the chart, got "bob"\. Fix: list the profile namespaces in profiles/);
  });

  // No whole-chart snapshot: the default app's output is dist/, which test/everyday/dist.test.ts keeps fresh
  // and checks field by field; the constructs have their own snapshots.
});
