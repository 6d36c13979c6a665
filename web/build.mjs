// Builds the page into dist/ (run as `cd web && node build.mjs`):
//   dist/app.js         src/main.js and its npm dependencies (CodeMirror), one
//                       minified IIFE, so the page also loads as a classic script;
//   dist/worker.js      src/worker.js: the interpreter's Web Worker, after
//                       bayes.js (one request for both);
//   dist/graphviz.js    Graphviz in WebAssembly (@hpcc-js/wasm, the .wasm inlined),
//                       an IIFE of its own loaded when the Graph tab first needs it;
//   dist/index.html     index.html with src/boot.js (the first script: starts
//                       the worker, then loads app.js) written into it;
//   dist/style.css      copied;
//   dist/examples.json  the course: every ../examples/*.model with its lesson's
//                       title, and the data files under ../examples/data/.
// bayes.js and bayes.wasm (the interpreter) are not built here:
// scripts/build-web.sh copies them into dist/ before calling this script.

import * as esbuild from 'esbuild';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const examplesDir = join(here, '..', 'examples');

await mkdir(dist, { recursive: true });

// The page's script and the Graphviz module: two bundles, nothing fetched
// from elsewhere at run time.
const common = {
  bundle: true,
  format: 'iife',
  minify: true,
  target: ['es2022'],
  logLevel: 'warning',
  legalComments: 'eof',
};
await esbuild.build({ ...common, entryPoints: [join(here, 'src', 'main.js')], outfile: join(dist, 'app.js') });
await esbuild.build({ ...common, entryPoints: [join(here, 'src', 'worker.js')], outfile: join(dist, 'worker.js') });
const boot = await esbuild.build({ ...common, entryPoints: [join(here, 'src', 'boot.js')], write: false });
await esbuild.build({
  ...common,
  entryPoints: [join(here, 'src', 'graphviz.js')],
  outfile: join(dist, 'graphviz.js'),
});

await copyFile(join(here, 'style.css'), join(dist, 'style.css'));

// The first answer's path, shortened by a request each: boot.js written into
// index.html, and bayes.js (when scripts/build-web.sh has put it in dist/)
// at the head of worker.js.
const bootCode = boot.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
const page = (await readFile(join(here, 'index.html'), 'utf8')).replace(
  '<script src="boot.js"></script>',
  () => `<script>${bootCode.trim()}</script>`,
);
await writeFile(join(dist, 'index.html'), page);
try {
  const bayes = await readFile(join(dist, 'bayes.js'), 'utf8');
  const worker = await readFile(join(dist, 'worker.js'), 'utf8');
  await writeFile(join(dist, 'worker.js'), bayes + '\n' + worker);
} catch {
  console.warn('build.mjs: no dist/bayes.js yet; the worker will load it itself');
}

// --- the course -------------------------------------------------------------

// Lesson headings of examples/README.md: "## 7. Beta-Bernoulli — `coin.model`"
// (a heading may name two models) -> { 'coin.model': { lesson: 7, title } }.
function lessonsOf(readme) {
  const lessons = {};
  for (const line of readme.split('\n')) {
    const m = /^##\s+(\d+)\.\s+(.*?)\s+[—–-]+\s+(`.*)$/.exec(line);
    if (!m) continue;
    const names = [...m[3].matchAll(/`([^`]+\.model)`/g)].map((n) => n[1]);
    names.forEach((name, order) => {
      lessons[name] = { lesson: Number(m[1]), order, title: m[2].trim() };
    });
  }
  return lessons;
}

// A model's first comment line, without the file name it may start with
// ("# coin.model — is this coin fair?" -> "is this coin fair?").
function firstComment(text, name) {
  const line = text.split('\n').find((l) => /^\s*#\s*\S/.test(l));
  if (!line) return name;
  let title = line.replace(/^\s*#\s*/, '').trim();
  const prefix = new RegExp('^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\s*[—–:-]\\s*');
  title = title.replace(prefix, '');
  return title || name;
}

let readme = '';
try {
  readme = await readFile(join(examplesDir, 'README.md'), 'utf8');
} catch {
  console.warn('build.mjs: no examples/README.md; titles come from the models');
}
const lessons = lessonsOf(readme);

// The data files, as paths relative to examples/ ("data/groups.csv").
const data = {};
const dataDir = join(examplesDir, 'data');
for (const entry of (await readdir(dataDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
  if (entry.isFile() && /\.(csv|json)$/i.test(entry.name))
    data['data/' + entry.name] = await readFile(join(dataDir, entry.name), 'utf8');
}

const examples = [];
for (const name of (await readdir(examplesDir)).filter((n) => n.endsWith('.model'))) {
  const text = await readFile(join(examplesDir, name), 'utf8');
  const known = lessons[name];
  // The data files this model reads (`data y from "data/groups.csv"`).
  const files = [...new Set([...text.matchAll(/\bfrom\s+"([^"]+)"/g)].map((m) => m[1]))];
  examples.push({
    name,
    lesson: known ? known.lesson : null,
    title: known ? known.title : firstComment(text, name),
    text,
    files,
    order: known ? known.order : 0,
  });
}
// In the course's order; models no lesson names last, by name.
examples.sort((a, b) => (a.lesson ?? 1e9) - (b.lesson ?? 1e9) || a.order - b.order || (a.name < b.name ? -1 : 1));
for (const e of examples) delete e.order;

await writeFile(join(dist, 'examples.json'), JSON.stringify({ examples, data }, null, 1) + '\n');

console.log(
  `built ${dist}: index.html, app.js, worker.js, graphviz.js, style.css, examples.json ` +
    `(${examples.length} examples, ${Object.keys(data).length} data files)`,
);
