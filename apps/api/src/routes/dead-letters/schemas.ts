import { z } from 'zod';
import { intString, MAX_INT } from '../params';

export const listQuery = z.strictObject({
  status: z.enum(['parked', 'replayed', 'discarded']).default('parked').meta({ description: 'parked (default), replayed or discarded' }),
  system: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,49}$/, 'system must be a system name such as stripe')
    .optional()
    .meta({ description: 'Only messages for this external system' }),
  skip: intString('skip', 0, MAX_INT).default(0).meta({ description: 'Rows to skip (newest first)' }),
  limit: intString('limit', 1, 500).default(50).meta({ description: 'Rows to return, 1–500' }),
});

const text = (what: string, min: number) =>
  z
    .string()
    .trim()
    .min(min, `${what} must be at least ${min} characters`)
    .max(500, `${what} must be at most 500 characters`);

export const replayBody = z.strictObject({ note: text('note', 1).optional().meta({ description: 'Kept in the audit trail' }) });

export const discardBody = z.strictObject({ reason: text('reason', 3).meta({ description: 'Why the message is dropped (3–500 characters); kept in the audit trail' }) });

export const deadLetterResponse = z.object({
  id: z.number().int(),
  source_topic: z.string(),
  message_key: z.string().nullable(),
  external_system: z.string().nullable(),
  reason: z.string().meta({ description: 'The error that parked it' }),
  error_code: z.string().nullable(),
  attempts: z.number().int(),
  envelope: z.unknown().meta({ description: 'The parked message, with secret-looking keys redacted' }),
  status: z.enum(['parked', 'replayed', 'discarded']),
  trace_id: z.string().nullable(),
  created_at: z.iso.datetime(),
  resolved_at: z.iso.datetime().nullable(),
  resolution_note: z.string().nullable(),
});

export const deadLetterListResponse = z.object({ data: z.array(deadLetterResponse), has_more: z.boolean() });
