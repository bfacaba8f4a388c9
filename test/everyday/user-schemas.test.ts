// Schemas users add for kinds the bundled schemas do not cover (plugins/schema-validation/user-schemas.js):
// CRDs (apiextensions v1 and v1beta1) and JSON Schema / OpenAPI definitions carrying
// x-kubernetes-group-version-kind, checked by the same interpreter as the bundled ones.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkOutput } from '../../packages/library/lib/synth/output-checks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { useSchemas, validateObject, checkObjects } = require('../../packages/library/plugins/schema-validation');

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfa-user-schemas-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => { const p = path.join(dir, name); fs.writeFileSync(p, text); return p; };

const PROFILE_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: profiles.kubeflow.org
spec:
  group: kubeflow.org
  scope: Cluster
  names: {kind: Profile, plural: profiles}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                owner:
                  type: object
                  properties:
                    kind: {type: string, enum: [User, Group]}
                    name: {type: string, minLength: 1}
                resourceQuotaSpec:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
            status:
              type: object
              nullable: true
    - name: v1beta1
      served: true
      storage: false
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: not-a-crd
`;

const profile = (spec: unknown, apiVersion = 'kubeflow.org/v1') => ({ apiVersion, kind: 'Profile', metadata: { name: 'alice' }, spec });

describe('a CustomResourceDefinition file (apiextensions.k8s.io/v1)', () => {
  let loaded: any;
  beforeAll(() => { loaded = useSchemas([file('profile-crd.yaml', PROFILE_CRD)]); });

  test('registers each version that has a schema, and the kind\'s scope', () => {
    expect(Object.keys(loaded.kinds)).toEqual(['kubeflow.org/v1/Profile']);
    expect([...loaded.clusterScoped]).toEqual(['kubeflow.org/Profile']);
  });

  test('checks objects of the kind: fields, enums, lengths, closed objects, ObjectMeta, preserve-unknown-fields, nullable', () => {
    const options = { userSchemas: loaded };
    expect(validateObject(profile({ owner: { kind: 'User', name: 'alice@example.com' }, resourceQuotaSpec: { hard: { cpu: '1' } } }), options)).toEqual([]);
    expect(validateObject({ ...profile({}), status: null }, options)).toEqual([]);
    expect(validateObject(profile({ owner: { kind: 'Robot', name: '' } }), options)).toEqual([
      { pointer: '/spec/owner/kind', message: 'must be one of "User", "Group"' },
      { pointer: '/spec/owner/name', message: 'must NOT have fewer than 1 characters' },
    ]);
    expect(validateObject(profile({ ownr: {} }), options)).toEqual([expect.objectContaining({ pointer: '/spec/ownr' })]);
    expect(validateObject({ ...profile({}), metadata: { name: 5 } }, options)).toEqual([{ pointer: '/metadata/name', message: 'must be string' }]);
  });

  test('a version without a schema stays not checked', () => {
    const result = checkObjects([profile({}, 'kubeflow.org/v1beta1')], ['c/p'], { userSchemas: loaded });
    expect(result).toEqual({ violations: [], checked: 0, unchecked: [{ object: 'Profile alice (kubeflow.org/v1beta1)', constructPath: 'c/p' }] });
  });

  test('the whole-output check knows the CRD\'s scope', () => {
    const files = [{ file: 'a.yaml', objects: [{ ...profile({}), apiVersion: 'example.com/v1', kind: 'Tenant', metadata: { name: 't', namespace: 'x' } }], paths: ['c/t'], text: '' }];
    expect(checkOutput(files)).toEqual([]);
    expect(checkOutput(files, { clusterScoped: ['example.com/Tenant'] })).toEqual([expect.stringContaining('[c/t] Tenant t is cluster-scoped but has metadata.namespace "x"')]);
  });
});

test('a v1beta1 CRD (spec.validation) and a JSON CRD file', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'CustomResourceDefinition', metadata: { name: 'gizmos.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Gizmo' }, versions: [{ name: 'v1alpha1' }],
      validation: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { count: { type: 'integer', maximum: 3 } } } } } } },
  };
  const loaded = useSchemas([file('gizmo.json', JSON.stringify(crd))]);
  const gizmo = (count: number) => ({ apiVersion: 'example.com/v1alpha1', kind: 'Gizmo', metadata: { name: 'g' }, spec: { count } });
  expect(validateObject(gizmo(3), { userSchemas: loaded })).toEqual([]);
  expect(validateObject(gizmo(4), { userSchemas: loaded })).toEqual([{ pointer: '/spec/count', message: 'must be <= 3' }]);
});

test('OpenAPI definitions with x-kubernetes-group-version-kind and $refs between them (a newer Ingress)', () => {
  const defs = {
    definitions: {
      'io.k8s.api.networking.v1.Ingress': {
        'type': 'object',
        'x-kubernetes-group-version-kind': [{ group: 'networking.k8s.io', kind: 'Ingress', version: 'v1' }],
        'properties': { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { $ref: '#/definitions/io.k8s.api.networking.v1.IngressSpec' } },
      },
      'io.k8s.api.networking.v1.IngressSpec': { type: 'object', properties: { ingressClassName: { type: 'string', maxLength: 10 } } },
    },
  };
  const loaded = useSchemas([file('ingress.json', JSON.stringify(defs))]);
  const ingress = (ingressClassName: string) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec: { ingressClassName } });
  expect(validateObject(ingress('nginx'), { userSchemas: loaded })).toEqual([]);
  expect(validateObject(ingress('a-very-long-class'), { userSchemas: loaded })).toEqual([{ pointer: '/spec/ingressClassName', message: 'must NOT have more than 10 characters' }]);
  expect(validateObject({ ...ingress('x'), spec: { ingressClassName: 'x', rules: [] } }, { userSchemas: loaded })).toEqual([expect.objectContaining({ pointer: '/spec/rules' })]);
});

test('a single JSON Schema with x-kubernetes-group-version-kind at its top', () => {
  const schema = { 'type': 'object', 'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Thing' }], 'required': ['spec'], 'definitions': { n: { type: 'integer' } }, 'properties': { apiVersion: { type: 'string' }, kind: { type: 'string' }, spec: { $ref: '#/definitions/n' } } };
  const loaded = useSchemas([file('thing.json', JSON.stringify(schema))]);
  expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Thing', spec: 1 }, { userSchemas: loaded })).toEqual([]);
  expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Thing', spec: 'x' }, { userSchemas: loaded })).toEqual([{ pointer: '/spec', message: 'must be integer' }]);
});

describe('unusable schema files are refused with one line naming the file', () => {
  test.each([
    ['a missing file', () => path.join(dir, 'missing.yaml'), 'missing.yaml: cannot read it (ENOENT)'],
    ['invalid YAML', () => file('bad.yaml', 'a: [1,\n'), 'bad.yaml: not valid YAML'],
    ['invalid JSON', () => file('bad.json', '{'), 'bad.json: not valid JSON'],
    ['no kind in it', () => file('plain.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'), 'plain.yaml: holds no schema for a kind'],
    ['a keyword the checker does not implement', () => file('kw.json', JSON.stringify({ 'x-kubernetes-group-version-kind': [{ group: 'a', version: 'v1', kind: 'B' }], 'properties': { s: { type: 'string', contentMediaType: 'text/plain' } } })),
      'schema keyword "contentMediaType" at /properties/s/contentMediaType is not implemented by the schema checker'],
  ])('%s', (_what, make, message) => {
    expect(() => useSchemas([make()])).toThrow(message);
  });
});
