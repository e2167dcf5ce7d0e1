import type { ChangeFeed, ErrorClass, Integration, NeutralChange } from '../types';
import { soqlFeed } from './soql-feed';
import { AccountsAdapter } from './accounts';
import { ChangeDataCapture, type PubSubTarget } from './cdc';
import { SalesforceClient, type Quota, type SalesforceClientConfig } from './client';
import { classifySalesforceError } from './errors';
import type { AccountShape } from './mapping';

export interface SalesforceConfig extends SalesforceClientConfig {
  shape: AccountShape;
  pubSub: PubSubTarget;
  /** How long the change stream may stay silent before it is opened again (default 300 s). */
  pubSubIdleMs?: number | undefined;
  /** Share (0..1) of the daily API quota past which backfill and reconcile stop. */
  quotaStopShare?: number | undefined;
}

/** Salesforce, with our customers as Accounts; their changes arrive over CDC (`stream`). */
export class SalesforceIntegration implements Integration {
  readonly system = 'salesforce';
  readonly accounts: AccountsAdapter;
  readonly catalogs: { customer: AccountsAdapter };
  readonly stream: ChangeDataCapture;
  /** The SOQL catch-up on SystemModstamp: what heals gaps and outages, on the catch-up schedule. */
  readonly feed: ChangeFeed;
  readonly client: SalesforceClient;

  private readonly quotaStopShare: number;

  constructor(config: SalesforceConfig) {
    this.quotaStopShare = config.quotaStopShare ?? 0.9;
    this.client = new SalesforceClient(config);
    this.accounts = new AccountsAdapter(this.client, config.shape);
    this.catalogs = { customer: this.accounts };
    this.feed = soqlFeed(this.accounts);
    this.stream = new ChangeDataCapture(this.client, config.shape, config.pubSub, (id) => this.accounts.get(id), config.pubSubIdleMs);
  }

  /** Salesforce sends no webhooks: its changes arrive on `stream`. */
  toNeutralChange(_event: Record<string, unknown>): NeutralChange | null {
    return null;
  }

  classifyError(err: unknown): ErrorClass {
    return classifySalesforceError(err);
  }

  /** `/limits` is the cheapest authenticated call, and its answer refreshes the quota we hold. */
  async ping(): Promise<void> {
    await this.client.request('GET', '/limits', 'GET /limits');
  }

  holdNonUrgent(): string | null {
    const q = this.client.quota();
    if (!this.quotaExhausted(this.quotaStopShare) || !q) return null;
    return `Salesforce API quota at ${q.used}/${q.max} (stop share ${this.quotaStopShare}): non-urgent work waits, live sync goes on`;
  }

  /** The org's daily API usage as Salesforce last reported it; null before the first call. */
  quota(): Quota | null {
    return this.client.quota();
  }

  /** Whether `share` (0..1) of the daily quota is used: time to leave the rest to the org's people. */
  quotaExhausted(share: number): boolean {
    const q = this.client.quota();
    return q !== null && q.max > 0 && q.used / q.max >= share;
  }
}
