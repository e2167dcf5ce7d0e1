import { z } from 'zod';
import { baseEnv, booleanFlag, circuitEnv, databaseEnv, kafkaEnv, port } from '@cs/platform';

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const workerEnv = baseEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(circuitEnv.shape)
  .extend({
    HEALTH_PORT: port(8002),
    /** Attempts before a retryable failure is parked (about 4.5 minutes of backoff with the defaults). */
    OUTBOUND_MAX_ATTEMPTS: positiveInt(12, 100),
    OUTBOUND_RETRY_BASE_MS: positiveInt(250, 60_000),
    OUTBOUND_RETRY_MAX_MS: positiveInt(30_000, 600_000),
    /**
     * Customers pushed at once per partition batch and system (each customer's changes stay in order).
     * All 6 partitions run at once, so 8 keeps 48 pushes in flight: more only queue for the DB pool and hold memory.
     */
    OUTBOUND_CONCURRENCY: positiveInt(8, 256),
    /**
     * Bytes fetched per partition at a time. A push takes milliseconds and a system like Stripe allows at most
     * 100 writes/s, so a fetch of ~200 messages (~500 bytes each) is seconds of work: fetching
     * Kafka's default 1 MB (~2,000 messages a partition) while a backlog drains only holds memory.
     */
    OUTBOUND_FETCH_BYTES: positiveInt(128 * 1024, 64 * 1024 * 1024),
    /**
     * Chaos testing only: kill -9 this process right after an external create succeeds and
     * before its mapping is stored — the worst moment for a crash. Refused in production.
     */
    FAULT_CRASH_AFTER_EXTERNAL_CREATE: booleanFlag(false),
  })
  .refine((e) => !(e.NODE_ENV === 'production' && e.FAULT_CRASH_AFTER_EXTERNAL_CREATE), {
    path: ['FAULT_CRASH_AFTER_EXTERNAL_CREATE'],
    message: 'fault injection is not allowed in production',
  })
  // Each failure before the circuit opens is an attempt: an outage must open it before any message runs out.
  .refine((e) => e.CIRCUIT_FAILURE_THRESHOLD < e.OUTBOUND_MAX_ATTEMPTS, {
    path: ['CIRCUIT_FAILURE_THRESHOLD'],
    message: 'must be below OUTBOUND_MAX_ATTEMPTS, or an outage parks messages before the circuit opens',
  });
export type WorkerEnv = z.infer<typeof workerEnv>;
