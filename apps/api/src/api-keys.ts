import { createHash } from 'node:crypto';
import { actorName } from '@cs/kafka-schemas';

/** One accepted bearer token and the name it is known by: in the audit trail, metrics and logs, never the token. */
export interface ApiKey {
  name: string;
  token: string;
}

const MIN_TOKEN = 16;

/** The name of a token given without one: `key-` and the first 8 hex digits of its SHA-256, stable and not the secret. */
export const digestName = (token: string) => `key-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;

/**
 * API_KEYS: a comma list of `name:token` or bare `token` (named by its digest, so the form from
 * before names keeps working). A name may have several tokens (a rotation: old and new side by
 * side); one token may not have two names. An entry is `name:token` only when the part before the
 * first colon is a name: a bare token holding a colon must then be given a name. Problems are
 * worded without the token, so a refused setting never prints a secret.
 */
export function parseApiKeys(value: string): { keys: ApiKey[] } | { problem: string } {
  const keys: ApiKey[] = [];
  const nameOf = new Map<string, string>();
  for (const [i, raw] of value.split(',').map((e) => e.trim()).entries()) {
    if (!raw) continue;
    const colon = raw.indexOf(':');
    const named = colon > 0 && actorName.safeParse(raw.slice(0, colon)).success;
    const token = named ? raw.slice(colon + 1).trim() : raw;
    const name = named ? raw.slice(0, colon) : digestName(raw);
    const which = `entry ${i + 1}${named ? `, "${name}"` : ''}`;
    if (token.length < MIN_TOKEN) return { problem: `each key must be at least ${MIN_TOKEN} characters (${which})` };
    if (/\s/.test(token)) return { problem: `a key may not contain spaces (${which})` };
    const known = nameOf.get(token);
    if (known !== undefined && known !== name) return { problem: `one token is given two names ("${known}" and "${name}")` };
    if (known === undefined) keys.push({ name, token });
    nameOf.set(token, name);
  }
  return keys.length > 0 ? { keys } : { problem: 'no key given (leave API_KEYS unset for an open API)' };
}
