import { api } from './api.js';
import { badge, el, json, renderIfChanged, table, time } from './dom.js';

const PAGE = 50;
// While someone reads older pages the live refresh stops, so rows do not move under them.
export const eventsState = { filters: {}, rows: [], nextBeforeId: null, browsing: false };

function row(e) {
  return el(
    'tr',
    { testid: `event-row-${e.id}` },
    el('td', { class: 'mono' }, e.id),
    el('td', {}, time(e.created_at)),
    el('td', {}, e.entity_type === 'customer' ? e.entity_id : `${e.entity_type} ${e.entity_id}`),
    el('td', {}, e.external_system ?? '—'),
    el('td', {}, e.direction ?? '—'),
    el('td', { testid: `event-${e.id}-actor` }, e.actor ?? '—'),
    el('td', {}, e.event_type),
    el('td', {}, badge(e.status, `event-${e.id}-status`), e.retry_count ? el('span', { class: 'muted small' }, ` retry ${e.retry_count}`) : null),
    el('td', { class: 'error-text' }, e.error_message ?? ''),
    el('td', {}, e.payload === null ? '' : json('payload', e.payload)),
  );
}

function render(rows) {
  return table(['id', 'when', 'customer', 'system', 'direction', 'by', 'type', 'status', 'error', ''], rows.map(row), 'No sync events match.');
}

async function fetchPage(beforeId) {
  return api('GET', '/api/v1/sync-events', { query: { ...eventsState.filters, limit: PAGE, before_id: beforeId ?? undefined } });
}

/** The newest page for the current filters (skipped while older pages are being read). */
export async function refreshEvents(container, olderButton) {
  if (eventsState.browsing) return;
  const page = await fetchPage(null);
  eventsState.rows = page.data;
  eventsState.nextBeforeId = page.next_before_id;
  olderButton.hidden = page.next_before_id === null;
  renderIfChanged(container, eventsState.rows, render);
}

export async function loadOlderEvents(container, olderButton) {
  if (eventsState.nextBeforeId === null) return;
  const page = await fetchPage(eventsState.nextBeforeId);
  eventsState.browsing = true;
  eventsState.rows = [...eventsState.rows, ...page.data];
  eventsState.nextBeforeId = page.next_before_id;
  olderButton.hidden = page.next_before_id === null;
  renderIfChanged(container, eventsState.rows, render);
}

/** New filters: back to the live newest page. */
export function setEventFilters(filters) {
  eventsState.filters = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '' && v !== undefined && v !== null));
  eventsState.browsing = false;
}
