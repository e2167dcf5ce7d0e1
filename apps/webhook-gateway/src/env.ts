import { type z } from 'zod';
import { baseEnv, kafkaEnv, port } from '@cs/platform';

// The gateway verifies signatures only: it needs each enabled system's webhook secret (read by
// its connector, @cs/integrations loadWebhookVerifiers), never a database or an API key.
export const gatewayEnv = baseEnv.extend(kafkaEnv.shape).extend({ WEBHOOK_PORT: port(8001) });
export type GatewayEnv = z.infer<typeof gatewayEnv>;
