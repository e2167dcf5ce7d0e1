#!/usr/bin/env node
// Creates every topic in packages/kafka-schemas/src/topics.json (once per prefix given) and waits
// until each has a leader. Doubles as the broker's readiness check: it retries until the
// broker answers, for up to 90 s. Usage: kafka-topics.js <brokers> [prefix...]
const path = require('node:path');
const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [path.join(__dirname, '..')] }));
const { topics } = require('../packages/kafka-schemas/src/topics.json');

async function ensureTopics(brokers, prefixes = [''], timeoutMs = 90_000) {
  const kafka = new Kafka({ clientId: 'cs-topics', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { await admin.connect(); await admin.describeCluster(); break; } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    const wanted = prefixes.flatMap((p) => Object.values(topics).map((t) => ({ ...t, name: p + t.name })));
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.name));
    if (missing.length) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })) });
    }
    await admin.fetchTopicMetadata({ topics: wanted.map((t) => t.name) });
    return { total: wanted.length, created: missing.length };
  } finally {
    await admin.disconnect();
  }
}

module.exports = { ensureTopics };

if (require.main === module) {
  const [brokers = '127.0.0.1:9092', ...rest] = process.argv.slice(2);
  ensureTopics(brokers, rest.length ? rest : [''])
    .then(({ total, created }) => console.error(`[kafka] ready: ${total} topics (${created} created)`))
    .catch((err) => { console.error(`[kafka] not ready: ${err.message}`); process.exit(1); });
}
