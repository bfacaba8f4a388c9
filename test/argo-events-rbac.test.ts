import { Testing } from 'cdk8s';
import { ArgoEventsRbac, workflowVerbs } from '../lib';
import { one, synth } from './util';

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

  test('ClusterRoleBinding operate-workflow-role-binding binds the ServiceAccount in its namespace', () => {
    const crb = one(rbac({ namespace: 'events' }), 'ClusterRoleBinding');
    expect(crb.metadata).toEqual({ name: 'operate-workflow-role-binding' });
    expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'operate-workflow-role' });
    expect(crb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'operate-workflow-sa', namespace: 'events' }]);
  });

  test('operations add the verbs each trigger operation needs', () => {
    expect(workflowVerbs(['submit'])).toEqual(['list', 'create']);
    expect(workflowVerbs(['resubmit'])).toEqual(['get', 'update']);
    expect(workflowVerbs(['submit', 'retry', 'resume', 'suspend'])).toEqual(['get', 'list', 'create', 'update']);
    const role = one(rbac({ operations: ['submit', 'resume'] }), 'ClusterRole');
    expect(role.rules[0].verbs).toEqual(['get', 'list', 'create', 'update']);
  });

  test('clusterWorkflowTemplates adds get on clusterworkflowtemplates', () => {
    expect(one(rbac({ clusterWorkflowTemplates: true }), 'ClusterRole').rules[2])
      .toEqual({ apiGroups: ['argoproj.io'], resources: ['clusterworkflowtemplates'], verbs: ['get'] });
  });

  test('allowAllVerbs reproduces the seed "*" rule only when asked', () => {
    expect(one(rbac({ allowAllVerbs: true }), 'ClusterRole').rules).toEqual([{
      apiGroups: ['argoproj.io'], resources: ['workflows', 'workflowtemplates', 'cronworkflows', 'clusterworkflowtemplates'], verbs: ['*'],
    }]);
  });

  test('serviceAccountName renames the account and the binding subject', () => {
    const objs = rbac({ serviceAccountName: 'sensor-sa' });
    expect(one(objs, 'ServiceAccount').metadata.name).toBe('sensor-sa');
    expect(one(objs, 'ClusterRoleBinding').subjects[0].name).toBe('sensor-sa');
  });

  test('fails on an unknown operation or allowAllVerbs with narrower props', () => {
    expect(() => new ArgoEventsRbac(Testing.chart(), 'r', { operations: ['submit_from' as any] })).toThrow(/operations\[0\].*"submit_from"/);
    expect(() => new ArgoEventsRbac(Testing.chart(), 'r', { operations: ['submit-from'] })).toThrow(/operations include "submit-from", which argo-events-v1\.5\.6/);
    expect(() => new ArgoEventsRbac(Testing.chart(), 'r', { allowAllVerbs: true, operations: ['submit'] })).toThrow(/allowAllVerbs/);
  });

  test('snapshot', () => {
    expect(rbac()).toMatchSnapshot();
  });
});
