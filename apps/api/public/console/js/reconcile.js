import { api, ApiError } from './api.js';
import { el, renderIfChanged, table, time } from './dom.js';

const side = (s) => (s ? `${s.name} <${s.email}>` : '—');

/** The last reconciliation: GET /api/v1/reconcile/last (404 until one has run). */
export async function refreshReconcile(container) {
  let report;
  try {
    report = await api('GET', '/api/v1/reconcile/last');
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    report = null;
  }
  renderIfChanged(container, report, (r) => {
    if (!r) return el('p', { class: 'empty', testid: 'reconcile-none' }, 'No reconciliation has run yet (pnpm sync reconcile).');
    const frag = document.createDocumentFragment();
    frag.append(
      el(
        'p',
        {},
        el('strong', { testid: 'reconcile-drift-count' }, r.drift_count),
        ` drift(s) with ${r.system}, finished ${time(r.finished_at)}: ${r.internal_customers} ours, ${r.external_customers} theirs${r.repaired ? ', repaired' : ''}.`,
      ),
      table(
        ['kind', 'count'],
        Object.entries(r.by_kind).map(([kind, n]) => el('tr', { testid: `reconcile-kind-${kind}` }, el('td', {}, kind), el('td', {}, n))),
        'No kinds.',
      ),
      el('h3', { class: 'muted small' }, `First rows (${Math.min(r.drifts.length, 20)} of ${r.drift_count})`),
      table(
        ['kind', 'customer', 'external id', 'ours', 'theirs'],
        r.drifts.slice(0, 20).map((d) => el('tr', {}, el('td', {}, d.kind), el('td', {}, d.customer_id ?? '—'), el('td', { class: 'mono' }, d.external_id ?? '—'), el('td', {}, side(d.ours)), el('td', {}, side(d.theirs)))),
        'No drift.',
      ),
    );
    return frag;
  });
}
