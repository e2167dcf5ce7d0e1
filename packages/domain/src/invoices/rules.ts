import { z } from 'zod';
import { CURRENCY_CODES } from './currencies';

export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const COLLECTION_METHODS = ['charge_automatically', 'send_invoice'] as const;
export type CollectionMethod = (typeof COLLECTION_METHODS)[number];

/**
 * Stripe's lifecycle, written once: the API's actions and the inbound sync both ask it. paid and
 * void are terminal, so a late or replayed event can never take an invoice back from them.
 */
const NEXT: Record<InvoiceStatus, readonly InvoiceStatus[]> = {
  draft: ['open'],
  open: ['paid', 'void', 'uncollectible'],
  uncollectible: ['paid', 'void'],
  paid: [],
  void: [],
};

/** Whether an invoice in `from` may move to `to` in one step (staying put is no transition). */
export function canTransition(from: InvoiceStatus, to: InvoiceStatus): boolean {
  return NEXT[from].includes(to);
}

export const isTerminal = (status: InvoiceStatus): boolean => NEXT[status].length === 0;

/** What the API's POST /invoices/{id}/<action> does: the status it moves to and the event it emits. */
export const INVOICE_ACTIONS = {
  finalize: { to: 'open', event: 'invoice.finalized' },
  void: { to: 'void', event: 'invoice.voided' },
  mark_uncollectible: { to: 'uncollectible', event: 'invoice.marked_uncollectible' },
} as const satisfies Record<string, { to: InvoiceStatus; event: string }>;
export type InvoiceAction = keyof typeof INVOICE_ACTIONS;

/** Stripe's limit on one unit amount (minor units), and our limits on a line's quantity and an invoice's lines. */
export const MAX_UNIT_AMOUNT = 99_999_999;
export const MAX_QUANTITY = 1_000_000;
export const MAX_LINES = 250;

export const invoiceCurrency = z
  .string({ error: 'currency must be a string' })
  .trim()
  .toLowerCase()
  .refine((c) => CURRENCY_CODES.has(c), 'currency must be an ISO 4217 currency code, e.g. eur or USD')
  // The input side for the OpenAPI document: three letters, either case (the list itself is checked above).
  .meta({ pattern: '^\\s*[A-Za-z]{3}\\s*$' });

export const invoiceStatus = z.enum(INVOICE_STATUSES, { error: `status must be one of ${INVOICE_STATUSES.join(', ')}` });

export const collectionMethod = z.enum(COLLECTION_METHODS, { error: `collection_method must be one of ${COLLECTION_METHODS.join(', ')}` });

export const invoiceDueDate = z.iso.date({ error: 'due_date must be a calendar date, YYYY-MM-DD' }).nullable();

/** Blank means none. */
export const invoiceDescription = z
  .string({ error: 'description must be a string or null' })
  .trim()
  .max(1000, 'description must be at most 1000 characters')
  .nullable()
  .transform((d) => (d === '' ? null : d));

const wholeNumber = (field: string, min: number, max: number, unit = '') =>
  z
    .number({ error: `${field} must be an integer${unit}` })
    .int(`${field} must be an integer${unit}`)
    .min(min, `${field} must be at least ${min}`)
    .max(max, `${field} must be at most ${max}`);

export const invoiceLine = z.strictObject(
  {
    description: z
      .string({ error: 'description must be a string' })
      .trim()
      .min(1, 'description must not be blank')
      .max(500, 'description must be at most 500 characters'),
    quantity: wholeNumber('quantity', 1, MAX_QUANTITY),
    unit_amount: wholeNumber('unit_amount', 0, MAX_UNIT_AMOUNT, ' of minor units (cents), not a decimal'),
  },
  { error: 'a line must be an object' },
);
export type InvoiceLineInput = z.infer<typeof invoiceLine>;

/** The lines' total, exactly (BigInt: 250 lines of the largest amounts pass 2^53). */
export function linesTotal(lines: ReadonlyArray<{ quantity: number; unit_amount: number }>): bigint {
  return lines.reduce((sum, l) => sum + BigInt(l.quantity) * BigInt(l.unit_amount), 0n);
}

export const invoiceLines = z
  .array(invoiceLine, { error: 'lines must be an array of lines' })
  .max(MAX_LINES, `an invoice has at most ${MAX_LINES} lines`)
  .superRefine((lines, ctx) => {
    const total = linesTotal(lines);
    if (total > BigInt(Number.MAX_SAFE_INTEGER)) ctx.addIssue({ code: 'custom', message: `the lines total ${total} minor units, more than ${Number.MAX_SAFE_INTEGER}` });
  });

/**
 * Stripe's rule: an invoice sent to the customer is due on a date; one charged automatically is
 * charged at finalization, so a due date on it would be a promise nobody keeps. Refused, not ignored.
 */
export function dueDateProblem(method: CollectionMethod, dueDate: string | null): string | undefined {
  if (method === 'send_invoice' && dueDate === null) return 'due_date is required when collection_method is send_invoice';
  if (method === 'charge_automatically' && dueDate !== null) return 'due_date must be left out (or null) when collection_method is charge_automatically';
  return undefined;
}

/** The fields of a draft that a client sets (everything else is computed or comes from Stripe). */
export interface InvoiceDraftFields {
  currency: string;
  collection_method: CollectionMethod;
  due_date: string | null;
  description: string | null;
  lines: InvoiceLineInput[];
}

/** For a whole draft (create, PUT): the due date rule as a field-level problem. */
export function refineDueDate(draft: Pick<InvoiceDraftFields, 'collection_method' | 'due_date'>, ctx: z.RefinementCtx): void {
  const problem = dueDateProblem(draft.collection_method, draft.due_date);
  if (problem) ctx.addIssue({ code: 'custom', path: ['due_date'], message: problem });
}
