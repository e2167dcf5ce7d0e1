import express, { type RequestHandler } from 'express';
import { AppError } from '@cs/platform';

const parseJson = express.json({ limit: '100kb', strict: true, type: () => true });

/**
 * For writes: the body must be declared JSON (else 415) and at most 100 kB (else 413,
 * from the parser, mapped by the shared error handler).
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  const declared = req.get('content-type');
  if (!declared || !req.is('application/json')) {
    next(new AppError(415, 'unsupported_media_type', 'Content-Type must be application/json'));
    return;
  }
  parseJson(req, res, next);
};

/**
 * For writes whose body is optional (e.g. a replay with an optional note): a request with no
 * body at all passes without a Content-Type; one that carries a body is held to `jsonBody`.
 */
export const optionalJsonBody: RequestHandler = (req, res, next) => {
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? '0') > 0;
  if (!hasBody) {
    next();
    return;
  }
  jsonBody(req, res, next);
};
