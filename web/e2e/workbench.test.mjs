// End-to-end test of the workbench as a person uses it: `caravan serve` on
// loopback, Debian's Chromium driven by playwright-core. It opens the page,
// picks the bundled example, runs it, reads the chart and the map, moves the
// slider, plays, clicks an event for its source, runs again and compares the
// two runs, then does the same on a synthetic 150-place case and times the
// slider. Screenshots go to $E2E_ARTEFACTS. No console error, failed request
// or request to another host is allowed.
//
// Run by scripts/web-e2e.sh, which builds caravan and finds Chromium:
//   CARAVAN_BIN=... CHROMIUM=/usr/bin/chromium node --test web/e2e/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.CARAVAN_BIN || join(repo, 'caravan');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artefacts = process.env.E2E_ARTEFACTS || join(repo, 'tmp', 'e2e-artefacts');
const synth = 'internal/server/testdata/synth150';
const WAIT = 120_000;

let server;
let workspace;
let url;
let browser;
let page;
const problems = []; // console errors, page errors, failed or foreign requests
const figures = {};

function startServer() {
  workspace = mkdtempSync(join(tmpdir(), 'caravan-e2e-'));
  server = spawn(bin, ['serve', '--dir', workspace, synth], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  server.stderr.on('data', (d) => { err += d; });
  return new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`caravan serve printed no address in 30 s; stderr:\n${err}`)), 30_000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/caravan workbench: (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    server.on('exit', (code) => rej(new Error(`caravan serve exited ${code}; stderr:\n${err}`)));
  });
}

before(async () => {
  mkdirSync(artefacts, { recursive: true });
  url = await startServer();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(WAIT);
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A stream the page closes itself is not a failure.
    if (!r.url().includes('/events')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(url) && !u.startsWith('data:')) problems.push(`request to another host: ${u}`);
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode == null) {
    const exited = new Promise((res) => server.on('exit', res));
    server.kill('SIGINT');
    await exited;
  }
  if (workspace) rmSync(workspace, { recursive: true, force: true });
  console.log(`e2e figures: ${JSON.stringify(figures)}`);
  console.log(`e2e screenshots in ${artefacts}`);
});

const $ = (id) => `[data-testid="${id}"]`;

async function shot(name) {
  await page.screenshot({ path: join(artefacts, name), fullPage: true });
}

// runFromForm clicks Run on the open scenario or run page and waits until
// its job says done; it returns every progress text the job showed.
async function runFromForm() {
  const before = await page.locator($('job')).count();
  await page.evaluate(() => {
    window.__progress = [];
    const seen = (n) => { if (n?.dataset?.testid === 'job-progress') window.__progress.push(n.textContent); };
    window.__obs?.disconnect();
    window.__obs = new MutationObserver((ms) => ms.forEach((m) => {
      seen(m.target.nodeType === 3 ? m.target.parentElement : m.target);
      m.addedNodes.forEach((n) => n.querySelectorAll?.('[data-testid="job-progress"]').forEach(seen));
    }));
    window.__obs.observe(document.querySelector('[data-testid="job-list"]'), { subtree: true, childList: true, characterData: true });
  });
  await page.click($('start-run'));
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="job"]').length > n, before);
  const job = page.locator($('job')).first();
  await job.locator('[data-testid="open-run"]').waitFor();
  assert.match(await job.locator($('job-progress')).textContent(), /^done: \d+ (days|members) in/);
  return page.evaluate(() => window.__progress);
}

async function placesOnMap(testid = 'map') {
  return page.locator(`${$(testid)} circle.place`).count();
}

async function radii(testid = 'map') {
  return page.locator(`${$(testid)} circle.place`).evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('r'))));
}

test('the page opens and offers the bundled example', async () => {
  await page.goto(url);
  await page.locator(`${$('scenario-item')}[data-id="toy-flee"]`).waitFor();
  assert.equal(await page.locator(`${$('scenario-item')}[data-id="synth150"]`).count(), 1);
  assert.match(await page.title(), /Caravan workbench/);
});

test('picking toy-flee shows its map, events and observations', async () => {
  await page.click(`${$('scenario-item')}[data-id="toy-flee"]`);
  await page.locator($('view-title')).filter({ hasText: 'toy-flee' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="map"] path.country').length > 0);
  assert.equal(await placesOnMap(), 9);
  assert.equal(await page.locator(`${$('map')} line.route`).count(), 12);
  assert.equal(await page.locator($('event')).count(), 7);
  assert.equal(await page.locator(`${$('place-chart')} canvas`).count(), 1);
  assert.equal(await page.locator($('camp-chart')).count(), 3);
  await shot('01-scenario-toy-flee.png');
});

test('running it shows progress, then the run with its chart and map', async () => {
  const progress = await runFromForm();
  assert.ok(progress.some((p) => /^(day \d+ of 120|done: 120 days)/.test(p)), `progress seen: ${progress}`);
  await page.locator($('run-item')).first().waitFor();
  await page.locator(`${$('job')} ${$('open-run')}`).first().click();
  await page.locator($('view-title')).filter({ hasText: 'run' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="map"] circle.place').length === 9);
  assert.equal(await placesOnMap(), 9);
  assert.equal(await page.locator(`${$('place-chart')} canvas`).count(), 1);
  const legend = await page.locator(`${$('place-chart')} .u-legend`).textContent();
  assert.match(legend, /simulated/);
  assert.match(legend, /observation/);
  assert.equal(await page.locator($('camp-chart')).count(), 3);
  assert.match(await page.locator($('summary')).textContent(), /seed 1 · caravan rules · 120 days from 2024-03-01 · 9 places/);
  await shot('02-run-toy-flee-day1.png');
});

test('the slider and the play button move the day', async () => {
  const slider = page.locator($('day-slider'));
  const r0 = await radii();
  await slider.fill('60');
  assert.equal(await page.locator($('day-label')).textContent(), '2024-04-30 · day 61 of 120');
  const r60 = await radii();
  assert.notDeepEqual(r60, r0, 'the circles did not change size');
  const line = await page.locator(`${$('place-chart')} .day-line`).evaluate((d) => d.style.transform);
  assert.match(line, /translateX\(\d+/);
  await shot('03-run-toy-flee-day61.png');
  // Hovering an observation marker shows its value.
  await page.click($('play'));
  await page.waitForFunction(() => window.caravanWorkbench.day > 70);
  await page.click($('play'));
  const d = await page.evaluate(() => window.caravanWorkbench.day);
  assert.ok(d > 70 && d <= 119, `day ${d} after playing`);
});

test('an observation shows its value on hover', async () => {
  const chart = page.locator(`${$('place-chart')} .u-over`);
  const box = await chart.boundingBox();
  // Sweep across the plot until the tooltip for a marker appears.
  let text = '';
  for (let x = 2; x < box.width && !text; x += 2) {
    await page.mouse.move(box.x + x, box.y + box.height / 2);
    const tip = page.locator(`${$('place-chart')} .obs-tip`);
    if (await tip.isVisible()) text = await tip.textContent();
  }
  assert.match(text, /^observed [\d,]+ on \d{4}-\d\d-\d\d/);
  figures.observationTip = text;
});

test('clicking an event moves to its day and shows its source line', async () => {
  await page.locator($('event')).filter({ hasText: 'Border closed' }).click();
  await page.locator(`${$('source')} .source-lines`).waitFor();
  const src = await page.locator($('source')).textContent();
  assert.match(src, /input\/closures\.csv, line 2/);
  assert.match(src, /country,Valoria,Ostmark,30,60/);
  assert.match(await page.locator($('day-label')).textContent(), /^2024-03-31 · day 31 of 120$/);
  await shot('04-event-source.png');
});

test('a second run can be compared with the first, side by side and as a difference', async () => {
  assert.equal(await page.locator($('run-seed')).inputValue(), '2');
  await runFromForm();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-item"]').length >= 2);
  // Back to the first run, then compare it with the new one.
  await page.locator($('run-item')).filter({ hasText: 'seed 1' }).first().click();
  await page.locator($('view-title')).filter({ hasText: 'run' }).waitFor();
  const select = page.locator($('compare-select'));
  await page.waitForFunction(() => document.querySelector('[data-testid="compare-select"]')?.options.length > 1);
  const option = await select.locator('option').filter({ hasText: 'seed 2' }).first().getAttribute('value');
  await select.selectOption(option);
  await page.locator($('view-title')).filter({ hasText: 'compare' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="map-b"] circle.place').length === 9);
  assert.equal(await placesOnMap('map-a'), 9);
  assert.equal(await placesOnMap('map-b'), 9);
  assert.equal(await page.locator(`${$('compare-chart')} canvas`).count(), 1);
  assert.equal(await page.locator(`${$('diff-chart')} canvas`).count(), 1);
  const heat = await page.locator($('diff-heatmap')).textContent();
  assert.match(heat, /of 9 places differ/);
  await page.locator($('day-slider')).fill('90');
  assert.notDeepEqual(await radii('map-a'), await radii('map-b'), 'two seeds, same populations everywhere');
  await shot('05-compare.png');
});

test('an ensemble of three members shows its band', async () => {
  await page.click(`${$('scenario-item')}[data-id="toy-flee"]`);
  await page.locator($('view-title')).filter({ hasText: 'scenario' }).waitFor();
  await page.locator($('run-members')).fill('3');
  assert.equal(await page.locator($('start-run')).textContent(), 'Run ensemble of 3');
  const progress = await runFromForm();
  assert.ok(progress.some((p) => /^(member \d of 3|done: 3 members)/.test(p)), `progress seen: ${progress}`);
  await page.locator(`${$('job')} ${$('open-run')}`).first().click();
  await page.locator($('view-title')).filter({ hasText: 'ensemble' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="map"] circle.place').length === 9);
  const legend = await page.locator(`${$('place-chart')} .u-legend`).textContent();
  assert.match(legend, /mean of members/);
  assert.match(legend, /95%/);
  assert.match(await page.locator($('summary')).textContent(), /3 members from seed 1/);
  await page.locator($('day-slider')).fill('100');
  await shot('06-ensemble.png');
});

test('synthetic 150-place case: live progress, map and a responsive slider', async () => {
  await page.click(`${$('scenario-item')}[data-id="synth150"]`);
  await page.locator($('view-title')).filter({ hasText: 'synth150' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="map"] circle.place').length === 150);
  const progress = await runFromForm();
  const live = progress.filter((p) => /^day \d+ of 820$/.test(p));
  assert.ok(live.length >= 2, `expected live progress (day k of 820), saw: ${progress.join(' | ')}`);
  figures.synthProgressEvents = live.length;
  await page.locator(`${$('job')} ${$('open-run')}`).first().click();
  await page.locator($('view-title')).filter({ hasText: 'run' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="map"] circle.place').length === 150
    && document.querySelectorAll('[data-testid="camp-chart"]').length === 15);
  // Time the slider: 103 steps across 820 days, each updating 150 circles,
  // 280 routes, 16 charts and the timeline, then one frame.
  const t = await page.evaluate(async () => {
    const s = document.querySelector('[data-testid="day-slider"]');
    const t0 = performance.now();
    let n = 0;
    for (let d = 0; d < 820; d += 8, n++) {
      s.value = String(d);
      s.dispatchEvent(new Event('input', { bubbles: true }));
    }
    const t1 = performance.now();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return { perStepMs: (t1 - t0) / n, frameMs: performance.now() - t1 };
  });
  figures.synthSliderStepMs = Number(t.perStepMs.toFixed(2));
  figures.synthFrameMs = Number(t.frameMs.toFixed(1));
  assert.ok(t.perStepMs < 30, `a slider step takes ${t.perStepMs.toFixed(1)} ms`);
  // Playing: frames per second over 2 s.
  await page.locator($('day-slider')).fill('0');
  const fps = await page.evaluate(async () => {
    let frames = 0;
    let on = true;
    const count = () => { frames++; if (on) requestAnimationFrame(count); };
    requestAnimationFrame(count);
    document.querySelector('[data-testid="play"]').click();
    await new Promise((r) => setTimeout(r, 2000));
    on = false;
    document.querySelector('[data-testid="play"]').click();
    return frames / 2;
  });
  figures.synthPlayFps = fps;
  assert.ok(fps >= 5, `${fps} frames/s while playing`);
  await page.locator($('day-slider')).fill('400');
  await page.waitForTimeout(300);
  await shot('07-synth150-day401.png');
});

test('no console errors, failed requests or requests to other hosts', () => {
  assert.deepEqual(problems, []);
});
