import type { IncomingMessage, ServerResponse } from 'node:http';
import { toJson } from '../accounts/record';
import { FaultValidationError } from '../faults/settings';
import { BodyTooLargeError } from '../http/io';
import { SfError } from '../rest/errors';
import type { EmulatorState } from '../state';
import { AdminError, asObject, readJson, sendAdmin, sendAdminError } from './http';
import { emitGap, setTrigger, uiBulkUpdate, uiCreate, uiDelete, uiUndelete, uiUpdate } from './ui';

const UI_ACCOUNT = /^\/_emulator\/ui\/accounts\/([^/]+)(\/undelete)?$/;

function nonNegativeInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new AdminError(400, `${name} must be an integer >= 0`);
  return value;
}

function quota(state: EmulatorState, body: Record<string, unknown>): { used: number; max: number } {
  if (body['max'] !== undefined) state.quota.max = nonNegativeInt('max', body['max']);
  if (body['used'] !== undefined) state.quota.used = nonNegativeInt('used', body['used']);
  if (body['exhaust'] === true) state.quota.used = state.quota.max;
  return { used: state.quota.used, max: state.quota.max };
}

async function route(state: EmulatorState, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const method = req.method ?? 'GET';
  switch (`${method} ${path}`) {
    case 'GET /_emulator/health':
      return sendAdmin(res, 200, { ok: true });
    case 'POST /_emulator/reset': {
      const body = asObject(await readJson(req));
      state.reset({ faults: body['faults'] === true, sessions: body['sessions'] === true });
      return sendAdmin(res, 200, { ok: true });
    }
    case 'GET /_emulator/faults':
      return sendAdmin(res, 200, state.faults.settings);
    case 'POST /_emulator/faults':
      return sendAdmin(res, 200, state.faults.update(await readJson(req)));
    case 'POST /_emulator/sessions/expire':
      return sendAdmin(res, 200, { expired: state.sessions.expireAll() });
    case 'GET /_emulator/quota':
      return sendAdmin(res, 200, quota(state, {}));
    case 'POST /_emulator/quota':
      return sendAdmin(res, 200, quota(state, asObject(await readJson(req))));
    case 'GET /_emulator/stats':
      return sendAdmin(res, 200, state.snapshotStats());
    case 'POST /_emulator/stats/reset':
      state.stats.reset();
      return sendAdmin(res, 200, { ok: true });
    case 'GET /_emulator/accounts':
      return sendAdmin(res, 200, state.store.all(query.get('include_deleted') !== 'false').map((r) => toJson(r, state.fields, '64.0')));
    case 'GET /_emulator/events':
      return sendAdmin(res, 200, state.bus.all().map((e) => ({ replayId: e.replayId.toString(), id: e.id, changeType: e.changeType, recordIds: e.recordIds, event: state.schema.type.fromBuffer(e.payload) as unknown })));
    case 'POST /_emulator/events/gap':
      return sendAdmin(res, 200, emitGap(state, await readJson(req)));
    case 'GET /_emulator/trigger':
      return sendAdmin(res, 200, { trigger: state.accounts.trigger });
    case 'POST /_emulator/trigger':
      return sendAdmin(res, 200, { trigger: setTrigger(state, await readJson(req)) });
    case 'POST /_emulator/ui/accounts':
      return sendAdmin(res, 200, uiCreate(state, await readJson(req)));
    case 'POST /_emulator/ui/accounts/bulk-update':
      return sendAdmin(res, 200, uiBulkUpdate(state, await readJson(req)));
  }
  const ui = UI_ACCOUNT.exec(path);
  if (ui !== null) {
    const id = decodeURIComponent(ui[1] ?? '');
    if (ui[2] !== undefined && method === 'POST') return sendAdmin(res, 200, uiUndelete(state, id));
    if (ui[2] === undefined && method === 'PATCH') return sendAdmin(res, 200, uiUpdate(state, id, await readJson(req)));
    if (ui[2] === undefined && method === 'DELETE') return sendAdmin(res, 200, uiDelete(state, id));
  }
  sendAdminError(res, 404, `no admin route ${method} ${path}`);
}

/** `/_emulator/*`: no auth, no faults, no quota, not counted in stats. */
export async function handleAdminRequest(state: EmulatorState, req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
  try {
    await route(state, req, res, path, new URLSearchParams(query));
  } catch (err) {
    // Salesforce validation errors keep their REST shape so a test can assert on errorCode.
    if (err instanceof SfError) sendAdmin(res, err.status, err.body());
    else if (err instanceof AdminError) sendAdminError(res, err.status, err.message);
    else if (err instanceof FaultValidationError) sendAdminError(res, 400, err.message);
    else if (err instanceof BodyTooLargeError) sendAdminError(res, 413, err.message);
    else if (err instanceof URIError) sendAdminError(res, 400, 'malformed URL');
    else throw err;
  }
}
