/** Shared response docs for the sync-status and dead-letter routes. */
export const errors = {
  401: { description: 'Missing or invalid API key' },
  404: { description: 'Not found' },
  409: { description: 'The dead letter is already resolved, or is not a message that can be replayed' },
  413: { description: 'Body larger than 100 kB' },
  415: { description: 'Body is not application/json' },
  422: { description: 'Invalid input; details lists every problem' },
  503: { description: 'Kafka is unavailable; nothing was changed' },
} as const;
