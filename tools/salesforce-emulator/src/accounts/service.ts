import type { MonotonicClock } from '../clock';
import type { IdGenerator } from '../ids';
import { entityIsDeleted, notFound, SfError } from '../rest/errors';
import type { ChangeListener, ChangeRecord } from './changes';
import type { AccountFields } from './fields';
import { cloneRecord, type AccountRecord, type FieldValue } from './record';
import type { AccountStore } from './store';
import { mergeSameChanges, Transaction, type WriteContext } from './transaction';
import { parseAccountInput } from './validate';

/** "On every write, set this field in the same transaction": a stand-in for an org's Apex trigger. */
export interface TriggerSetting {
  field: string;
  /** `{n}` becomes a counter, so each firing really changes the value. */
  value: string;
}

export class AccountService {
  private triggerFirings = 0;
  trigger: TriggerSetting | null = null;

  constructor(
    private readonly store: AccountStore,
    readonly fields: AccountFields,
    private readonly clock: MonotonicClock,
    private readonly ids: IdGenerator,
    private readonly onCommit: ChangeListener,
    private readonly onWrites: (via: 'api' | 'ui', n: number) => void,
  ) {}

  /** Runs `fn` as one transaction: all of it commits (and emits its events) or none of it does. */
  run<T>(ctx: WriteContext, fn: (tx: Transaction) => T): T {
    const tx = new Transaction(ctx, this.clock.now());
    let result: T;
    try {
      result = fn(tx);
    } catch (err) {
      this.rollback(tx);
      throw err;
    }
    this.commit(tx);
    return result;
  }

  begin(ctx: WriteContext): Transaction {
    return new Transaction(ctx, this.clock.now());
  }

  commit(tx: Transaction): void {
    if (tx.writes > 0) this.onWrites(tx.ctx.via, tx.writes);
    if (tx.changes.length > 0) this.onCommit({ transactionKey: tx.key, changes: mergeSameChanges(tx.changes) });
  }

  rollback(tx: Transaction): void {
    for (const undo of tx.undo.reverse()) undo();
    tx.undo.length = 0;
    tx.changes.length = 0;
    tx.writes = 0;
  }

  /** A savepoint: undoes whatever `fn` wrote if it throws (per-record failures in a batch). */
  attempt<T>(tx: Transaction, fn: () => T): T {
    const undoMark = tx.undo.length;
    const changeMark = tx.changes.length;
    const writeMark = tx.writes;
    try {
      return fn();
    } catch (err) {
      for (const undo of tx.undo.splice(undoMark).reverse()) undo();
      tx.changes.length = changeMark;
      tx.writes = writeMark;
      throw err;
    }
  }

  create(tx: Transaction, input: unknown, skip: readonly string[] = []): string {
    const values = parseAccountInput(this.fields, input, 'create', skip);
    return this.insert(tx, values);
  }

  insert(tx: Transaction, values: Record<string, FieldValue>): string {
    this.applyTrigger(values);
    this.assertUnique(values, null);
    const now = tx.at;
    const fields: Record<string, FieldValue> = {};
    for (const def of this.fields.list) if (def.writable) fields[def.name] = values[def.name] ?? null;
    const record: AccountRecord = {
      Id: this.ids.next(),
      IsDeleted: false,
      fields,
      OwnerId: tx.ctx.userId,
      CreatedDate: now,
      CreatedById: tx.ctx.userId,
      LastModifiedDate: now,
      LastModifiedById: tx.ctx.userId,
      SystemModstamp: now,
      deletedAt: null,
    };
    this.store.put(record);
    tx.undo.push(() => this.store.drop(record.Id));
    tx.writes++;
    tx.changes.push(this.fullChange('CREATE', record, tx));
    return record.Id;
  }

  update(tx: Transaction, id: string, input: unknown, skip: readonly string[] = []): void {
    const values = parseAccountInput(this.fields, input, 'update', skip);
    this.patch(tx, [id], values);
  }

  /** Applies the same values to several records (an admin mass edit does it in one transaction). */
  patch(tx: Transaction, ids: readonly string[], values: Record<string, FieldValue>): void {
    this.applyTrigger(values);
    const now = tx.at;
    for (const id of ids) {
      const current = this.live(id);
      this.assertUnique(values, id);
      const before = cloneRecord(current);
      const changed = Object.keys(values).filter((name) => (current.fields[name] ?? null) !== values[name]);
      const next = cloneRecord(current);
      for (const name of changed) next.fields[name] = values[name] ?? null;
      next.LastModifiedDate = now;
      next.LastModifiedById = tx.ctx.userId;
      next.SystemModstamp = now;
      this.store.put(next);
      tx.undo.push(() => this.store.put(before));
      tx.writes++;
      const eventValues: ChangeRecord['values'] = { LastModifiedDate: now };
      for (const name of changed) eventValues[name] = next.fields[name] ?? null;
      const changedFields = [...changed, 'LastModifiedDate'];
      const nulledFields = changed.filter((name) => next.fields[name] === null);
      tx.changes.push({ ...this.header('UPDATE', [id], tx, now), values: eventValues, changedFields, nulledFields });
    }
  }

  remove(tx: Transaction, id: string): void {
    const current = this.live(id);
    const before = cloneRecord(current);
    const now = tx.at;
    this.store.put({ ...cloneRecord(current), IsDeleted: true, deletedAt: now, SystemModstamp: now, LastModifiedDate: now, LastModifiedById: tx.ctx.userId });
    tx.undo.push(() => this.store.put(before));
    tx.writes++;
    tx.changes.push({ ...this.header('DELETE', [id], tx, now), values: {}, changedFields: [], nulledFields: [] });
  }

  undelete(tx: Transaction, id: string): void {
    const current = this.store.get(id);
    if (current === undefined) throw notFound();
    if (!current.IsDeleted) throw new SfError(400, 'UNDELETE_FAILED', 'Entity is not in the recycle bin');
    this.assertUnique(current.fields, id);
    const before = cloneRecord(current);
    const now = tx.at;
    const next: AccountRecord = { ...cloneRecord(current), IsDeleted: false, deletedAt: null, SystemModstamp: now, LastModifiedDate: now, LastModifiedById: tx.ctx.userId };
    this.store.put(next);
    tx.undo.push(() => this.store.put(before));
    tx.writes++;
    tx.changes.push(this.fullChange('UNDELETE', next, tx));
  }

  /** PATCH by external id: creates when no live record has the value, else updates that record. */
  upsert(tx: Transaction, externalValue: string, input: unknown): { id: string; created: boolean } {
    const ext = this.fields.shape.externalIdField;
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      const inBody = Object.entries(input as Record<string, unknown>).find(([k]) => k.toLowerCase() === ext.toLowerCase());
      if (inBody !== undefined && inBody[1] !== externalValue) {
        throw new SfError(400, 'INVALID_FIELD', `The value of the external ID field ${ext} in the body does not match the one in the URL`);
      }
    }
    const existing = this.store.findByExternalId(externalValue);
    if (existing === undefined) {
      const values = parseAccountInput(this.fields, input, 'create', [ext]);
      values[ext] = externalValue;
      return { id: this.insert(tx, values), created: true };
    }
    this.update(tx, existing.Id, input, [ext]);
    return { id: existing.Id, created: false };
  }

  private live(id: string): AccountRecord {
    const current = this.store.get(id);
    if (current === undefined) throw notFound();
    if (current.IsDeleted) throw entityIsDeleted();
    return current;
  }

  private assertUnique(values: Record<string, FieldValue>, selfId: string | null): void {
    const ext = this.fields.shape.externalIdField;
    const value = values[ext] ?? null;
    if (value === null) return;
    const holder = this.store.findByExternalId(value);
    if (holder !== undefined && holder.Id !== selfId) {
      throw new SfError(400, 'DUPLICATE_VALUE', `duplicate value found: ${ext} duplicates value on record with id: ${holder.Id}`, []);
    }
  }

  private applyTrigger(values: Record<string, FieldValue>): void {
    if (this.trigger === null) return;
    this.triggerFirings++;
    values[this.trigger.field] = this.trigger.value.replaceAll('{n}', String(this.triggerFirings));
  }

  private header(changeType: ChangeRecord['changeType'], recordIds: string[], tx: Transaction, at: number): Omit<ChangeRecord, 'values' | 'changedFields' | 'nulledFields'> {
    return { changeType, recordIds, commitTimestamp: at, commitUser: tx.ctx.userId, changeOrigin: tx.ctx.changeOrigin };
  }

  private fullChange(changeType: 'CREATE' | 'UNDELETE', record: AccountRecord, tx: Transaction): ChangeRecord {
    const values: ChangeRecord['values'] = {
      OwnerId: record.OwnerId,
      CreatedDate: record.CreatedDate,
      CreatedById: record.CreatedById,
      LastModifiedDate: record.LastModifiedDate,
      LastModifiedById: record.LastModifiedById,
    };
    for (const [name, value] of Object.entries(record.fields)) if (value !== null) values[name] = value;
    return { ...this.header(changeType, [record.Id], tx, record.LastModifiedDate), values, changedFields: [], nulledFields: [] };
  }
}
