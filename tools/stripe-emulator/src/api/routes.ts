import * as customers from './customer-handlers';
import * as events from './event-handlers';
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
};

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

/** Hand-written matching: eight routes do not need a router, and this is on the hot path. */
export function matchApiRoute(method: string, path: string): RouteMatch | null {
  const parts = path.split('/'); // ['', 'v1', resource, id?]
  if (parts.length < 3 || parts.length > 4 || parts[1] !== 'v1') return null;
  const resource = parts[2];
  const rawId = parts[3];
  const id = rawId === undefined ? '' : decodeSegment(rawId);
  if (id === null || (rawId !== undefined && id === '')) return null;
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
  return null;
}
