import { toJson } from '../accounts/record';
import type { WriteContext } from '../accounts/transaction';
import { parseAccountInput } from '../accounts/validate';
import type { ChangeType } from '../accounts/changes';
import { CHANGE_TYPES } from '../cdc/schema';
import { normalizeId, UI_USER_ID } from '../ids';
import type { EmulatorState } from '../state';
import { AdminError, asObject } from './http';

/** A person in Salesforce's UI: no API client, so CDC changeOrigin is empty; exempt from faults and quota. */
const UI: WriteContext = { userId: UI_USER_ID, changeOrigin: '', via: 'ui' };

function id(raw: string): string {
  const normalized = normalizeId(raw);
  if (normalized === null) throw new AdminError(400, `not a Salesforce id: ${raw}`);
  return normalized;
}

const view = (state: EmulatorState, accountId: string): Record<string, unknown> => {
  const record = state.store.get(accountId);
  if (record === undefined) throw new AdminError(404, `no account ${accountId}`);
  return toJson(record, state.fields, '64.0');
};

export function uiCreate(state: EmulatorState, body: unknown): Record<string, unknown> {
  const created = state.accounts.run(UI, (tx) => state.accounts.create(tx, asObject(body), ['Id']));
  return view(state, created);
}

export function uiUpdate(state: EmulatorState, rawId: string, body: unknown): Record<string, unknown> {
  const accountId = id(rawId);
  state.accounts.run(UI, (tx) => state.accounts.update(tx, accountId, asObject(body), ['Id']));
  return view(state, accountId);
}

export function uiDelete(state: EmulatorState, rawId: string): Record<string, unknown> {
  const accountId = id(rawId);
  state.accounts.run(UI, (tx) => state.accounts.remove(tx, accountId));
  return view(state, accountId);
}

export function uiUndelete(state: EmulatorState, rawId: string): Record<string, unknown> {
  const accountId = id(rawId);
  state.accounts.run(UI, (tx) => state.accounts.undelete(tx, accountId));
  return view(state, accountId);
}

/** A list-view mass edit: the same values on several records in one transaction, so one event names them all. */
export function uiBulkUpdate(state: EmulatorState, body: unknown): { ids: string[] } {
  const { ids, fields } = asObject(body);
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => typeof x === 'string')) throw new AdminError(400, 'ids must be a non-empty array of account ids');
  const accountIds = ids.map(id);
  const values = parseAccountInput(state.fields, asObject(fields), 'update', ['Id']);
  state.accounts.run(UI, (tx) => state.accounts.patch(tx, accountIds, values));
  return { ids: accountIds };
}

/** Publishes a gap event (or GAP_OVERFLOW) as Salesforce does when it cannot build a full change event. */
export function emitGap(state: EmulatorState, body: unknown): { replayId: string; changeType: ChangeType; recordIds: string[] } {
  const { changeType, recordIds } = asObject(body);
  const type = changeType ?? 'GAP_UPDATE';
  if (typeof type !== 'string' || !type.startsWith('GAP_') || !(CHANGE_TYPES as readonly string[]).includes(type)) {
    throw new AdminError(400, 'changeType must be one of GAP_CREATE, GAP_UPDATE, GAP_DELETE, GAP_UNDELETE, GAP_OVERFLOW');
  }
  const list = recordIds ?? [];
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new AdminError(400, 'recordIds must be an array of ids');
  if (type !== 'GAP_OVERFLOW' && list.length === 0) throw new AdminError(400, `${type} needs recordIds`);
  const event = state.bus.publishGap(type as ChangeType, list.map(id), UI_USER_ID);
  return { replayId: event.replayId.toString(), changeType: event.changeType, recordIds: event.recordIds };
}

export function setTrigger(state: EmulatorState, body: unknown): { field: string; value: string } | null {
  const { field, value } = asObject(body);
  if (field === undefined || field === null) {
    state.accounts.trigger = null;
    return null;
  }
  const def = typeof field === 'string' ? state.fields.get(field) : undefined;
  if (def === undefined || !def.writable) throw new AdminError(400, 'field must be a writable Account field, e.g. Description');
  if (typeof value !== 'string') throw new AdminError(400, 'value must be a string ({n} becomes a counter)');
  state.accounts.trigger = { field: def.name, value };
  return state.accounts.trigger;
}
