// Where the tests find Postgres and Kafka: the environment, else what `make infra-up` wrote.
const fs = require('node:fs');
const path = require('node:path');

function infraEnv() {
  const env = { DATABASE_URL: process.env.DATABASE_URL, KAFKA_BROKERS: process.env.KAFKA_BROKERS };
  const file = path.join(__dirname, '..', '.local', 'infra.env');
  if ((!env.DATABASE_URL || !env.KAFKA_BROKERS) && fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^(\w+)=(.*)$/.exec(line.trim());
      if (m && !env[m[1]]) env[m[1]] = m[2];
    }
  }
  if (!env.DATABASE_URL || !env.KAFKA_BROKERS) {
    throw new Error('DATABASE_URL / KAFKA_BROKERS are not set and .local/infra.env is missing: run `make infra-up` (or `make test`)');
  }
  return env;
}

/**
 * The id of this jest run: globalSetup sets it (its process.env is inherited by the workers), so
 * two jest runs on one machine (a developer's and an editor's, say) never share a database.
 */
function runId() {
  return process.env.CS_TEST_RUN || 'r0';
}

/** One database and one topic prefix per jest worker (and per run). */
function workerDatabaseUrl(baseUrl, workerId) {
  const url = new URL(baseUrl);
  url.pathname = `/${url.pathname.slice(1)}_t_${runId()}_${workerId}`;
  return url.toString();
}

const workerTopicPrefix = (workerId) => `t${runId()}_${workerId}.`;

module.exports = { infraEnv, runId, workerDatabaseUrl, workerTopicPrefix };
