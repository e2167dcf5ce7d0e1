import { api } from './api.js';
import { categoryBars, COLORS, lines, stackedBars } from './charts.js';
import { el, renderIfChanged } from './dom.js';

/** The window shown and the series whose time-to-sync is drawn (percentiles of two series do not add up). */
export const analyticsState = { hours: 24, series: '' };

const keyOf = (s) => `${s.system ?? '—'} · ${s.catalog} · ${s.direction ?? '—'}`;
const pct = (rate) => (rate === null ? '—' : `${(rate * 100).toFixed(1)} %`);
const msText = (v) => (v === null ? '—' : v < 10_000 ? `${v} ms` : `${(v / 1000).toFixed(1)} s`);

function tile(label, value, testid) {
  return el('div', { class: 'tile' }, el('div', { class: 'label' }, label), el('div', { class: 'value', testid }, value));
}

/** Counts add up across series: the syncs chart sums them per bucket. */
function summed(series, field) {
  const n = series[0]?.buckets.length ?? 0;
  return Array.from({ length: n }, (_, i) => series.reduce((a, s) => a + s.buckets[i][field], 0));
}

function chartBox(title, testid) {
  const box = el('div', { class: 'chart', testid });
  return [el('div', { class: 'chart-card' }, el('h3', {}, title), box), box];
}

function render(d, picker) {
  const frag = document.createDocumentFragment();
  const t = d.totals;
  frag.append(
    el(
      'div',
      { class: 'tiles' },
      tile(`Syncs (${d.bucket} buckets)`, t.syncs, 'analytics-syncs'),
      tile('Success rate', pct(t.success_rate), 'analytics-success-rate'),
      tile('Failed', t.failed, 'analytics-failed'),
      ...t.by_direction.map((b) => tile(`${b.direction ?? '—'} time-to-sync p50 / p95 / p99`, `${msText(b.p50_ms)} / ${msText(b.p95_ms)} / ${msText(b.p99_ms)}`, `analytics-tts-${b.direction}`)),
    ),
  );
  if (d.series.length === 0) {
    frag.append(el('p', { class: 'empty', testid: 'analytics-empty' }, 'No sync attempts in this window.'));
    return { frag, draw: () => {} };
  }
  const xs = d.series[0].buckets.map((b) => Date.parse(b.start) / 1000);
  const chosen = d.series.find((s) => keyOf(s) === analyticsState.series) ?? d.series.find((s) => s.buckets.some((b) => b.p50_ms !== null)) ?? d.series[0];
  const [syncCard, syncBox] = chartBox('Syncs per bucket', 'analytics-chart-syncs');
  const [ttsCard, ttsBox] = chartBox('Time-to-sync', 'analytics-chart-tts');
  const [errCard, errBox] = chartBox('Errors by code', 'analytics-chart-errors');
  ttsCard.querySelector('h3').append(' ', picker(d.series.map(keyOf), keyOf(chosen)));
  frag.append(el('div', { class: 'charts' }, syncCard, ttsCard, errCard));
  return {
    frag,
    draw: () => {
      stackedBars(syncBox, xs, [
        { label: 'success', values: summed(d.series, 'success'), color: COLORS.success },
        { label: 'failed', values: summed(d.series, 'failed'), color: COLORS.failed },
      ]);
      lines(ttsBox, xs, ['p50', 'p95', 'p99'].map((p) => ({ label: p, color: COLORS[p], values: chosen.buckets.map((b) => b[`${p}_ms`]) })), 'ms');
      if (d.errors.length === 0) errBox.replaceChildren(el('p', { class: 'empty', testid: 'analytics-no-errors' }, 'No failed attempts in this window.'));
      else categoryBars(errBox, d.errors.map((e) => e.code), d.errors.map((e) => `${e.system ?? '—'} · ${e.catalog}: ${e.code}`), d.errors.map((e) => e.count), 'failed attempts');
    },
  };
}

/** GET /api/v1/sync/analytics over the last `hours`, as tiles and three charts. */
export async function refreshAnalytics(container, onPick) {
  const to = new Date();
  const from = new Date(to.getTime() - analyticsState.hours * 3600_000);
  const d = await api('GET', '/api/v1/sync/analytics', { query: { from: from.toISOString(), to: to.toISOString() } });
  const picker = (keys, current) =>
    el('select', { testid: 'analytics-series', onchange: (ev) => onPick(ev.target.value) }, keys.map((k) => el('option', { value: k, ...(k === current ? { selected: true } : {}) }, k)));
  // from/to move every call; what is drawn changes only when the buckets do.
  const { from: _f, to: _t, ...shown } = d;
  let pending;
  renderIfChanged(container, { shown, pick: analyticsState.series }, () => {
    pending = render(shown, picker);
    return pending.frag;
  });
  // uPlot measures its container: draw once the section is in the page.
  pending?.draw();
}
