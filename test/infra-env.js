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

/** One database and one topic prefix per jest worker, so workers never see each other's data. */
function workerDatabaseUrl(baseUrl, workerId) {
  const url = new URL(baseUrl);
  url.pathname = `/${url.pathname.slice(1)}_test_${workerId}`;
  return url.toString();
}

const workerTopicPrefix = (workerId) => `t${workerId}.`;

module.exports = { infraEnv, workerDatabaseUrl, workerTopicPrefix };
