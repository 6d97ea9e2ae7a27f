// The map: country shapes from world-atlas (bundled, fetched from this
// server), a d3-geo Mercator projection fitted to the places, routes as
// lines (width by the agents that set out along them) and places as circles
// coloured by kind and sized by population on the current day.
import { geoMercator, geoPath, geoBounds } from 'd3-geo';
import { feature } from 'topojson-client';
import { el, fmtInt, kindColour, kindLabel, dayDate } from './format.js';

/* global __ATLAS_URL__ */
const SVG = 'http://www.w3.org/2000/svg';

let atlas = null;
export function loadAtlas() {
  if (!atlas) {
    atlas = fetch(__ATLAS_URL__)
      .then((r) => {
        if (!r.ok) throw new Error(`country shapes: ${r.status}`);
        return r.json();
      })
      .then((topo) => feature(topo, topo.objects.countries).features.map((f) => ({ f, b: geoBounds(f) })));
  }
  return atlas;
}

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// conflictSpans returns, per place index, the [start, end) day spans of
// conflict from the events (conflict zones are in conflict from day 0).
function conflictSpans(view) {
  const idx = new Map(view.places.map((p, i) => [p.name, i]));
  const open = new Map();
  const spans = view.places.map(() => []);
  view.places.forEach((p, i) => { if (p.kind === 'conflict_zone') open.set(i, 0); });
  for (const e of view.events) {
    const i = idx.get(e.place);
    if (i == null) continue;
    if (e.kind === 'conflict_start' && !open.has(i)) open.set(i, e.day);
    if (e.kind === 'conflict_end' && open.has(i)) {
      spans[i].push([open.get(i), e.day]);
      open.delete(i);
    }
  }
  for (const [i, d] of open) spans[i].push([d, Infinity]);
  return spans;
}

const WINDOW = 7; // days over which route flows are shown

function cumulative(xs) {
  const out = new Float64Array(xs.length + 1);
  for (let i = 0; i < xs.length; i++) out[i + 1] = out[i] + xs[i];
  return out;
}

// windowed returns the flow over days t-WINDOW+1 … t from running totals.
function windowed(cum, t) {
  const hi = Math.min(t + 1, cum.length - 1);
  const lo = Math.max(0, hi - WINDOW);
  return cum[hi] - cum[lo];
}

export class MapView {
  // opts: onSelect(i), label (shown in the corner), maxPop (shared scale)
  constructor(container, opts = {}) {
    this.opts = opts;
    this.root = el('div', { class: 'map', 'data-testid': opts.testid || 'map' });
    this.svg = svg('svg', { class: 'map-svg', role: 'img', 'aria-label': 'map of places and routes' });
    this.gCountries = svg('g', { class: 'countries' });
    this.gRoutes = svg('g', { class: 'routes' });
    this.gPlaces = svg('g', { class: 'places' });
    this.gLabels = svg('g', { class: 'labels' });
    this.svg.append(this.gCountries, this.gRoutes, this.gPlaces, this.gLabels);
    this.tip = el('div', { class: 'tip', hidden: true });
    this.corner = el('div', { class: 'map-corner' }, opts.label || '');
    this.legend = el('div', { class: 'map-legend' });
    this.root.append(this.svg, this.corner, this.legend, this.tip);
    container.append(this.root);
    this.day = 0;
    this.selected = -1;
    this.ro = new ResizeObserver(() => this.layout());
    this.ro.observe(this.root);
  }

  destroy() {
    this.ro.disconnect();
    this.root.remove();
  }

  // setData takes a View and, optionally, populations to show instead of
  // the view's own (compare: the other run's, matched by name).
  setData(view, { populations = view.populations, maxPop } = {}) {
    this.view = view;
    this.pops = populations || null;
    const places = view.places || [];
    let mp = maxPop || 0;
    if (!mp && this.pops) for (const row of this.pops) if (row) for (const x of row) if (x > mp) mp = x;
    this.maxPop = mp;
    this.maxResident = Math.max(1, ...places.map((p) => p.pop || 0));
    this.maxFlow = Math.max(1, ...(view.routes || []).map((r) => (r.forward || 0) + (r.back || 0)));
    this.prepareFlows(view.routes || []);
    this.spans = conflictSpans(view);
    this.drawLegend();
    this.layout(true);
    if (!this.features) {
      loadAtlas()
        .then((fs) => { this.features = fs; this.layout(true); })
        .catch((e) => { this.corner.textContent = `${this.opts.label || ''} (${e.message})`; });
    }
  }

  // prepareFlows builds running totals of the routes' daily flows, so the
  // flow over the last WINDOW days is one subtraction.
  prepareFlows(routes) {
    this.daily = routes.length > 0 && routes.every((r) => r.daily_forward && r.daily_back);
    if (!this.daily) return;
    this.cumF = routes.map((r) => cumulative(r.daily_forward));
    this.cumB = routes.map((r) => cumulative(r.daily_back));
    let m = 1;
    for (let k = 0; k < routes.length; k++) {
      const f = this.cumF[k];
      const b = this.cumB[k];
      for (let t = 0; t < f.length; t++) {
        const w = windowed(f, t) + windowed(b, t);
        if (w > m) m = w;
      }
    }
    this.maxWindow = m;
  }

  drawLegend() {
    const kinds = [...new Set((this.view.places || []).map((p) => p.kind))];
    this.legend.replaceChildren(
      ...kinds.map((k) => el('span', { class: 'lg' }, el('i', { style: `background:${kindColour[k] || '#999'}` }), kindLabel[k] || k)),
      el('span', { class: 'lg' }, el('i', { class: 'ring' }), 'in conflict'),
    );
  }

  layout(force = false) {
    const v = this.view;
    if (!v) return;
    const w = this.root.clientWidth || 600;
    const h = this.root.clientHeight || 400;
    if (!force && w === this.w && h === this.h) return;
    this.w = w; this.h = h;
    this.svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    const places = v.places || [];
    if (!places.length) {
      this.gCountries.replaceChildren();
      this.gRoutes.replaceChildren();
      this.gPlaces.replaceChildren();
      this.gLabels.replaceChildren();
      this.corner.textContent = 'no places to map';
      return;
    }
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const p of places) {
      x0 = Math.min(x0, p.lon); x1 = Math.max(x1, p.lon);
      y0 = Math.min(y0, p.lat); y1 = Math.max(y1, p.lat);
    }
    const padX = Math.max(0.3, (x1 - x0) * 0.08);
    const padY = Math.max(0.3, (y1 - y0) * 0.08);
    const box = { type: 'MultiPoint', coordinates: [[x0 - padX, y0 - padY], [x1 + padX, y1 + padY]] };
    const proj = geoMercator().fitExtent([[16, 16], [w - 16, h - 40]], box);
    this.proj = proj;
    const path = geoPath(proj);
    // Country shapes: only those near the places.
    const drawCountries = (features) => {
      const near = features.filter(({ b }) => !(b[1][0] < x0 - 20 || b[0][0] > x1 + 20 || b[1][1] < y0 - 20 || b[0][1] > y1 + 20));
      this.gCountries.replaceChildren(...near.map(({ f }) => svg('path', { d: path(f) || '', class: 'country' })));
    };
    if (this.features) drawCountries(this.features);
    else this.gCountries.replaceChildren();
    // Routes.
    this.xy = places.map((p) => proj([p.lon, p.lat]));
    this.gRoutes.replaceChildren(...(v.routes || []).map((r) => {
      const a = this.xy[r.from];
      const b = this.xy[r.to];
      const flow = (r.forward || 0) + (r.back || 0);
      const width = flow ? 0.8 + 5 * Math.sqrt(flow / this.maxFlow) : 0.8;
      const line = svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: flow ? 'route flow' : 'route', 'stroke-width': width.toFixed(2) });
      line.dataset.route = `${places[r.from].name} – ${places[r.to].name}`;
      line.dataset.km = r.km;
      line.dataset.flow = flow;
      return line;
    }));
    this.lines = Array.from(this.gRoutes.children);
    this.lines.forEach((l, k) => { l.dataset.k = k; });
    this.lastW = null;
    // Places.
    this.circles = places.map((p, i) => {
      const c = svg('circle', { cx: this.xy[i][0].toFixed(1), cy: this.xy[i][1].toFixed(1), r: 3, class: `place k-${p.kind}`, fill: kindColour[p.kind] || '#999' });
      c.dataset.i = i;
      return c;
    });
    this.gPlaces.replaceChildren(...this.circles);
    this.gPlaces.onmousemove = (ev) => this.hover(ev);
    this.gPlaces.onmouseleave = () => { this.tip.hidden = true; };
    this.gRoutes.onmousemove = (ev) => this.hoverRoute(ev);
    this.gRoutes.onmouseleave = () => { this.tip.hidden = true; };
    this.gPlaces.onclick = (ev) => {
      const i = ev.target.dataset?.i;
      if (i != null && this.opts.onSelect) this.opts.onSelect(Number(i));
    };
    // Labels: camps and the selected place.
    this.labels = places.map((p, i) => {
      const t = svg('text', { x: (this.xy[i][0] + 6).toFixed(1), y: (this.xy[i][1] + 4).toFixed(1), class: 'label' });
      t.textContent = p.name;
      t.style.display = p.kind === 'camp' || p.kind === 'idpcamp' ? '' : 'none';
      return t;
    });
    if (places.length > 60) this.labels.forEach((t) => { t.style.display = 'none'; });
    this.gLabels.replaceChildren(...this.labels);
    this.lastR = null;
    this.setDay(this.day, true);
    this.select(this.selected);
  }

  radius(i, t) {
    if (this.pops) {
      const row = this.pops[i];
      if (!row || !row.length) return 2;
      const x = row[Math.min(t, row.length - 1)] || 0;
      return x > 0 ? 2 + 16 * Math.sqrt(x / Math.max(1, this.maxPop)) : 1.5;
    }
    const p = this.view.places[i];
    return 2.5 + 9 * Math.sqrt((p.pop || 0) / this.maxResident);
  }

  population(i, t) {
    if (!this.pops) return null;
    const row = this.pops[i];
    if (!row || !row.length) return null;
    return row[Math.min(t, row.length - 1)];
  }

  inConflict(i, t) {
    return this.spans[i].some(([a, b]) => t >= a && t < b);
  }

  // setDay moves every circle to day t: radius and conflict ring.
  setDay(t, force = false) {
    this.day = t;
    if (!this.circles) return;
    if (!this.lastR || force) this.lastR = new Array(this.circles.length).fill(-1);
    for (let i = 0; i < this.circles.length; i++) {
      const r = Math.round(this.radius(i, t) * 4) / 4;
      if (r !== this.lastR[i]) {
        this.circles[i].setAttribute('r', r);
        this.lastR[i] = r;
      }
      const hot = this.inConflict(i, t);
      if (hot !== this.circles[i].classList.contains('hot')) this.circles[i].classList.toggle('hot', hot);
    }
    if (this.daily && this.lines) this.setFlows(t, force);
    if (this.tipIndex != null && !this.tip.hidden) this.showTip(this.tipIndex, this.tipPos);
  }

  // setFlows draws each route by the people who set out along it in the
  // last WINDOW days, with dashes moving in the main direction.
  setFlows(t, force) {
    const routes = this.view.routes;
    if (!this.lastW || force) {
      this.lastW = new Array(routes.length).fill(-1);
      this.lastDir = new Array(routes.length).fill(0);
    }
    for (let k = 0; k < routes.length; k++) {
      const f = windowed(this.cumF[k], t);
      const b = windowed(this.cumB[k], t);
      const w = f + b;
      // Quantised so that small changes touch nothing.
      const width = w > 0 ? Math.round((1 + 6 * Math.sqrt(w / this.maxWindow)) * 2) / 2 : 0.6;
      const line = this.lines[k];
      if (width !== this.lastW[k]) {
        this.lastW[k] = width;
        line.setAttribute('stroke-width', width);
        // Dashes move along the routes that carry the most people.
        const moving = w >= 0.04 * this.maxWindow;
        if (moving !== line.classList.contains('moving')) line.classList.toggle('moving', moving);
      }
      const dir = w === 0 ? this.lastDir[k] : f >= b ? 1 : -1;
      if (dir !== this.lastDir[k]) {
        this.lastDir[k] = dir;
        const r = routes[k];
        const [a, c] = dir >= 0 ? [this.xy[r.from], this.xy[r.to]] : [this.xy[r.to], this.xy[r.from]];
        line.setAttribute('x1', a[0]); line.setAttribute('y1', a[1]);
        line.setAttribute('x2', c[0]); line.setAttribute('y2', c[1]);
      }
    }
  }

  windowFlow(k, t) {
    if (!this.daily) return null;
    return [windowed(this.cumF[k], t), windowed(this.cumB[k], t)];
  }

  select(i) {
    this.selected = i;
    if (!this.circles) return;
    this.circles.forEach((c, k) => c.classList.toggle('selected', k === i));
    this.labels.forEach((t, k) => {
      const p = this.view.places[k];
      const shown = k === i || (this.view.places.length <= 60 && (p.kind === 'camp' || p.kind === 'idpcamp'));
      t.style.display = shown ? '' : 'none';
      t.classList.toggle('selected', k === i);
    });
  }

  hover(ev) {
    const i = ev.target.dataset?.i;
    if (i == null) { this.tip.hidden = true; return; }
    const r = this.root.getBoundingClientRect();
    this.tipIndex = Number(i);
    this.tipPos = [ev.clientX - r.left, ev.clientY - r.top];
    this.showTip(this.tipIndex, this.tipPos);
  }

  showTip(i, [x, y]) {
    const p = this.view.places[i];
    const pop = this.population(i, this.day);
    const lines = [
      el('b', {}, p.name),
      el('div', {}, `${kindLabel[p.kind] || p.kind}${p.country ? `, ${p.country}` : ''}`),
    ];
    if (pop != null) lines.push(el('div', {}, `${fmtInt(pop)} people on ${dayDate(this.view.start, this.day)}`));
    else if (p.pop) lines.push(el('div', {}, `resident population ${fmtInt(p.pop)}`));
    if (p.capacity > 0) lines.push(el('div', {}, `capacity ${fmtInt(p.capacity)}`));
    if (this.inConflict(i, this.day)) lines.push(el('div', { class: 'hot-text' }, 'in conflict'));
    this.tip.replaceChildren(...lines);
    this.placeTip(x, y);
  }

  hoverRoute(ev) {
    const d = ev.target.dataset;
    if (!d?.route) { this.tip.hidden = true; return; }
    const r = this.root.getBoundingClientRect();
    this.tipIndex = null;
    const recent = this.windowFlow(Number(d.k), this.day);
    this.tip.replaceChildren(el('b', {}, d.route), el('div', {}, `${fmtInt(Number(d.km))} km`),
      recent ? el('div', {}, `${fmtInt(recent[0])} → and ${fmtInt(recent[1])} ← set out in the ${WINDOW} days to ${dayDate(this.view.start, this.day)}`) : '',
      Number(d.flow) ? el('div', {}, `${fmtInt(Number(d.flow))} set out along it over the whole run`) : '');
    this.placeTip(ev.clientX - r.left, ev.clientY - r.top);
  }

  placeTip(x, y) {
    this.tip.hidden = false;
    const tw = this.tip.offsetWidth;
    const left = x + 14 + tw > this.root.clientWidth ? x - 14 - tw : x + 14;
    this.tip.style.left = `${Math.max(0, left)}px`;
    this.tip.style.top = `${Math.max(0, y - 10)}px`;
  }
}
