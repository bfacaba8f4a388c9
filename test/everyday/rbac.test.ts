// What each ServiceAccount in the output may do, worked out by a small RBAC evaluator over the
// synthesized Roles, ClusterRoles and their bindings, compared with the table in docs/security.md
// ("Security"). The evaluator is checked on the examples of the Kubernetes documentation first.
import { parseAllDocuments } from 'yaml';
import { ArgoServer } from '../../packages/library/lib';
import { grants } from '../support/rights';
import { buildApp as buildReferenceApp } from '../support/reference-app';
import { synth, synthToDir } from '../support/util';

describe('the RBAC evaluator, on the Kubernetes documentation\'s examples', () => {
  // "Role example" + "RoleBinding examples": pod-reader in default, bound to jane
  const podReader = { kind: 'Role', metadata: { namespace: 'default', name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] }] };
  const readPods = { kind: 'RoleBinding', metadata: { name: 'read-pods', namespace: 'default' }, subjects: [{ kind: 'User', name: 'jane' }], roleRef: { kind: 'Role', name: 'pod-reader' } };
  // "ClusterRole example": secret-reader; a RoleBinding in development grants it there only
  const secretReader = { kind: 'ClusterRole', metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }] };
  const readSecrets = { kind: 'RoleBinding', metadata: { name: 'read-secrets', namespace: 'development' }, subjects: [{ kind: 'User', name: 'dave' }], roleRef: { kind: 'ClusterRole', name: 'secret-reader' } };
  // "ClusterRoleBinding example": read-secrets-global for the group manager (here a user)
  const global = { kind: 'ClusterRoleBinding', metadata: { name: 'read-secrets-global' }, subjects: [{ kind: 'User', name: 'manager' }], roleRef: { kind: 'ClusterRole', name: 'secret-reader' } };

  test('a RoleBinding grants a Role in its namespace', () => {
    expect(grants([podReader, readPods])).toEqual({ 'User jane': ['default /pods get,watch,list'] });
  });

  test('a RoleBinding to a ClusterRole grants it in the binding\'s namespace only; a ClusterRoleBinding everywhere', () => {
    expect(grants([secretReader, readSecrets, global])).toEqual({
      'User dave': ['development /secrets get,watch,list'],
      'User manager': ['* /secrets get,watch,list'],
    });
  });

  test('a RoleBinding cannot use a Role of another namespace, nor a ClusterRoleBinding a Role', () => {
    expect(grants([podReader, { ...readPods, metadata: { name: 'read-pods', namespace: 'other' } }])).toEqual({});
    expect(grants([podReader, { ...global, roleRef: { kind: 'Role', name: 'pod-reader' } }])).toEqual({});
  });
});

describe('what each ServiceAccount of the reference app may do (docs/security.md, "Security")', () => {
  const objs = Object.entries(synthToDir(buildReferenceApp))
    .filter(([f]) => f.endsWith('.yaml'))
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS()))
    .filter(Boolean);

  // the profiles the Sensors submit to, as the app names them
  const targets = [...new Set(objs.filter((o) => o.kind === 'Sensor')
    .flatMap((s) => s.spec.triggers.map((t: any) => t.template.argoWorkflow.source.resource.metadata.namespace)))].sort();

  test('argo-server reads ConfigMaps in kubeflow; the Sensors submit in the profiles they target; nothing else, nothing cluster-wide', () => {
    expect(targets.length).toBeGreaterThan(0);
    expect(grants(objs)).toEqual({
      'ServiceAccount argo-events/operate-workflow-sa': targets.flatMap((ns) => [
        `${ns} argoproj.io/workflows list,create`,
        `${ns} argoproj.io/workflowtemplates get`,
      ]),
      'ServiceAccount kubeflow/argo-server': ['kubeflow /configmaps[workflow-controller-configmap] get,list,watch'],
    });
  });

  test('no secrets, pods/exec or wildcard anywhere in the default output', () => {
    const lines = Object.values(grants(objs)).flat();
    expect(lines.filter((l) => /secrets|pods|\*\s|,\*|\s\*$/.test(l) || l.startsWith('*'))).toEqual([]);
  });
});

test('the evaluator sees what server auth mode would hand out: upstream\'s cluster role, secrets included, in every namespace', () => {
  const rights = grants(synth((c) => new ArgoServer(c, 's', { authModes: ['server'] })))['ServiceAccount kubeflow/argo-server'];
  expect(rights).toEqual(expect.arrayContaining(['* /secrets get,create', '* /pods/exec get,list,watch,delete', '* argoproj.io/cronworkflows create,get,list,watch,update,patch,delete']));
});
