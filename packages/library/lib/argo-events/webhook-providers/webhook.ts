import { checkOneOf } from '../../validation';
import { WebhookProvider } from './provider';

/** A generic webhook: any caller that can send the bearer token. */
export const GENERIC_WEBHOOK: WebhookProvider = {
  defaultEventName: 'webhook',
  uses: ['method'],
  check(props, webhookSecret, at) {
    const method = checkOneOf(at('method'), props.method ?? 'POST', ['POST', 'PUT', 'GET']);
    return {
      method,
      spec: (eventName, webhook) => ({ webhook: { [eventName]: { ...webhook, ...(webhookSecret ? { authSecret: webhookSecret } : {}) } } }),
    };
  },
};
