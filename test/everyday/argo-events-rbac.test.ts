import { Testing } from 'cdk8s';
import { ArgoEventsRbac, Platform } from '../../packages/library/lib';
import { workflowVerbs } from '../../packages/library/lib/argo-events/argo-events-rbac';
import { one, synth } from '../support/util';

const rbac = (props = {}) => synth((c) => new ArgoEventsRbac(c, 'rbac', props));

describe('ArgoEventsRbac', () => {
  test('ServiceAccount operate-workflow-sa in argo-events', () => {
    expect(one(rbac(), 'ServiceAccount').metadata).toEqual({ name: 'operate-workflow-sa', namespace: 'argo-events' });
  });

  test('ClusterRole operate-workflow-role is cluster-scoped with submit verbs only by default', () => {
    const role = one(rbac(), 'ClusterRole', 'operate-workflow-role');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules).toEqual([
      { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['list', 'create'] },
      { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get'] },
    ]);
    expect(JSON.stringify(role.rules)).not.toContain('*');
  });

  test('a RoleBinding operate-workflow-role-binding in each target namespace, no ClusterRoleBinding', () => {
    const objs = rbac({ namespace: 'events', namespaces: ['bob', 'alice'] });
    expect(objs.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]);
    const bindings = objs.filter((o) => o.kind === 'RoleBinding');
    expect(bindings.map((b) => b.metadata)).toEqual([
      { name: 'operate-workflow-role-binding', namespace: 'bob' },
      { name: 'operate-workflow-role-binding', namespace: 'alice' },
    ]);
    for (const b of bindings) {
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'operate-workflow-role' });
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'operate-workflow-sa', namespace: 'events' }]);
    }
  });

  test('grantIn adds one binding per namespace, however often it is called', () => {
    const objs = synth((c) => { const r = new ArgoEventsRbac(c, 'rbac', { namespaces: ['alice'] }); r.grantIn('alice'); r.grantIn('bob'); r.grantIn('bob'); expect(r.namespaces).toEqual(['alice', 'bob']); });
    expect(objs.filter((o) => o.kind === 'RoleBinding').map((o) => o.metadata.namespace)).toEqual(['alice', 'bob']);
  });

  test('clusterWide: true binds in every namespace (ClusterRoleBinding), and grantIn adds nothing then', () => {
    const objs = synth((c) => new ArgoEventsRbac(c, 'rbac', { namespace: 'events', clusterWide: true }).grantIn('alice'));
    const crb = one(objs, 'ClusterRoleBinding');
    expect(crb.metadata).toEqual({ name: 'operate-workflow-role-binding' });
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'operate-workflow-sa', namespace: 'events' }]);
    expect(objs.filter((o) => o.kind === 'RoleBinding')).toEqual([]);
    expect(() => new ArgoEventsRbac(Testing.chart(), 'r', { clusterWide: true, namespaces: ['a'] })).toThrow(/namespaces .*contradicts clusterWide/);
  });

  test('verbs per operation as the bundled argo CLI needs them', () => {
    expect(workflowVerbs(['submit'])).toEqual(['list', 'create']);
    expect(workflowVerbs(['submit-from'])).toEqual(['get', 'create']); // v1.9: gets the workflow after submitting
    expect(workflowVerbs(['resubmit'])).toEqual(['get', 'create']); // reads the old workflow, creates a new one
    expect(workflowVerbs(['retry'])).toEqual(['get', 'update']);
    expect(workflowVerbs(['terminate'])).toEqual(['get', 'patch']); // patches spec.shutdown, no update
    expect(workflowVerbs(['stop'])).toEqual(['get', 'patch']);
    expect(workflowVerbs(['submit', 'resume', 'suspend'])).toEqual(['get', 'list', 'create', 'update']);
    const role = one(rbac({ operations: ['submit', 'resume'] }), 'ClusterRole');
    expect(role.rules[0].verbs).toEqual(['get', 'list', 'create', 'update']);
    expect(role.rules).toHaveLength(2); // no pods rule without retry
  });

  test('retry also deletes the pods of the failed nodes (pods delete, bound only where triggers act)', () => {
    const role = one(rbac({ operations: ['submit', 'retry'] }), 'ClusterRole');
    expect(role.rules[2]).toEqual({ apiGroups: [''], resources: ['pods'], verbs: ['delete'] });
  });

  test('clusterWorkflowTemplates: get on clusterworkflowtemplates, bound cluster-wide because they are cluster-scoped', () => {
    const objs = rbac({ clusterWorkflowTemplates: true });
    expect(one(objs, 'ClusterRole', 'operate-workflow-clusterworkflowtemplates').rules)
      .toEqual([{ apiGroups: ['argoproj.io'], resources: ['clusterworkflowtemplates'], verbs: ['get'] }]);
    expect(one(objs, 'ClusterRoleBinding', 'operate-workflow-clusterworkflowtemplates').roleRef.name).toBe('operate-workflow-clusterworkflowtemplates');
    expect(JSON.stringify(one(objs, 'ClusterRole', 'operate-workflow-role').rules)).not.toContain('clusterworkflowtemplates');
  });

  test('allowAllVerbs reproduces the seed "*" rule only when asked', () => {
    expect(one(rbac({ allowAllVerbs: true }), 'ClusterRole').rules).toEqual([{
      apiGroups: ['argoproj.io'], resources: ['workflows', 'workflowtemplates', 'cronworkflows', 'clusterworkflowtemplates'], verbs: ['*'],
    }]);
  });

  test('serviceAccountName renames the account and the binding subject', () => {
    const objs = rbac({ serviceAccountName: 'sensor-sa', namespaces: ['alice'] });
    expect(one(objs, 'ServiceAccount').metadata.name).toBe('sensor-sa');
    expect(objs.find((o) => o.kind === 'RoleBinding')!.subjects[0].name).toBe('sensor-sa');
  });

  test('fails on an unknown operation or allowAllVerbs with narrower props', () => {
    expect(() => new ArgoEventsRbac(Testing.chart(), 'r', { operations: ['submit_from' as any] })).toThrow(/operations\[0\].*"submit_from"/);
    expect(() => new ArgoEventsRbac(Testing.chart(), 'r', { operations: ['submit-from'] })).toThrow(/operations include "submit-from", which argo-events-v1\.5\.6/);
    expect(() => new ArgoEventsRbac(Testing.chart(), 'r', { allowAllVerbs: true, operations: ['submit'] })).toThrow(/allowAllVerbs/);
  });

  test('issue 20, item 9: "stop" is refused on Kubeflow 1.4 (Argo Events v1.5.6 has no Stop operation), allowed from 1.5', () => {
    expect(() => new ArgoEventsRbac(Testing.chart(), 'r', { operations: ['submit', 'stop'] }))
      .toThrow(/^ArgoEventsRbac: operations include "stop", which argo-events-v1\.5\.6 \(platform KUBEFLOW_1_4\) does not have.*Fix: use "terminate"/);
    const objs = synth((c) => new ArgoEventsRbac(c, 'r', { platform: Platform.KUBEFLOW_1_5, operations: ['stop'] }));
    expect(objs.find((o) => o.kind === 'ClusterRole')!.rules).toEqual(expect.arrayContaining([expect.objectContaining({ resources: ['workflows'], verbs: ['get', 'patch'] })]));
  });

  test('snapshot', () => {
    expect(rbac()).toMatchSnapshot();
  });
});
