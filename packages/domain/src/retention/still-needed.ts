import { waitingReason } from '../sync/push-invoice';

/**
 * The sync_events rows the sync itself still reads, as a condition on a row `e`: dropping a month
 * of the audit trail must not drop these, so they move to the DEFAULT partition and stay there
 * for as long as the condition holds (docs/operations.md, "Data retention").
 * - A create attempted for a record that has no mapping to that system yet: the next push reads
 *   it (`loadOutboundState`'s `tried`) to look the record up there before creating it again, so
 *   a create that crashed before its mapping was stored is found, not duplicated — even when a
 *   dead letter about it is replayed months later.
 * - An invoice skipped while waiting for its customer to reach that system: the customer's mapping
 *   wakes exactly those (the trigger `external_mappings_wake_invoices`, migration 20261207).
 * Once the record is linked to the system, neither is read again.
 */
export const STILL_NEEDED = {
  text: `(e.direction = 'outbound' and e.external_system is not null
          and (e.payload->>'action' = 'create' or (e.status = 'skipped' and e.payload->>'reason' = format(?, e.external_system)))
          and not exists (select 1 from external_mappings m
                           where m.entity_type = e.entity_type and m.internal_id = e.entity_id and m.external_system = e.external_system))`,
  params: [waitingReason('%s')],
};
