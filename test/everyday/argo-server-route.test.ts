import { Testing } from 'cdk8s';
import { ArgoServer, ArgoServerRoute } from '../../packages/library/lib';
import { INGRESS_GATEWAY_PRINCIPAL } from '../../packages/library/lib/constants';
import { one, synth } from '../support/util';

const route = (props = {}) => synth((c) => new ArgoServerRoute(c, 'route', props));

describe('ArgoServerRoute', () => {
  test('VirtualService: Kubeflow gateway, hosts *, prefix /argo/ rewritten to /, argo-server:2746, 300s', () => {
    const vs = one(route(), 'VirtualService');
    expect(vs.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(vs.metadata).toEqual({ name: 'argo-server', namespace: 'kubeflow' });
    expect(vs.spec.gateways).toEqual(['kubeflow/kubeflow-gateway']);
    expect(vs.spec.hosts).toEqual(['*']);
    const main = vs.spec.http.find((h: any) => h.route);
    expect(main.match).toEqual([{ uri: { prefix: '/argo/' } }]);
    expect(main.rewrite).toEqual({ uri: '/' });
    expect(main.route).toEqual([{ destination: { host: 'argo-server.kubeflow.svc.cluster.local', port: { number: 2746 } } }]);
    expect(main.timeout).toBe('300s');
  });

  test('redirects the bare prefix /argo to /argo/ (relative asset URLs need the slash)', () => {
    const vs = one(route(), 'VirtualService');
    expect(vs.spec.http[0]).toEqual({ match: [{ uri: { exact: '/argo' } }], redirect: { uri: '/argo/' } });
  });

  test('AuthorizationPolicy allows only the ingress gateway principal by default', () => {
    const ap = one(route(), 'AuthorizationPolicy');
    expect(ap.apiVersion).toBe('security.istio.io/v1beta1');
    expect(ap.metadata).toEqual({ name: 'argo-server', namespace: 'kubeflow' });
    expect(ap.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'argo-server' } },
      rules: [{ from: [{ source: { principals: [INGRESS_GATEWAY_PRINCIPAL] } }] }],
    });
    expect(INGRESS_GATEWAY_PRINCIPAL).toBe('cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account');
  });

  test('allowedPrincipals replaces the default principal list', () => {
    const p = 'cluster.local/ns/istio-system/sa/custom-gateway';
    expect(one(route({ allowedPrincipals: [p] }), 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { principals: [p] } }] }]);
  });

  test('allowAllSources: true reproduces the seed allow-all rule', () => {
    expect(one(route({ allowAllSources: true }), 'AuthorizationPolicy').spec.rules).toEqual([{}]);
  });

  test('gateway, hosts and timeout options', () => {
    const vs = one(route({ gateway: 'istio-system/public', hosts: ['kubeflow.example.com'], timeout: '1h' }), 'VirtualService');
    expect(vs.spec.gateways).toEqual(['istio-system/public']);
    expect(vs.spec.hosts).toEqual(['kubeflow.example.com']);
    expect(vs.spec.http[1].timeout).toBe('1h');
  });

  test('follows the server: namespace, base href and Service host', () => {
    const objs = synth((c) => {
      const server = new ArgoServer(c, 'server', { namespace: 'argo-ui', baseHref: '/workflows/' });
      new ArgoServerRoute(c, 'route', { server });
    });
    const vs = one(objs, 'VirtualService');
    expect(vs.metadata.namespace).toBe('argo-ui');
    expect(vs.spec.http[1].match).toEqual([{ uri: { prefix: '/workflows/' } }]);
    expect(vs.spec.http[1].route[0].destination.host).toBe('argo-server.argo-ui.svc.cluster.local');
    expect(one(objs, 'AuthorizationPolicy').metadata.namespace).toBe('argo-ui');
  });

  test('fails when baseHref contradicts the server (blank UI)', () => {
    const c = Testing.chart();
    const server = new ArgoServer(c, 'server');
    expect(() => new ArgoServerRoute(c, 'route', { server, baseHref: '/other/' })).toThrow(/baseHref.*contradicts the server/);
  });

  test('fails when the server is secure (the route speaks plain HTTP)', () => {
    const c = Testing.chart();
    const server = new ArgoServer(c, 'server', { secure: true });
    expect(() => new ArgoServerRoute(c, 'route', { server })).toThrow(/server.*secure/);
  });

  test('fails when allowAllSources and allowedPrincipals are both set', () => {
    expect(() => new ArgoServerRoute(Testing.chart(), 'r', { allowAllSources: true, allowedPrincipals: [INGRESS_GATEWAY_PRINCIPAL] }))
      .toThrow(/allowAllSources/);
  });

  test('snapshot', () => {
    expect(route()).toMatchSnapshot();
  });
});
