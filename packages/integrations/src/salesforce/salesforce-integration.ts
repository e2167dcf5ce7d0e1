import type { CustomerFields, ErrorClass, ExternalCustomer, Integration, ListPage, NeutralChange, WriteOptions } from '../types';
import { AccountsAdapter } from './accounts';
import { ChangeDataCapture, type PubSubTarget } from './cdc';
import { SalesforceClient, type Quota, type SalesforceClientConfig } from './client';
import { classifySalesforceError } from './errors';
import type { AccountShape } from './mapping';

export interface SalesforceConfig extends SalesforceClientConfig {
  shape: AccountShape;
  pubSub: PubSubTarget;
}

/**
 * Salesforce, with customers as Accounts. `accounts` and `stream` are the per-catalog pieces the
 * engine's catalog adapters take; the Integration methods delegate to them until it does.
 */
export class SalesforceIntegration implements Integration {
  readonly system = 'salesforce';
  readonly objectType = 'Account';
  readonly accounts: AccountsAdapter;
  readonly stream: ChangeDataCapture;
  readonly client: SalesforceClient;

  constructor(config: SalesforceConfig) {
    this.client = new SalesforceClient(config);
    this.accounts = new AccountsAdapter(this.client, config.shape);
    this.stream = new ChangeDataCapture(this.client, config.shape, config.pubSub, (id) => this.accounts.get(id));
  }

  createCustomer(fields: CustomerFields, internalId: number, opts: WriteOptions): Promise<ExternalCustomer> {
    return this.accounts.create(fields, internalId, opts);
  }

  updateCustomer(externalId: string, fields: CustomerFields, opts: WriteOptions): Promise<ExternalCustomer> {
    return this.accounts.update(externalId, fields, opts);
  }

  deleteCustomer(externalId: string, opts: WriteOptions): Promise<void> {
    return this.accounts.delete(externalId, opts);
  }

  getCustomer(externalId: string): Promise<ExternalCustomer | null> {
    return this.accounts.get(externalId);
  }

  findByInternalId(internalId: number): Promise<ExternalCustomer | null> {
    return this.accounts.findByInternalId(internalId);
  }

  listCustomers(cursor: string | null, limit: number): Promise<ListPage> {
    return this.accounts.list(cursor, limit);
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
