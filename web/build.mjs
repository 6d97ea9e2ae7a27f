// Builds the workbench page into dist/: one JS and one CSS bundle (esbuild,
// minified, content-hashed names), the world-atlas country shapes, and
// index.html pointing at them. The output depends only on the sources and
// the locked packages, so the committed dist/ can be checked by rebuilding.
//
//   node build.mjs                build once into dist/
//   node build.mjs --watch        rebuild on change (use with `caravan serve --dev`)
//   node build.mjs --outdir DIR   build into DIR (scripts/web-e2e.sh compares it with dist/)
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argOut = process.argv.indexOf('--outdir');
const dist = argOut > 0 ? resolve(process.argv[argOut + 1]) : join(here, 'dist');
const assets = join(dist, 'assets');
const watch = process.argv.includes('--watch');

const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 10);

function clean() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
}

// The country shapes: Natural Earth 1:50m, as TopoJSON (world-atlas).
function copyAtlas() {
  const atlas = readFileSync(join(here, 'node_modules/world-atlas/countries-50m.json'));
  const name = `countries-50m-${hash(atlas)}.json`;
  writeFileSync(join(assets, name), atlas);
  return `/assets/${name}`;
}

// Licences of the bundled packages, for the record (not loaded by the page).
function writeLicences() {
  const pkgs = ['d3-geo', 'd3-array', 'internmap', 'topojson-client', 'uplot', 'world-atlas'];
  const parts = pkgs.map((p) => {
    const dir = join(here, 'node_modules', p);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const lic = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    const text = lic ? readFileSync(join(dir, lic), 'utf8').trim() : `licence: ${meta.license}`;
    return `== ${meta.name} ${meta.version} (${meta.license}) ==\n\n${text}\n`;
  });
  parts.push('== Natural Earth (country shapes in world-atlas) ==\n\nPublic domain.\n');
  writeFileSync(join(dist, 'licenses.txt'), parts.join('\n'));
}

function writeIndex(js, css) {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Caravan workbench</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${css}">
</head>
<body>
<div id="app"></div>
<script type="module" src="${js}"></script>
</body>
</html>
`;
  writeFileSync(join(dist, 'index.html'), html);
}

function outputs(result) {
  let js = '';
  let css = '';
  for (const f of Object.keys(result.metafile.outputs)) {
    const url = `/${f.slice(f.lastIndexOf('assets/'))}`;
    if (f.endsWith('.js')) js = url;
    if (f.endsWith('.css')) css = url;
  }
  return { js, css };
}

clean();
const atlasURL = copyAtlas();
writeLicences();
const options = {
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: !watch,
  sourcemap: watch ? 'inline' : false,
  legalComments: 'none',
  outdir: assets,
  entryNames: watch ? '[name]' : '[name]-[hash]',
  metafile: true,
  logLevel: 'info',
  define: { __ATLAS_URL__: JSON.stringify(atlasURL) },
  plugins: [{
    name: 'index',
    setup(build) {
      build.onEnd((result) => {
        if (result.errors.length) return;
        const { js, css } = outputs(result);
        writeIndex(js, css);
      });
    },
  }],
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log('watching src/ (Ctrl-C to stop); serve with: caravan serve --dev');
} else {
  await esbuild.build(options);
}
