import { api } from './api.js';
import { el, renderIfChanged, systemCell, table } from './dom.js';

const PAGE = 25;
export const customersState = { skip: 0, hasMore: false };

/**
 * Customers with their per-system state: GET /api/v1/sync/customers (one call for the page).
 * `onPick(id)` filters the events section on that customer.
 */
export async function refreshCustomers(container, pageLabel, onPick) {
  const page = await api('GET', '/api/v1/sync/customers', { query: { skip: customersState.skip, limit: PAGE } });
  customersState.hasMore = page.has_more;
  pageLabel.textContent = page.data.length ? `${customersState.skip + 1}–${customersState.skip + page.data.length}` : '';
  renderIfChanged(container, page.data, (rows) => {
    const systems = [...new Set(rows.flatMap((c) => c.systems.map((s) => s.system)))].sort();
    return table(
      ['id', 'name', 'email', 'version', ...systems],
      rows.map((c) =>
        el(
          'tr',
          { testid: `customer-row-${c.id}` },
          el('td', {}, el('a', { class: 'link', title: 'show its sync events', onclick: () => onPick(c.id) }, String(c.id))),
          el('td', {}, c.name),
          el('td', {}, c.email),
          el('td', {}, c.version),
          systems.map((name) => {
            const s = c.systems.find((x) => x.system === name);
            return s ? systemCell(`customer-${c.id}-${s.system}`, s) : el('td', {}, '—');
          }),
        ),
      ),
      'No customers yet.',
    );
  });
}
