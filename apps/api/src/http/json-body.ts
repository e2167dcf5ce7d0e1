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
