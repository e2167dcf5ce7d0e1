import { z } from 'zod';
import { customerAddress, customerEmail, customerName, customerPhone } from '@cs/domain';
import { intString, MAX_INT, pagination } from '../params';

// For the OpenAPI document: the domain's pipe shows only its input side (a string of at most 255); this adds the address rule it checks.
const email = customerEmail.meta({ format: 'email', pattern: z.regexes.email.source });

export const idParams = z.strictObject({ id: intString('id', 1, MAX_INT).meta({ description: 'Customer id', example: 42 }) });

export const listQuery = z.strictObject({
  ...pagination,
  email: email.optional().meta({ description: 'Only the customer with this email (case-insensitive)' }),
});

const version = z.number().int().min(1).max(MAX_INT).meta({ description: 'Expected current version (alternative to If-Match)' });

const phone = customerPhone.meta({ description: 'Digits, spaces and + - ( ) ., at least one digit; blank or null: none', example: '+44 20 7946 0000' });
const address = customerAddress.meta({ description: 'Postal address; all parts empty or null: none. country: ISO 3166-1 alpha-2' });
/** Absent means none: what a full replace (and a create) stores for a field it was not given. */
const orNull = <T extends z.ZodType>(s: T) => s.optional().transform((v) => v ?? null);

export const createBody = z.strictObject({ name: customerName, email, phone: orNull(phone), address: orNull(address) });

export const replaceBody = z.strictObject({ name: customerName, email, phone: orNull(phone), address: orNull(address), version: version.optional() });

const PATCHABLE = ['name', 'email', 'phone', 'address'] as const;

/** Only the fields given change; an address given replaces the whole address, null clears it. */
export const patchBody = z
  .strictObject({ name: customerName.optional(), email: email.optional(), phone: phone.optional(), address: address.optional(), version: version.optional() })
  .refine((b) => PATCHABLE.some((f) => b[f] !== undefined), { message: `give at least one of ${PATCHABLE.join(', ')}` })
  .meta({ anyOf: PATCHABLE.map((f) => ({ required: [f] })) }); // the refine, for the OpenAPI document

export const addressResponse = z.object({
  line1: z.string().nullable(),
  line2: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  postal_code: z.string().nullable(),
  country: z.string().nullable(),
});

export const customerResponse = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  address: addressResponse.nullable(),
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
