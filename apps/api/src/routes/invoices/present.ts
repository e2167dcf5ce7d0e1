import type { Invoice, InvoiceDetail, InvoiceLine, InvoiceWithLines } from '@cs/domain';
import { presentMapping } from '../customers/present';

export function presentInvoice(i: Invoice) {
  return {
    id: i.id,
    customer_id: i.customerId,
    currency: i.currency,
    status: i.status,
    collection_method: i.collectionMethod,
    due_date: i.dueDate,
    description: i.description,
    number: i.number,
    amount_due: i.amountDue,
    amount_paid: i.amountPaid,
    amount_remaining: i.amountRemaining,
    hosted_invoice_url: i.hostedInvoiceUrl,
    invoice_pdf: i.invoicePdf,
    paid_at: i.paidAt?.toISOString() ?? null,
    version: i.version,
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
  };
}

const presentLine = (l: InvoiceLine) => ({
  id: l.id,
  description: l.description,
  quantity: l.quantity,
  unit_amount: l.unitAmount,
  amount: l.quantity * l.unitAmount,
  position: l.position,
});

export function presentInvoiceWithLines({ invoice, lines }: InvoiceWithLines) {
  return { ...presentInvoice(invoice), lines: lines.map(presentLine) };
}

export function presentInvoiceDetail(detail: InvoiceDetail) {
  return { ...presentInvoiceWithLines(detail), external_mappings: detail.mappings.map(presentMapping) };
}
