import type { CustomerEventMessage, MessageContext } from '@cs/kafka-schemas';
import { customerCatalog } from '../catalogs/customer';
import { pushBatch } from './push-batch';
import { retriggerWaitingInvoices } from './push-invoice';
import { pushRecord, type PushDeps } from './push-record';

export type { PushDeps } from './push-record';

/**
 * Makes one external system hold our current state of one customer (the rules: push-record.ts).
 * When this push linked the customer there (created or found it), its invoices that waited for
 * that are sent now (push-invoice.ts).
 */
export async function pushCustomer(deps: PushDeps, msg: CustomerEventMessage, ctx: MessageContext): Promise<void> {
  const result = await pushRecord(customerCatalog, deps, msg, msg.payload.customer_id, ctx);
  if (result?.status === 'success' && (result.action === 'create' || result.action === 'link') && deps.integration.catalogs.invoice) {
    await retriggerWaitingInvoices(deps.orm.em.fork(), msg.payload.customer_id, deps.integration.system, msg.trace_id);
  }
}

/** A wave of customer messages, in bulk where the system can (push-batch.ts); returns the indexes pushed. */
export function pushCustomerBatch(deps: PushDeps, items: Array<{ message: CustomerEventMessage; ctx: MessageContext }>): Promise<Set<number>> {
  return pushBatch(customerCatalog, deps, items.map(({ message, ctx }) => ({ message, recordId: message.payload.customer_id, ctx })));
}
