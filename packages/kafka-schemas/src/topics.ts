import catalog from './topics.json';

export type TopicKey = keyof typeof catalog.topics;
export type Topics = Record<TopicKey, string>;

/**
 * Topic names, optionally prefixed (KAFKA_TOPIC_PREFIX) so that several environments, or
 * parallel test workers, can share one broker without seeing each other's messages.
 */
export function topics(prefix = ''): Topics {
  return Object.fromEntries(Object.entries(catalog.topics).map(([key, t]) => [key, prefix + t.name])) as Topics;
}

export const topicSpecs = catalog.topics;

/**
 * The topic of each catalog's changes, by the outbox row's entity type: what the outbox relay
 * publishes to. A catalog missing here stops the relay at its first row (loudly, nothing lost).
 */
export function catalogTopics(prefix = ''): Record<'customer' | 'invoice', string> {
  const t = topics(prefix);
  return { customer: t.customerEvents, invoice: t.invoiceEvents };
}
