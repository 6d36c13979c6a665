// The browser build's size and speed (figures in bench/README.md):
//   - bayes.wasm and bayes.js, gzipped (the page's interpreter);
//   - page load to the coin's answer in headless Chromium (the test hook
//     #model=...&run=1; median of 11 loads, the browser's first load apart),
//     and where the time went;
//   - course examples answered in the page after load against the native
//     binary on the same machine in the same run: the median of 7 runs each,
//     the page's own time (performance.now around main()) against the native
//     process's wall time (its start-up included, which favours the page).
// Usage: node bench/web.mjs NATIVE_BAYES   (after scripts/build-web.sh)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'web/package.json'));
const puppeteer = (await import(require.resolve('puppeteer-core'))).default;
const dist = path.join(root, 'web/dist');
const examples = path.join(root, 'examples');
const native = path.resolve(process.argv[2] || 'build/bayes');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
const sizes = { wasm: gz('bayes.wasm'), js: gz('bayes.js') };
console.log(`bayes.wasm + bayes.js gzipped: ${((sizes.wasm + sizes.js) / 1e6).toFixed(2)} MB ` +
  `(wasm ${(sizes.wasm / 1e6).toFixed(2)}, js ${(sizes.js / 1e3).toFixed(0)} kB)`);

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const file = path.join(dist, url.pathname === '/' ? 'index.html' : url.pathname);
  if (!file.startsWith(dist) || !fs.existsSync(file)) return res.writeHead(404).end();
  const type = { '.wasm': 'application/wasm', '.js': 'text/javascript', '.html': 'text/html' }[path.extname(file)];
  res.writeHead(200, type ? { 'Content-Type': type } : {});
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: 'new', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage();
  const coin = fs.readFileSync(path.join(examples, 'coin.model'), 'utf8');
  const loads = [];
  const steps = {};
  for (let i = 0; i < 11; i++) {
    const t0 = Date.now();
    await page.goto(`${base}index.html?${i}#model=${encodeURIComponent(Buffer.from(coin).toString('base64'))}&run=1`);
    await page.waitForFunction(() => Number(document.body.dataset.runs || 0) > 0, { timeout: 60000 });
    loads.push(Date.now() - t0);
    await page.waitForFunction(() => document.body.dataset.ready === '1', { timeout: 60000 });
    // Where the time went, from the navigation's start (web/src/main.js and
    // engine.js mark each step with the same wall clock in page and worker).
    const at = await page.evaluate(async () => {
      const origin = performance.timeOrigin;
      const nav = performance.getEntriesByType('navigation')[0];
      const worker = await window.bayesEngine.call('marks');
      const boot = window.bayesBoot || {};
      const marks = { boot: boot.started, hook: boot.answered, ...window.bayesMarks, ...worker };
      const all = { html: nav.responseEnd, ...Object.fromEntries(Object.entries(marks)
        .filter(([, v]) => v !== undefined).map(([k, v]) => [k, v - origin])) };
      return all;
    });
    for (const [k, v] of Object.entries(at)) (steps[k] ||= []).push(v);
  }
  console.log(`page load to the coin's answer: median ${median(loads)} ms (${loads.join(', ')})`);
  const order = ['html', 'boot', 'worker', 'script', 'compiled', 'ready', 'hook', 'app', 'engine', 'answer'];
  const names = { html: 'index.html in', boot: 'boot.js running', worker: 'worker running',
    script: 'bayes.js loaded', compiled: 'bayes.wasm compiled', ready: 'interpreter ready',
    hook: 'answer in #output', app: "page's script (editor) running", engine: 'page ready (editor and interpreter)',
    answer: 'answer shown in the editor page' };
  console.log('  median ms from navigation start: ' +
    order.filter((k) => steps[k]).map((k) => `${names[k]} ${median(steps[k]).toFixed(0)}`).join(', '));

  console.log('example            page ms   native ms   page / native');
  for (const name of ['coin.model', 'normal_nig.model', 'poisson_rate.model', 'least_squares.model',
    'hospitals.model', 'logistic.model']) {
    const files = { [name]: fs.readFileSync(path.join(examples, name), 'utf8') };
    for (const f of fs.readdirSync(path.join(examples, 'data')))
      files['data/' + f] = fs.readFileSync(path.join(examples, 'data', f), 'utf8');
    const pageMs = await page.evaluate(async (files, name) => {
      const engine = window.bayesEngine;
      const times = [];
      for (let i = 0; i < 7; i++) times.push((await engine.run({ files, args: [name] })).ms);
      return times;
    }, files, name);
    const nativeMs = [];
    for (let i = 0; i < 7; i++) {
      const t0 = process.hrtime.bigint();
      execFileSync(native, [name], { cwd: examples, stdio: 'ignore' });
      nativeMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const p = median(pageMs), n = median(nativeMs);
    console.log(`${name.padEnd(18)} ${p.toFixed(1).padStart(8)} ${n.toFixed(1).padStart(10)} ${(p / n).toFixed(2).padStart(14)}`);
  }
} finally {
  await browser.close();
  server.close();
}
