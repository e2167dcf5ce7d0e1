import type { BulkResult, CatalogAdapter, CustomerFields, ExternalCustomer, ListPage, WriteOptions } from '../types';
import type { SalesforceClient } from './client';
import { classifyErrorItems, classifySalesforceError, type SalesforceErrorItem } from './errors';
import { accountFields, fromAccount, toAccount, type AccountRecord, type AccountShape } from './mapping';

/** sObject Collections take at most 200 records a call. */
export const COLLECTION_LIMIT = 200;

export type UpsertResult = BulkResult;

interface QueryPage {
  records: AccountRecord[];
  done: boolean;
  nextRecordsUrl?: string;
}

/** A page of changedSince: `until` is the last SystemModstamp read, where the next catch-up starts. */
export interface ChangedPage extends ListPage {
  until: string | null;
}

const soqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Our customers as Salesforce Accounts. Writes read the record back (one more API call) instead
 * of building it from what we sent: Salesforce changes what it stores (a trigger sets a field,
 * BillingCountry follows the code, '' becomes null), and the engine records what we return as the
 * synced state, so a made-up copy would make the next echo look like someone else's edit.
 * `upsertMany` is the bulk path and reads nothing back.
 */
export class AccountsAdapter implements CatalogAdapter<CustomerFields, ExternalCustomer> {
  readonly objectType = 'Account';
  readonly fieldMap;
  private readonly select: string;

  constructor(
    private readonly client: SalesforceClient,
    private readonly shape: AccountShape,
  ) {
    this.fieldMap = shape.fieldMap;
    this.select = accountFields(shape).join(', ');
  }

  /**
   * An upsert by our id in the External ID field: if we crash after Salesforce created the Account
   * and before we recorded its id, the retry finds it there and updates it, so no second Account.
   * Salesforce has no idempotency keys; the external id is what makes this idempotent.
   */
  async create(fields: CustomerFields, internalId: number, _opts: WriteOptions): Promise<ExternalCustomer> {
    const ext = this.shape.externalIdField;
    const res = await this.client.request<{ id: string }>('PATCH', `/sobjects/Account/${ext}/${internalId}`, 'PATCH /sobjects/Account/{field}/{id}', toAccount(fields, this.shape, 'create'));
    return this.readBack(res.id);
  }

  async update(externalId: string, fields: CustomerFields, _opts: WriteOptions): Promise<ExternalCustomer> {
    await this.client.request('PATCH', `/sobjects/Account/${encodeURIComponent(externalId)}`, 'PATCH /sobjects/Account/{id}', toAccount(fields, this.shape, 'update'));
    return this.readBack(externalId);
  }

  async delete(externalId: string, _opts: WriteOptions): Promise<void> {
    try {
      await this.client.request('DELETE', `/sobjects/Account/${encodeURIComponent(externalId)}`, 'DELETE /sobjects/Account/{id}');
    } catch (err) {
      // Already gone (or in the recycle bin) is what we wanted.
      if (classifySalesforceError(err).code !== 'not_found') throw err;
    }
  }

  async get(externalId: string): Promise<ExternalCustomer | null> {
    try {
      const record = await this.client.request<AccountRecord>('GET', `/sobjects/Account/${encodeURIComponent(externalId)}?fields=${this.select.replace(/ /g, '')}`, 'GET /sobjects/Account/{id}');
      return record.IsDeleted === true ? null : fromAccount(record, this.shape);
    } catch (err) {
      if (classifySalesforceError(err).code === 'not_found') return null;
      throw err;
    }
  }

  async findByInternalId(internalId: number): Promise<ExternalCustomer | null> {
    // The field is unique among live records, but an ORDER BY keeps the answer defined if an org
    // ever has it non-unique: the oldest one is the one we keep.
    const soql = `SELECT ${this.select} FROM Account WHERE ${this.shape.externalIdField} = ${soqlString(String(internalId))} ORDER BY CreatedDate, Id LIMIT 10`;
    const page = await this.query(soql, 10);
    return page.items.find((c) => c.internalId === internalId) ?? null;
  }

  /**
   * Live Accounts ordered by Id; the cursor is Salesforce's nextRecordsUrl (a server-side query
   * locator, valid for about 15 minutes). `limit` sets the page size, which Salesforce keeps within 200..2000.
   */
  async list(cursor: string | null, limit: number): Promise<ListPage> {
    if (cursor !== null) return this.nextPage(cursor, limit);
    return this.query(`SELECT ${this.select} FROM Account ORDER BY Id`, limit);
  }

  /**
   * Accounts changed after `sinceIso`, deleted ones included (queryAll), oldest change first: how
   * the stream's gaps are healed and how a restart after an expired replay id catches up.
   */
  async changedSince(sinceIso: string, cursor: string | null, limit: number): Promise<ChangedPage> {
    if (cursor !== null) return this.nextPage(cursor, limit);
    return this.query(`SELECT ${this.select} FROM Account WHERE SystemModstamp > ${new Date(sinceIso).toISOString()} ORDER BY SystemModstamp, Id`, limit, 'queryAll');
  }

  /**
   * Many creates-or-updates by our id through sObject Collections (200 a call, allOrNone=false):
   * each record succeeds or fails on its own, and the results come back in input order.
   */
  async upsertMany(records: ReadonlyArray<{ fields: CustomerFields; internalId: number }>): Promise<UpsertResult[]> {
    const out: UpsertResult[] = [];
    const ext = this.shape.externalIdField;
    for (let i = 0; i < records.length; i += COLLECTION_LIMIT) {
      const chunk = records.slice(i, i + COLLECTION_LIMIT).map((r) => ({ attributes: { type: 'Account' }, ...toAccount(r.fields, this.shape, 'create'), [ext]: String(r.internalId) }));
      const results = await this.client.request<Array<{ id?: string; success: boolean; created?: boolean; errors: SalesforceErrorItem[] }>>(
        'PATCH',
        `/composite/sobjects/Account/${ext}`,
        'PATCH /composite/sobjects/Account/{field}',
        { allOrNone: false, records: chunk },
      );
      for (const r of results) {
        out.push(r.success && r.id ? { ok: true, externalId: r.id, created: r.created === true } : { ok: false, error: classifyErrorItems(r.errors) });
      }
    }
    return out;
  }

  /** Collections update by Id (`PATCH /composite/sobjects`, allOrNone=false), 200 a call. */
  async updateMany(records: ReadonlyArray<{ fields: CustomerFields; externalId: string }>): Promise<BulkResult[]> {
    const out: BulkResult[] = [];
    for (let i = 0; i < records.length; i += COLLECTION_LIMIT) {
      const chunk = records.slice(i, i + COLLECTION_LIMIT).map((r) => ({ attributes: { type: 'Account' }, id: r.externalId, ...toAccount(r.fields, this.shape, 'update') }));
      const results = await this.client.request<Array<{ id?: string; success: boolean; errors: SalesforceErrorItem[] }>>(
        'PATCH',
        '/composite/sobjects',
        'PATCH /composite/sobjects',
        { allOrNone: false, records: chunk },
      );
      results.forEach((r, j) => out.push(r.success ? { ok: true, externalId: r.id ?? chunk[j]!.id, created: false } : { ok: false, error: classifyErrorItems(r.errors) }));
    }
    return out;
  }

  private async readBack(id: string): Promise<ExternalCustomer> {
    const record = await this.client.request<AccountRecord>('GET', `/sobjects/Account/${encodeURIComponent(id)}?fields=${this.select.replace(/ /g, '')}`, 'GET /sobjects/Account/{id}');
    return fromAccount(record, this.shape);
  }

  private async query(soql: string, limit: number, endpoint: 'query' | 'queryAll' = 'query'): Promise<ChangedPage> {
    return this.toPage(await this.client.request<QueryPage>('GET', `/${endpoint}?q=${encodeURIComponent(soql)}`, `GET /${endpoint}`, undefined, batchHeader(limit)));
  }

  private async nextPage(cursor: string, limit: number): Promise<ChangedPage> {
    // The cursor comes back from our own storage, but it is a path we call with our token: only a query locator will do.
    if (!/^\/services\/data\/v\d+\.\d\/query(All)?\/[A-Za-z0-9-]+$/.test(cursor)) throw new Error(`not a Salesforce query cursor: ${cursor}`);
    const endpoint = cursor.includes('/queryAll/') ? 'queryAll' : 'query';
    return this.toPage(await this.client.request<QueryPage>('GET', cursor, `GET /${endpoint}/{locator}`, undefined, batchHeader(limit)));
  }

  private toPage(page: QueryPage): ChangedPage {
    const last = page.records.at(-1);
    return {
      items: page.records.map((r) => fromAccount(r, this.shape)),
      nextCursor: page.done ? null : (page.nextRecordsUrl ?? null),
      until: typeof last?.SystemModstamp === 'string' ? last.SystemModstamp : null,
    };
  }
}

const batchHeader = (limit: number): Record<string, string> => ({ 'Sforce-Query-Options': `batchSize=${Math.max(200, Math.min(2000, limit))}` });
