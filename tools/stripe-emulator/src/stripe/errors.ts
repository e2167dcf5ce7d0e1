/**
 * Stripe's v1 error envelope. The SDK picks its error class from the HTTP status plus `type`
 * (and `code` for rate limits), so both must match what Stripe sends for the same situation.
 */
export type StripeErrorType = 'invalid_request_error' | 'api_error' | 'idempotency_error' | 'rate_limit_error';

export interface StripeErrorPayload {
  code?: string;
  doc_url?: string;
  message: string;
  param?: string;
  type: StripeErrorType;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly payload: StripeErrorPayload,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(payload.message);
    this.name = 'StripeApiError';
  }

  body(): { error: StripeErrorPayload } {
    return { error: this.payload };
  }
}

function withCode(code: string, rest: Omit<StripeErrorPayload, 'code' | 'doc_url'>): StripeErrorPayload {
  // Stripe links every coded error to its docs page; clients sometimes log it.
  return { code, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`, ...rest };
}

export function invalidRequest(message: string, param?: string, code?: string, status = 400): StripeApiError {
  const base = param === undefined ? { message, type: 'invalid_request_error' as const } : { message, param, type: 'invalid_request_error' as const };
  return new StripeApiError(status, code === undefined ? base : withCode(code, base));
}

export const parameterUnknown = (param: string): StripeApiError =>
  invalidRequest(`Received unknown parameter: ${param}`, param, 'parameter_unknown');

export const parameterMissing = (param: string): StripeApiError =>
  invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');

export const invalidInteger = (param: string, value: string): StripeApiError =>
  invalidRequest(`Invalid integer: ${value}`, param, 'parameter_invalid_integer');

export const resourceMissing = (kind: string, id: string, param = 'id', status = 404): StripeApiError =>
  invalidRequest(`No such ${kind}: '${id}'`, param, 'resource_missing', status);

export const emailInvalid = (email: string): StripeApiError =>
  invalidRequest(`Invalid email address: ${email}`, 'email', 'email_invalid');

/** Stripe abbreviates the offending value as "first10...last10" in length errors. */
export function stringTooLong(param: string, value: string, max: number): StripeApiError {
  const shown = value.length > 23 ? `${value.slice(0, 10)}...${value.slice(-10)}` : value;
  return invalidRequest(`Invalid string: ${shown}; must be at most ${max} characters`, param);
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    undefined,
    undefined,
    404,
  );
}

export function apiError(status: number, message: string): StripeApiError {
  // The SDK only retries 5xx when allowed; this header makes the emulated failures retryable
  // exactly like Stripe's transient ones.
  return new StripeApiError(status, { message, type: 'api_error' }, { 'Stripe-Should-Retry': 'true' });
}

export function rateLimited(): StripeApiError {
  return new StripeApiError(
    429,
    withCode('rate_limit', {
      message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      type: 'rate_limit_error',
    }),
    { 'Retry-After': '1', 'Stripe-Should-Retry': 'true' },
  );
}
