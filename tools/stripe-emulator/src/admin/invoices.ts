import type { WriteOrigin } from '../events/recorder';
import { newRequestId } from '../ids';
import { parseInvoiceItemCreate, type InvoiceItemCreate } from '../invoiceitems/params';
import type { Invoice } from '../invoices/object';
import { parseInvoiceCreate } from '../invoices/params';
import type { EmulatorState } from '../state';
import { emptyParams, type ParamMap } from '../stripe/form';
import { hashParam } from './dashboard';
import { AdminError, asObject } from './http';

const INVOICE_FIELDS = new Set(['customer', 'currency', 'collection_method', 'days_until_due', 'due_date', 'description', 'footer', 'auto_advance', 'metadata', 'lines', 'finalize']);
const LINE_FIELDS = new Set(['amount', 'unit_amount', 'unit_amount_decimal', 'quantity', 'description', 'metadata']);

/** JSON scalars as form values; `metadata` as a hash, as the API receives them. */
function toParams(input: Record<string, unknown>, allowed: ReadonlySet<string>, what: string): ParamMap {
  const params = emptyParams();
  for (const [key, value] of Object.entries(input)) {
    if (!allowed.has(key)) throw new AdminError(400, `unknown ${what} field: ${key}`);
    if (key === 'lines' || key === 'finalize') continue;
    if (key === 'metadata') params[key] = hashParam(value, key);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params[key] = String(value);
    else throw new AdminError(400, `${key} must be a string, number or boolean`);
  }
  return params;
}

/**
 * "An invoice made in the Stripe dashboard": a draft with one invoice item per line, finalized
 * too when `finalize` is true, through the same validation and events as the API. The lines are
 * validated before anything is created, so a bad line leaves nothing behind.
 */
export function dashboardCreateInvoice(state: EmulatorState, body: unknown, silent = false): Invoice {
  const input = asObject(body);
  const invoiceParams = toParams(input, INVOICE_FIELDS, 'invoice');
  const lines = input['lines'] ?? [];
  if (!Array.isArray(lines)) throw new AdminError(400, 'lines must be an array');
  const finalize = input['finalize'] ?? false;
  if (typeof finalize !== 'boolean') throw new AdminError(400, 'finalize must be a boolean');
  const create = parseInvoiceCreate(invoiceParams);
  const items: InvoiceItemCreate[] = lines.map((line: unknown) => {
    const params = toParams(asObject(line), LINE_FIELDS, 'line');
    params['customer'] = create.customer;
    if (create.currency !== undefined) params['currency'] = create.currency;
    return parseInvoiceItemCreate(params);
  });
  const origin: WriteOrigin = { requestId: newRequestId(), idempotencyKey: null, silent };
  const invoice = state.invoices.create(create, origin);
  for (const item of items) state.invoiceItems.create({ ...item, invoice: invoice.id }, origin);
  const record = state.invoices.require(invoice.id);
  return finalize ? state.invoiceTransitions.finalize(record, undefined, origin) : state.invoices.render(record);
}

// The customer acts on the hosted invoice page, not through the API: events carry no request.
const customerOrigin: WriteOrigin = { requestId: null, idempotencyKey: null };

export function customerPays(state: EmulatorState, id: string): Invoice {
  return state.invoiceTransitions.collect(state.invoices.require(id), { outOfBand: false }, customerOrigin);
}

export function paymentFails(state: EmulatorState, id: string): Invoice {
  return state.invoiceTransitions.failPayment(state.invoices.require(id), customerOrigin);
}

export function allInvoices(state: EmulatorState, query: URLSearchParams): Array<Invoice | (Invoice & { deleted: true })> {
  const customer = query.get('customer');
  return state.invoiceStore
    .all(query.get('include_deleted') === 'true')
    .filter((record) => customer === null || record.state.customer === customer)
    .map((record) => (record.deleted ? { ...state.invoices.render(record), deleted: true as const } : state.invoices.render(record)));
}
