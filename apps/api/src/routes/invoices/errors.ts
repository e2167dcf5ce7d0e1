import { errors as customerErrors } from '../customers/errors';

/** Shared response docs for the invoice routes: the customer routes' answers, about an invoice. */
export const errors = {
  ...customerErrors,
  404: { description: 'No such invoice' },
  409: { description: 'Not allowed in the invoice’s status (only drafts change; the lifecycle decides the rest)' },
  412: { description: 'The invoice changed since the version given' },
} as const;
