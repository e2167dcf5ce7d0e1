/**
 * The one error shape every HTTP service answers with:
 * `{ "error": { "code": "...", "message": "...", "details": ... } }`.
 * Throw AppError (or a subclass) for an expected failure; anything else becomes a 500
 * `internal_error` whose details never leave the server.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const unauthorized = (message = 'missing or invalid API key') =>
  new AppError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
export const notFound = (message = 'not found') => new AppError(404, 'not_found', message);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
/** 429 with Retry-After in whole seconds (at least 1: "0" would invite an immediate retry storm). */
export const tooManyRequests = (retryAfterSeconds: number, message = 'too many requests') => {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new AppError(429, 'rate_limited', `${message}; retry after ${seconds} s`, { retry_after_seconds: seconds }, { 'Retry-After': String(seconds) });
};
export const unavailable = (code: string, message: string) => new AppError(503, code, message);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
