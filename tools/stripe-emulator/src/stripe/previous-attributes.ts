/**
 * Stripe's `previous_attributes` for an `*.updated` event: the old value of every top-level
 * field that changed (a nested object such as an address is listed whole), except metadata,
 * which lists only the keys that changed (null for a key that was added). Fields in `skip`
 * are left out, e.g. an invoice's embedded `lines` list.
 */
export function diffAttributes(beforeObject: object, afterObject: object, skip: ReadonlySet<string> = new Set()): Record<string, unknown> | null {
  const before = beforeObject as Readonly<Record<string, unknown>>;
  const after = afterObject as Readonly<Record<string, unknown>>;
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(before)) {
    if (skip.has(key)) continue;
    const old = before[key];
    const now = after[key];
    if (key === 'metadata' && isRecord(old) && isRecord(now)) {
      const changed: Record<string, unknown> = {};
      for (const k of new Set([...Object.keys(old), ...Object.keys(now)])) {
        if (old[k] !== now[k]) changed[k] = old[k] ?? null;
      }
      if (Object.keys(changed).length > 0) previous[key] = changed;
    } else if (JSON.stringify(old) !== JSON.stringify(now)) {
      previous[key] = old;
    }
  }
  return Object.keys(previous).length > 0 ? previous : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
