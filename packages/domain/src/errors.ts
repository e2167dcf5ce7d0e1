import { UniqueConstraintViolationException } from '@mikro-orm/core';

/** Expected outcomes of domain operations that callers turn into answers (404, 409, 412…). */
export type DomainErrorCode =
  | 'customer_not_found'
  | 'email_taken'
  | 'version_conflict'
  | 'dead_letter_not_found'
  | 'dead_letter_resolved'
  | 'dead_letter_not_replayable'
  | 'customer_has_open_invoices'
  | 'invoice_not_found'
  | 'invoice_not_draft'
  | 'invoice_has_no_lines'
  | 'invalid_transition'
  /** Input that is valid field by field but not as a whole (a PATCH's result, a customer that is gone). */
  | 'validation_failed';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** An object; for validation_failed, the list of problems (as the API's validation lists them). */
    readonly details?: Record<string, unknown> | ReadonlyArray<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A unique index refused a write (Postgres 23505), however the driver or the ORM wrapped it. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof UniqueConstraintViolationException || (err as { code?: string } | null)?.code === '23505';
}
