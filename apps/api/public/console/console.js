// The sync console: one page, no build step, no framework. Everything it shows comes from the
// authenticated API; this file wires the sections together and refreshes them every 3 s.
import { analyticsState, refreshAnalytics } from './js/analytics.js';
import { api, apiKey, ApiError } from './js/api.js';
import { refreshCircuits } from './js/circuits.js';
import { customersState, refreshCustomers } from './js/customers.js';
import { deadLettersState, refreshDeadLetters } from './js/dead-letters.js';
import { invalidate } from './js/dom.js';
import { invoicesState, refreshInvoices } from './js/invoices.js';
import { loadOlderEvents, refreshEvents, setEventFilters } from './js/events.js';
import { refreshReconcile } from './js/reconcile.js';
import { refreshSummary } from './js/summary.js';

const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
let timer;
let ticks = 0;

function show(id, text) {
  $(id).textContent = text ?? '';
  $(id).hidden = !text;
}

function needKey(message) {
  clearTimeout(timer);
  $('main').hidden = true;
  $('login').hidden = false;
  show('login-error', message);
  $('api-key').focus();
}

async function tick() {
  clearTimeout(timer);
  const jobs = [
    refreshSummary($('summary')),
    refreshCircuits($('circuits')),
    refreshDeadLetters($('dead-letters'), act),
    refreshCustomers($('customers'), $('customers-page'), pickCustomer),
    refreshInvoices($('invoices'), $('invoices-page'), pickCustomer),
    refreshEvents($('events'), $('events-older')),
  ];
  if (ticks++ % 5 === 0) jobs.push(refreshReconcile($('reconcile')), refreshAnalytics($('analytics'), pickSeries));
  const failed = (await Promise.allSettled(jobs)).filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failed.some((e) => e instanceof ApiError && e.status === 401)) return needKey('The API key was refused (it may have been revoked).');
  show('banner', failed.length ? `Could not refresh: ${failed.map((e) => e.message).join('; ')}` : null);
  $('customers-older').disabled = !customersState.hasMore;
  $('customers-newer').disabled = customersState.skip === 0;
  $('invoices-older').disabled = !invoicesState.hasMore;
  $('invoices-newer').disabled = invoicesState.skip === 0;
  $('last-refresh').textContent = `updated ${new Date().toLocaleTimeString()}`;
  timer = setTimeout(tick, REFRESH_MS);
}

/** Replay or discard one dead letter, then refresh at once so its new state shows. */
async function act(kind, id, reason) {
  try {
    const row = await api('POST', `/api/v1/dead-letters/${id}/${kind}`, { body: kind === 'discard' ? { reason } : {} });
    show('notice', kind === 'replay' ? `Dead letter #${row.id} replayed onto ${row.source_topic}.` : `Dead letter #${row.id} discarded.`);
  } catch (err) {
    show('banner', `Could not ${kind} dead letter #${id}: ${err.message}`);
  }
  invalidate($('dead-letters'));
  await tick();
}

/** Analytics off the 15 s beat: a new window or series shows at once. */
function refreshAnalyticsNow() {
  refreshAnalytics($('analytics'), pickSeries).catch((err) => show('banner', `Could not load analytics: ${err.message}`));
}

function pickSeries(key) {
  analyticsState.series = key;
  refreshAnalyticsNow();
}

function pickCustomer(id) {
  const form = $('events-filter');
  form.elements.customer_id.value = String(id);
  form.requestSubmit();
  $('events-title').scrollIntoView({ behavior: 'smooth' });
}

function wire() {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    apiKey.set($('api-key').value.trim());
    $('api-key').value = '';
    void start();
  });
  $('forget-key').addEventListener('click', () => {
    apiKey.clear();
    location.reload();
  });
  $('dl-status').addEventListener('change', (ev) => {
    deadLettersState.status = ev.target.value;
    deadLettersState.editing = false;
    void tick();
  });
  $('analytics-window').addEventListener('change', (ev) => {
    analyticsState.hours = Number(ev.target.value);
    refreshAnalyticsNow();
  });
  for (const [name, state] of [['customers', customersState], ['invoices', invoicesState]]) {
    $(`${name}-older`).addEventListener('click', () => {
      state.skip += 25;
      void tick();
    });
    $(`${name}-newer`).addEventListener('click', () => {
      state.skip = Math.max(0, state.skip - 25);
      void tick();
    });
  }
  const filters = $('events-filter');
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    setEventFilters(Object.fromEntries(new FormData(filters)));
    void tick();
  });
  filters.addEventListener('reset', () => {
    setEventFilters({});
    setTimeout(tick); // after the form has cleared its fields
  });
  $('events-older').addEventListener('click', () => loadOlderEvents($('events'), $('events-older')).catch((err) => show('banner', err.message)));
}

/** Asks for a key only if the API wants one: an open (development) API works without. */
async function start() {
  try {
    await api('GET', '/api/v1/sync/summary');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return needKey(apiKey.get() ? 'That key was refused.' : null);
    show('banner', `The API does not answer: ${err.message}. Retrying…`);
    timer = setTimeout(start, REFRESH_MS);
    return;
  }
  $('login').hidden = true;
  $('main').hidden = false;
  $('forget-key').hidden = !apiKey.get();
  await tick();
}

wire();
void start();
