import { CustomerSchema, enqueueCustomerChange, enqueueInvoiceChange, InvoiceSchema, type ChangeContext, type EntityManager } from '@cs/domain';

/** Queues an `<entity>.updated` outbox row for each record named (a push of what we hold), in the caller's transaction. */
export type EnqueueChanges = (em: EntityManager, ids: number[], ctx: ChangeContext, keySuffix: string) => Promise<void>;

export const enqueueCustomers: EnqueueChanges = async (em, ids, ctx, keySuffix) => {
  for (const c of await em.find(CustomerSchema, { id: { $in: ids } }, { orderBy: { id: 'asc' } })) enqueueCustomerChange(em, 'customer.updated', c, ctx, keySuffix);
  await em.flush();
};

export const enqueueInvoices: EnqueueChanges = async (em, ids, ctx, keySuffix) => {
  for (const invoice of await em.find(InvoiceSchema, { id: { $in: ids } }, { orderBy: { id: 'asc' } })) enqueueInvoiceChange(em, 'invoice.updated', invoice, ctx, keySuffix);
  await em.flush();
};
