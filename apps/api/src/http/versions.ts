import { badRequest } from '@cs/platform';

/** `If-Match: "3"`, `W/"3"` or `3` → 3. Absent → undefined (last write wins). */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) throw badRequest('invalid_if_match', 'If-Match must be the customer version as an entity tag, e.g. "3"');
  return Number(m[1]);
}

/** A version given both ways must agree; either one alone is used. */
export function expectedVersion(header: string | undefined, bodyVersion: number | undefined): number | undefined {
  const fromHeader = ifMatchVersion(header);
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw badRequest('version_mismatch', 'If-Match and body version disagree');
  }
  return fromHeader ?? bodyVersion;
}

export const etag = (version: number) => `"${version}"`;
