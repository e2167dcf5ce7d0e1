#!/usr/bin/env node
// pnpm db:migrate [up|down|pending|create]: MikroORM's migrator over migrations/ against DATABASE_URL.
import { openOrm } from '../orm';

async function main() {
  const command = process.argv[2] ?? 'up';
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write('invalid environment: DATABASE_URL: required but not set\n');
    process.exit(78);
  }
  const orm = await openOrm({ databaseUrl, poolMax: 2 });
  const migrator = orm.getMigrator();
  try {
    switch (command) {
      case 'up': {
        const done = await migrator.up();
        process.stderr.write(`[migrate] ${done.length ? `applied ${done.map((m) => m.name).join(', ')}` : 'up to date'}\n`);
        break;
      }
      case 'down': {
        const done = await migrator.down();
        process.stderr.write(`[migrate] reverted ${done.map((m) => m.name).join(', ') || 'nothing'}\n`);
        break;
      }
      case 'pending': {
        const pending = await migrator.getPendingMigrations();
        process.stdout.write(`${JSON.stringify(pending.map((m) => m.name))}\n`);
        break;
      }
      case 'create': {
        const created = await migrator.createMigration(undefined, true);
        process.stderr.write(`[migrate] created ${created.fileName}: add it to migrations/src/index.ts\n`);
        break;
      }
      default:
        throw new Error(`unknown command "${command}" (expected up, down, pending or create)`);
    }
  } finally {
    await orm.close(true);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[migrate] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
