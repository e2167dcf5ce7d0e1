import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError } from '../http/io';
import { FaultValidationError } from '../faults/settings';
import type { EmulatorState } from '../state';
import { StripeApiError } from '../stripe/errors';
import { EndpointValidationError } from '../webhooks/endpoints';
import { dashboardCreate, dashboardDelete, dashboardUpdate, seed } from './dashboard';
import { AdminError, asObject, readJson, sendAdmin, sendAdminError } from './http';
import { allInvoices, customerPays, dashboardCreateInvoice, paymentFails } from './invoices';

const DASHBOARD_CUSTOMER = /^\/_emulator\/dashboard\/customers\/([^/]+)$/;
const INVOICE_PAYMENT = /^\/_emulator\/invoices\/([^/]+)\/(pay|fail)$/;

async function route(state: EmulatorState, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const method = req.method ?? 'GET';
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /_emulator/health':
      return sendAdmin(res, 200, { ok: true });
    case 'GET /_emulator/webhook-endpoints':
      return sendAdmin(res, 200, { data: state.endpoints.list() });
    case 'POST /_emulator/webhook-endpoints': {
      const body = asObject(await readJson(req));
      return sendAdmin(res, 200, state.endpoints.register(body['url'], body['secret']));
    }
    case 'DELETE /_emulator/webhook-endpoints':
      return sendAdmin(res, 200, { deleted: state.endpoints.clear() });
    case 'GET /_emulator/faults':
      return sendAdmin(res, 200, state.faults.settings);
    case 'POST /_emulator/faults':
      return sendAdmin(res, 200, state.faults.update(await readJson(req)));
    case 'POST /_emulator/reset': {
      const body = asObject(await readJson(req));
      state.reset({ endpoints: body['endpoints'] === true, faults: body['faults'] === true });
      return sendAdmin(res, 200, { ok: true });
    }
    case 'GET /_emulator/stats':
      return sendAdmin(res, 200, state.snapshotStats());
    case 'POST /_emulator/stats/reset':
      state.resetStats();
      return sendAdmin(res, 200, { ok: true });
    case 'GET /_emulator/customers':
      return sendAdmin(res, 200, state.customerStore.all(query.get('include_deleted') === 'true'));
    case 'POST /_emulator/seed':
      return sendAdmin(res, 200, seed(state, await readJson(req)));
    case 'POST /_emulator/dashboard/customers':
      return sendAdmin(res, 200, dashboardCreate(state, await readJson(req), query.get('silent') === 'true'));
    case 'GET /_emulator/invoices':
      return sendAdmin(res, 200, allInvoices(state, query));
    case 'POST /_emulator/dashboard/invoices':
      return sendAdmin(res, 200, dashboardCreateInvoice(state, await readJson(req), query.get('silent') === 'true'));
  }
  const paymentMatch = method === 'POST' ? INVOICE_PAYMENT.exec(path) : null;
  if (paymentMatch !== null) {
    const id = decodeURIComponent(paymentMatch[1] ?? '');
    return sendAdmin(res, 200, paymentMatch[2] === 'pay' ? customerPays(state, id) : paymentFails(state, id));
  }
  const dashboardMatch = DASHBOARD_CUSTOMER.exec(path);
  if (dashboardMatch !== null) {
    const id = decodeURIComponent(dashboardMatch[1] ?? '');
    const silent = query.get('silent') === 'true';
    if (method === 'POST') return sendAdmin(res, 200, dashboardUpdate(state, id, await readJson(req), silent));
    if (method === 'DELETE') return sendAdmin(res, 200, dashboardDelete(state, id, silent));
  }
  sendAdminError(res, 404, `no admin route ${method} ${path}`);
}

/** `/_emulator/*`: no auth, no faults, not counted in stats. */
export async function handleAdminRequest(state: EmulatorState, req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
  try {
    await route(state, req, res, path, new URLSearchParams(query));
  } catch (err) {
    if (err instanceof StripeApiError) sendAdmin(res, err.status, err.body());
    else if (err instanceof AdminError) sendAdminError(res, err.status, err.message);
    else if (err instanceof FaultValidationError || err instanceof EndpointValidationError) sendAdminError(res, 400, err.message);
    else if (err instanceof BodyTooLargeError) sendAdminError(res, 413, err.message);
    else if (err instanceof URIError) sendAdminError(res, 400, 'malformed URL');
    else throw err;
  }
}
