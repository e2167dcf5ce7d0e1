// Runs once before the integration and e2e projects: migrates a template database, clones one
// database per jest worker from it, and creates each worker's prefixed Kafka topics. Everything
// is named after this run (CS_TEST_RUN), and test/global-teardown.js removes it afterwards.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { Client } = require('pg');
const { ensureTopics } = require('../scripts/kafka-topics.js');
const { infraEnv, workerDatabaseUrl, workerTopicPrefix } = require('./infra-env');

let done = false; // both projects name this file; the work is needed once per run

module.exports = async function globalSetup(globalConfig) {
  if (done) return;
  done = true;
  process.env.CS_TEST_RUN ??= `r${process.pid}`;
  const { DATABASE_URL, KAFKA_BROKERS } = infraEnv();
  const workers = Math.max(1, globalConfig.maxWorkers || 1);
  const ids = Array.from({ length: workers }, (_, i) => i + 1);

  const templateUrl = workerDatabaseUrl(DATABASE_URL, 'tpl');
  const admin = new Client({ connectionString: Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    const dbName = (url) => new URL(url).pathname.slice(1);
    const recreate = async (name, template) => {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
    };
    await recreate(dbName(templateUrl));
    const migrate = spawnSync(process.execPath, [path.join(__dirname, '..', 'packages/domain/dist/cli/migrate.js'), 'up'], {
      env: { ...process.env, DATABASE_URL: templateUrl },
      encoding: 'utf8',
    });
    if (migrate.status !== 0) throw new Error(`migrations failed (is the repo built?):\n${migrate.stderr}`);
    for (const id of ids) await recreate(dbName(workerDatabaseUrl(DATABASE_URL, id)), dbName(templateUrl));
  } finally {
    await admin.end();
  }
  await ensureTopics(KAFKA_BROKERS, ids.map(workerTopicPrefix), 60_000);
};
