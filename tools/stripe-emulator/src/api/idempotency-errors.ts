import { StripeApiError } from '../stripe/errors';

export const idempotencyMismatch = (key: string): StripeApiError =>
  new StripeApiError(400, {
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    type: 'idempotency_error',
  });

export const idempotencyKeyInUse = (key: string): StripeApiError =>
  new StripeApiError(
    409,
    {
      code: 'idempotency_key_in_use',
      doc_url: 'https://stripe.com/docs/error-codes/idempotency-key-in-use',
      message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
      type: 'invalid_request_error',
    },
    { 'Stripe-Should-Retry': 'true' },
  );

export const idempotencyKeyTooLong = (): StripeApiError =>
  new StripeApiError(400, { message: 'Idempotency-Key must be at most 255 characters long.', type: 'invalid_request_error' });
