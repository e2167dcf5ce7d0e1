/** A change from an external system, in neutral terms (built by packages/integrations). */
export interface ExternalChange {
  system: string;
  eventId: string;
  kind: 'created' | 'updated' | 'deleted';
  externalId: string;
  /** The source's timestamp of the change, in seconds. */
  sourceTs: number;
  /** The external record after the change (null for a delete without state). */
  state: ExternalState | null;
  traceId: string | null;
}

export interface ExternalState {
  name: string;
  email: string;
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
