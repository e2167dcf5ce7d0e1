/**
 * A second, private Kafka broker for tests that stop and start Kafka: the shared broker serves
 * every jest worker at once and must stay up. Same scripts as `make infra-up`, other ports/folder.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { runNumber } from './run-number';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

export function privateKafka(name: string, topicPrefix = process.env.KAFKA_TOPIC_PREFIX ?? '') {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const runNo = runNumber();
  // Below the ephemeral range (see e2e/support/stack.ts) and apart from the e2e ports (20000–24999).
  const port = 25000 + (runNo % 50) * 40 + worker * 4;
  const env = {
    ...process.env,
    CS_KAFKA_PORT: String(port),
    CS_KAFKA_CONTROLLER_PORT: String(port + 1),
    CS_KAFKA_HOME: path.join(ROOT, '.local', `kafka-${name}-${runNo}-${worker}`),
    KAFKA_TOPIC_PREFIXES: topicPrefix,
  };
  const kafka = (cmd: 'up' | 'down') => run('bash', [path.join(ROOT, 'scripts/kafka.sh'), cmd], { env, timeout: 120_000 });
  return {
    brokers: `127.0.0.1:${port}`,
    start: () => kafka('up'),
    stop: () => kafka('down'),
    /** Stops it and removes its data. */
    async destroy() {
      await kafka('down');
      await run('rm', ['-rf', env.CS_KAFKA_HOME]);
    },
  };
}
