// docs/rights.md (scripts/rights-doc.ts) is what the output grants, read back as the cluster suite
// reads it; the API server's own answer for every section is test/cluster/apply.test.ts's.
import * as fs from 'fs';
import * as path from 'path';
import { parseRightsDoc, renderRightsDoc, RIGHTS_PRESETS, rightsOf, rightsSections } from '../../scripts/rights-doc';

const PAGE = path.join(__dirname, '..', '..', 'docs', 'rights.md');
const sections = rightsSections();

test('docs/rights.md is what the output grants today (npm run docs)', () => {
  expect(fs.readFileSync(PAGE, 'utf8')).toBe(renderRightsDoc(sections));
});

test('the page read back gives every account of every section, its rules as atoms and Kubeflow\'s roles by name', () => {
  const read = parseRightsDoc(renderRightsDoc(sections));
  expect([...read.keys()]).toEqual(RIGHTS_PRESETS.flatMap((p) => [`${p.id} without sso`, `${p.id} with sso`]));
  for (const s of sections) {
    const stated = read.get(`${s.preset} ${s.sso ? 'with' : 'without'} sso`)!;
    expect([...stated.keys()]).toEqual([...s.accounts.keys()]);
  }
  const first = read.get('KUBEFLOW_1_4 without sso')!;
  expect(first.get('kubeflow/argo-server')).toEqual({ atoms: ['kubeflow /configmaps[workflow-controller-configmap] get', 'kubeflow /configmaps[workflow-controller-configmap] list', 'kubeflow /configmaps[workflow-controller-configmap] watch'], roles: [] });
  expect(first.get('team-a/default-editor')).toEqual({ atoms: [], roles: [{ where: 'team-a', role: 'kubeflow-edit' }] });
});

test('a right added to an output shows on its page (every namespace for a ClusterRoleBinding), and an account with none says nothing', () => {
  const rows = rightsOf([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'idle', namespace: 'x' } },
    { kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }] },
    { kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'busy', namespace: 'x' }] },
  ]);
  const page = renderRightsDoc([{ preset: 'P', sso: false, accounts: rows }]);
  expect(page).toContain('| `x/busy` | every namespace | create `pods/exec` |');
  expect(page).toContain('| `x/idle` | nowhere | nothing |');
  expect(parseRightsDoc(page).get('P without sso')!.get('x/busy')).toEqual({ atoms: ['* /pods/exec create'], roles: [] });
});
