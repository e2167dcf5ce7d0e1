import { api } from './api.js';
import { ago, el, renderIfChanged } from './dom.js';

const list = (counts) => Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(' · ') || 'none';
const total = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);

function tile(label, value, testid, detail, alert = false) {
  return el('div', { class: `tile${alert ? ' alert' : ''}` }, el('div', { class: 'label' }, label), el('div', { class: 'value', testid }, value), detail ? el('div', { class: 'detail', testid: `${testid}-detail` }, detail) : null);
}

/** Live counts: GET /api/v1/sync/summary. */
export async function refreshSummary(container) {
  const s = await api('GET', '/api/v1/sync/summary');
  const { generated_at: _ignored, ...data } = s;
  renderIfChanged(container, data, (d) => {
    const failedLastHour = (d.sync_events_last_hour.failed ?? 0) + (d.sync_events_last_hour.parked ?? 0);
    const frag = document.createDocumentFragment();
    frag.append(
      tile('Customers (live)', d.customers, 'summary-customers'),
      tile('Linked', total(d.mapped), 'summary-mapped', list(d.mapped)),
      tile('Sync events, last hour', total(d.sync_events_last_hour), 'summary-events', list(d.sync_events_last_hour), failedLastHour > 0),
      tile('Parked dead letters', d.dead_letters_parked, 'summary-parked', null, d.dead_letters_parked > 0),
      tile('Outbox backlog', d.outbox.backlog, 'summary-outbox-backlog', d.outbox.backlog ? `oldest ${ago(d.outbox.oldest_age_seconds)}` : 'all published', d.outbox.oldest_age_seconds > 60),
      // One per catalog (customers, invoices): each is reconciled on its own.
      ...Object.entries(d.last_reconcile_by_catalog).map(([catalog, r]) =>
        tile(`Last reconcile drift: ${catalog}s`, r?.drift_count ?? '—', `summary-drift-${catalog}`, r ? `${r.system ?? ''} ${r.finished_at ? new Date(r.finished_at).toLocaleString() : ''}` : 'never run', (r?.drift_count ?? 0) > 0),
      ),
    );
    return frag;
  });
}
