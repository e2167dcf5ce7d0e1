/**
 * A private PostgreSQL cluster for tests that stop and start the database (chaos): the shared
 * one serves every jest worker and must stay up. Same script as `make infra-up`, other port/folder.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { runNumber } from './run-number';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

export function privatePostgres(name: string) {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const runNo = runNumber();
  // Below the ephemeral range (see e2e/support/stack.ts), apart from the e2e and private Kafka ports.
  const port = 27000 + (runNo % 100) * 10 + worker;
  const env = { ...process.env, CS_PG_PORT: String(port), CS_PG_HOME: path.join(ROOT, '.local', `pg-${name}-${runNo}-${worker}`), CS_DB_NAME: 'chaos' };
  const pg = (cmd: 'up' | 'down') => run('bash', [path.join(ROOT, 'scripts/pg.sh'), cmd], { env, timeout: 120_000 });
  const url = `postgres://postgres@127.0.0.1:${port}/chaos`;
  return {
    url,
    async start() {
      await pg('up');
    },
    stop: () => pg('down'),
    async migrate() {
      await run(process.execPath, [path.join(ROOT, 'packages/domain/dist/cli/migrate.js'), 'up'], { env: { ...process.env, DATABASE_URL: url } });
    },
    async destroy() {
      await pg('down').catch(() => undefined);
      await run('rm', ['-rf', env.CS_PG_HOME]);
    },
  };
}
