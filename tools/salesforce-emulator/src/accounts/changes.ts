import type { FieldValue } from './record';

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE' | 'GAP_CREATE' | 'GAP_UPDATE' | 'GAP_DELETE' | 'GAP_UNDELETE' | 'GAP_OVERFLOW';

/**
 * What one committed change looks like before it becomes an AccountChangeEvent: field names are
 * the REST (flat) names; the CDC encoder maps Billing* onto the compound BillingAddress.
 */
export interface ChangeRecord {
  changeType: ChangeType;
  recordIds: string[];
  /** Values carried in the event: every set field for CREATE/UNDELETE, the changed ones for UPDATE. */
  values: Record<string, FieldValue | number>;
  changedFields: string[];
  nulledFields: string[];
  commitTimestamp: number;
  commitUser: string;
  changeOrigin: string;
}

/** A committed transaction: its changes share a transactionKey and are numbered 1..n. */
export interface CommittedTransaction {
  transactionKey: string;
  changes: ChangeRecord[];
}

export type ChangeListener = (tx: CommittedTransaction) => void;
