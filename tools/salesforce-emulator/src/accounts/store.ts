import { cloneRecord, type AccountRecord } from './record';

/** Accounts in creation order, with a unique index on the external id over live records. */
export class AccountStore {
  private readonly byId = new Map<string, AccountRecord>();
  private readonly byExternalId = new Map<string, string>();

  constructor(private readonly externalIdField: string) {}

  get(id: string): AccountRecord | undefined {
    return this.byId.get(id);
  }

  /** Live record holding this external id value. */
  findByExternalId(value: string): AccountRecord | undefined {
    const id = this.byExternalId.get(value);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** Inserts or replaces a record and keeps the external id index in step. */
  put(record: AccountRecord): void {
    const previous = this.byId.get(record.Id);
    if (previous !== undefined) this.unindex(previous);
    this.byId.set(record.Id, record);
    const ext = record.fields[this.externalIdField] ?? null;
    if (!record.IsDeleted && ext !== null) this.byExternalId.set(ext, record.Id);
  }

  /** Removes a record that a rolled-back transaction created. */
  drop(id: string): void {
    const previous = this.byId.get(id);
    if (previous === undefined) return;
    this.unindex(previous);
    this.byId.delete(id);
  }

  all(includeDeleted: boolean): AccountRecord[] {
    const out: AccountRecord[] = [];
    for (const r of this.byId.values()) if (includeDeleted || !r.IsDeleted) out.push(r);
    return out;
  }

  snapshot(id: string): AccountRecord | undefined {
    const r = this.byId.get(id);
    return r === undefined ? undefined : cloneRecord(r);
  }

  get liveCount(): number {
    let n = 0;
    for (const r of this.byId.values()) if (!r.IsDeleted) n++;
    return n;
  }

  get size(): number {
    return this.byId.size;
  }

  clear(): void {
    this.byId.clear();
    this.byExternalId.clear();
  }

  private unindex(record: AccountRecord): void {
    const ext = record.fields[this.externalIdField] ?? null;
    if (ext !== null && this.byExternalId.get(ext) === record.Id) this.byExternalId.delete(ext);
  }
}
