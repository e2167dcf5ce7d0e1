import * as customers from './customer-handlers';
import * as events from './event-handlers';
import * as invoiceItems from './invoiceitem-handlers';
import * as invoices from './invoice-handlers';
import type { ApiRoute } from './types';

const route = (key: string, write: boolean, handle: ApiRoute['handle']): ApiRoute => ({ key, write, handle });

const ROUTES = {
  createCustomer: route('POST /v1/customers', true, customers.createCustomer),
  listCustomers: route('GET /v1/customers', false, customers.listCustomers),
  searchCustomers: route('GET /v1/customers/search', false, customers.searchCustomersHandler),
  retrieveCustomer: route('GET /v1/customers/:id', false, customers.retrieveCustomer),
  updateCustomer: route('POST /v1/customers/:id', true, customers.updateCustomer),
  deleteCustomer: route('DELETE /v1/customers/:id', true, customers.deleteCustomer),
  listEvents: route('GET /v1/events', false, events.listEvents),
  retrieveEvent: route('GET /v1/events/:id', false, events.retrieveEvent),
  createInvoice: route('POST /v1/invoices', true, invoices.createInvoice),
  listInvoices: route('GET /v1/invoices', false, invoices.listInvoices),
  retrieveInvoice: route('GET /v1/invoices/:id', false, invoices.retrieveInvoice),
  updateInvoice: route('POST /v1/invoices/:id', true, invoices.updateInvoice),
  deleteInvoice: route('DELETE /v1/invoices/:id', true, invoices.deleteInvoice),
  listInvoiceLines: route('GET /v1/invoices/:id/lines', false, invoices.listInvoiceLines),
  finalizeInvoice: route('POST /v1/invoices/:id/finalize', true, invoices.finalizeInvoice),
  payInvoice: route('POST /v1/invoices/:id/pay', true, invoices.payInvoice),
  voidInvoice: route('POST /v1/invoices/:id/void', true, invoices.voidInvoice),
  markUncollectible: route('POST /v1/invoices/:id/mark_uncollectible', true, invoices.markUncollectible),
  sendInvoice: route('POST /v1/invoices/:id/send', true, invoices.sendInvoice),
  createInvoiceItem: route('POST /v1/invoiceitems', true, invoiceItems.createInvoiceItem),
  listInvoiceItems: route('GET /v1/invoiceitems', false, invoiceItems.listInvoiceItems),
  retrieveInvoiceItem: route('GET /v1/invoiceitems/:id', false, invoiceItems.retrieveInvoiceItem),
  updateInvoiceItem: route('POST /v1/invoiceitems/:id', true, invoiceItems.updateInvoiceItem),
  deleteInvoiceItem: route('DELETE /v1/invoiceitems/:id', true, invoiceItems.deleteInvoiceItem),
};

/** `POST /v1/invoices/:id/<action>` and `GET /v1/invoices/:id/lines`. */
const INVOICE_ACTIONS: Readonly<Record<string, ApiRoute>> = {
  'POST finalize': ROUTES.finalizeInvoice,
  'POST pay': ROUTES.payInvoice,
  'POST void': ROUTES.voidInvoice,
  'POST mark_uncollectible': ROUTES.markUncollectible,
  'POST send': ROUTES.sendInvoice,
  'GET lines': ROUTES.listInvoiceLines,
};

/** A collection (`/v1/x`) and its members (`/v1/x/:id`) with the usual five routes. */
function crud(method: string, hasId: boolean, create: ApiRoute, list: ApiRoute, retrieve: ApiRoute, update: ApiRoute, remove: ApiRoute): ApiRoute | null {
  if (!hasId) return method === 'POST' ? create : method === 'GET' ? list : null;
  if (method === 'GET') return retrieve;
  if (method === 'POST') return update;
  if (method === 'DELETE') return remove;
  return null;
}

export interface RouteMatch {
  route: ApiRoute;
  id: string;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Hand-written matching: two dozen routes do not need a router, and this is on the hot path. */
export function matchApiRoute(method: string, path: string): RouteMatch | null {
  const parts = path.split('/'); // ['', 'v1', resource, id?, action?]
  if (parts.length < 3 || parts.length > 5 || parts[1] !== 'v1') return null;
  const resource = parts[2];
  const rawId = parts[3];
  const id = rawId === undefined ? '' : decodeSegment(rawId);
  if (id === null || (rawId !== undefined && id === '')) return null;
  const action = parts[4];
  if (action !== undefined) {
    const matched = resource === 'invoices' ? INVOICE_ACTIONS[`${method} ${action}`] : undefined;
    return matched === undefined ? null : { route: matched, id };
  }
  if (resource === 'customers') {
    if (rawId === undefined) {
      if (method === 'POST') return { route: ROUTES.createCustomer, id };
      if (method === 'GET') return { route: ROUTES.listCustomers, id };
      return null;
    }
    if (method === 'GET') return { route: id === 'search' ? ROUTES.searchCustomers : ROUTES.retrieveCustomer, id };
    if (method === 'POST') return { route: ROUTES.updateCustomer, id };
    if (method === 'DELETE') return { route: ROUTES.deleteCustomer, id };
    return null;
  }
  if (resource === 'events' && method === 'GET') {
    return { route: rawId === undefined ? ROUTES.listEvents : ROUTES.retrieveEvent, id };
  }
  if (resource === 'invoices') {
    const matched = crud(method, rawId !== undefined, ROUTES.createInvoice, ROUTES.listInvoices, ROUTES.retrieveInvoice, ROUTES.updateInvoice, ROUTES.deleteInvoice);
    return matched === null ? null : { route: matched, id };
  }
  if (resource === 'invoiceitems') {
    const matched = crud(method, rawId !== undefined, ROUTES.createInvoiceItem, ROUTES.listInvoiceItems, ROUTES.retrieveInvoiceItem, ROUTES.updateInvoiceItem, ROUTES.deleteInvoiceItem);
    return matched === null ? null : { route: matched, id };
  }
  return null;
}
