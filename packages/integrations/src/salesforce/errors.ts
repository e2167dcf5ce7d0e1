import type { ErrorClass } from '../types';

/** One entry of Salesforce's error array: REST answers say errorCode, sObject Collections say statusCode. */
export interface SalesforceErrorItem {
  message: string;
  errorCode?: string;
  statusCode?: string;
  fields?: string[];
}

/** A REST call Salesforce answered with an error: its status and error array. */
export class SalesforceApiError extends Error {
  readonly errorCode: string;

  constructor(
    readonly status: number | undefined,
    readonly errors: SalesforceErrorItem[],
  ) {
    const first = errors[0];
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status ?? '?'}`);
    this.name = 'SalesforceApiError';
    this.errorCode = first?.errorCode ?? first?.statusCode ?? `HTTP_${status ?? 'ERROR'}`;
  }

  /** jsforce's HttpApiError (`data` is the error, or the array when there were several) with the status we saw. */
  static from(err: Error & { errorCode?: unknown; data?: unknown }, status: number): SalesforceApiError {
    const data = Array.isArray(err.data) ? err.data : [err.data];
    const items = data.filter((d): d is SalesforceErrorItem => typeof d === 'object' && d !== null && typeof (d as { message?: unknown }).message === 'string');
    return new SalesforceApiError(status, items.length > 0 ? items : [{ message: err.message, errorCode: typeof err.errorCode === 'string' ? err.errorCode : `HTTP_${status}` }]);
  }
}

/** Our session was refused right after a fresh login: only an operator can help (the circuit opens meanwhile). */
export const secondSessionRejection = (): SalesforceApiError =>
  new SalesforceApiError(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session refused again right after logging in anew' }]);

/** Logging in again failed: refused credentials (AUTH_FAILED, for an operator), or an unreachable token endpoint. */
export function refreshFailure(err: Error): SalesforceApiError {
  const permanent = /invalid_client|invalid_grant|unsupported_grant_type|unauthorized_client/.test(`${err.name} ${err.message}`);
  return new SalesforceApiError(permanent ? 400 : 503, [{ errorCode: permanent ? 'AUTH_FAILED' : 'AUTH_UNAVAILABLE', message: err.message }]);
}

/** How long to wait on a busy record: Salesforce holds row locks for the length of a transaction. */
const LOCK_RETRY_MS = 1_000;
/** 5xx, timeouts, network: a short pause, the caller's backoff grows it. */
const TRANSIENT_RETRY_MS = 2_000;
/**
 * The daily quota is a rolling 24-hour window: it frees slowly, so waiting seconds only burns
 * attempts. 15 minutes lets a few requests free up; the concurrent-request limit (long-running
 * calls) frees within a minute.
 */
const DAILY_QUOTA_RETRY_MS = 15 * 60_000;
const CONCURRENT_LIMIT_RETRY_MS = 60_000;

const NOT_FOUND = new Set(['NOT_FOUND', 'ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']);

/** One Salesforce error (a REST answer's first error, or a collection record's) → what the caller does. */
export function classifyErrorItems(items: readonly SalesforceErrorItem[], status?: number): ErrorClass {
  const first = items[0];
  const code = first?.errorCode ?? first?.statusCode ?? (status !== undefined ? `HTTP_${status}` : 'UNKNOWN_ERROR');
  const fields = items.flatMap((e) => e.fields ?? []);
  const message = (items.map((e) => e.message).join('; ') || code) + (fields.length > 0 ? ` (fields: ${fields.join(', ')})` : '');
  const base = { code, message, ...(status !== undefined ? { status } : {}) };
  if (NOT_FOUND.has(code) || status === 404) return { ...base, retryable: false, code: 'not_found' };
  if (code === 'UNABLE_TO_LOCK_ROW') return { ...base, retryable: true, retryAfterMs: LOCK_RETRY_MS };
  // From here on, `systemDown`: Salesforce (or our access to it) is down, not this record; the
  // circuit breaker opens on a run of these and the messages wait rather than park.
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    return { ...base, retryable: true, systemDown: true, retryAfterMs: /TotalRequests/i.test(message) ? DAILY_QUOTA_RETRY_MS : CONCURRENT_LIMIT_RETRY_MS };
  }
  if (code === 'AUTH_UNAVAILABLE' || code === 'SERVER_UNAVAILABLE' || (status !== undefined && status >= 500)) {
    return { ...base, retryable: true, systemDown: true, retryAfterMs: TRANSIENT_RETRY_MS };
  }
  // Refused credentials: no call succeeds until an operator fixes them, and none may park a change
  // meanwhile. INVALID_SESSION_ID only reaches us once logging in again did not help (jsforce
  // refreshes the first).
  if (code === 'INVALID_SESSION_ID') return { ...base, retryable: true, systemDown: true, code: 'invalid_session' };
  if (code === 'AUTH_FAILED' || status === 401) return { ...base, retryable: true, systemDown: true };
  // Validation (FIELD_CUSTOM_VALIDATION_EXCEPTION, REQUIRED_FIELD_MISSING, INVALID_FIELD,
  // STRING_TOO_LONG, DUPLICATE_VALUE, …), bad auth and every other 4xx: the same call fails again.
  return { ...base, retryable: false };
}

/** Any failure of a Salesforce call → ErrorClass. Errors that are not Salesforce's are the network's. */
export function classifySalesforceError(err: unknown): ErrorClass {
  if (err instanceof SalesforceApiError) return classifyErrorItems(err.errors, err.status);
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  const message = err instanceof Error || err instanceof DOMException ? err.message : String(err);
  if (name === 'AbortError' || name === 'TimeoutError') return { retryable: true, systemDown: true, code: 'timeout', message, retryAfterMs: TRANSIENT_RETRY_MS };
  return { retryable: true, systemDown: true, code: 'network_error', message, retryAfterMs: TRANSIENT_RETRY_MS };
}
