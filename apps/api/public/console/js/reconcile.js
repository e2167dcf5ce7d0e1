import { api, ApiError } from './api.js';
import { el, renderIfChanged, table, time } from './dom.js';
import { money } from './invoices.js';

const person = (s) => (s ? `${s.name} <${s.email}>` : '—');
const invoice = (s) => (s ? `${s.status} ${money(s.amount_due, s.currency)}${s.number ? ` ${s.number}` : ''}` : '—');

/** Each catalog's report: what its counts and drifting rows are called, and how one side of a row reads. */
const CATALOGS = [
  { catalog: 'customer', title: 'Customers', plural: 'customers', id: 'customer_id', idHeader: 'customer', side: person },
  { catalog: 'invoice', title: 'Invoices', plural: 'invoices', id: 'invoice_id', idHeader: 'invoice', side: invoice },
];

async function lastReport(catalog) {
  try {
    return await api('GET', '/api/v1/reconcile/last', { query: { catalog } });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    return null;
  }
}

function renderReport(c, r) {
  const id = `reconcile-${c.catalog}`;
  const block = el('div', { testid: id }, el('h3', { class: 'small' }, c.title));
  if (!r) {
    block.append(el('p', { class: 'empty', testid: `${id}-none` }, `No reconciliation has run yet (pnpm sync reconcile --catalog ${c.catalog}).`));
    return block;
  }
  block.append(
    el(
      'p',
      {},
      el('strong', { testid: `${id}-drift-count` }, r.drift_count),
      ' drift(s) with ',
      el('span', { testid: `${id}-system` }, r.system),
      ', finished ',
      el('span', { testid: `${id}-finished` }, time(r.finished_at)),
      `: ${r[`internal_${c.plural}`]} ours, ${r[`external_${c.plural}`]} theirs${r.repaired ? ', repaired' : ''}.`,
    ),
    table(
      ['kind', 'count'],
      Object.entries(r.by_kind).map(([kind, n]) => el('tr', { testid: `${id}-kind-${kind}` }, el('td', {}, kind), el('td', {}, n))),
      'No kinds.',
    ),
    el('h3', { class: 'muted small' }, `First rows (${Math.min(r.drifts.length, 20)} of ${r.drift_count})`),
    table(
      ['kind', c.idHeader, 'external id', 'ours', 'theirs'],
      r.drifts.slice(0, 20).map((d) => el('tr', {}, el('td', {}, d.kind), el('td', {}, d[c.id] ?? '—'), el('td', { class: 'mono' }, d.external_id ?? '—'), el('td', {}, c.side(d.ours)), el('td', {}, c.side(d.theirs)))),
      'No drift.',
    ),
  );
  return block;
}

/** The last reconciliation of each catalog: GET /api/v1/reconcile/last?catalog= (404 until one has run). */
export async function refreshReconcile(container) {
  const reports = await Promise.all(CATALOGS.map((c) => lastReport(c.catalog)));
  renderIfChanged(container, reports, (rs) => {
    const frag = document.createDocumentFragment();
    frag.append(...CATALOGS.map((c, i) => renderReport(c, rs[i])));
    return frag;
  });
}
