import { z } from 'zod';
import {
  COLLECTION_METHODS,
  collectionMethod,
  INVOICE_STATUSES,
  invoiceCurrency,
  invoiceDescription,
  invoiceDueDate,
  invoiceLines,
  invoiceStatus,
  MAX_LINES,
  refineDueDate,
} from '@cs/domain';
import { intString, MAX_INT, pagination } from '../params';
import { mappingResponse } from '../customers/schemas';

export const idParams = z.strictObject({ id: intString('id', 1, MAX_INT).meta({ description: 'Invoice id', example: 7 }) });

const status = invoiceStatus.optional().meta({ description: `Only invoices in this status: ${INVOICE_STATUSES.join(', ')}` });

export const listQuery = z.strictObject({
  ...pagination,
  customer_id: intString('customer_id', 1, MAX_INT).optional().meta({ description: "Only this customer's invoices" }),
  status,
});

/** GET /customers/{id}/invoices: the customer is in the path. */
export const customerListQuery = z.strictObject({ ...pagination, status });

const version = z.number().int().min(1).max(MAX_INT).meta({ description: 'Expected current version (alternative to If-Match)' });

const fields = {
  currency: invoiceCurrency.meta({ description: 'ISO 4217, either case; stored lower-case', example: 'eur' }),
  collection_method: collectionMethod.meta({ description: `${COLLECTION_METHODS.join(' or ')}; send_invoice needs a due_date, charge_automatically refuses one` }),
  due_date: invoiceDueDate.meta({ description: 'YYYY-MM-DD; required for send_invoice, refused for charge_automatically', example: '2027-01-31' }),
  description: invoiceDescription.meta({ description: 'Shown on the invoice; blank or null: none' }),
  lines: invoiceLines.meta({ description: `Up to ${MAX_LINES} lines, in order; amounts in integer minor units. The totals are computed from them` }),
};

const orNull = <T extends z.ZodType>(s: T) => s.optional().transform((v) => v ?? null);

/** A whole draft: absent due_date and description are none, absent lines are no lines (yet). */
const whole = {
  currency: fields.currency,
  collection_method: fields.collection_method.optional().default('charge_automatically'),
  due_date: orNull(fields.due_date),
  description: orNull(fields.description),
  lines: fields.lines.optional().default([]),
};

export const createBody = z
  .strictObject({ customer_id: z.number({ error: 'customer_id must be an integer' }).int('customer_id must be an integer').min(1).max(MAX_INT), ...whole })
  .superRefine(refineDueDate);

/** PUT replaces every field a client sets; the customer of an invoice never changes. */
export const replaceBody = z.strictObject({ ...whole, version: version.optional() }).superRefine(refineDueDate);

const PATCHABLE = ['currency', 'collection_method', 'due_date', 'description', 'lines'] as const;

/** Only the fields given change; lines, when given, replace all lines. The due date rule is checked on the result. */
export const patchBody = z
  .strictObject({
    currency: fields.currency.optional(),
    collection_method: fields.collection_method.optional(),
    due_date: fields.due_date.optional(),
    description: fields.description.optional(),
    lines: fields.lines.optional(),
    version: version.optional(),
  })
  .refine((b) => PATCHABLE.some((f) => b[f] !== undefined), { message: `give at least one of ${PATCHABLE.join(', ')}` })
  .meta({ anyOf: PATCHABLE.map((f) => ({ required: [f] })) }); // the refine, for the OpenAPI document

/** The lifecycle actions take no fields; a version may be given instead of If-Match. */
export const actionBody = z.strictObject({ version: version.optional() });

const money = (description: string) => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ description: `${description}, in integer minor units` });

export const lineResponse = z.object({
  id: z.number().int(),
  description: z.string(),
  quantity: z.number().int(),
  unit_amount: money('Per unit'),
  amount: money('quantity × unit_amount'),
  position: z.number().int().meta({ description: '0-based order on the invoice' }),
});

export const invoiceResponse = z.object({
  id: z.number().int(),
  customer_id: z.number().int(),
  currency: z.string().meta({ description: 'ISO 4217, lower-case' }),
  status: z.enum(INVOICE_STATUSES),
  collection_method: z.enum(COLLECTION_METHODS),
  due_date: z.iso.date().nullable(),
  description: z.string().nullable(),
  number: z.string().nullable().meta({ description: "Stripe's invoice number; null until Stripe has it" }),
  amount_due: money('The sum of the lines'),
  amount_paid: money('Paid so far'),
  amount_remaining: money('amount_due − amount_paid'),
  hosted_invoice_url: z.string().nullable(),
  invoice_pdf: z.string().nullable(),
  paid_at: z.iso.datetime().nullable(),
  version: z.number().int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export const invoiceWithLinesResponse = invoiceResponse.extend({ lines: z.array(lineResponse) });

export const invoiceDetailResponse = invoiceWithLinesResponse.extend({ external_mappings: z.array(mappingResponse) });
