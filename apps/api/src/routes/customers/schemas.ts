import { z } from 'zod';
import { customerEmail, customerName } from '@cs/domain';
import { intString, MAX_INT } from '../params';

// For the OpenAPI document: the domain's pipe shows only its input side (a string of at most 255); this adds the address rule it checks.
const email = customerEmail.meta({ format: 'email', pattern: z.regexes.email.source });

export const idParams = z.strictObject({ id: intString('id', 1, MAX_INT).meta({ description: 'Customer id', example: 42 }) });

export const listQuery = z.strictObject({
  skip: intString('skip', 0, MAX_INT).default(0).meta({ description: 'Rows to skip (ordered by id)' }),
  limit: intString('limit', 1, 1000).default(100).meta({ description: 'Rows to return, 1–1000' }),
  email: email.optional().meta({ description: 'Only the customer with this email (case-insensitive)' }),
});

const version = z.number().int().min(1).max(MAX_INT).meta({ description: 'Expected current version (alternative to If-Match)' });

export const createBody = z.strictObject({ name: customerName, email });

export const replaceBody = z.strictObject({ name: customerName, email, version: version.optional() });

export const patchBody = z
  .strictObject({ name: customerName.optional(), email: email.optional(), version: version.optional() })
  .refine((b) => b.name !== undefined || b.email !== undefined, { message: 'give at least one of name, email' })
  .meta({ anyOf: [{ required: ['name'] }, { required: ['email'] }] }); // the refine, for the OpenAPI document

export const customerResponse = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string(),
  version: z.number().int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export const mappingResponse = z.object({
  id: z.number().int(),
  external_system: z.string(),
  external_object_type: z.string().meta({ description: 'What the record is there: customer (Stripe), Account (Salesforce)…' }),
  external_id: z.string(),
  created_at: z.iso.datetime(),
});

export const customerDetailResponse = customerResponse.extend({ external_mappings: z.array(mappingResponse) });

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
