// The page: a CodeMirror editor for .model files, the course's examples, data
// files from the user's disk, and the interpreter (./engine.js) answering the
// model, explaining it, drawing its factor graph and its plots, and a REPL.
//
// Hooks for tests:
//   document.body.dataset.ready = "1"   once the interpreter has loaded;
//   document.body.dataset.runs          counts finished runs (Run, Ctrl-Enter,
//                                       the Explain and Graph tabs, the hook);
//   window.bayesLastRun                 the last Run's result from the engine
//                                       ({ args, output, stdout, stderr, status,
//                                       svgs, ms });
//   #model=BASE64&run=1                 on load: the model (UTF-8, standard
//                                       base64) is run with --json and the JSON
//                                       text alone is written into #output.

import { EditorView, basicSetup } from 'codemirror';
import { Prec } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { syntaxHighlighting } from '@codemirror/language';
import { setDiagnostics, lintGutter } from '@codemirror/lint';
import { Engine, loadScript, wallClock } from './engine.js';
import { fetchCourse, fragmentParams, fromBase64, holdVirtualTime, nameOf } from './start.js';
import { modelLanguage, modelHighlight, modelCompletionData } from './lang.js';

const $ = (id) => document.getElementById(id);

// When the page's steps finished (wall-clock ms; bench/web.mjs reads them).
const marks = { app: wallClock() };
window.bayesMarks = marks;

// ---------------------------------------------------------------------------
// State

const app = {
  engine: null,
  examples: [], // [{ name, lesson, title, text, files }] from examples.json
  courseData: {}, // { 'data/groups.csv': text }: every course data file
  example: null, // the example last loaded (its text may since have changed)
  userFiles: new Map(), // file name -> text, from the user's disk
  tab: 'answer',
  // The inputs each view was last computed for (see inputsKey), so that the
  // Explain and Graph tabs run again only when the model or data changed.
  shown: { explain: null, graph: null },
  busy: false,
};

// Finished runs, for tests waiting on them (index.html starts at 0; boot.js
// counts the test hook's run).
function countRun() {
  document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
}

// One engine job at a time, in order (Run, a tab's view, a REPL line).
let queue = Promise.resolve();
function serial(job) {
  const next = queue.then(job, job);
  queue = next.catch(() => {});
  return next;
}

// ---------------------------------------------------------------------------
// Editor

const runKeys = Prec.highest(
  keymap.of([
    { key: 'Mod-Enter', run: () => (requestRun(), true) },
  ]),
);

const editor = new EditorView({
  parent: $('editor'),
  extensions: [
    runKeys,
    basicSetup,
    modelLanguage,
    modelCompletionData,
    syntaxHighlighting(modelHighlight),
    lintGutter(),
    EditorView.contentAttributes.of({ 'aria-label': 'Model editor' }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) updateFileName();
    }),
  ],
});

function editorText() {
  return editor.state.doc.toString();
}

// Puts a new model in the editor; the views of the last one are cleared.
// keepOutput: the answer shown is this text's (the test hook's, run by boot.js).
function setEditorText(text, { keepOutput = false } = {}) {
  editor.dispatch({
    changes: { from: 0, to: editor.state.doc.length, insert: text },
    selection: { anchor: 0 },
    scrollIntoView: true,
  });
  editor.dispatch(setDiagnostics(editor.state, []));
  if (!keepOutput) $('output').textContent = 'Run the model to see its answers.';
  $('explain').textContent = '';
  $('graph').replaceChildren();
  $('dot').textContent = '';
  app.shown = { explain: null, graph: null };
  renderPlots(null, '');
  // The Explain or Graph tab in view shows the new model's.
  showTabView(app.tab);
}

// The model's file name: an example's own when its text is unchanged (the
// answers then match the command line's exactly), else model.model.
function modelName() {
  const text = editorText();
  if (app.example && app.example.text === text) return app.example.name;
  return nameOf(text, app.examples);
}

function updateFileName() {
  const name = modelName();
  $('file-name').textContent = name;
  const ex = app.examples.find((e) => e.name === name);
  $('lesson-title').textContent = ex ? lessonLabel(ex) : app.example ? `edited from ${app.example.name}` : '';
}

function lessonLabel(ex) {
  return (ex.lesson != null ? `Lesson ${ex.lesson}: ` : '') + ex.title;
}

// The files of a run: the course's data (under data/), the user's files and
// the model itself.
function runFiles() {
  const name = modelName();
  const files = { ...app.courseData };
  for (const [file, text] of app.userFiles) files[file] = text;
  files[name] = editorText();
  return { name, files };
}

// A key naming the inputs of a run, to know when a view is out of date: the
// model's name and text, and which version of the user's data files.
let userFilesVersion = 0;
function inputsKey({ name, files }) {
  return `${userFilesVersion}:${name}:${files[name]}`;
}

// ---------------------------------------------------------------------------
// Status line

function setStatus(text, kind = '') {
  const s = $('status');
  s.textContent = text;
  s.className = kind;
}

function formatMs(ms) {
  if (ms < 1000) return `${Math.max(1, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

const statusWords = {
  0: 'answered',
  1: 'the model or its data is wrong',
  2: 'usage error',
  3: 'a numeric method failed or a query could not be answered',
};

function reportStatus(what, r) {
  const words = statusWords[r.status] || `exit status ${r.status}`;
  const kind = r.status === 0 ? 'ok' : r.status === 3 ? 'warn' : 'error';
  setStatus(`${what}: ${words} (exit ${r.status}) in ${formatMs(r.ms)}`, kind);
}

// ---------------------------------------------------------------------------
// Output with clickable locations: "model.model:3:11: error: ..." jumps to
// line 3, column 11 in the editor. The element's text stays the run's text.

function showText(pre, text, name) {
  pre.replaceChildren();
  const re = new RegExp('^(' + escapeRegExp(name) + '):(\\d+):(\\d+):(?= (error|warning))', 'gm');
  let at = 0;
  for (const m of text.matchAll(re)) {
    pre.append(text.slice(at, m.index));
    const a = document.createElement('a');
    a.href = '#';
    a.className = 'loc ' + m[4];
    a.textContent = m[0];
    const line = Number(m[2]);
    const column = Number(m[3]);
    a.addEventListener('click', (event) => {
      event.preventDefault();
      const from = positionOf(editor.state.doc, line, column);
      editor.dispatch({ selection: { anchor: from }, scrollIntoView: true });
      editor.focus();
    });
    pre.append(a);
    at = m.index + m[0].length;
  }
  pre.append(text.slice(at));
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------
// Located errors as CodeMirror diagnostics

const utf8 = new TextEncoder();

// The document offset of (line, column), 1-based, the column counted in
// bytes of UTF-8 as bayes counts it.
function positionOf(doc, line, column) {
  if (line < 1) return 0;
  if (line > doc.lines) return doc.length;
  const l = doc.line(line);
  return l.from + byteToChar(l.text, column - 1);
}

function byteToChar(text, bytes) {
  let b = 0;
  let i = 0;
  for (const ch of text) {
    if (b >= bytes) break;
    b += utf8.encode(ch).length;
    i += ch.length;
  }
  return i;
}

// The underlines of the text report ("   |     ^~~~~" under " 2 | source"),
// by "line:column": how many bytes each error's place spans.
function underlines(text, name) {
  const spans = new Map();
  const lines = text.split('\n');
  const head = new RegExp('^' + escapeRegExp(name) + ':(\\d+):(\\d+): ');
  lines.forEach((line, i) => {
    const m = head.exec(line);
    if (!m) return;
    for (const next of lines.slice(i + 1, i + 3)) {
      const u = /^\s*\|\s?\s*(\^~*)\s*$/.exec(next);
      if (u) {
        spans.set(`${m[1]}:${m[2]}`, u[1].length);
        break;
      }
    }
  });
  return spans;
}

// JSON errors ({file, line, column, severity, message, notes}) of the model
// file -> CodeMirror diagnostics; errors in other files or without a place are
// left to the text output.
function diagnosticsOf(errors, name, spans) {
  const doc = editor.state.doc;
  const out = [];
  for (const e of errors) {
    const file = String(e.file || '').replace(/^\.\//, '');
    if (file !== name || !(e.line > 0)) continue;
    const line = doc.line(Math.min(e.line, doc.lines));
    let from = positionOf(doc, e.line, Math.max(1, e.column || 1));
    let to;
    const bytes = spans.get(`${e.line}:${e.column}`);
    if (bytes > 1) {
      const startByte = utf8.encode(line.text.slice(0, from - line.from)).length;
      to = line.from + byteToChar(line.text, startByte + bytes);
    } else {
      // One token: a name or a number, else one character.
      const rest = line.text.slice(from - line.from);
      const token = /^[A-Za-z0-9_.]+/.exec(rest);
      to = from + (token ? token[0].length : Math.min(1, rest.length));
    }
    if (to <= from) {
      // At the end of a line: mark its last character instead.
      if (from > line.from) from -= 1;
      to = Math.max(to, Math.min(from + 1, line.to));
    }
    const notes = (e.notes || []).map((n) => '\nnote: ' + n).join('');
    out.push({
      from,
      to,
      severity: e.severity === 'warning' ? 'warning' : e.severity === 'note' ? 'info' : 'error',
      source: 'bayes',
      message: e.message + notes,
    });
  }
  return out;
}

function setModelDiagnostics(diags) {
  editor.dispatch(setDiagnostics(editor.state, diags));
}

// Warnings of a model that compiles, from the text report (the JSON lists
// them under "diagnostics", but the answer run is a text run).
function warningsOf(text, name) {
  const re = new RegExp('^' + escapeRegExp(name) + ':(\\d+):(\\d+): warning: (.*)$', 'gm');
  return [...text.matchAll(re)].map((m) => ({
    file: name,
    line: Number(m[1]),
    column: Number(m[2]),
    severity: 'warning',
    message: m[3],
    notes: [],
  }));
}

// ---------------------------------------------------------------------------
// SVG, inserted inline: parsed and stripped of anything active first (a
// shared link's model names the files and labels).

function safeSvg(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (!svg || svg.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
  for (const el of svg.querySelectorAll('script, foreignObject, iframe, object, embed, use[href^="http"]')) el.remove();
  for (const el of [svg, ...svg.querySelectorAll('*')]) {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name) || (/href$/i.test(attr.name) && !/^#/.test(attr.value.trim())))
        el.removeAttribute(attr.name);
    }
  }
  return document.importNode(svg, true);
}

let plotUrls = [];
function renderPlots(svgs, from) {
  const plots = $('plots');
  plots.replaceChildren();
  for (const url of plotUrls) URL.revokeObjectURL(url);
  plotUrls = [];
  const names = Object.keys(svgs || {}).sort();
  for (const name of names) {
    const figure = document.createElement('figure');
    figure.className = 'plot';
    const svg = safeSvg(svgs[name]);
    if (svg) figure.append(svg);
    const caption = document.createElement('figcaption');
    caption.textContent = name + (from ? ` (${from})` : '');
    const save = document.createElement('a');
    save.textContent = 'download';
    save.download = name.split('/').pop();
    save.href = URL.createObjectURL(new Blob([svgs[name]], { type: 'image/svg+xml' }));
    plotUrls.push(save.href);
    caption.append(' · ', save);
    figure.append(caption);
    plots.append(figure);
  }
  if (!names.length) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = svgs ? 'No plots: this run wrote no SVG file.' : 'No plots yet.';
    plots.append(p);
  }
  const badge = $('plot-count');
  badge.hidden = names.length === 0;
  badge.textContent = String(names.length);
}

// ---------------------------------------------------------------------------
// Runs

function requestRun() {
  if (!app.engine) {
    setStatus('The interpreter is still loading…');
    return;
  }
  if (app.busy) return;
  serial(() => runAnswer({ alsoTab: true }));
}

// Runs the model and shows its answers; when the model is wrong (exit 1),
// runs it again with --json and marks each located error in the editor.
// With json (the test hook) the run is `--json` and #output gets its JSON.
async function runAnswer({ json = false, alsoTab = false } = {}) {
  app.busy = true;
  $('run').disabled = true;
  setStatus('Running…', 'busy');
  const inputs = runFiles();
  const { name, files } = inputs;
  try {
    const args = json ? [name, '--json'] : [name];
    const r = await app.engine.run({ files, args });
    await showRun(r, { args, json, name, files });
    // The Explain or Graph tab in view is brought up to date in the same run.
    if (alsoTab && (app.tab === 'explain' || app.tab === 'graph')) {
      await computeTab(app.tab, inputs, false).catch((e) => setStatus(`${app.tab}: ${e.message || e}`, 'error'));
    }
    return r;
  } catch (e) {
    showFailure(e);
  } finally {
    app.busy = false;
    $('run').disabled = false;
    countRun();
  }
}

// The test hook's run, made by boot.js before this script was read (and
// counted there), shown as a Run of the page shows its own.
async function showBootRun() {
  try {
    const { result, args, name, files } = await window.bayesBoot.hook;
    await showRun(result, { args, json: true, name, files });
  } catch (e) {
    showFailure(e);
  }
}

function showFailure(e) {
  $('output').textContent = 'The interpreter failed: ' + (e && e.message ? e.message : e);
  setStatus('The interpreter failed', 'error');
}

// A run's answers: the text (or the --json text alone), the errors marked in
// the editor, the plots and the status line.
async function showRun(r, { args, json, name, files }) {
  const output = $('output');
  // For tests: the run's result as the engine gave it (not the --json run
  // that locates errors).
  window.bayesLastRun = { args, ...r };
  let errors = [];
  if (json) {
    output.textContent = r.stdout;
    try {
      const doc = JSON.parse(r.stdout);
      errors = [...(doc.errors || []), ...(doc.diagnostics || [])];
    } catch {
      /* not JSON: leave the text as it is */
    }
  } else {
    showText(output, r.output || '(no output)', name);
    if (r.status === 1) {
      const j = await app.engine.run({ files, args: [name, '--json'] });
      try {
        errors = JSON.parse(j.stdout).errors || [];
      } catch {
        errors = [];
      }
    } else {
      errors = warningsOf(r.output, name);
    }
  }
  setModelDiagnostics(diagnosticsOf(errors, name, underlines(r.output, name)));
  renderPlots(r.svgs, '');
  reportStatus(json ? 'Run (--json)' : 'Run', r);
}

// The Explain and Graph tabs: run with --explain / --graph, when the model or
// the data changed since the tab was last drawn.
async function computeTab(tab, inputs = runFiles(), report = true) {
  const key = inputsKey(inputs);
  if (app.shown[tab] === key) return;
  const { name, files } = inputs;
  let r;
  if (tab === 'explain') {
    r = await app.engine.run({ files, args: [name, '--explain'] });
    showText($('explain'), r.output || '(no output)', name);
  } else {
    r = await app.engine.run({ files, args: [name, '--graph'] });
    await drawGraph(r, name);
  }
  if (report) reportStatus(tab === 'explain' ? 'Explain' : 'Graph', r);
  app.shown[tab] = key;
}

function showTabView(tab) {
  if (!app.engine || (tab !== 'explain' && tab !== 'graph')) return;
  if (app.shown[tab] === inputsKey(runFiles())) return;
  serial(async () => {
    setStatus(tab === 'explain' ? 'Explaining…' : 'Drawing the graph…', 'busy');
    try {
      await computeTab(tab);
    } catch (e) {
      setStatus(`${tab}: ${e && e.message ? e.message : e}`, 'error');
    } finally {
      countRun();
    }
  });
}

// Graphviz (dist/graphviz.js, loaded once, on first use).
let graphvizReady = null;
function graphviz() {
  if (!graphvizReady) {
    graphvizReady = loadScript('graphviz.js').then(() => globalThis.bayesGraphviz.load());
    graphvizReady.catch(() => (graphvizReady = null));
  }
  return graphvizReady;
}


async function drawGraph(r, name) {
  const graph = $('graph');
  const dot = r.status === 0 ? r.stdout : '';
  $('dot').textContent = dot;
  $('dot-details').hidden = !dot;
  if (!dot.trim()) {
    const pre = document.createElement('pre');
    pre.className = 'graph-error';
    showText(pre, r.output || '(no graph)', name);
    graph.replaceChildren(pre);
    return;
  }
  try {
    const gv = await graphviz();
    const svg = safeSvg(gv.dot(dot));
    graph.replaceChildren(...(svg ? [svg] : []));
  } catch (e) {
    const p = document.createElement('p');
    p.className = 'graph-error';
    p.textContent = 'Graphviz could not draw the graph: ' + (e && e.message ? e.message : e);
    graph.replaceChildren(p);
  }
}

// ---------------------------------------------------------------------------
// Tabs

function selectTab(tab) {
  app.tab = tab;
  for (const button of document.querySelectorAll('[role="tab"]')) {
    const on = button.dataset.tab === tab;
    button.setAttribute('aria-selected', String(on));
    button.tabIndex = on ? 0 : -1;
    $('panel-' + button.dataset.tab).hidden = !on;
  }
  showTabView(tab);
}

for (const button of document.querySelectorAll('[role="tab"]')) {
  button.addEventListener('click', () => selectTab(button.dataset.tab));
  button.addEventListener('keydown', (event) => {
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    const i = tabs.indexOf(button);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    next.focus();
    selectTab(next.dataset.tab);
  });
}

// ---------------------------------------------------------------------------
// The course

async function loadExamples() {
  // Fetched by boot.js while the page's script loaded.
  const doc = await (window.bayesBoot ? window.bayesBoot.course : fetchCourse());
  app.examples = doc.examples || [];
  app.courseData = doc.data || {};
  const nav = $('examples');
  nav.replaceChildren();
  for (const ex of app.examples) {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.example = ex.name;
    b.title = ex.name;
    const n = document.createElement('span');
    n.className = 'lesson-number';
    n.textContent = ex.lesson != null ? String(ex.lesson) : '·';
    const t = document.createElement('span');
    t.className = 'lesson-title';
    t.textContent = ex.title;
    const f = document.createElement('span');
    f.className = 'lesson-file';
    f.textContent = ex.name;
    b.append(n, t, f);
    b.addEventListener('click', () => loadExample(ex.name, { updateUrl: true }));
    nav.append(b);
  }
}

function loadExample(name, { updateUrl = false } = {}) {
  const ex = app.examples.find((e) => e.name === name);
  if (!ex) return false;
  app.example = ex;
  setEditorText(ex.text);
  for (const b of $('examples').querySelectorAll('button'))
    b.classList.toggle('current', b.dataset.example === name);
  if (updateUrl) history.replaceState(null, '', '#example=' + encodeURIComponent(name));
  updateFileName();
  renderDataList();
  return true;
}

// ---------------------------------------------------------------------------
// Data files from the user's disk (never sent anywhere: read into memory and
// written into the interpreter's in-memory file system for each run).

async function addFiles(fileList) {
  const skipped = [];
  let added = 0;
  for (const file of fileList) {
    if (/\.model$/i.test(file.name)) {
      app.example = null;
      setEditorText(await file.text());
      updateFileName();
      continue;
    }
    if (!/\.(csv|json)$/i.test(file.name)) {
      skipped.push(file.name);
      continue;
    }
    app.userFiles.set(file.name, await file.text());
    added++;
  }
  userFilesVersion++;
  renderDataList();
  if (skipped.length) setStatus(`Not a CSV or JSON file: ${skipped.join(', ')}`, 'warn');
  else if (added) setStatus(`Added ${added} data file${added > 1 ? 's' : ''}`, 'ok');
}

function renderDataList() {
  const list = $('data-list');
  list.replaceChildren();
  for (const [name, text] of app.userFiles) {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = name;
    code.title = `data ... from "${name}"`;
    const size = document.createElement('span');
    size.className = 'muted';
    size.textContent = ' ' + formatSize(text.length);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = '×';
    remove.title = 'Remove ' + name;
    remove.setAttribute('aria-label', 'Remove ' + name);
    remove.addEventListener('click', () => {
      app.userFiles.delete(name);
      userFilesVersion++;
      renderDataList();
    });
    li.append(code, size, remove);
    list.append(li);
  }
  // The course's data files the loaded example reads.
  for (const path of (app.example && app.example.files) || []) {
    if (!(path in app.courseData)) continue;
    const li = document.createElement('li');
    li.className = 'course-file';
    const code = document.createElement('code');
    code.textContent = path;
    const note = document.createElement('span');
    note.className = 'muted';
    note.textContent = ' course data';
    li.append(code, note);
    list.append(li);
  }
}

function formatSize(chars) {
  return chars < 1024 ? `${chars} B` : chars < 1048576 ? `${(chars / 1024).toFixed(1)} kB` : `${(chars / 1048576).toFixed(1)} MB`;
}

$('data-files').addEventListener('change', async (event) => {
  await addFiles(event.target.files);
  event.target.value = '';
});

// Drag and drop anywhere on the page.
let dragDepth = 0;
function hasFiles(event) {
  return event.dataTransfer && [...event.dataTransfer.types].includes('Files');
}
document.addEventListener('dragenter', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dragDepth++;
  $('drop-overlay').hidden = false;
});
document.addEventListener('dragover', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
});
document.addEventListener('dragleave', (event) => {
  if (!hasFiles(event)) return;
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) $('drop-overlay').hidden = true;
});
document.addEventListener('drop', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dragDepth = 0;
  $('drop-overlay').hidden = true;
  addFiles(event.dataTransfer.files);
});

// ---------------------------------------------------------------------------
// The REPL

const repl = { continues: false, history: [], at: 0, lines: 0 };

function replPrompt() {
  return repl.continues ? '  ...>' : 'bayes>';
}

function replAppend(text, cls) {
  const log = $('repl-log');
  const span = document.createElement('span');
  if (cls) span.className = cls;
  span.textContent = text.endsWith('\n') || !text ? text : text + '\n';
  log.append(span);
  log.scrollTop = log.scrollHeight;
}

async function replSend(line) {
  if (!app.engine) {
    setStatus('The interpreter is still loading…');
    return;
  }
  replAppend(`${replPrompt()} ${line}`, 'repl-echo');
  if (line.trim()) repl.history.push(line);
  repl.at = repl.history.length;
  const files = { ...app.courseData };
  for (const [file, text] of app.userFiles) files[file] = text;
  await serial(async () => {
    try {
      const r = await app.engine.repl(line, files);
      if (r.output) replAppend(r.output, r.status === 1 ? 'repl-error' : '');
      repl.continues = r.status === 2;
      if (r.svgs && Object.keys(r.svgs).length) renderPlots(r.svgs, 'REPL');
    } catch (e) {
      replAppend('The interpreter failed: ' + (e && e.message ? e.message : e), 'repl-error');
      repl.continues = false;
    }
    $('repl-prompt').textContent = replPrompt();
    repl.lines++;
    document.body.dataset.repl = String(repl.lines);
  });
}

$('repl-input').addEventListener('keydown', (event) => {
  const input = event.target;
  if (event.key === 'Enter') {
    event.preventDefault();
    const line = input.value;
    input.value = '';
    replSend(line);
  } else if (event.key === 'ArrowUp' && repl.at > 0) {
    event.preventDefault();
    input.value = repl.history[--repl.at];
  } else if (event.key === 'ArrowDown') {
    event.preventDefault();
    repl.at = Math.min(repl.history.length, repl.at + 1);
    input.value = repl.history[repl.at] ?? '';
  }
});

$('repl-reset').addEventListener('click', () => {
  if (!app.engine) return;
  serial(async () => {
    await app.engine.replReset();
    repl.continues = false;
    $('repl-prompt').textContent = replPrompt();
    $('repl-log').replaceChildren();
    replAppend('(session reset)', 'repl-note');
  });
});

// The sequential-update lesson, one line at a time: a click puts the line in
// the input, Enter sends it.
const replSteps = [
  'data flips = [1, 0, 1]',
  'param p ~ Beta(1, 1)',
  'flips ~ Bernoulli(p)',
  'p',
  'data flips = [1, 0, 1, 1, 1, 0, 1, 1]',
  'p',
  'map(p)',
];
replAppend('Type a statement (data, param, an observation) or a question (p, map(p), p > 0.5);\n' +
  'defining a name again replaces it. Enter sends the line.', 'repl-note');
for (const step of replSteps) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'chip';
  b.textContent = step;
  b.addEventListener('click', () => {
    const input = $('repl-input');
    input.value = step;
    input.focus();
  });
  $('repl-steps').append(b);
}

// ---------------------------------------------------------------------------
// Share links: #z= the model deflated (raw DEFLATE) in base64url.

function toBase64Url(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function pipeBytes(bytes, transform) {
  const stream = new Blob([bytes]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function shareLink() {
  const packed = await pipeBytes(utf8.encode(editorText()), new CompressionStream('deflate-raw'));
  const url = new URL(location.href);
  url.hash = 'z=' + toBase64Url(packed);
  history.replaceState(null, '', url.hash);
  const note = app.userFiles.size ? ' (the model only: your data files stay here)' : '';
  try {
    await navigator.clipboard.writeText(url.href);
    setStatus('Link copied' + note, 'ok');
  } catch {
    // No clipboard (an insecure context or no permission): the link is in
    // the address bar.
    setStatus('The link is in the address bar' + note, 'ok');
  }
  return url.href;
}

async function unpackShared(z) {
  const bytes = await pipeBytes(fromBase64(z), new DecompressionStream('deflate-raw'));
  return new TextDecoder().decode(bytes);
}

$('share').addEventListener('click', () => {
  shareLink().catch((e) => setStatus('Could not make a link: ' + e.message, 'error'));
});

// ---------------------------------------------------------------------------
// The fragment: #z=... (a shared model), #model=BASE64[&run=1] (the test
// hook), #example=coin.model.

// Loads what the fragment names; returns whether it asks for a run.
// atLoad: the page's first reading of it (boot.js may have run the model).
async function applyFragment({ atLoad = false } = {}) {
  const params = fragmentParams();
  if (params.has('model')) {
    app.example = null;
    // With run=1, boot.js has run it already (or is running it).
    const booted = atLoad && params.get('run') === '1' && Boolean(window.bayesBoot && window.bayesBoot.hook);
    setEditorText(new TextDecoder().decode(fromBase64(params.get('model'))), { keepOutput: booted });
    updateFileName();
    renderDataList();
    return params.get('run') === '1' ? (booted ? 'boot' : 'json') : null;
  }
  if (params.has('z')) {
    app.example = null;
    setEditorText(await unpackShared(params.get('z')));
    updateFileName();
    renderDataList();
    return params.get('run') === '1' ? 'text' : null;
  }
  if (params.has('example') && loadExample(params.get('example'))) return null;
  return undefined; // nothing named
}

window.addEventListener('hashchange', () => {
  applyFragment()
    .then((run) => run && app.engine && serial(() => runAnswer({ json: run === 'json' })))
    .catch((e) => setStatus('Could not read the link: ' + e.message, 'error'));
});

// ---------------------------------------------------------------------------
// Start

$('run').addEventListener('click', requestRun);
document.addEventListener('keydown', (event) => {
  // Ctrl-Enter anywhere but the REPL's input (the editor has its own key).
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target.id !== 'repl-input' &&
      !editor.hasFocus) {
    event.preventDefault();
    requestRun();
  }
});
if (/Mac|iPhone|iPad/.test(navigator.platform)) document.querySelector('.shortcut kbd').textContent = '⌘';

async function start() {
  const release = holdVirtualTime();
  try {
    await startPage();
  } finally {
    release();
  }
}

async function startPage() {
  // Started by boot.js before this script was read (Engine.start() where the
  // page was loaded without it).
  const engineReady = window.bayesBoot ? window.bayesBoot.engine : Engine.start();
  let run = null;
  try {
    await loadExamples();
  } catch (e) {
    $('examples').textContent = 'The examples could not be loaded: ' + e.message;
  }
  try {
    run = await applyFragment({ atLoad: true });
    if (run === undefined) {
      run = null;
      if (!loadExample('coin.model') && app.examples.length) loadExample(app.examples[0].name);
    }
  } catch (e) {
    setStatus('Could not read the link: ' + e.message, 'error');
    run = null;
  }
  renderDataList();
  try {
    app.engine = await engineReady;
  } catch (e) {
    setStatus('The interpreter could not be loaded: ' + (e && e.message ? e.message : e), 'error');
    $('output').textContent = 'The interpreter (bayes.js, bayes.wasm) could not be loaded.\n' + (e && e.stack ? e.stack : e);
    return;
  }
  marks.engine = wallClock();
  window.bayesEngine = app.engine;  // for scripts (bench/web.mjs times runs through it)
  document.body.dataset.ready = '1';
  $('run').disabled = false;
  setStatus('Ready. Press Run or Ctrl-Enter.', 'ok');
  if (run === 'boot') await serial(showBootRun);
  else if (run) await serial(() => runAnswer({ json: run === 'json' }));
  marks.answer = wallClock();
}

start();
