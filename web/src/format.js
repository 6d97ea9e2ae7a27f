// Number and date formatting shared by the views.
const nf = new Intl.NumberFormat('en');

export const fmtInt = (x) => (x == null || Number.isNaN(x) ? '–' : nf.format(Math.round(x)));

export function fmtSigned(x) {
  if (x == null || Number.isNaN(x)) return '–';
  const r = Math.round(x);
  return (r > 0 ? '+' : r < 0 ? '−' : '±') + nf.format(Math.abs(r));
}

export const fmtPct = (x) => (x == null || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`);

// dayDate returns the ISO date of day t after start (YYYY-MM-DD).
export function dayDate(start, t) {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + t);
  return d.toISOString().slice(0, 10);
}

// dayEpoch returns the UTC time of day t in seconds (uPlot's x unit).
export function dayEpoch(start, t) {
  return Date.parse(`${start}T00:00:00Z`) / 1000 + t * 86400;
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export const kindLabel = {
  conflict_zone: 'conflict zone',
  town: 'town',
  camp: 'camp',
  idpcamp: 'IDP camp',
  forwarding_hub: 'forwarding hub',
  marker: 'waypoint',
  unknown: 'unknown',
};

// Colours by place kind (colour-blind-safe Okabe–Ito hues).
export const kindColour = {
  conflict_zone: '#d55e00',
  town: '#7a7a7a',
  camp: '#009e73',
  idpcamp: '#56b4e9',
  forwarding_hub: '#e69f00',
  marker: '#bbbbbb',
  unknown: '#cc79a7',
};
