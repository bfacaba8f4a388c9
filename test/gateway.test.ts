// The gateway model of the request-path suite (test/gateway.ts), on cases that follow the Istio
// code it cites: route order with catch-alls last, prefix rewrite, redirect, header removal, and
// the RequestAuthentication rule (missing passes, invalid is 401, valid passes).
import { createSign, generateKeyPairSync } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import { Gateway, jwtProviders, startGateway } from './gateway';

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

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: gateway.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body, location: res.headers.location }));
    }).on('error', reject);
  });
}

let gateway: Gateway;
beforeAll(async () => {
  upstream = http.createServer((req, res) => { seen.push({ url: req.url!, headers: req.headers }); res.end(`upstream ${req.headers.host}`); });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  port = (upstream.address() as net.AddressInfo).port;
  gateway = await startGateway(objects, 'kubeflow/kubeflow-gateway', { 'argo:80': port, 'dashboard:80': port },
    jwtProviders(objects, (uri) => (uri === 'http://dex/keys' ? { keys: [jwk] } : { keys: [] })));
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
  const g = await startGateway([vs('h', [{ match: [{ headers: { x: { exact: '1' } } }], route: to('argo') }])], 'kubeflow/kubeflow-gateway', { 'argo:80': port });
  const r = await new Promise<[number, string]>((resolve, reject) => http.get({ host: '127.0.0.1', port: g.port, path: '/' }, (res) => {
    let body = '';
    res.on('data', (c) => { body += c; });
    res.on('end', () => resolve([res.statusCode!, body]));
  }).on('error', reject));
  expect(r).toEqual([500, 'gateway model: match on headers is not modelled']);
  await g.close();
});
