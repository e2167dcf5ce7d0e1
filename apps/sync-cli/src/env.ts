import type { z } from 'zod';
import { baseEnv, databaseEnv, kafkaEnv } from '@cs/platform';

// The CLI's own settings; each enabled system's (SYNC_SYSTEMS) are read by its connector, and only
// when a command needs that system (`dlq` and `status` need none).
export const cliEnv = baseEnv.extend(databaseEnv.shape).extend(kafkaEnv.shape);
export type CliEnv = z.infer<typeof cliEnv>;
