// Output checked against the upstream schemas with the same validator the synth runs
// (plugins/schema-validation, declared in cdk8s.yaml). Regeneration and the comparison with Ajv
// on every emitted object are in schemas-upstream.test.ts (slow suite).
import { Chart, Testing } from 'cdk8s';
import { KubeflowArgoChart, Platform, WebhookEventSource } from '../../packages/library/lib';
import { CONFIGS } from '../support/configs';
import { Obj } from '../support/util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateObject, validateObjects, checkObjects, formatViolations, knownKinds } = require('../../packages/library/plugins/schema-validation');

const chartObjs = (props: any = {}): Obj[] => Testing.synth(new KubeflowArgoChart(Testing.app(), 'kfa', props)) as Obj[];

describe('every object the constructs emit matches its upstream schema', () => {
  test.each(CONFIGS)('%s', (_name, props) => {
    const violations = validateObjects(chartObjs(props));
    expect(formatViolations(violations)).toBe('');
  });

  test('the validator knows every kind the chart emits', () => {
    const kinds = new Set(chartObjs(CONFIGS[2][1]).map((o) => `${o.apiVersion}/${o.kind}`));
    for (const k of kinds) expect(knownKinds()).toContain(k);
  });
});

describe('issue 20, item 3: a generic webhook without publicUrl is valid on every preset', () => {
  // Argo Events checks only endpoint and port (pkg/eventsources/common/webhook/validate.go at
  // v1.5.6 and v1.9.11); its own examples/event-sources/webhook.yaml has no url.
  test.each(Platform.ALL.map((p) => [p.id, p] as const))('%s', (_id, platform) => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    Platform.use(chart, platform);
    new WebhookEventSource(chart, 'hook', { type: 'webhook', webhookSecret: { name: 'hook', key: 'token' } });
    const objs = Testing.synth(chart) as any[];
    const es = objs.find((o) => o.kind === 'EventSource');
    expect(es.spec.webhook.webhook.url).toBeUndefined();
    expect(formatViolations(validateObjects(objs, {}, { releases: platform.schemaReleases, strict: true }))).toBe('');
  });
});

describe('a deliberately broken object is caught with its JSON pointer', () => {
  const base = () => chartObjs({ profiles: ['alice'] });
  const broken = (kind: string, mutate: (o: any) => void) => {
    const obj = JSON.parse(JSON.stringify(base().find((o) => o.kind === kind)));
    mutate(obj);
    return validateObject(obj);
  };

  test('Deployment with a string replicas', () => {
    expect(broken('Deployment', (o) => { o.spec.replicas = '2'; })).toEqual([{ pointer: '/spec/replicas', message: 'must be integer' }]);
  });

  test('Deployment container with a misspelt field', () => {
    expect(broken('Deployment', (o) => { o.spec.template.spec.containers[0].imagePullPolicyy = 'Always'; }))
      .toEqual([expect.objectContaining({ pointer: '/spec/template/spec/containers/0/imagePullPolicyy' })]);
  });

  test('WorkflowTemplate template with a misspelt "contianer" (Argo 3.1 schema)', () => {
    expect(broken('WorkflowTemplate', (o) => { o.spec.templates[0].contianer = o.spec.templates[0].container; }))
      .toEqual([expect.objectContaining({ pointer: '/spec/templates/0/contianer' })]);
  });

  test('VirtualService with a numeric timeout (Istio 1.9 schema)', () => {
    expect(broken('VirtualService', (o) => { o.spec.http[1].timeout = 300; })).toEqual([{ pointer: '/spec/http/1/timeout', message: 'must be string' }]);
  });

  test('AuthorizationPolicy with an unknown action', () => {
    expect(broken('AuthorizationPolicy', (o) => { o.spec.action = 'PERMIT'; }))
      .toEqual([{ pointer: '/spec/action', message: 'must be one of "ALLOW", "DENY", "AUDIT", "CUSTOM"' }]);
  });

  test('RoleBinding without roleRef', () => {
    expect(broken('RoleBinding', (o) => { delete o.roleRef; })).toEqual([expect.objectContaining({ pointer: '', message: expect.stringContaining('roleRef') })]);
  });

  test('an API version Istio 1.9 does not serve, checked against the KUBEFLOW_1_4 releases', () => {
    const obj = JSON.parse(JSON.stringify(base().find((o) => o.kind === 'VirtualService')));
    obj.apiVersion = 'networking.istio.io/v1';
    expect(validateObject(obj, { releases: Platform.KUBEFLOW_1_4.schemaReleases }))
      .toEqual([{ pointer: '/apiVersion', message: expect.stringContaining("networking.istio.io/v1 VirtualService is not served by the platform's releases") }]);
    expect(validateObject(obj)).toEqual([]); // Istio 1.30.3 serves it
  });

  test('a kind no schema covers is not checked, and is a violation in strict mode', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(validateObject(widget)).toEqual([]);
    expect(checkObjects([widget], ['app/c/w'])).toEqual({ violations: [], checked: 0, unchecked: [{ object: 'Widget w (example.com/v1)', constructPath: 'app/c/w' }] });
    expect(validateObject(widget, { strict: true }))
      .toEqual([{ pointer: '/kind', message: expect.stringContaining('no schema for example.com/v1 Widget (strict mode). Fix: add its CRD') }]);
  });

  test('bounded fields: a VirtualService port number outside 0..4294967295 (Istio 1.30.3 schema)', () => {
    const vs = chartObjs({ platform: Platform.KUBEFLOW_1_10 }).find((o) => o.kind === 'VirtualService')!;
    const releases = Platform.KUBEFLOW_1_10.schemaReleases;
    const withPort = (n: number) => {
      const o = JSON.parse(JSON.stringify(vs));
      o.spec.http[1].route[0].destination.port.number = n;
      return validateObject(o, { releases });
    };
    expect(withPort(2746)).toEqual([]);
    expect(withPort(-1)).toEqual([{ pointer: '/spec/http/1/route/0/destination/port/number', message: 'must be >= 0' }]);
    expect(withPort(4294967296)).toEqual([{ pointer: '/spec/http/1/route/0/destination/port/number', message: 'must be <= 4294967295' }]);
  });

  test('an int-or-string field given an object reports one readable line', () => {
    expect(broken('WorkflowTemplate', (o) => { o.spec.templates[0].container.resources = { limits: { cpu: { value: '1' } } }; }))
      .toEqual([{ pointer: '/spec/templates/0/container/resources/limits/cpu', message: 'must be integer or string' }]);
  });

  test('formatted with construct path, object and pointer', () => {
    const obj = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'ns' }, spec: { ports: [{ port: 'http' }] } };
    const text = formatViolations(validateObjects([obj], { 'v1 Service ns/x': 'app/chart/Service' }));
    expect(text).toBe('[app/chart/Service] Service ns/x (v1) at /spec/ports/0/port: must be integer');
  });
});

describe('every keyword the interpreter implements agrees with Ajv on generated schemas and values (seeded)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = require('ajv');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SchemaInterpreter, KEYWORDS } = require('../../packages/library/plugins/schema-validation/validate');
  let seed = 5;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const strings = ['', 'a', 'ab', 'abc', 'abcd', 'é', '😀😀', 'a😀', '12', 'x-y'];
  const values = (): unknown[] => [
    int(-3, 3), int(-3, 3) + 0.5, 4294967295, 4294967296, -1, 0, pick(strings), pick(strings), true, null,
    Array.from({ length: int(0, 4) }, () => pick([1, 1, 2, 'a', 'a', { k: 1 }, { k: 1 }])),
    Object.fromEntries(Array.from({ length: int(0, 4) }, (_, i) => [`k${i}`, int(0, 2)])),
  ];
  const schemas: Array<[string, () => object]> = [
    ['minimum/maximum', () => ({ type: 'number', minimum: int(-2, 1), maximum: int(0, 3) })],
    ['exclusive bounds (draft 6+ numbers)', () => ({ exclusiveMinimum: int(-2, 1), exclusiveMaximum: int(0, 3) })],
    ['port range', () => ({ type: 'integer', minimum: 0, maximum: 4294967295 })],
    ['minLength/maxLength (code points)', () => ({ type: 'string', minLength: int(0, 2), maxLength: int(1, 3) })],
    ['minItems/maxItems/uniqueItems', () => ({ type: 'array', minItems: int(0, 2), maxItems: int(1, 3), uniqueItems: rand() < 0.5 })],
    ['minProperties/maxProperties', () => ({ type: 'object', minProperties: int(0, 2), maxProperties: int(1, 3) })],
    ['multipleOf', () => ({ multipleOf: pick([1, 2, 0.5]) })],
    ['const and enum', () => ({ anyOf: [{ const: pick([1, 'a', null]) }, { enum: [pick(strings), { k: 1 }] }] })],
    ['allOf/oneOf/not', () => ({ allOf: [{ type: ['number', 'string'] }], oneOf: [{ minimum: 0 }, { maxLength: 2 }], not: { const: 0 } })],
    ['items and properties', () => ({ properties: { k0: { maximum: 1 } }, additionalProperties: { minimum: 1 }, required: rand() < 0.5 ? ['k0'] : [], items: { type: 'integer', minimum: 1 } })],
  ];

  test.each(schemas)('%s', (_name, make) => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    let compared = 0;
    for (let i = 0; i < 40; i++) {
      const schema = make();
      const ajvValid = ajv.compile(schema);
      const ours = new SchemaInterpreter({ s: schema });
      for (const v of values()) {
        expect([schema, v, ours.validate('s', v).length === 0]).toEqual([schema, v, ajvValid(v)]);
        compared++;
      }
    }
    expect(compared).toBe(480);
  });

  test('the generated cases use every bound and length keyword', () => {
    const used = new Set(schemas.flatMap(([, make]) => JSON.stringify(make()).match(/"(\w+)":/g)!.map((k) => k.slice(1, -2))));
    for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf', 'const', 'allOf']) {
      expect(KEYWORDS.has(k)).toBe(true);
      expect([k, used.has(k)]).toEqual([k, true]);
    }
  });
});

test('a schema keyword the interpreter does not implement is refused, naming it and where it is', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { assertKnownKeywords } = require('../../packages/library/plugins/schema-validation/validate');
  expect(() => assertKnownKeywords({ definitions: { a: { properties: { x: { type: 'string', contentEncoding: 'base64' } } } } }, 'test'))
    .toThrow('test: schema keyword "contentEncoding" at /definitions/a/properties/x/contentEncoding is not implemented by the schema checker');
  expect(() => assertKnownKeywords({ definitions: { a: { properties: { patternProperties: { type: 'string' } } } } }, 'test')).not.toThrow(); // a field named like a keyword
});
