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
