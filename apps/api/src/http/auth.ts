import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { unauthorized } from '@cs/platform';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer-token check against API_KEYS. Keys are compared as SHA-256 digests with
 * timingSafeEqual, so the comparison takes the same time whatever the key's length or content.
 */
export function bearerAuth(keys: string[]): RequestHandler {
  const known = keys.map(digest);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return next(unauthorized());
    const presented = digest(match[1]!);
    let ok = false;
    for (const key of known) ok = timingSafeEqual(key, presented) || ok;
    next(ok ? undefined : unauthorized());
  };
}
