import type { CustomerEventMessage, MessageContext } from '@cs/kafka-schemas';
import { customerCatalog } from '../catalogs/customer';
import { pushRecord, type PushDeps } from './push-record';

export type { PushDeps } from './push-record';

/** Makes one external system hold our current state of one customer (the rules: push-record.ts). */
export function pushCustomer(deps: PushDeps, msg: CustomerEventMessage, ctx: MessageContext): Promise<void> {
  return pushRecord(customerCatalog, deps, msg, msg.payload.customer_id, ctx);
}
