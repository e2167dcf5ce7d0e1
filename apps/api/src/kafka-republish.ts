import type { Producer } from 'kafkajs';
import type { Republish } from '@cs/domain';
import { publish } from '@cs/kafka-schemas';

/**
 * Replays go out through the API's own producer. It is connected here, not at start: the API
 * starts and serves while Kafka is down (and the relay may be disabled), and kafkajs returns at
 * once when the producer is already connected.
 */
export function kafkaRepublish(producer: Producer): Republish {
  return async (topic, key, envelope) => {
    await producer.connect();
    await publish(producer, topic, [{ key, envelope: envelope as Parameters<typeof publish>[2][number]['envelope'] }]);
  };
}
