import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError } from '@cs/platform';

export interface RequestSchemas {
  params?: z.ZodType | undefined;
  query?: z.ZodType | undefined;
  body?: z.ZodType | undefined;
}

export interface Validated {
  params: unknown;
  query: unknown;
  body: unknown;
}

function issues(where: string, error: z.ZodError) {
  return error.issues.map((i) => ({
    in: where,
    path: i.path.join('.'),
    code: i.code,
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${(i as { keys: string[] }).keys.join(', ')}` : i.message,
  }));
}

/**
 * Parses params, query and body against the route's strict schemas and puts the typed values on
 * res.locals.valid. Any failure is one 422 listing every problem, before any work is done.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, res, next) => {
    const problems: ReturnType<typeof issues> = [];
    const valid: Validated = { params: undefined, query: undefined, body: undefined };
    for (const where of ['params', 'query', 'body'] as const) {
      const schema = schemas[where];
      if (!schema) continue;
      const input = where === 'body' ? (req.body ?? {}) : where === 'query' ? { ...req.query } : { ...req.params };
      const parsed = schema.safeParse(input);
      if (parsed.success) valid[where] = parsed.data;
      else problems.push(...issues(where, parsed.error));
    }
    if (problems.length > 0) {
      next(new AppError(422, 'validation_failed', problems.map((p) => `${p.path || p.in}: ${p.message}`).join('; '), problems));
      return;
    }
    res.locals.valid = valid;
    next();
  };
}
