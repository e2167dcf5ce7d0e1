import { z } from 'zod';
import { dedupeWindowCoversRedelivery, retentionEnv } from '@cs/domain';
import { baseEnv, booleanFlag, circuitEnv, databaseEnv, kafkaEnv, niceEnv, port } from '@cs/platform';

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const workerEnv = baseEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(retentionEnv.shape)
  .extend(circuitEnv.shape)
  .extend({
    HEALTH_PORT: port(8003),
    INBOUND_MAX_ATTEMPTS: positiveInt(12, 100),
    INBOUND_RETRY_BASE_MS: positiveInt(250, 60_000),
    INBOUND_RETRY_MAX_MS: positiveInt(30_000, 600_000),
    /** External records applied at once per partition batch (each record's events stay in order). */
    INBOUND_CONCURRENCY: positiveInt(16, 256),
    /** Catch-up of missed webhooks from each system's change feed (Stripe: the events API); 0 turns it off. */
    CATCHUP_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    /** Scheduled reconciliation (report, and repair if RECONCILE_REPAIR); 0 turns it off. Default daily. */
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).max(30 * 86_400_000).default(86_400_000),
    RECONCILE_REPAIR: booleanFlag(false),
    /** The retention job (processed_events, sync_events' partitions); 0 turns it off. Default hourly. */
    RETENTION_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
    /** Folding the analytics and counter deltas into their rows (GET /sync/analytics, /sync/summary); 0 turns it off. */
    ROLLUP_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
    /**
     * The worker's CPU priority (nice). It applies in waves, in bursts of CPU for it and Postgres;
     * where it shares cores with the webhook gateway, whose every answer waits on Kafka, those
     * bursts were the gateway's ack tail. At 10 it yields the CPU while the gateway needs it and
     * takes all that is left (its waves grow, which costs less per event). 0: as any process.
     */
    INBOUND_WORKER_NICE: niceEnv(10),
  })
  // Each failure before the circuit opens is an attempt: an outage must open it before any message runs out.
  .refine((e) => e.CIRCUIT_FAILURE_THRESHOLD < e.INBOUND_MAX_ATTEMPTS, {
    path: ['CIRCUIT_FAILURE_THRESHOLD'],
    message: 'must be below INBOUND_MAX_ATTEMPTS, or an outage parks messages before the circuit opens',
  })
  .superRefine(dedupeWindowCoversRedelivery);
export type WorkerEnv = z.infer<typeof workerEnv>;
