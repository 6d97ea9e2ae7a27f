// Caravan workbench: the page. Pick a scenario or a past run on the left;
// the map, the events and the charts follow one date slider. Start runs and
// ensembles and watch their progress; compare two runs.
import './style.css';
import { getJSON, postJSON, watchJob } from './api.js';
import { el, fmtInt, fmtPct, dayDate, kindLabel } from './format.js';
import { MapView } from './map.js';
import { PlaceChart, CompareChart, SmallMultiples, placeSeries } from './charts.js';
import { Timeline, eventClass } from './timeline.js';
import { DiffHeatmap } from './heatmap.js';

const state = {
  health: null,
  scenarios: [],
  runs: [],
  jobs: new Map(), // id → {job, node}
  current: null, // {kind, id} of what the page shows
  day: 0,
  days: 0,
  playing: false,
  speed: 20, // days per second
  parts: [], // components that follow the day: {setDay(t)}
};

// ---- skeleton ---------------------------------------------------------------

const app = document.getElementById('app');
const scenarioList = el('ul', { class: 'list', 'data-testid': 'scenario-list' });
const runList = el('ul', { class: 'list', 'data-testid': 'run-list' });
const jobList = el('div', { class: 'jobs', 'data-testid': 'job-list' });
const version = el('span', { class: 'version' });
const content = el('main', { class: 'content', id: 'content' });
const status = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });

app.append(
  el('header', { class: 'top' }, el('a', { href: '#/', class: 'brand' }, 'Caravan workbench'), version, status),
  el('div', { class: 'body' },
    el('aside', { class: 'side' },
      el('section', {}, el('h2', {}, 'Scenarios'), scenarioList),
      el('section', {}, el('h2', {}, 'Runs'), runList),
      el('section', {}, el('h2', {}, 'Jobs'), jobList)),
    content),
);

function say(msg, isError = false) {
  status.textContent = msg;
  status.classList.toggle('error', isError);
}

// ---- lists ------------------------------------------------------------------

async function refreshLists() {
  const [scenarios, runs] = await Promise.all([getJSON('/api/scenarios'), getJSON('/api/runs')]);
  state.scenarios = scenarios;
  state.runs = runs;
  renderLists();
}

function renderLists() {
  const cur = state.current;
  fillCompare?.();
  scenarioList.replaceChildren(...state.scenarios.map((s) => el('li', {},
    el('a', {
      href: `#/s/${encodeURIComponent(s.id)}`,
      class: cur?.kind === 's' && cur.id === s.id ? 'item active' : 'item',
      'data-testid': 'scenario-item',
      'data-id': s.id,
    }, el('span', { class: 'item-name' }, s.name), el('span', { class: 'item-meta' }, s.origin)))));
  if (!state.scenarios.length) scenarioList.replaceChildren(el('li', { class: 'muted' }, 'No case folders found.'));
  runList.replaceChildren(...state.runs.map((r) => el('li', {},
    el('a', {
      href: `#/r/${encodeURIComponent(r.id)}`,
      class: (cur?.kind === 'r' && cur.id === r.id) || (cur?.kind === 'c' && (cur.a === r.id || cur.b === r.id)) ? 'item active' : 'item',
      'data-testid': 'run-item',
      'data-id': r.id,
      title: r.id,
    },
    el('span', { class: 'item-name' }, r.name, r.kind === 'ensemble' ? el('span', { class: 'badge' }, `ensemble ×${r.members}`) : ''),
    el('span', { class: 'item-meta' }, `${r.kind === 'ensemble' ? 'seeds from' : 'seed'} ${r.seed} · ARD ${r.ard.toFixed(3)} · ${(r.created || '').replace('T', ' ').slice(0, 16)}`)))));
  if (!state.runs.length) runList.replaceChildren(el('li', { class: 'muted' }, 'No runs yet: open a scenario and run it.'));
}

// ---- jobs -------------------------------------------------------------------

function jobNode(job) {
  let entry = state.jobs.get(job.id);
  if (!entry) {
    const bar = el('progress', { max: 1, value: 0 });
    const text = el('span', { class: 'job-text', 'data-testid': 'job-progress' });
    const actions = el('span', { class: 'job-actions' });
    const node = el('div', { class: 'job', 'data-testid': 'job', 'data-id': job.id },
      el('div', { class: 'job-title' }, `${job.scenario} · ${job.kind === 'ensemble' ? 'ensemble' : 'run'} · seed ${job.seed}`), bar, text, actions);
    entry = { node, bar, text, actions };
    state.jobs.set(job.id, entry);
    jobList.prepend(node);
  }
  return entry;
}

function showJob(job) {
  const { node, bar, text, actions } = jobNode(job);
  node.dataset.status = job.status;
  bar.max = Math.max(1, job.total || 1);
  bar.value = job.done || 0;
  const unit = job.unit === 'member' ? 'member' : 'day';
  switch (job.status) {
    case 'queued':
      text.textContent = job.position ? `queued (${job.position} ahead)` : 'queued';
      break;
    case 'running':
      text.textContent = job.total ? `${unit} ${job.done} of ${job.total}` : 'loading the case…';
      break;
    case 'done':
      text.textContent = `done: ${job.total} ${unit}s in ${job.elapsed.toFixed(1)} s`;
      break;
    default:
      text.textContent = `${job.status}: ${job.error || ''}`;
  }
  text.classList.toggle('error', job.status === 'failed');
  if (job.status === 'queued' || job.status === 'running') {
    if (!actions.querySelector('button')) {
      actions.replaceChildren(el('button', {
        class: 'small',
        onclick: () => postJSON(`/api/jobs/${encodeURIComponent(job.id)}/cancel`, {}).catch((e) => say(e.message, true)),
      }, 'Cancel'));
    }
  } else if (job.status === 'done' && job.run) {
    actions.replaceChildren(el('a', { href: `#/r/${encodeURIComponent(job.run)}`, 'data-testid': 'open-run' }, 'Open'));
  } else {
    actions.replaceChildren();
  }
}

async function startJob(req) {
  try {
    const job = await postJSON('/api/jobs', req);
    showJob(job);
    say(`Started ${job.kind} of ${job.scenario}`);
    const final = await watchJob(job.id, showJob);
    if (final.status === 'done') {
      await refreshLists();
      say(`${final.kind === 'ensemble' ? 'Ensemble' : 'Run'} of ${final.scenario} finished: it is in the list of runs`);
    } else {
      say(`${final.kind} of ${final.scenario} ${final.status}${final.error ? `: ${final.error}` : ''}`, final.status === 'failed');
    }
  } catch (e) {
    say(e.message, true);
  }
}

async function resumeJobs() {
  const jobs = await getJSON('/api/jobs');
  for (const j of jobs.slice().reverse()) {
    showJob(j);
    if (j.status === 'queued' || j.status === 'running') {
      watchJob(j.id, showJob).then((f) => { if (f.status === 'done') refreshLists(); });
    }
  }
}

function runForm(scenarioID, defaults = {}) {
  const seed = el('input', { type: 'number', min: 0, step: 1, value: defaults.seed ?? 1, 'data-testid': 'run-seed', 'aria-label': 'seed' });
  const days = el('input', { type: 'number', min: 0, step: 1, placeholder: 'all', 'data-testid': 'run-days', 'aria-label': 'days' });
  const compat = el('select', { 'aria-label': 'rules' }, el('option', { value: 'caravan' }, 'Caravan rules'), el('option', { value: 'flee' }, 'Flee (exact)'));
  const members = el('input', { type: 'number', min: 1, max: 1000, step: 1, value: 1, 'data-testid': 'run-members', 'aria-label': 'members' });
  const button = el('button', { type: 'submit', class: 'primary', 'data-testid': 'start-run' }, 'Run');
  members.addEventListener('input', () => { button.textContent = Number(members.value) > 1 ? `Run ensemble of ${members.value}` : 'Run'; });
  const form = el('form', { class: 'run-form', 'data-testid': 'run-form' },
    el('label', {}, 'seed ', seed), el('label', {}, 'days ', days), el('label', {}, compat),
    el('label', { title: 'more than 1: an ensemble with seeds seed, seed+1, …' }, 'members ', members), button);
  if (state.health && !state.health.can_run) button.disabled = true;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const n = Number(members.value) || 1;
    const req = { scenario: scenarioID, seed: Number(seed.value) || 0, compat: compat.value };
    if (days.value) req.days = Number(days.value);
    if (n > 1) { req.kind = 'ensemble'; req.runs = n; }
    startJob(req);
    seed.value = String((Number(seed.value) || 0) + (n > 1 ? n : 1));
  });
  return form;
}

// ---- the day ----------------------------------------------------------------

let controls = null;

function makeControls(view) {
  const slider = el('input', { type: 'range', min: 0, max: Math.max(0, view.days - 1), step: 1, value: 0, 'data-testid': 'day-slider', 'aria-label': 'day' });
  const label = el('span', { class: 'day-label', 'data-testid': 'day-label' });
  const play = el('button', { class: 'play', 'data-testid': 'play', 'aria-label': 'play' }, '▶ Play');
  const speed = el('select', { 'aria-label': 'speed' },
    ...[5, 20, 60, 150].map((s) => el('option', { value: s, selected: s === state.speed }, `${s} days/s`)));
  const ticks = el('div', { class: 'ticks' }, ...view.events.map((e) => el('i', {
    class: eventClass(e.kind),
    style: `left:${view.days > 1 ? (100 * e.day) / (view.days - 1) : 0}%`,
    title: `${e.date}: ${e.kind.replace('_', ' ')} ${e.place || e.country || ''}`,
  })));
  slider.addEventListener('input', () => { stop(); setDay(Number(slider.value)); });
  play.addEventListener('click', () => (state.playing ? stop() : start()));
  speed.addEventListener('change', () => { state.speed = Number(speed.value); });
  const node = el('div', { class: 'controls' }, play, el('div', { class: 'slider' }, slider, ticks), label, speed);
  controls = { node, slider, label, play, start: view.start };
  return node;
}

function setDay(t) {
  state.day = Math.max(0, Math.min(state.days - 1, t));
  if (controls) {
    controls.slider.value = String(state.day);
    controls.label.textContent = `${dayDate(controls.start, state.day)} · day ${state.day + 1} of ${state.days}`;
  }
  for (const p of state.parts) p.setDay(state.day);
}

let raf = 0;
function start() {
  if (state.days < 2) return;
  if (state.day >= state.days - 1) setDay(0);
  state.playing = true;
  controls.play.textContent = '❚❚ Pause';
  let last = performance.now();
  let acc = 0;
  const step = (now) => {
    if (!state.playing) return;
    acc += ((now - last) / 1000) * state.speed;
    last = now;
    if (acc >= 1) {
      const n = Math.floor(acc);
      acc -= n;
      setDay(Math.min(state.days - 1, state.day + n));
    }
    if (state.day >= state.days - 1) { stop(); return; }
    raf = requestAnimationFrame(step);
  };
  raf = requestAnimationFrame(step);
}

function stop() {
  state.playing = false;
  cancelAnimationFrame(raf);
  if (controls) controls.play.textContent = '▶ Play';
}

// ---- views ------------------------------------------------------------------

function clear() {
  stop();
  for (const p of state.parts) p.destroy?.();
  state.parts = [];
  controls = null;
  fillCompare = null;
  content.replaceChildren();
}

function home() {
  clear();
  content.append(el('div', { class: 'welcome' },
    el('h1', {}, 'Caravan workbench'),
    el('p', {}, 'Pick a scenario on the left to see its places, routes and events, and run it; or pick a past run to replay its populations day by day against the observations.'),
    el('p', { class: 'muted' }, 'Everything here is served by the caravan binary on this machine; nothing is fetched from elsewhere.')));
}

function summaryLine(v) {
  const parts = [];
  if (v.kind === 'run') parts.push(`seed ${v.seed}`, `${v.mode} rules`);
  if (v.kind === 'ensemble') parts.push(`${v.members} members from seed ${v.seed}`, `${v.mode} rules`);
  parts.push(`${fmtInt(v.days)} days from ${v.start}`, `${v.places.length} places`, `${v.routes.length} routes`);
  if (v.kind !== 'scenario') parts.push(`ARD ${v.ard.toFixed(4)}${v.kind === 'ensemble' ? ' (mean)' : ''}`, `rescaled ${v.ard_rescaled.toFixed(4)}`);
  if (v.agents) parts.push(`${fmtInt(v.agents)} agents`);
  return parts.join(' · ');
}

// fillCompare refreshes the open run's "compare with" list (null when no
// run is open); the list of runs changes when a job finishes.
let fillCompare = null;

function fillCompareOptions(cmp, v) {
  const others = state.runs.filter((r) => r.id !== v.id && r.kind === 'run');
  others.sort((a, b) => (b.name === v.name) - (a.name === v.name));
  cmp.replaceChildren(
    el('option', { value: '' }, others.length ? 'Compare with…' : 'no other run to compare with'),
    ...others.map((r) => el('option', { value: r.id }, `${r.name} · seed ${r.seed} · ${r.id}`)));
}

function mapLabel(v) {
  const circles = v.populations ? 'circle area: people on the day' : 'circle area: resident population';
  if (v.routes.length && v.routes.every((r) => r.daily_forward)) return `${circles} · line width: people setting out in the last 7 days`;
  if (v.routes.some((r) => r.forward || r.back)) return `${circles} · line width: people who set out over the whole run`;
  return circles;
}

function defaultPlace(v) {
  const camp = v.camps.find((c) => c.place >= 0);
  if (camp) return camp.place;
  let best = -1;
  let bestPop = -1;
  v.places.forEach((p, i) => {
    const s = placeSeries(v, i);
    const x = s ? s[s.length - 1] : p.pop || 0;
    if (x > bestPop) { bestPop = x; best = i; }
  });
  return best;
}

function placeSelect(places, selected, onPick, order) {
  const sel = el('select', { 'data-testid': 'place-select', 'aria-label': 'place' },
    ...order.map((i) => el('option', { value: i, selected: i === selected }, `${places[i].name} (${kindLabel[places[i].kind] || places[i].kind})`)));
  sel.addEventListener('change', () => onPick(Number(sel.value)));
  return sel;
}

function placeOrder(places) {
  const rank = { camp: 0, idpcamp: 1, conflict_zone: 2, forwarding_hub: 3, town: 4, marker: 5, unknown: 6 };
  return places.map((p, i) => i).sort((a, b) => (rank[places[a].kind] ?? 9) - (rank[places[b].kind] ?? 9) || places[a].name.localeCompare(places[b].name));
}

async function showView(kind, id) {
  clear();
  content.append(el('p', { class: 'muted' }, 'Loading…'));
  let v;
  try {
    v = await getJSON(kind === 's' ? `/api/scenarios/${encodeURIComponent(id)}` : `/api/runs/${encodeURIComponent(id)}`);
  } catch (e) {
    content.replaceChildren(el('p', { class: 'error' }, e.message));
    return;
  }
  if (state.current?.kind !== kind || state.current?.id !== id) return; // navigated away
  clear();
  state.days = v.days;
  const title = el('h1', { 'data-testid': 'view-title' }, v.name, el('span', { class: 'kind' }, v.kind));
  const head = el('div', { class: 'view-head' }, title, el('div', { class: 'summary', 'data-testid': 'summary' }, summaryLine(v)));
  for (const n of v.notes || []) head.append(el('div', { class: 'note' }, n));
  const actions = el('div', { class: 'actions' });
  if (v.scenario) actions.append(runForm(v.scenario, { seed: kind === 's' ? 1 : (v.seed || 0) + 1 }));
  if (v.kind === 'run') {
    const cmp = el('select', { 'data-testid': 'compare-select', 'aria-label': 'compare with' });
    cmp.addEventListener('change', () => { if (cmp.value) location.hash = `#/c/${encodeURIComponent(v.id)}/${encodeURIComponent(cmp.value)}`; });
    fillCompare = () => fillCompareOptions(cmp, v);
    fillCompare();
    actions.append(el('label', { class: 'compare' }, cmp));
  }
  head.append(actions);

  const mapBox = el('div', { class: 'map-box' });
  const side = el('div', { class: 'side-box' });
  const chartsBox = el('div', { class: 'charts' });
  content.append(head, makeControls(v), el('div', { class: 'map-row' }, mapBox, side), chartsBox);

  let selected = defaultPlace(v);
  const map = new MapView(mapBox, { onSelect: (i) => pick(i), label: mapLabel(v) });
  map.setData(v);
  const timeline = new Timeline(side, (t) => { stop(); setDay(t); });
  timeline.show(v);
  const pickerRow = el('div', { class: 'picker' }, el('span', {}, 'Place: '));
  chartsBox.append(pickerRow);
  const chart = new PlaceChart(chartsBox, { height: 260, testid: 'place-chart' });
  const pickSel = placeSelect(v.places, selected, (i) => pick(i), placeOrder(v.places));
  pickerRow.append(pickSel, el('span', { class: 'muted' }, ' — or click a place on the map, or a camp below'));
  chartsBox.append(el('h3', {}, `Reported camps (${v.camps.length}): simulated and observed`));
  const multiples = new SmallMultiples(chartsBox, (i) => pick(i));
  multiples.show(v);
  function pick(i) {
    selected = i;
    pickSel.value = String(i);
    map.select(i);
    chart.show(v, i);
    chart.setDay(state.day);
  }
  pick(selected);
  state.parts = [map, timeline, chart, multiples];
  setDay(0);
  if (kind === 'r') document.title = `${v.name} (${v.id}) · Caravan workbench`;
  else document.title = `${v.name} · Caravan workbench`;
}

// alignByName returns B's populations reordered to A's places (null rows
// for places B lacks).
function alignByName(a, b) {
  const idx = new Map(b.places.map((p, i) => [p.name, i]));
  let missing = 0;
  const rows = a.places.map((p) => {
    const j = idx.get(p.name);
    if (j == null) { missing++; return null; }
    return b.populations?.[j] || null;
  });
  return { rows, missing };
}

async function showCompare(aID, bID) {
  clear();
  content.append(el('p', { class: 'muted' }, 'Loading…'));
  let a;
  let b;
  try {
    [a, b] = await Promise.all([getJSON(`/api/runs/${encodeURIComponent(aID)}`), getJSON(`/api/runs/${encodeURIComponent(bID)}`)]);
  } catch (e) {
    content.replaceChildren(el('p', { class: 'error' }, e.message));
    return;
  }
  if (state.current?.kind !== 'c') return;
  clear();
  if (!a.populations || !b.populations) {
    content.append(el('p', { class: 'error' }, 'Both runs need populations.csv to be compared.'));
    return;
  }
  const days = Math.min(a.days, b.days);
  state.days = days;
  const labels = [`A (seed ${a.seed})`, `B (seed ${b.seed})`];
  if (a.seed === b.seed) { labels[0] = `A (${a.id})`; labels[1] = `B (${b.id})`; }
  const { rows: bRows, missing } = alignByName(a, b);
  const aRows = a.populations;
  let maxPop = 1;
  for (const rows of [aRows, bRows]) for (const r of rows) if (r) for (let t = 0; t < days; t++) if (r[t] > maxPop) maxPop = r[t];

  const head = el('div', { class: 'view-head' },
    el('h1', { 'data-testid': 'view-title' }, `${a.name} · compare`, el('span', { class: 'kind' }, 'two runs')),
    el('div', { class: 'summary' }, el('b', {}, 'A '), el('a', { href: `#/r/${encodeURIComponent(a.id)}` }, a.id), ` · ${summaryLine(a)}`),
    el('div', { class: 'summary' }, el('b', {}, 'B '), el('a', { href: `#/r/${encodeURIComponent(b.id)}` }, b.id), ` · ${summaryLine(b)}`));
  if (a.start !== b.start) head.append(el('div', { class: 'note' }, `The runs start on different dates (${a.start}, ${b.start}); days are compared by number.`));
  if (missing) head.append(el('div', { class: 'note' }, `${missing} of A's places are not in B; they show as empty.`));
  const maps = el('div', { class: 'map-pair' });
  const chartsBox = el('div', { class: 'charts' });
  content.append(head, makeControls({ ...a, days }), maps, chartsBox);

  const boxA = el('div', { class: 'map-box' });
  const boxB = el('div', { class: 'map-box' });
  maps.append(boxA, boxB);
  let selected = defaultPlace(a);
  const mapA = new MapView(boxA, { onSelect: (i) => pick(i), label: `A · ${a.id}`, testid: 'map-a' });
  mapA.setData(a, { maxPop });
  const mapB = new MapView(boxB, { onSelect: (i) => pick(i), label: `B · ${b.id}`, testid: 'map-b' });
  const samePlaces = a.places.length === b.places.length && a.places.every((p, i) => p.name === b.places[i].name);
  if (samePlaces) mapB.setData(b, { maxPop });
  else mapB.setData({ ...a, routes: a.routes.map((r) => ({ from: r.from, to: r.to, km: r.km })) }, { populations: bRows, maxPop });
  const pickerRow = el('div', { class: 'picker' }, el('span', {}, 'Place: '));
  chartsBox.append(pickerRow);
  const pair = el('div', { class: 'chart-pair' });
  chartsBox.append(pair);
  const both = new CompareChart(pair, { height: 240, testid: 'compare-chart' });
  const diff = new CompareChart(pair, { height: 240, testid: 'diff-chart' });
  const heat = new DiffHeatmap(chartsBox, (i) => pick(i));
  heat.show(a.places, aRows, bRows, a.start, days, ['A', 'B']);
  const pickSel = placeSelect(a.places, selected, (i) => pick(i), placeOrder(a.places));
  pickerRow.append(pickSel);
  function pick(i) {
    selected = i;
    pickSel.value = String(i);
    mapA.select(i);
    mapB.select(i);
    const sa = Array.from((aRows[i] || []).slice(0, days));
    const sb = Array.from((bRows[i] || []).slice(0, days));
    while (sa.length < days) sa.push(null);
    while (sb.length < days) sb.push(null);
    both.show(a.start, days, a.places[i].name, sa, sb, labels, false);
    diff.show(a.start, days, a.places[i].name, sa, sb, labels, true);
    both.setDay(state.day);
    diff.setDay(state.day);
  }
  pick(selected);
  state.parts = [mapA, mapB, both, diff, heat];
  setDay(0);
  document.title = `compare ${a.id} and ${b.id} · Caravan workbench`;
}

// ---- routing ----------------------------------------------------------------

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 's' && parts[1]) state.current = { kind: 's', id: parts[1] };
  else if (parts[0] === 'r' && parts[1]) state.current = { kind: 'r', id: parts[1] };
  else if (parts[0] === 'c' && parts[1] && parts[2]) state.current = { kind: 'c', a: parts[1], b: parts[2] };
  else state.current = null;
  renderLists();
  const c = state.current;
  if (!c) home();
  else if (c.kind === 'c') showCompare(c.a, c.b);
  else showView(c.kind, c.id);
}

window.addEventListener('hashchange', route);
window.addEventListener('keydown', (e) => {
  if (!controls || ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName)) return;
  if (e.key === ' ') { e.preventDefault(); state.playing ? stop() : start(); }
  if (e.key === 'ArrowRight') { stop(); setDay(state.day + (e.shiftKey ? 10 : 1)); }
  if (e.key === 'ArrowLeft') { stop(); setDay(state.day - (e.shiftKey ? 10 : 1)); }
});

(async function init() {
  try {
    state.health = await getJSON('/api/health');
    version.textContent = `caravan ${state.health.version}`;
    await refreshLists();
    await resumeJobs();
  } catch (e) {
    say(`Cannot reach the workbench server: ${e.message}`, true);
  }
  route();
}());

// For tests and the curious: what the page shows.
window.caravanWorkbench = {
  get day() { return state.day; },
  get days() { return state.days; },
  get current() { return state.current; },
  setDay,
};
