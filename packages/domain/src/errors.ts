import { UniqueConstraintViolationException } from '@mikro-orm/core';

/** Expected outcomes of domain operations that callers turn into answers (404, 409, 412…). */
export type DomainErrorCode =
  | 'customer_not_found'
  | 'email_taken'
  | 'version_conflict'
  | 'dead_letter_not_found'
  | 'dead_letter_resolved'
  | 'dead_letter_not_replayable';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A unique index refused a write (Postgres 23505), however the driver or the ORM wrapped it. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof UniqueConstraintViolationException || (err as { code?: string } | null)?.code === '23505';
}
