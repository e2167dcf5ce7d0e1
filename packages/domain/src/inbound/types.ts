import type { Address } from '../contact-fields';
import type { SyncedField } from '../customer-rules';

/** A change from an external system, in neutral terms (built by packages/integrations). */
export interface ExternalChange<St = ExternalState> {
  system: string;
  /** The type of record it is there (Stripe: customer; Salesforce: Account). */
  objectType: string;
  eventId: string;
  kind: 'created' | 'updated' | 'deleted';
  externalId: string;
  /** The source's timestamp of the change, in seconds. */
  sourceTs: number;
  /** The external record after the change (null for a delete without state). */
  state: St | null;
  traceId: string | null;
  /**
   * Which of our fields the change touched, when the source says (Stripe: previous_attributes);
   * undefined: it does not say, and every field that differs from what we last synced with it
   * counts as changed there.
   */
  changedFields?: readonly SyncedField[] | undefined;
  /**
   * Fields this system does not set here: its field map sends them only to it (direction `to`).
   * Its values for them are ignored, as if it held ours.
   */
  keepOurs?: readonly SyncedField[] | undefined;
  /**
   * `state` holds only the fields in changedFields (a Salesforce CDC UPDATE): the record's other
   * fields are what it last held, not cleared.
   */
  partial?: boolean | undefined;
}

export interface ExternalState {
  name: string;
  email: string;
  phone: string | null;
  address: Address | null;
  /** Our customer id, when the external record carries it. */
  internalId: number | null;
  deleted: boolean;
}

export type InboundOutcome =
  | { status: 'success'; action: 'created' | 'updated' | 'linked' | 'deleted'; customerId: number; detail?: string }
  | { status: 'skipped'; reason: string; customerId: number | null }
  | { status: 'conflict'; reason: string; customerId: number | null; ours: unknown; theirs: unknown; park: boolean };

/** Reads the record's current state from its system: the tie-breaker when timestamps cannot order two changes. */
export type FetchCurrent = (externalId: string) => Promise<ExternalState | null>;

/** The record's current state at its source, when it was read already (always outside a transaction); undefined: not read. */
export type KnownCurrent<St = ExternalState> = { state: St | null } | undefined;

/**
 * Thrown inside an apply's transaction when the rules need the record's current state at its
 * source and it was not read yet: the transaction rolls back (releasing its row locks), the
 * caller reads the state, and applies again with it (applyOutsideLocks).
 */
export class NeedsCurrentState extends Error {
  constructor(readonly externalId: string) {
    super(`the current state of ${externalId} is needed`);
    this.name = 'NeedsCurrentState';
  }
}
