import create from './customers/create';
import del from './customers/delete';
import get from './customers/get';
import list from './customers/list';
import { patch, replace } from './customers/update';
import discardDeadLetter from './dead-letters/discard';
import getDeadLetter from './dead-letters/get';
import listDeadLetters from './dead-letters/list';
import replayDeadLetter from './dead-letters/replay';
import { finalize, markUncollectible, voidInvoice } from './invoices/actions';
import createInvoice from './invoices/create';
import customerInvoices from './invoices/customer-invoices';
import deleteInvoice from './invoices/delete';
import getInvoice from './invoices/get';
import listInvoices from './invoices/list';
import { patch as patchInvoice, replace as replaceInvoice } from './invoices/update';
import type { Route } from './route';
import syncAnalytics from './sync/analytics';
import syncCircuits from './sync/circuits';
import customerSync from './sync/customer-sync';
import customersSync from './sync/customers-sync';
import invoicesSync from './sync/invoices-sync';
import syncEvents from './sync/events';
import reconcileLast from './sync/reconcile-last';
import syncSummary from './sync/summary';

export const routes: Route[] = [
  list,
  create,
  get,
  replace,
  patch,
  del,
  customerInvoices,
  listInvoices,
  createInvoice,
  getInvoice,
  replaceInvoice,
  patchInvoice,
  deleteInvoice,
  finalize,
  voidInvoice,
  markUncollectible,
  customerSync,
  customersSync,
  invoicesSync,
  syncEvents,
  syncSummary,
  syncAnalytics,
  syncCircuits,
  reconcileLast,
  listDeadLetters,
  getDeadLetter,
  replayDeadLetter,
  discardDeadLetter,
];
export * from './route';
