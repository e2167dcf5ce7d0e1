// Removes this run's databases and topics, so repeated runs do not pile them up.
const path = require('node:path');
const { Client } = require('pg');
const { infraEnv, runId } = require('./infra-env');

let done = false;

module.exports = async function globalTeardown() {
  if (done || !process.env.CS_TEST_RUN) return;
  done = true;
  const { DATABASE_URL, KAFKA_BROKERS } = infraEnv();
  const base = new URL(DATABASE_URL).pathname.slice(1);
  const admin = new Client({ connectionString: Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString() });
  await admin.connect();
  try {
    const { rows } = await admin.query('select datname from pg_database where datname like $1', [`${base}_t_${runId()}_%`]);
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await admin.end();
  }
  const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [path.join(__dirname, '..')] }));
  const kafka = new Kafka({ clientId: 'cs-test-teardown', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const kadmin = kafka.admin();
  await kadmin.connect();
  try {
    const mine = (await kadmin.listTopics()).filter((t) => t.startsWith(`t${runId()}_`));
    if (mine.length) await kadmin.deleteTopics({ topics: mine });
  } finally {
    await kadmin.disconnect();
  }
};
