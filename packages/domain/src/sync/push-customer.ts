import type { CustomerEventMessage, MessageContext } from '@cs/kafka-schemas';
import { customerCatalog } from '../catalogs/customer';
import { pushBatch } from './push-batch';
import { pushRecord, type PushDeps } from './push-record';

export type { PushDeps } from './push-record';

/**
 * Makes one external system hold our current state of one customer (the rules: push-record.ts).
 * When this push links the customer there, the invoices that waited for that are woken by the
 * mapping's own insert (Migration20261207000000_invoice_waits), as on every other path.
 */
export async function pushCustomer(deps: PushDeps, msg: CustomerEventMessage, ctx: MessageContext): Promise<void> {
  await pushRecord(customerCatalog, deps, msg, msg.payload.customer_id, ctx);
}

/** A wave of customer messages, in bulk where the system can (push-batch.ts); returns the indexes pushed. */
export function pushCustomerBatch(deps: PushDeps, items: Array<{ message: CustomerEventMessage; ctx: MessageContext }>): Promise<Set<number>> {
  return pushBatch(customerCatalog, deps, items.map(({ message, ctx }) => ({ message, recordId: message.payload.customer_id, ctx })));
}
