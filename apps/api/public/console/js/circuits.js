import { api } from './api.js';
import { el, renderIfChanged, time } from './dom.js';

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Why a system's circuit is not closed, from the worst report: when, how many failures, the last one. */
function detail(s) {
  if (s.state === 'unknown') return 'no running worker reports it';
  if (s.state === 'closed') return `calls go · ${plural(s.reports.length, 'worker')} reporting`;
  const worst = s.reports.find((r) => r.state === s.state);
  const parts = [`since ${time(worst.since)}`, plural(worst.failures, 'failure') + ' in a row'];
  if (worst.last_failure) parts.push(`last: ${worst.last_failure}`);
  parts.push(s.state === 'open' ? 'not called; its messages wait' : 'probing');
  return parts.join(' · ');
}

/** Each system's circuit breaker in the workers: GET /api/v1/sync/circuits. */
export async function refreshCircuits(container) {
  const { systems } = await api('GET', '/api/v1/sync/circuits');
  // reported_at moves on every heartbeat: redraw only when something an operator reads changed.
  const data = systems.map((s) => ({ ...s, reports: s.reports.map(({ reported_at: _ignored, ...r }) => r) }));
  renderIfChanged(container, data, (list) => {
    const frag = document.createDocumentFragment();
    for (const s of list) {
      frag.append(
        el(
          'div',
          { class: `tile${s.state === 'open' || s.state === 'half-open' ? ' alert' : ''}`, testid: `circuit-${s.system}` },
          el('div', { class: 'label' }, s.system),
          el('div', { class: 'value', testid: `circuit-${s.system}-state` }, s.state),
          el('div', { class: 'detail', testid: `circuit-${s.system}-detail` }, detail(s)),
        ),
      );
    }
    return frag;
  });
}
