import { invalidRequest, type StripeApiError } from '../stripe/errors';

/** Stripe shows only the start and the last four characters of a rejected key. */
function redact(key: string): string {
  if (key.length <= 12) return key;
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

function unauthorized(message: string): StripeApiError {
  return invalidRequest(message, undefined, undefined, 401);
}

/**
 * The API key from `Authorization: Bearer <key>` (what the SDK sends) or HTTP Basic with the
 * key as user name (`curl -u sk_test_x:`). Only test-mode secret keys are accepted.
 */
export function authenticate(authorization: string | undefined): string | StripeApiError {
  if (authorization === undefined || authorization.trim() === '') {
    return unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  const space = authorization.indexOf(' ');
  const scheme = (space === -1 ? authorization : authorization.slice(0, space)).toLowerCase();
  const credential = space === -1 ? '' : authorization.slice(space + 1).trim();
  let key = '';
  if (scheme === 'bearer') key = credential;
  else if (scheme === 'basic') {
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    key = colon === -1 ? decoded : decoded.slice(0, colon);
  } else {
    return unauthorized('Invalid API Key provided: ' + redact(credential || authorization));
  }
  if (!key.startsWith('sk_test_') || key.length <= 'sk_test_'.length) {
    return unauthorized(`Invalid API Key provided: ${redact(key)}`);
  }
  return key;
}
