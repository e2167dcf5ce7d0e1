import Stripe from 'stripe';
import { classifyStripeError } from './errors';

const { StripeAPIError, StripeAuthenticationError, StripeConnectionError, StripeInvalidRequestError, StripePermissionError, StripeRateLimitError } = Stripe.errors;

describe('classifyStripeError', () => {
  it('marks Stripe down (systemDown, retryable) for 5xx, 429, the network and refused keys', () => {
    const down = [
      new StripeAPIError({ message: 'unavailable', statusCode: 503, type: 'api_error' }),
      new StripeAPIError({ message: 'boom', statusCode: 500, type: 'api_error', headers: { 'stripe-should-retry': 'true' } }),
      new StripeRateLimitError({ message: 'too many', statusCode: 429, type: 'rate_limit_error', code: 'rate_limit' }),
      new StripeConnectionError({ message: 'ECONNREFUSED' }),
      new StripeAuthenticationError({ message: 'Invalid API Key provided: sk_test_****1234', statusCode: 401, type: 'authentication_error' }),
      new StripePermissionError({ message: 'restricted key', statusCode: 403, type: 'invalid_request_error' }),
    ];
    for (const err of down) expect(classifyStripeError(err)).toMatchObject({ retryable: true, systemDown: true });
    expect(classifyStripeError(new StripeConnectionError({ message: 'ECONNREFUSED' }))).toMatchObject({ code: 'network_error' });
  });

  it('keeps one request’s failures off the circuit: validation, not found, lock conflicts, a lock_timeout 429', () => {
    expect(classifyStripeError(new StripeInvalidRequestError({ message: 'Invalid email address', statusCode: 400, type: 'invalid_request_error', code: 'email_invalid' }))).toEqual({
      retryable: false,
      code: 'email_invalid',
      status: 400,
      message: 'Invalid email address',
    });
    expect(classifyStripeError(new StripeInvalidRequestError({ message: 'No such customer', statusCode: 404, type: 'invalid_request_error', code: 'resource_missing' }))).toMatchObject({ retryable: false, code: 'not_found' });
    expect(classifyStripeError(new StripeAPIError({ message: 'lock', statusCode: 409, type: 'api_error' })).systemDown).toBeUndefined();
    expect(classifyStripeError(new StripeRateLimitError({ message: 'object locked', statusCode: 429, type: 'invalid_request_error', code: 'lock_timeout' }))).toMatchObject({ retryable: true, code: 'lock_timeout' });
    expect(classifyStripeError(new StripeRateLimitError({ message: 'object locked', statusCode: 429, type: 'invalid_request_error', code: 'lock_timeout' })).systemDown).toBeUndefined();
    // Not Stripe's at all (our database, our bug): retried, but it says nothing about Stripe.
    expect(classifyStripeError(new Error('connection terminated'))).toEqual({ retryable: true, code: 'network_error', message: 'connection terminated' });
  });

  it('honours Retry-After and Stripe-Should-Retry: false', () => {
    expect(classifyStripeError(new StripeRateLimitError({ message: 'slow down', statusCode: 429, type: 'rate_limit_error', headers: { 'retry-after': '2' } }))).toMatchObject({ retryAfterMs: 2000, systemDown: true });
    expect(classifyStripeError(new StripeAPIError({ message: 'no', statusCode: 500, type: 'api_error', headers: { 'stripe-should-retry': 'false' } }))).toMatchObject({ retryable: false });
  });
});
