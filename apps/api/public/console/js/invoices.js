import { api } from './api.js';
import { badge, el, renderIfChanged, systemCell, table } from './dom.js';

const PAGE = 25;
export const invoicesState = { skip: 0, hasMore: false };

/** Integer minor units as the currency shows them (cents: 2 digits, yen: none). */
export function money(minor, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() });
    return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
  } catch {
    return `${minor} ${currency}`;
  }
}

/** Stripe's hosted page, as a link: only a web address (the value came from outside). */
function hostedLink(i) {
  if (!i.hosted_invoice_url || !/^https?:\/\//i.test(i.hosted_invoice_url)) return el('span', { class: 'muted' }, '—');
  return el('a', { class: 'link', href: i.hosted_invoice_url, target: '_blank', rel: 'noopener noreferrer', testid: `invoice-${i.id}-link` }, 'hosted page');
}

/** Invoices with what Stripe told us of each (number, status, payments, hosted page): GET /api/v1/sync/invoices. */
export async function refreshInvoices(container, pageLabel, onPickCustomer) {
  const page = await api('GET', '/api/v1/sync/invoices', { query: { skip: invoicesState.skip, limit: PAGE } });
  invoicesState.hasMore = page.has_more;
  pageLabel.textContent = page.data.length ? `${invoicesState.skip + 1}–${invoicesState.skip + page.data.length}` : '';
  renderIfChanged(container, page.data, (rows) => {
    const systems = [...new Set(rows.flatMap((i) => i.systems.map((s) => s.system)))].sort();
    return table(
      ['id', 'customer', 'status', 'number', 'due', 'paid', 'remaining', 'Stripe page', ...systems],
      rows.map((i) =>
        el(
          'tr',
          { testid: `invoice-row-${i.id}` },
          el('td', {}, String(i.id)),
          el('td', {}, el('a', { class: 'link', title: 'show its sync events', onclick: () => onPickCustomer(i.customer_id) }, String(i.customer_id))),
          el('td', {}, badge(i.status, `invoice-${i.id}-status`)),
          el('td', { class: 'mono', testid: `invoice-${i.id}-number` }, i.number ?? '—'),
          el('td', { class: 'num', testid: `invoice-${i.id}-due` }, money(i.amount_due, i.currency)),
          el('td', { class: 'num', testid: `invoice-${i.id}-paid` }, money(i.amount_paid, i.currency)),
          el('td', { class: 'num', testid: `invoice-${i.id}-remaining` }, money(i.amount_remaining, i.currency)),
          el('td', {}, hostedLink(i)),
          systems.map((name) => {
            const s = i.systems.find((x) => x.system === name);
            return s ? systemCell(`invoice-${i.id}-${s.system}`, s) : el('td', {}, '—');
          }),
        ),
      ),
      'No invoices yet.',
    );
  });
}
