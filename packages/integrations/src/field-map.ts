import { z } from 'zod';
import type { FieldDirection, FieldMap, SyncedFieldName } from './types';

/** Our customer fields, by the names a field map and a change's changedFields use. */
export const SYNCED_FIELDS: readonly SyncedFieldName[] = ['name', 'email', 'phone', 'address'];
const DIRECTIONS: readonly FieldDirection[] = ['both', 'to', 'from'];

/** "phone=from,address=to" → { phone: 'from', address: 'to' }; every problem is named, all at once. */
function parseFieldDirections(raw: string, ctx: z.RefinementCtx): FieldMap {
  const out: Record<string, FieldDirection> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [field = '', direction = '', ...rest] = item.split('=').map((s) => s.trim());
    if (!SYNCED_FIELDS.includes(field as SyncedFieldName) || rest.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown field "${field}" in "${item}" (fields: ${SYNCED_FIELDS.join(', ')})` });
    } else if (!DIRECTIONS.includes(direction as FieldDirection)) {
      ctx.addIssue({ code: 'custom', message: `unknown direction "${direction}" for ${field} (directions: ${DIRECTIONS.join(', ')})` });
    } else if (field in out) {
      ctx.addIssue({ code: 'custom', message: `${field} is given twice` });
    } else {
      out[field] = direction as FieldDirection;
    }
  }
  return out;
}

/**
 * A connector's `<SYSTEM>_FIELD_DIRECTIONS` variable: each customer field's direction, `both` when
 * left out, so any connector offers the same setting with the same errors.
 */
export const fieldDirections = z
  .string()
  .optional()
  .transform((v, ctx) => parseFieldDirections(v ?? '', ctx));
