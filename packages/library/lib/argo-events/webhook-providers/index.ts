// The webhook providers, one file each: adding one is its file plus its name in the type and
// its line in PROVIDERS here (event-kinds.ts then describes its events)
// (ARCHITECTURE.md, "Adding a webhook provider"). The source type union, the chart's
// `events.sources[].type`, EventField's push presets and the trigger's branch filter follow.
import { GITHUB } from './github';
import { GITLAB } from './gitlab';
import { WebhookProvider } from './provider';
import { GENERIC_WEBHOOK } from './webhook';

/** Kinds of webhook event sources (the compiler holds this list and PROVIDERS to each other). */
export type WebhookEventSourceType = 'github' | 'gitlab' | 'webhook';

/** Every provider, by the `type` users give. */
export const PROVIDERS: Readonly<Record<WebhookEventSourceType, WebhookProvider>> = {
  github: GITHUB,
  gitlab: GITLAB,
  webhook: GENERIC_WEBHOOK,
};

/** Every {@link WebhookEventSourceType}, in registration order. */
export const WEBHOOK_EVENT_SOURCE_TYPES = Object.keys(PROVIDERS) as WebhookEventSourceType[];

