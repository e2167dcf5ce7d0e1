import { randomBytes, randomUUID } from 'node:crypto';

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Salesforce's 3-character case-safe suffix that turns a 15-character id into 18. */
export function checksumSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_CHARS[bits] ?? 'A';
  }
  return suffix;
}

export function to18(id15: string): string {
  return id15 + checksumSuffix(id15);
}

/** Accepts a 15- or 18-character id and returns the 18-character form, or null if malformed. */
export function normalizeId(raw: string): string | null {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(raw)) return null;
  const base = raw.slice(0, 15);
  const full = to18(base);
  return raw.length === 18 && raw.slice(15).toUpperCase() !== full.slice(15) ? null : full;
}

/**
 * Ids with a key prefix ("001" Account, "00D" org, "005" user), a fixed pod part and a decimal
 * counter, so string order equals creation order (SOQL `Id > '...'` paging relies on it).
 */
export class IdGenerator {
  private counter = 0;
  constructor(private readonly prefix: string) {}

  next(): string {
    this.counter++;
    return to18(`${this.prefix}8d${String(this.counter).padStart(10, '0')}`);
  }

  reset(): void {
    this.counter = 0;
  }
}

export const ORG_ID = to18('00D8d0000000001');
export const INTEGRATION_USER_ID = to18('0058d0000000001');
export const UI_USER_ID = to18('0058d0000000002');

/** Access tokens look like Salesforce's: "<org id>!<opaque>"; clients read the org id from them. */
export function newAccessToken(): string {
  return `${ORG_ID.slice(0, 15)}!AQ${randomBytes(40).toString('base64url')}`;
}

export const newRpcId = (): string => randomUUID();
