import { z } from 'zod';
import { baseEnv, kafkaEnv, port } from '@cs/platform';

// The gateway verifies signatures only: it needs each enabled system's webhook secret (read by
// its connector, @cs/integrations loadWebhookVerifiers), never a database or an API key.
export const gatewayEnv = baseEnv.extend(kafkaEnv.shape).extend({
  WEBHOOK_PORT: port(8001),
  /** How long a webhook waits for concurrent ones to share its Kafka produce request (0: none). */
  WEBHOOK_LINGER_MS: z.coerce.number().int().min(0).max(50).default(2),
});
export type GatewayEnv = z.infer<typeof gatewayEnv>;
