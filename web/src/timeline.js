// The timeline of events (conflicts, closures, camp changes) beside the map.
// Events after the current day are dimmed; clicking one moves to its day
// and shows the line of the input file it came from.
import { getJSON } from './api.js';
import { el } from './format.js';

function words(e) {
  const v = e.value !== 1 && e.value !== 0 ? ` (intensity ${e.value})` : '';
  switch (e.kind) {
    case 'conflict_start': return `Conflict starts in ${e.place}${v}`;
    case 'conflict_intensity': return `Conflict intensity in ${e.place} becomes ${e.value}`;
    case 'conflict_end': return `Conflict ends in ${e.place}`;
    case 'close_border': return `Border closed: ${e.country} – ${e.country2}`;
    case 'open_border': return `Border reopened: ${e.country} – ${e.country2}`;
    case 'close_place': return `${e.place} closed`;
    case 'open_place': return `${e.place} reopened`;
    case 'close_route': return `Route closed: ${e.place} – ${e.place2}`;
    case 'open_route': return `Route reopened: ${e.place} – ${e.place2}`;
    case 'close_camp': return `Camp ${e.place} closes`;
    case 'open_camp': return `${e.value === 1 ? 'IDP camp' : 'Camp'} opens at ${e.place}`;
    case 'change_kind': return `${e.place} changes kind`;
    case 'change_country': return `${e.place} passes to ${e.country}`;
    default: return `${e.kind} ${[e.place, e.place2, e.country, e.country2].filter(Boolean).join(' – ')}`;
  }
}

export function eventClass(kind) {
  if (kind.startsWith('conflict')) return 'ev-conflict';
  if (kind.startsWith('close')) return 'ev-close';
  if (kind.startsWith('open')) return 'ev-open';
  return 'ev-other';
}

export class Timeline {
  // onDay(t) moves the page to day t.
  constructor(container, onDay) {
    this.onDay = onDay;
    this.root = el('div', { class: 'timeline', 'data-testid': 'timeline' });
    this.head = el('h3', {}, 'Events');
    this.list = el('ol', { class: 'events' });
    this.source = el('div', { class: 'source', 'data-testid': 'source', hidden: true });
    this.root.append(this.head, this.list, this.source);
    container.append(this.root);
  }

  show(view) {
    this.view = view;
    this.head.textContent = `Events (${view.events.length})`;
    this.items = view.events.map((e, k) => {
      const li = el('li', { class: `event ${eventClass(e.kind)}`, 'data-testid': 'event', tabindex: 0, title: 'show where this event comes from' },
        el('span', { class: 'ev-date' }, e.date),
        el('span', { class: 'ev-text' }, words(e)));
      li.addEventListener('click', () => this.pick(k));
      li.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') this.pick(k); });
      return li;
    });
    if (!this.items.length) this.items = [el('li', { class: 'muted' }, 'No dated events in this scenario.')];
    this.list.replaceChildren(...this.items);
    this.source.hidden = true;
    this.next = -1;
  }

  setDay(t) {
    if (!this.view) return;
    let next = this.view.events.length;
    this.view.events.forEach((e, k) => {
      this.items[k].classList.toggle('future', e.day > t);
      if (e.day > t && k < next) next = k;
    });
    // Keep the latest events in sight as the day moves (a layout read,
    // only when another event becomes the latest).
    if (next !== this.next && this.view.events.length) {
      this.next = next;
      const item = this.items[Math.max(0, next - 1)];
      const top = item.offsetTop - this.list.offsetTop - this.list.clientHeight / 3;
      this.list.scrollTop = Math.max(0, top);
    }
  }

  async pick(k) {
    const e = this.view.events[k];
    this.items.forEach((li, j) => li.classList.toggle('picked', j === k));
    this.onDay(e.day);
    this.source.hidden = false;
    const title = el('div', { class: 'source-title' }, el('b', {}, words(e)), ` · day ${e.day}, ${e.date}`);
    if (!e.file || !this.view.scenario) {
      this.source.replaceChildren(title, el('div', { class: 'muted' },
        e.source ? `Source: ${e.source} (the case folder is not open in the workbench)` : 'No source recorded for this event.'));
      return;
    }
    this.source.replaceChildren(title, el('div', { class: 'muted' }, `Loading ${e.file}:${e.line}…`));
    try {
      const q = new URLSearchParams({ file: e.file, line: String(e.line) });
      const src = await getJSON(`/api/scenarios/${encodeURIComponent(this.view.scenario)}/source?${q}`);
      const pre = el('pre', { class: 'source-lines' });
      if (src.header) pre.append(el('span', { class: 'ln head' }, el('i', {}, '   1'), ` ${src.header}\n`), el('span', { class: 'ln' }, '   …\n'));
      src.lines.forEach((text, j) => {
        const n = src.first + j;
        pre.append(el('span', { class: n === src.line ? 'ln hit' : 'ln' }, el('i', {}, String(n).padStart(4, ' ')), ` ${text}\n`));
      });
      this.source.replaceChildren(title, el('div', { class: 'source-file' }, `${src.file}, line ${src.line}`), pre);
    } catch (err) {
      this.source.replaceChildren(title, el('div', { class: 'error' }, `Source ${e.file}:${e.line}: ${err.message}`));
    }
  }
}
