// The gateway model of the request-path suite (test/support/gateway.ts), on cases that follow the Istio
// code it cites: route order with catch-alls last, prefix rewrite, redirect, header removal, and
// the RequestAuthentication rule (missing passes, invalid is 401, valid passes).
import { createSign, generateKeyPairSync } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import { request } from '../support/browser';
import { Gateway, startGateway } from '../support/gateway';

let upstream: http.Server;
let port: number;
const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' };
const ISSUER = 'http://dex.auth.svc.cluster.local:5556/dex';

function jwt(claims: object, key = privateKey): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part({ alg: 'RS256', kid: 'k1' })}.${part(claims)}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(key).toString('base64url')}`;
}

const vs = (name: string, http: any[]) => ({ kind: 'VirtualService', metadata: { name, namespace: 'kubeflow' }, spec: { gateways: ['kubeflow/kubeflow-gateway'], hosts: ['*'], http } });
const to = (host: string) => [{ destination: { host, port: { number: 80 } } }];
const objects = [
  // a catch-all first, as Kubeflow's dashboard route may be created before ours
  vs('dashboard', [{ match: [{ uri: { prefix: '/' } }], route: to('dashboard') }]),
  vs('argo', [
    { match: [{ uri: { exact: '/argo' } }], redirect: { uri: '/argo/' } },
    { match: [{ uri: { prefix: '/argo/' } }], rewrite: { uri: '/' }, headers: { request: { remove: ['authorization'] } }, route: to('argo') },
  ]),
  { kind: 'RequestAuthentication', metadata: { name: 'dex-jwt', namespace: 'istio-system' }, spec: { jwtRules: [{ issuer: ISSUER, jwksUri: 'http://dex/keys', fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }] }] } },
];

async function get(path: string, headers: Record<string, string> = {}, to = gateway.port): Promise<{ status: number; body: string; location?: string }> {
  const r = await request(to, 'GET', path, headers);
  return { status: r.status, body: r.body, location: r.headers.location };
}

let gateway: Gateway;
beforeAll(async () => {
  upstream = http.createServer((req, res) => { seen.push({ url: req.url!, headers: req.headers }); res.end(`upstream ${req.headers.host}`); });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  port = (upstream.address() as net.AddressInfo).port;
  const up = { host: '127.0.0.1', port };
  gateway = await startGateway({ objects, gateway: 'kubeflow/kubeflow-gateway', upstreams: { 'argo:80': up, 'dashboard:80': up }, jwks: (rule) => (rule.jwksUri === 'http://dex/keys' ? { keys: [jwk] } : { keys: [] }) });
});
afterAll(async () => {
  await gateway.close();
  upstream.close();
});

test('a catch-all route created first still comes last; the prefix is rewritten and Authorization removed', async () => {
  seen.length = 0;
  const token = jwt({ iss: ISSUER, exp: Math.floor(Date.now() / 1000) + 60 });
  expect((await get('/argo/api/v1/x?y=1', { authorization: `Bearer ${token}` })).status).toBe(200);
  expect(seen[0].url).toBe('/api/v1/x?y=1');
  expect(seen[0].headers.authorization).toBeUndefined();
  await get('/jupyter/');
  expect(seen[1].url).toBe('/jupyter/'); // the catch-all, unchanged
});

test('the exact /argo redirects with 301 to /argo/', async () => {
  expect(await get('/argo')).toEqual({ status: 301, body: '', location: '/argo/' });
});

test('RequestAuthentication: no token passes, an invalid one is 401 before any route, a valid one passes', async () => {
  expect((await get('/argo/')).status).toBe(200);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  for (const bad of ['not-a-jwt', jwt({ iss: ISSUER }, other), jwt({ iss: 'https://elsewhere' }), jwt({ iss: ISSUER, exp: 1 })]) {
    expect(await get('/argo/', { authorization: `Bearer ${bad}` })).toEqual({ status: 401, body: 'Jwt verification fails', location: undefined });
  }
  expect((await get('/argo/', { authorization: `Bearer ${jwt({ iss: ISSUER })}` })).status).toBe(200);
  // a header without the prefix is no token to this provider
  expect((await get('/argo/', { authorization: 'Basic abc' })).status).toBe(200);
});

test('a match the model does not know is refused, not guessed', async () => {
  const g = await startGateway({ objects: [vs('h', [{ match: [{ headers: { x: { exact: '1' } } }], route: to('argo') }])], gateway: 'kubeflow/kubeflow-gateway', upstreams: { 'argo:80': { host: '127.0.0.1', port } } });
  const r = await get('/', {}, g.port);
  expect([r.status, r.body]).toEqual([500, 'gateway model: match on headers is not modelled']);
  await g.close();
});

describe('login filters: CUSTOM ext_authz, then jwt_authn, then DENY and ALLOW (listener_builder.go order)', () => {
  let authz: http.Server;
  const checks: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }> = [];
  let g: Gateway;
  const kubeflowObjects = () => [
    vs('dashboard', [{ match: [{ uri: { prefix: '/' } }], route: to('dashboard') }]),
    { kind: 'ConfigMap', metadata: { namespace: 'istio-system', name: 'istio' }, data: { mesh: [
      'extensionProviders:', '- name: login', '  envoyExtAuthzHttp:', '    service: login.auth.svc.cluster.local', '    port: 80',
      '    includeRequestHeadersInCheck: [cookie]', '    headersToUpstreamOnAllow: [authorization]', '    headersToDownstreamOnDeny: [set-cookie]'].join('\n') } },
    { kind: 'AuthorizationPolicy', metadata: { namespace: 'istio-system', name: 'custom' }, spec: { action: 'CUSTOM', provider: { name: 'login' }, selector: { matchLabels: { app: 'istio-ingressgateway' } },
      rules: [{ to: [{ operation: { notPaths: ['/dex/*'] } }], when: [{ key: 'request.headers[authorization]', notValues: ['*'] }] }] } },
    { kind: 'AuthorizationPolicy', metadata: { namespace: 'istio-system', name: 'require-jwt' }, spec: { action: 'DENY', rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { notPaths: ['/dex/*'] } }] }] } },
    { kind: 'AuthorizationPolicy', metadata: { namespace: 'istio-system', name: 'other-gateway' }, spec: { action: 'DENY', selector: { matchLabels: { app: 'elsewhere' } }, rules: [{}] } },
    { kind: 'RequestAuthentication', metadata: { name: 'dex-jwt', namespace: 'istio-system' }, spec: { jwtRules: [{ issuer: ISSUER, forwardOriginalToken: true, outputClaimToHeaders: [{ claim: 'email', header: 'kubeflow-userid' }, { claim: 'groups', header: 'kubeflow-groups' }] }] } },
  ];

  beforeAll(async () => {
    authz = http.createServer((req, res) => {
      checks.push({ method: req.method!, url: req.url!, headers: req.headers });
      if (req.headers.cookie === 'session=ok') res.writeHead(200, { authorization: `Bearer ${jwt({ iss: ISSUER, sub: 'u1', email: 'a@x', groups: ['g'] })}`, 'x-other': 'no' }).end();
      else res.writeHead(302, { location: '/dex/auth', 'set-cookie': 'csrf=1', 'x-other': 'no' }).end('to the login');
    });
    await new Promise<void>((r) => authz.listen(0, '127.0.0.1', () => r()));
    const authzPort = (authz.address() as net.AddressInfo).port;
    g = await startGateway({
      objects: kubeflowObjects(), gateway: 'kubeflow/kubeflow-gateway', jwks: () => ({ keys: [jwk] }),
      upstreams: { 'dashboard:80': { host: '127.0.0.1', port }, 'login.auth.svc.cluster.local:80': { host: '127.0.0.1', port: authzPort } },
    });
  });
  afterAll(async () => {
    await g.close();
    authz.close();
  });

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => request(g.port, method, path, headers, body);

  test('a denied check is the answer: its status, body, the allowed headers and Location; the check has the method, path and Content-Length 0', async () => {
    checks.length = 0;
    const r = await send('POST', '/x?y=1', { cookie: 'no', 'x-private': 'p', 'content-type': 'application/json' }, '{"a":1}');
    expect([r.status, r.body, r.headers.location, r.headers['set-cookie'], r.headers['x-other']]).toEqual([302, 'to the login', '/dex/auth', ['csrf=1'], undefined]);
    expect(checks).toHaveLength(1);
    expect([checks[0].method, checks[0].url, checks[0].headers.cookie, checks[0].headers['content-length'], checks[0].headers['x-private']]).toEqual(['POST', '/x?y=1', 'no', '0', undefined]);
  });

  test('an allowed check sets its upstream headers; the token it adds is verified after it and its claims become headers', async () => {
    seen.length = 0;
    const r = await send('POST', '/x', { cookie: 'session=ok' }, 'body');
    expect(r.status).toBe(200);
    expect(seen[0].headers.authorization).toMatch(/^Bearer ey/); // forwardOriginalToken
    expect(seen[0].headers['kubeflow-userid']).toBe('a@x');
    expect(seen[0].headers['kubeflow-groups']).toBeUndefined(); // a list claim is not a header here
    expect(seen[0].headers['x-other']).toBeUndefined();
  });

  test('paths outside the CUSTOM rule skip the check; DENY without a principal refuses the rest', async () => {
    checks.length = 0;
    expect((await send('GET', '/dex/auth')).status).toBe(200);
    // a request with its own Authorization skips the check (when: notValues *), and without a valid JWT is refused
    expect(await send('GET', '/x', { authorization: 'Basic abc' }).then((r) => [r.status, r.body])).toEqual([403, 'RBAC: access denied']);
    expect(checks).toHaveLength(0);
    expect((await send('GET', '/x', { authorization: `Bearer ${jwt({ iss: ISSUER, sub: 'm2m' })}` })).status).toBe(200);
  });

  test('ALLOW: a policy without rules allows nothing (global-deny-all); with another policy that allows all, the request passes', async () => {
    const denyAll = { kind: 'AuthorizationPolicy', metadata: { namespace: 'istio-system', name: 'global-deny-all' }, spec: {} };
    const allowAll = { kind: 'AuthorizationPolicy', metadata: { namespace: 'istio-system', name: 'gw' }, spec: { action: 'ALLOW', selector: { matchLabels: { app: 'istio-ingressgateway' } }, rules: [{}] } };
    for (const [objects, want] of [[[denyAll], 403], [[denyAll, allowAll], 200]] as const) {
      const one = await startGateway({ objects: [vs('d', [{ route: to('dashboard') }]), ...objects], gateway: 'kubeflow/kubeflow-gateway', upstreams: { 'dashboard:80': { host: '127.0.0.1', port } } });
      const { status } = await get('/', {}, one.port);
      await one.close();
      expect([objects.length, status]).toEqual([objects.length, want]);
    }
  });

  test('what the policy model does not know is refused, not guessed', async () => {
    const odd = await startGateway({
      objects: [vs('d', [{ route: to('dashboard') }]), { kind: 'AuthorizationPolicy', metadata: { namespace: 'istio-system', name: 'ip' }, spec: { action: 'DENY', rules: [{ from: [{ source: { ipBlocks: ['1.2.3.4'] } }] }] } }],
      gateway: 'kubeflow/kubeflow-gateway', upstreams: { 'dashboard:80': { host: '127.0.0.1', port } },
    });
    const r = await get('/', {}, odd.port);
    expect([r.status, r.body]).toEqual([500, 'gateway model: AuthorizationPolicy source.ipBlocks is not modelled']);
    await odd.close();
  });
});
