// Small DOM helpers. Data from the API only ever goes into text nodes (never innerHTML), so a
// customer name or an error message can not inject markup into the page.

/** el('td', { class: 'x', dataset: { testid: 'y' } }, 'text', childNode, …) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'testid') node.dataset.testid = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

export const badge = (status, testid) => el('span', { class: `badge ${status ?? 'none'}`, testid }, status ?? '—');

/** One record's state with one system (from the API's `systems`): latest attempt, its id there, when, and its error. `id` prefixes the test ids. */
export function systemCell(id, s) {
  return el(
    'td',
    { testid: id },
    el('div', {}, badge(s.last_status, `${id}-status`)),
    el('div', { class: 'mono small', testid: `${id}-mapping` }, s.mapping ? s.mapping.external_id : 'not linked'),
    s.last_event_at ? el('div', { class: 'muted small' }, `${s.last_event_type ?? ''} ${s.last_direction ?? ''} · ${time(s.last_event_at)}`) : null,
    s.last_error && s.last_status !== 'success' ? el('div', { class: 'error small', testid: `${id}-error` }, s.last_error) : null,
  );
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

export function ago(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function table(headers, rows, emptyText) {
  if (rows.length === 0) return el('p', { class: 'empty' }, emptyText);
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))), el('tbody', {}, rows));
}

/** A collapsed JSON block: payloads are long and already redacted by the API. */
export const json = (label, value, testid) => el('details', {}, el('summary', {}, label), el('pre', { testid }, JSON.stringify(value, null, 2)));

/**
 * Replaces a section's content only when its data changed: the page polls every few seconds, and
 * re-rendering identical content would reset scroll positions, open <details> and focus.
 */
const rendered = new WeakMap();
export function renderIfChanged(container, data, render) {
  const sig = JSON.stringify(data);
  if (rendered.get(container) === sig) return;
  rendered.set(container, sig);
  container.replaceChildren(render(data));
}

/** Forces the next renderIfChanged of this container to render (after an action changed things). */
export const invalidate = (container) => rendered.delete(container);
