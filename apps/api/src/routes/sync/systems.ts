/**
 * The external systems every customer is expected to reach (those the outbound worker
 * registers). Listed in a customer's sync status even before anything happened, so "not synced
 * yet" shows as such; a system seen only in the data is listed as well.
 */
export const SYNC_SYSTEMS: readonly string[] = ['stripe'];
