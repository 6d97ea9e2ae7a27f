// The difference of two runs as a heat map: one row per place (those that
// differ most at the top), one column per day, blue where run B has fewer
// people than run A and red where it has more.
import { el, fmtInt, fmtSigned, dayDate } from './format.js';

export class DiffHeatmap {
  constructor(container, onPick) {
    this.onPick = onPick;
    this.root = el('div', { class: 'heatmap', 'data-testid': 'diff-heatmap' });
    this.head = el('div', { class: 'chart-title' });
    this.wrap = el('div', { class: 'heat-wrap' });
    this.names = el('div', { class: 'heat-names' });
    this.canvas = el('canvas', { class: 'heat-canvas' });
    this.line = el('div', { class: 'day-line' });
    this.tip = el('div', { class: 'tip', hidden: true });
    this.plotArea = el('div', { class: 'heat-plot' }, this.canvas, this.line, this.tip);
    this.wrap.append(this.names, this.plotArea);
    this.scale = el('div', { class: 'heat-scale' });
    this.root.append(this.head, this.wrap, this.scale);
    container.append(this.root);
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; });
    this.canvas.addEventListener('click', (e) => {
      const r = this.at(e);
      if (r) this.onPick(r.place);
    });
    this.ro = new ResizeObserver(() => this.draw());
    this.ro.observe(this.plotArea);
  }

  destroy() { this.ro.disconnect(); this.root.remove(); }

  // show takes the places (of run A), both runs' populations [place][day]
  // aligned to A's places, and the start date.
  show(places, a, b, start, days, labels, rowsMax = 40) {
    this.places = places;
    this.a = a;
    this.b = b;
    this.start = start;
    this.days = days;
    this.labels = labels;
    const score = places.map((p, i) => {
      let m = 0;
      const ra = a[i] || [];
      const rb = b[i] || [];
      for (let t = 0; t < days; t++) m = Math.max(m, Math.abs((rb[t] ?? 0) - (ra[t] ?? 0)));
      return [i, m];
    }).filter(([, m]) => m > 0);
    score.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    this.rows = score.slice(0, rowsMax).map(([i]) => i);
    this.max = score.length ? score[0][1] : 0;
    this.head.replaceChildren(el('b', {}, 'Difference by place and day'),
      ` · ${labels[1]} − ${labels[0]} · ${this.rows.length} of ${places.length} places differ${score.length > rowsMax ? ` (top ${rowsMax} shown)` : ''}`);
    this.names.replaceChildren(...this.rows.map((i) => el('div', { class: 'heat-name', title: places[i].name }, places[i].name)));
    this.scale.replaceChildren(
      el('span', {}, fmtSigned(-this.max)), el('i', { class: 'heat-gradient' }), el('span', {}, fmtSigned(this.max)),
      el('span', { class: 'muted' }, '  blue: B has fewer people than A; red: more'));
    this.draw();
  }

  draw() {
    if (!this.rows) return;
    const rowH = 14;
    const w = Math.max(100, this.plotArea.clientWidth);
    const h = Math.max(rowH, this.rows.length * rowH);
    this.rowH = rowH;
    this.canvas.width = w;
    this.canvas.height = h;
    this.canvas.style.height = `${h}px`;
    this.names.style.height = `${h}px`;
    const ctx = this.canvas.getContext('2d');
    ctx.clearRect(0, 0, w, h);
    if (!this.rows.length) {
      ctx.fillStyle = '#666';
      ctx.font = '12px system-ui';
      ctx.fillText('The two runs have the same populations everywhere.', 8, 12);
      return;
    }
    const img = ctx.createImageData(this.days, this.rows.length);
    const m = Math.max(1, this.max);
    this.rows.forEach((i, r) => {
      const ra = this.a[i] || [];
      const rb = this.b[i] || [];
      for (let t = 0; t < this.days; t++) {
        const d = ((rb[t] ?? 0) - (ra[t] ?? 0)) / m;
        const s = Math.sqrt(Math.min(1, Math.abs(d)));
        const k = 4 * (r * this.days + t);
        // white → blue (#2166ac) or red (#b2182b)
        const [R, G, B] = d < 0 ? [33, 102, 172] : [178, 24, 43];
        img.data[k] = Math.round(255 + (R - 255) * s);
        img.data[k + 1] = Math.round(255 + (G - 255) * s);
        img.data[k + 2] = Math.round(255 + (B - 255) * s);
        img.data[k + 3] = 255;
      }
    });
    const off = document.createElement('canvas');
    off.width = this.days;
    off.height = this.rows.length;
    off.getContext('2d').putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, 0, 0, w, h);
    ctx.strokeStyle = 'rgba(255,255,255,0.7)';
    for (let r = 1; r < this.rows.length; r++) {
      ctx.beginPath();
      ctx.moveTo(0, r * rowH + 0.5);
      ctx.lineTo(w, r * rowH + 0.5);
      ctx.stroke();
    }
    this.setDay(this.day || 0);
  }

  setDay(t) {
    this.day = t;
    if (!this.days) return;
    const w = this.canvas.width;
    this.line.style.transform = `translateX(${((t + 0.5) / this.days) * w}px)`;
    this.line.style.height = `${this.canvas.height}px`;
  }

  at(e) {
    if (!this.rows?.length) return null;
    const r = this.canvas.getBoundingClientRect();
    const row = Math.floor((e.clientY - r.top) / this.rowH);
    const t = Math.floor(((e.clientX - r.left) / r.width) * this.days);
    if (row < 0 || row >= this.rows.length || t < 0 || t >= this.days) return null;
    return { place: this.rows[row], t, x: e.clientX - r.left, y: e.clientY - r.top };
  }

  hover(e) {
    const h = this.at(e);
    if (!h) { this.tip.hidden = true; return; }
    const a = this.a[h.place]?.[h.t] ?? 0;
    const b = this.b[h.place]?.[h.t] ?? 0;
    this.tip.hidden = false;
    this.tip.replaceChildren(el('b', {}, this.places[h.place].name), el('div', {}, dayDate(this.start, h.t)),
      el('div', {}, `${this.labels[0]}: ${fmtInt(a)}`), el('div', {}, `${this.labels[1]}: ${fmtInt(b)}`),
      el('div', {}, `difference ${fmtSigned(b - a)}`));
    const left = h.x + 170 > this.plotArea.clientWidth ? h.x - 170 : h.x + 12;
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${h.y + 8}px`;
  }
}
