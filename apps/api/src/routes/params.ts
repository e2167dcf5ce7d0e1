import { z } from 'zod';

export const MAX_INT = 2_147_483_647;

/** Path and query values arrive as strings: only plain decimal integers are ids. */
export const intString = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `${what} must be an integer`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`))
    // In the OpenAPI document: the integer and its range (the text pattern alone would allow 0 and 9999999999).
    .meta({ type: 'integer', minimum: min, maximum: max });

/** The name of a system or a catalog, as they are spelled everywhere (stripe, invoice). */
export const nameString = (what: string, example: string) => z.string().regex(/^[a-z][a-z0-9_-]{0,49}$/, `${what} must be a ${what} name such as ${example}`);

/** An ISO 8601 date-time with a zone (`2026-11-28T10:00:00Z`, `…+01:00`), as a Date. */
export const isoDateTime = (what: string) =>
  z.iso
    .datetime({ offset: true, message: `${what} must be an ISO 8601 date-time with a time zone, e.g. 2026-11-28T10:00:00Z` })
    .transform((v) => new Date(v))
    // Postgres timestamps hold the years 1 to 9999 only (UTC): `0000-…Z`, or an offset that crosses a bound, would be a 500.
    .refine((d) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999, `${what} must be between the years 1 and 9999 (UTC)`);

/** Any id path parameter: /…/{id}. */
export const idParamsOf = (what: string) => z.strictObject({ id: intString('id', 1, MAX_INT).meta({ description: what, example: 42 }) });

/** skip/limit, as every list takes them (design.md §3): default 100, at most 1000, ordered by id. */
export const pagination = {
  skip: intString('skip', 0, MAX_INT).default(0).meta({ description: 'Rows to skip (ordered by id)' }),
  limit: intString('limit', 1, 1000).default(100).meta({ description: 'Rows to return, 1–1000' }),
};
