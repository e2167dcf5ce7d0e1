/** Shared response docs for the invoice routes. */
export const errors = {
  401: { description: 'Missing or invalid API key' },
  404: { description: 'No such invoice' },
  409: { description: 'Not allowed in the invoice’s status (only drafts change; the lifecycle decides the rest)' },
  412: { description: 'The invoice changed since the version given' },
  413: { description: 'Body larger than 100 kB' },
  415: { description: 'Body is not application/json' },
  422: { description: 'Invalid input; details lists every problem' },
} as const;
