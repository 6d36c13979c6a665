// What a person sees in a browser, checked by headless Chromium (Debian's,
// driven by puppeteer-core: no browser is downloaded). Serves web/dist/ on
// a local port and:
//   1. runs every course example (examples/*.model with a .out beside it) in
//      the page and compares its output and exit status with the native
//      binary's, byte for byte (answers from the NUTS sampler: the same text,
//      and numbers within their Monte Carlo error, see sameWithinMcse);
//   2. opens `index.html#model=B64&run=1` and compares the --json answer the
//      page writes into <pre id="output"> with the native `--json`;
//   3. clicks Run on a model with an error and checks the editor marks the
//      line the native binary names;
//   4. loads a CSV file through the file input and answers a model reading it;
//   5. draws a plot and takes a screenshot of the page;
//   6. types the sequential-update lesson into the REPL panel;
//   7. times page load -> the coin's answer.
// Usage: node web/test/check.mjs NATIVE_BAYES OUT_DIR
// Exit status 0 when every check passes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const dist = path.join(root, 'web/dist');
const examples = path.join(root, 'examples');
const [nativeArg, outArg] = process.argv.slice(2);
if (!nativeArg || !outArg) {
  console.error('usage: node web/test/check.mjs NATIVE_BAYES OUT_DIR');
  process.exit(2);
}
const native = path.resolve(nativeArg);
const outDir = path.resolve(outArg);
fs.mkdirSync(outDir, { recursive: true });

let failures = 0;
function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? '\n' + detail : ''}`);
  if (!ok) failures++;
}

// The native binary's answer: stdout, stderr and status, run in `dir`.
function runNative(args, dir) {
  const r = spawnSync(native, args, { cwd: dir, encoding: 'utf8' });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

// The first lines where two texts differ, for a failure's message.
function firstDifference(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i]) return `  line ${i + 1}:\n    page:   ${JSON.stringify(x[i])}\n    native: ${JSON.stringify(y[i])}`;
  return '';
}

// Answers from the NUTS sampler ("[sampling") cannot be byte-identical
// across builds: a trajectory magnifies the last bit of exp and log, which
// differs between C libraries (and, natively, between CPUs with and without
// FMA: glibc picks its code by the CPU). Their text must match with every
// number masked, and each mean, sd and probability must agree within five
// combined Monte Carlo standard errors (those printed beside them).
const numberRe = /-?\d+(\.\d+)?(e[-+]\d+)?/g;
function sameWithinMcse(page, nat) {
  const a = page.split('\n'), b = nat.split('\n');
  if (a.length !== b.length) return `  ${a.length} lines in the page, ${b.length} natively`;
  for (let i = 0; i < a.length; i++) {
    if (a[i].replace(numberRe, '#') !== b[i].replace(numberRe, '#'))
      return `  line ${i + 1} differs in its words:\n    page:   ${a[i]}\n    native: ${b[i]}`;
    const close = (x, y, m1, m2, what) =>
      Math.abs(x - y) <= 5 * Math.hypot(m1, m2) ? '' :
        `  line ${i + 1}: ${what} ${x} (page) and ${y} (native) differ by more than 5 mcse`;
    // "mean A   sd B ..." with "mcse of the mean M, of the sd S ..." below it.
    const m = /^\s+mean (\S+)\s+sd (\S+)/;
    const e = /mcse of the mean (\S+), of the sd (\S+)/;
    if (m.test(a[i]) && i + 1 < a.length && e.test(a[i + 1])) {
      const [, ma, sa] = a[i].match(m).map(Number), [, mb, sb] = b[i].match(m).map(Number);
      const [, ema, esa] = a[i + 1].match(e).map(parseFloat), [, emb, esb] = b[i + 1].match(e).map(parseFloat);
      const why = close(ma, mb, ema, emb, 'mean') || close(sa, sb, esa, esb, 'sd');
      if (why) return why;
    }
    // "prob(...) = P   [sampling, ..., mcse M]"
    const p = /= (\S+)\s+\[sampling.*mcse ([0-9.e-]+)\]/;
    if (p.test(a[i])) {
      const [, pa, ea] = a[i].match(p), [, pb, eb] = b[i].match(p);
      const why = close(Number(pa), Number(pb), Number(ea), Number(eb), 'probability');
      if (why) return why;
    }
  }
  return '';
}

// A static server for web/dist/ on a free port.
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const file = path.join(dist, decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
  if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: 'new',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  // Waits for the page's next finished run (document.body.dataset.runs grows).
  const runsNow = () => page.evaluate(() => Number(document.body.dataset.runs || 0));
  async function waitRun(before) {
    await page.waitForFunction((n) => Number(document.body.dataset.runs || 0) > n, { timeout: 120000 }, before);
  }
  async function openModel(text, extra = '') {
    await page.goto(`${base}index.html?${Date.now()}#model=${encodeURIComponent(b64(text))}${extra}`);
    await page.waitForFunction(() => document.body.dataset.ready === '1', { timeout: 60000 });
  }
  async function clickRun() {
    const before = await runsNow();
    await page.click('#run');
    await waitRun(before);
    return page.evaluate(() => window.bayesLastRun);
  }

  // 7 (first, on a fresh page): load -> the coin's answer.
  const coin = fs.readFileSync(path.join(examples, 'coin.model'), 'utf8');
  const t0 = Date.now();
  await page.goto(`${base}index.html#model=${encodeURIComponent(b64(coin))}&run=1`);
  await page.waitForFunction(() => Number(document.body.dataset.runs || 0) > 0, { timeout: 60000 });
  const loadToAnswer = Date.now() - t0;
  console.log(`page load to the coin's answer: ${loadToAnswer} ms`);
  fs.writeFileSync(path.join(outDir, 'timing.json'), JSON.stringify({ load_to_coin_ms: loadToAnswer }) + '\n');

  // 2. The test hook: the --json answer in <pre id="output">.
  // JSON numbers carry all 17 digits, where the two builds' C libraries may
  // differ in the last bit (a Beta quantile's logs): numbers agree to 1e-12
  // relative, everything else exactly.
  const json = await page.$eval('#output', (e) => e.textContent);
  const nativeJson = runNative(['coin.model', '--json'], examples);
  const sameJson = (a, b) => {
    if (typeof a === 'number' && typeof b === 'number')
      return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const ka = Object.keys(a), kb = Object.keys(b);
      return ka.join() === kb.join() && ka.every((k) => sameJson(a[k], b[k]));
    }
    return a === b;
  };
  let parsed = null;
  try { parsed = JSON.parse(json); } catch { /* reported below */ }
  check(parsed !== null && sameJson(parsed, JSON.parse(nativeJson.stdout)),
    'index.html#model=...&run=1 prints the native --json answer (numbers to 1e-12)',
    firstDifference(json.trim(), nativeJson.stdout.trim()));

  // 1. Every course example, clicked in the list and run.
  await page.goto(`${base}index.html?examples`);
  await page.waitForFunction(() => document.body.dataset.ready === '1', { timeout: 60000 });
  const models = fs.readdirSync(examples).filter((f) => f.endsWith('.model') &&
    fs.existsSync(path.join(examples, f.replace(/\.model$/, '.out'))));
  for (const name of models) {
    await page.click(`[data-example="${name}"]`);
    const r = await clickRun();
    const want = runNative([name], examples);
    const identical = r && r.stdout === want.stdout && r.stderr === want.stderr && r.status === want.status;
    const ms = r ? Math.round(r.ms) : '?';
    if (identical || !r || !want.stdout.includes('[sampling')) {
      check(identical, `course example ${name}: page output = native output, byte for byte (${ms} ms)`,
        r ? firstDifference(r.stdout + r.stderr, want.stdout + want.stderr) : '  no run recorded');
    } else {
      const why = r.status === want.status && r.stderr === want.stderr ? sameWithinMcse(r.stdout, want.stdout)
        : '  exit status or errors differ';
      check(!why, `course example ${name}: sampled answers within 5 mcse of the native ones (${ms} ms)`, why);
    }
  }

  // 3. A model with an error: the line is marked in the editor.
  const broken = 'data flips = [1, 0, 1]\nparam p ~ Beta(1, 1)\nflips ~ Bernouli(p)\nprint posterior(p)\n';
  await openModel(broken);
  const r3 = await clickRun();
  fs.writeFileSync(path.join(outDir, 'broken.model'), broken);
  const want3 = runNative(['broken.model'], outDir);
  const line = Number((want3.stderr.match(/broken\.model:(\d+):\d+: error/) || [])[1]);
  check(r3 && r3.status === 1 && want3.status === 1, 'a model error exits with status 1 in the page as natively');
  await page.waitForSelector('.cm-lintRange-error', { timeout: 10000 }).catch(() => null);
  const marked = await page.evaluate(() => {
    const mark = document.querySelector('.cm-lintRange-error');
    const lineEl = mark && mark.closest('.cm-line');
    return lineEl ? [...document.querySelectorAll('.cm-content .cm-line')].indexOf(lineEl) + 1 : 0;
  });
  check(line > 0 && marked === line, `the editor marks the error at line ${line} (marked: ${marked})`);

  // 4. A CSV from "the user's disk", read by the model.
  const csvPath = path.join(outDir, 'heights.csv');
  fs.writeFileSync(csvPath, 'height\n171.2\n168.4\n180.1\n175.5\n162.9\n177.0\n');
  const csvModel = 'data height from "heights.csv"\nparam mu ~ Normal(170, 20)\nheight ~ Normal(mu, 8)\nprint posterior(mu)\n';
  fs.writeFileSync(path.join(outDir, 'heights.model'), csvModel);
  await openModel(csvModel);
  const input = await page.$('#data-files');
  await input.uploadFile(csvPath);
  await page.waitForFunction(() => document.body.textContent.includes('heights.csv'), { timeout: 10000 });
  const r4 = await clickRun();
  const want4 = runNative(['heights.model'], outDir);
  check(r4 && r4.stdout === want4.stdout && r4.status === want4.status,
    'a CSV file opened from disk is read by the model as natively', r4 ? firstDifference(r4.stdout, want4.stdout) : '');

  // 5. A plot, drawn inline, and a screenshot of the page.
  const plotModel = fs.readFileSync(path.join(examples, 'ab_test.model'), 'utf8') + '\nplot lift to "lift.svg"\n';
  await openModel(plotModel);
  await clickRun();
  const svgs = await page.$$eval('#plots svg', (list) => list.length);
  check(svgs >= 1, `the plot is drawn in the page (${svgs} svg)`);
  const plotsTab = await page.$('[data-tab="plots"]');
  if (plotsTab) await plotsTab.click();
  await page.screenshot({ path: path.join(outDir, 'page.png') });
  console.log(`screenshot: ${path.join(outDir, 'page.png')}`);

  // 6. The REPL panel: the sequential-update lesson.
  await page.goto(`${base}index.html?repl`);
  await page.waitForFunction(() => document.body.dataset.ready === '1', { timeout: 60000 });
  const lines = ['data flips = [1, 0, 1]', 'param p ~ Beta(1, 1)', 'flips ~ Bernoulli(p)',
    'print posterior(p)', 'data flips = [1, 0, 1, 1, 1, 0, 1]', 'print posterior(p)'];
  for (const l of lines) {
    await page.type('#repl-input', l);
    await page.keyboard.press('Enter');
    await page.waitForFunction((t) => document.querySelector('#repl-log').textContent.includes(t), {}, l);
  }
  await page.waitForFunction(() => document.querySelector('#repl-log').textContent.includes('Beta(a = 6, b = 3)'),
    { timeout: 10000 }).catch(() => null);
  const log = await page.$eval('#repl-log', (e) => e.textContent);
  check(log.includes('Beta(a = 3, b = 2)') && log.includes('Beta(a = 6, b = 3)'),
    'the REPL panel updates the posterior as data arrive (Beta(3, 2), then Beta(6, 3))');

  check(pageErrors.length === 0, 'no JavaScript errors on the page', pageErrors.join('\n'));
} finally {
  await browser.close();
  server.close();
}
console.log(failures ? `${failures} browser checks failed` : 'all browser checks passed');
process.exit(failures ? 1 : 0);
