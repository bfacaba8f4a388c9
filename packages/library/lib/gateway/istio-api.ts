import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicyProps } from '../../imports/security.istio.io';
import { VirtualService, VirtualServiceProps, VirtualServiceV1Beta1 } from '../../imports/networking.istio.io';
import { Platform } from '../platform';

/**
 * A VirtualService in the API version the platform's mesh serves. The props are typed from the
 * Istio 1.9.6 CRD; the fields this library sets are the same in every served version.
 * `networking.istio.io/v1` comes from the Istio 1.30.3 import, loaded only when used.
 */
export function createVirtualService(scope: Construct, id: string, platform: Platform, props: VirtualServiceProps): ApiObject {
  switch (platform.spec.istio.networking) {
    case 'networking.istio.io/v1alpha3':
      return new VirtualService(scope, id, props);
    case 'networking.istio.io/v1beta1':
      return new VirtualServiceV1Beta1(scope, id, props);
    case 'networking.istio.io/v1': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { VirtualService: VirtualServiceV1 } = require('../../imports/istio-1.30.3/networking.istio.io');
      return new VirtualServiceV1(scope, id, props);
    }
  }
}

/** An AuthorizationPolicy in the API version the platform's mesh serves (see createVirtualService). */
export function createAuthorizationPolicy(scope: Construct, id: string, platform: Platform, props: AuthorizationPolicyProps): ApiObject {
  switch (platform.spec.istio.security) {
    case 'security.istio.io/v1beta1':
      return new AuthorizationPolicy(scope, id, props);
    case 'security.istio.io/v1': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { AuthorizationPolicy: AuthorizationPolicyV1 } = require('../../imports/istio-1.30.3/security.istio.io');
      return new AuthorizationPolicyV1(scope, id, props);
    }
  }
}
