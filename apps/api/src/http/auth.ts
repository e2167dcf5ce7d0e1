import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { unauthorized } from '@cs/platform';
import type { ApiKey } from '../api-keys';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer-token check against API_KEYS. Keys are compared as SHA-256 digests with
 * timingSafeEqual, against every key whatever matched, so the comparison takes the same time
 * whatever the key's length, content or place in the list. The key's name (never the token) is
 * kept on res.locals (http/actor.ts) for the rate limit and the audit trail.
 */
export function bearerAuth(keys: ApiKey[]): RequestHandler {
  const known = keys.map((k) => ({ name: k.name, digest: digest(k.token) }));
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return next(unauthorized());
    const presented = digest(match[1]!);
    let name: string | undefined;
    for (const key of known) if (timingSafeEqual(key.digest, presented)) name ??= key.name;
    if (name === undefined) return next(unauthorized());
    res.locals.apiKeyName = name;
    next();
  };
}
