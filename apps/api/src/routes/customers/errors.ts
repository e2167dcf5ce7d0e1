/** Shared response docs for the customer routes. */
export const errors = {
  401: { description: 'Missing or invalid API key' },
  404: { description: 'No such customer' },
  409: { description: 'Another customer has this email' },
  412: { description: 'The customer changed since the version given' },
  413: { description: 'Body larger than 100 kB' },
  415: { description: 'Body is not application/json' },
  422: { description: 'Invalid input; details lists every problem' },
} as const;
