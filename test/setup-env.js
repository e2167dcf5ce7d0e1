// Per test file: point this worker at its own database and topic prefix.
const { infraEnv, workerDatabaseUrl, workerTopicPrefix } = require('./infra-env');

const id = process.env.JEST_WORKER_ID || '1';
const { DATABASE_URL, KAFKA_BROKERS } = infraEnv();
process.env.DATABASE_URL = workerDatabaseUrl(DATABASE_URL, id);
process.env.KAFKA_BROKERS = KAFKA_BROKERS;
process.env.KAFKA_TOPIC_PREFIX = workerTopicPrefix(id);
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
