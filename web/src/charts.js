// Time-series charts (uPlot): a place's simulated population against the
// observations, a comparison of two runs and their difference, and small
// multiples of the reported camps. A vertical line follows the current day;
// hovering near an observation shows its date and value.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { el, fmtInt, fmtSigned, dayDate, dayEpoch } from './format.js';

const colours = {
  sim: '#0072b2',
  obs: '#222222',
  interp: '#999999',
  band: 'rgba(0,114,178,0.18)',
  a: '#0072b2',
  b: '#d55e00',
  diff: '#6a3d9a',
};

// dayLine draws the current day as a line over the plot and keeps a
// tooltip for observation markers.
function overlays(chart) {
  return {
    hooks: {
      init: [(u) => {
        chart.line = el('div', { class: 'day-line' });
        chart.tip = el('div', { class: 'tip obs-tip', hidden: true });
        u.over.append(chart.line, chart.tip);
      }],
      ready: [() => chart.measure()],
      setSize: [() => chart.measure()],
      setScale: [() => chart.placeLine()],
      setCursor: [(u) => chart.cursorTip(u)],
    },
  };
}

class Chart {
  constructor(container, { title, height = 240, testid, compact = false, onClick } = {}) {
    this.root = el('div', { class: compact ? 'chart compact' : 'chart', 'data-testid': testid });
    this.head = el('div', { class: 'chart-title' }, title || '');
    this.body = el('div', { class: 'chart-body' });
    this.root.append(this.head, this.body);
    container.append(this.root);
    this.height = height;
    this.compact = compact;
    this.day = 0;
    this.points = [];
    if (onClick) this.root.addEventListener('click', onClick);
    this.ro = new ResizeObserver(() => this.resize());
    this.ro.observe(this.body);
  }

  setTitle(t) { this.head.replaceChildren(...(Array.isArray(t) ? t : [t])); }

  width() { return Math.max(200, this.body.clientWidth || 400); }

  resize() {
    if (this.u && Math.abs(this.u.width - this.width()) > 1) this.u.setSize({ width: this.width(), height: this.height });
  }

  destroy() {
    this.ro.disconnect();
    this.u?.destroy();
    this.root.remove();
  }

  // plot replaces the chart: xs in seconds, series [{label, values, ...}].
  plot(start, days, series, { bands = [], points = [], yLabel = 'people', yRange } = {}) {
    this.start = start;
    this.points = points;
    const xs = new Float64Array(days);
    for (let t = 0; t < days; t++) xs[t] = dayEpoch(start, t);
    const data = [xs, ...series.map((s) => s.values)];
    const opts = {
      width: this.width(),
      height: this.height,
      legend: { show: !this.compact, live: true },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      scales: { x: { time: true }, y: yRange ? { range: yRange } : { range: (u, lo, hi) => [Math.min(0, lo), hi > 0 ? hi * 1.05 : 1] } },
      axes: [
        { stroke: '#555', grid: { stroke: '#eee' }, ticks: { stroke: '#ddd' }, size: this.compact ? 24 : 40, font: '11px system-ui' },
        { stroke: '#555', grid: { stroke: '#eee' }, ticks: { stroke: '#ddd' }, size: this.compact ? 42 : 60, font: '11px system-ui',
          label: this.compact ? undefined : yLabel, labelFont: '11px system-ui', values: (u, vs) => vs.map((v) => compact(v)) },
      ],
      series: [
        { label: 'date', value: (u, v) => (v == null ? '–' : new Date(v * 1000).toISOString().slice(0, 10)) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: s.width ?? 1.6,
          dash: s.dash,
          fill: s.fill,
          spanGaps: s.spanGaps ?? false,
          paths: s.points ? () => null : undefined,
          points: s.points ? { show: true, size: 7, fill: s.stroke, stroke: '#fff', width: 1 } : { show: false },
          value: (u, v) => (v == null ? '–' : s.signed ? fmtSigned(v) : fmtInt(v)),
        })),
      ],
      bands,
      plugins: [overlays(this)],
    };
    this.u?.destroy();
    this.body.replaceChildren();
    this.u = new uPlot(opts, data, this.body);
  }

  setDay(t) {
    this.day = t;
    this.placeLine();
  }

  // measure sizes the day line after a layout (reading sizes forces one, so
  // it is never done on every day).
  measure() {
    if (!this.u || !this.line) return;
    this.line.style.height = `${this.u.over.clientHeight}px`;
    this.placeLine();
  }

  placeLine() {
    if (!this.u || !this.line) return;
    const x = this.u.valToPos(dayEpoch(this.start, this.day), 'x');
    this.line.style.transform = `translateX(${x.toFixed(1)}px)`;
  }

  // cursorTip shows the observation nearest the cursor (within 8 px).
  cursorTip(u) {
    if (!this.tip) return;
    const left = u.cursor.left;
    if (left == null || left < 0 || !this.points.length) { this.tip.hidden = true; return; }
    let best = null;
    let bestD = 8;
    for (const [day, value] of this.points) {
      const d = Math.abs(u.valToPos(dayEpoch(this.start, day), 'x') - left);
      if (d < bestD) { bestD = d; best = [day, value]; }
    }
    if (!best) { this.tip.hidden = true; return; }
    const x = u.valToPos(dayEpoch(this.start, best[0]), 'x');
    const y = u.valToPos(best[1], 'y');
    this.tip.hidden = false;
    const raw = best[2] != null && Math.round(best[2]) !== Math.round(best[1]) ? ` (file: ${fmtInt(best[2])}, before registration correction)` : '';
    this.tip.textContent = `observed ${fmtInt(best[1])} on ${dayDate(this.start, best[0])}${raw}`;
    this.tip.style.left = `${Math.max(0, Math.min(x + 10, u.over.clientWidth - this.tip.offsetWidth - 4))}px`;
    this.tip.style.top = `${Math.max(0, y - 28)}px`;
  }
}

function compact(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(0)}k`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(0)}`;
}

// markerSeries spreads [day, value] points over days (null elsewhere).
function markerSeries(points, days) {
  const out = new Array(days).fill(null);
  const kept = [];
  for (const p of points || []) {
    const [d, v] = p;
    if (d >= 0 && d < days) { out[d] = v; kept.push(p); }
  }
  return [out, kept];
}

// placeSeries returns the simulated series of place i in a view, or null.
export function placeSeries(view, i) {
  if (view.populations && view.populations[i] && view.populations[i].length) return view.populations[i];
  const camp = view.camps.find((c) => c.place === i);
  return camp?.sim || null;
}

// PlaceChart shows one place: simulated (or the ensemble mean with its
// 5–95% band), Flee's interpolated observations, and the observations.
export class PlaceChart extends Chart {
  show(view, i, campArg) {
    const place = i >= 0 ? view.places[i] : null;
    const camp = campArg || (i >= 0 ? view.camps.find((c) => c.place === i) : null);
    const days = view.days;
    const series = [];
    const bands = [];
    const sim = i >= 0 ? placeSeries(view, i) : camp?.sim;
    const name = place?.name || camp?.name || '';
    if (sim) series.push({ label: view.kind === 'ensemble' ? 'mean of members' : 'simulated', values: Array.from(sim), stroke: colours.sim, width: 2 });
    if (camp?.p05) {
      series.push({ label: '5%', values: camp.p05, stroke: 'rgba(0,114,178,0.4)', width: 0.5 });
      series.push({ label: '95%', values: camp.p95, stroke: 'rgba(0,114,178,0.4)', width: 0.5 });
      bands.push({ series: [series.length, series.length - 1], fill: colours.band });
    }
    let kept = [];
    if (camp) {
      series.push({ label: 'observed (interpolated)', values: camp.obs, stroke: colours.interp, width: 1, dash: [4, 3] });
      if (camp.points?.length) {
        // Markers sit on the series the run is scored against (Flee's, after
        // registration corrections); the tooltip also gives the file's value.
        const pts = camp.points.map(([d, raw]) => [d, camp.obs[d] ?? raw, raw]);
        const [m, k] = markerSeries(pts, days);
        kept = k;
        series.push({ label: 'observation', values: m, stroke: colours.obs, points: true });
      }
    }
    const kindWord = place ? place.kind.replace('_', ' ') : 'camp';
    this.setTitle([el('b', {}, name), ` · ${kindWord}`, camp ? ` · ${kept.length} dated observation${kept.length === 1 ? '' : 's'}` : ' · no observations']);
    if (!series.length) {
      this.u?.destroy();
      this.u = null;
      this.body.replaceChildren(el('p', { class: 'muted' }, 'No population series for this place.'));
      return;
    }
    this.plot(view.start, days, series, { bands, points: kept });
    this.root.dataset.place = name;
  }
}

// CompareChart shows place i of two runs and, below, their difference.
export class CompareChart extends Chart {
  show(start, days, name, a, b, labels, diff) {
    const series = diff
      ? [{ label: `${labels[1]} − ${labels[0]}`, values: a.map((x, t) => (b[t] ?? 0) - (x ?? 0)), stroke: colours.diff, width: 1.6, signed: true, fill: 'rgba(106,61,154,0.08)' }]
      : [
        { label: labels[0], values: a, stroke: colours.a, width: 2 },
        { label: labels[1], values: b, stroke: colours.b, width: 2 },
      ];
    this.setTitle(diff ? [el('b', {}, name), ' · difference B − A'] : [el('b', {}, name), ' · A and B']);
    const yRange = diff ? (u, lo, hi) => { const m = Math.max(1, Math.abs(lo), Math.abs(hi)) * 1.05; return [-m, m]; } : undefined;
    this.plot(start, days, series, { yRange, yLabel: diff ? 'people (B − A)' : 'people' });
  }
}

// SmallMultiples draws one compact chart per camp; clicking one selects it.
export class SmallMultiples {
  constructor(container, onPick) {
    this.root = el('div', { class: 'multiples', 'data-testid': 'camp-multiples' });
    container.append(this.root);
    this.onPick = onPick;
    this.charts = [];
  }

  show(view) {
    this.charts.forEach((c) => c.destroy());
    this.charts = [];
    for (const camp of view.camps) {
      const c = new PlaceChart(this.root, { height: 120, compact: true, testid: 'camp-chart', onClick: () => camp.place >= 0 && this.onPick(camp.place) });
      c.show(view, camp.place, camp);
      this.charts.push(c);
    }
  }

  setDay(t) { this.charts.forEach((c) => c.setDay(t)); }

  destroy() { this.charts.forEach((c) => c.destroy()); this.root.remove(); }
}
