// The analytics charts, drawn by uPlot (served from the installed package under vendor/): a
// small, well-kept time-series library on canvas, so the console stays a page with no build step.
import uPlot from '../vendor/uPlot.esm.js';

export const COLORS = { success: '#127a3e', failed: '#b42318', p50: '#2f5bd3', p95: '#935f00', p99: '#b42318', bar: '#2f5bd3' };
const HEIGHT = 220;
const bars = uPlot.paths.bars({ size: [0.8, 40] });

const widthOf = (container) => Math.max(320, container.clientWidth || 600);

function draw(container, opts, data) {
  container.replaceChildren();
  const chart = new uPlot({ width: widthOf(container), height: HEIGHT, ...opts }, data, container);
  return chart;
}

/**
 * Bars stacked bottom-up (`layers[0]` lowest). uPlot does not stack: each layer is drawn at its
 * running total, tallest first so the lower ones paint over it; the legend shows the layer's own value.
 */
export function stackedBars(container, xs, layers) {
  let acc = xs.map(() => 0);
  const totals = layers.map((l) => (acc = acc.map((a, i) => a + (l.values[i] ?? 0))));
  const order = layers.map((_, i) => i).reverse();
  return draw(
    container,
    {
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [{}, ...order.map((i) => ({ label: layers[i].label, fill: layers[i].color, stroke: layers[i].color, paths: bars, points: { show: false }, value: (_u, _v, _s, idx) => (idx === null ? '—' : layers[i].values[idx]) }))],
      axes: [{}, { label: 'syncs' }],
    },
    [xs, ...order.map((i) => totals[i])],
  );
}

/** Lines over time; null values leave gaps (a bucket with nothing to measure). */
export function lines(container, xs, series, yLabel) {
  return draw(
    container,
    {
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] } },
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false, points: { size: 4 } }))],
      axes: [{}, { label: yLabel, size: 60 }],
    },
    [xs, ...series.map((s) => s.values)],
  );
}

/** Bars over categories (not time): x is the index, the axis shows the short names, the legend the full one. */
export function categoryBars(container, labels, names, values, label) {
  return draw(
    container,
    {
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [{ label: 'error', value: (_u, v) => names[v] ?? '—' }, { label, fill: COLORS.failed, stroke: COLORS.failed, paths: bars, points: { show: false } }],
      axes: [{ splits: () => labels.map((_, i) => i), values: (_u, splits) => splits.map((i) => labels[i] ?? ''), size: 40 }, { label }],
    },
    [labels.map((_, i) => i), values],
  );
}
