// The interpreter in the page: bayes.js + bayes.wasm (the command-line
// program compiled by Emscripten, scripts/build-web.sh) run in a Web Worker
// (worker.js, src/worker.js), so that a long computation never freezes the
// page. Where the browser allows no worker (a page opened from file://), the
// same code runs on the page's own thread.
//
//   const engine = await Engine.start();
//   const r = await engine.run({ files: { 'coin.model': text }, args: ['coin.model'] });
//   // r: { output, stdout, stderr, status, svgs: { 'p.svg': '<svg ...' }, ms }
//   const l = await engine.repl('param p ~ Beta(1, 1)');  // { output, status: 0 | 1 | 2 }
//   await engine.replReset();
//
// A run is exactly `bayes ARGS` on the command line: main() is called with the
// arguments in an empty working folder holding `files` (Emscripten's
// in-memory file system), and answers with the same text and exit status.

// Everything the interpreter needs, given the module factory (createBayes,
// from bayes.js) and the folder bayes.wasm is in: the worker's side, or the
// page's where there is no worker.
// `compiled`, when given, is bayes.wasm already being compiled (a promise of
// a WebAssembly.Module: see compileBayes). `marks` collects when each step
// finished (wall-clock ms, comparable between the page and its worker).
export function bayesCore(createBayes, base, compiled = null, marks = {}) {
  let sink = null;
  const options = {
    locateFile: (path) => base + path,
    print: (line) => sink && sink('out', line),
    printErr: (line) => sink && sink('err', line),
  };
  let failed = null;
  let failure = null;
  if (compiled) {
    failure = new Promise((_, reject) => (failed = reject));
    failure.catch(() => {});
    options.instantiateWasm = (imports, receive) => {
      compiled
        .then((module) => {
          marks.compiled = wallClock();
          return WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module));
        })
        .catch(failed);
      return {};
    };
  }
  const created = createBayes(options).then((M) => {
    marks.ready = wallClock();
    return M;
  });
  const ready = failure ? Promise.race([created, failure]) : created;
  let runs = 0;

  // Writes {path: text} under dir, making the folders a path names.
  function writeFiles(FS, dir, files) {
    for (const [path, text] of Object.entries(files || {})) {
      const parts = path.split('/').filter((p) => p && p !== '.');
      let at = dir;
      for (const part of parts.slice(0, -1)) {
        at += '/' + part;
        if (!FS.analyzePath(at).exists) FS.mkdir(at);
      }
      FS.writeFile(at + '/' + parts[parts.length - 1], text);
    }
  }

  // The SVG files under dir (plots written by `plot x to "x.svg"`).
  function svgsUnder(FS, dir, prefix, out) {
    for (const name of FS.readdir(dir)) {
      if (name === '.' || name === '..') continue;
      const path = dir + '/' + name;
      const stat = FS.stat(path);
      if (FS.isDir(stat.mode)) svgsUnder(FS, path, prefix + name + '/', out);
      else if (name.endsWith('.svg')) out[prefix + name] = FS.readFile(path, { encoding: 'utf8' });
    }
    return out;
  }

  function removeTree(FS, dir) {
    for (const name of FS.readdir(dir)) {
      if (name === '.' || name === '..') continue;
      const path = dir + '/' + name;
      if (FS.isDir(FS.stat(path).mode)) removeTree(FS, path);
      else FS.unlink(path);
    }
    FS.rmdir(dir);
  }

  // Runs fn with the program's lines collected: both streams in the order
  // they were written (as a terminal shows them), and each alone.
  function collect(fn) {
    const text = { output: '', stdout: '', stderr: '' };
    sink = (stream, line) => {
      text.output += line + '\n';
      text[stream === 'out' ? 'stdout' : 'stderr'] += line + '\n';
    };
    try {
      return Object.assign(text, fn());
    } finally {
      sink = null;
    }
  }

  return {
    async run({ files, args }) {
      const M = await ready;
      const FS = M.FS;
      const dir = '/run' + ++runs;
      FS.mkdir(dir);
      writeFiles(FS, dir, files);
      FS.chdir(dir);
      try {
        const t0 = performance.now();
        const result = collect(() => {
          let status;
          try {
            status = M.callMain(args.map(String));
          } catch (e) {
            sink('err', 'bayes: error: ' + e);
            status = 3;
          }
          return { status };
        });
        result.ms = performance.now() - t0;
        result.svgs = svgsUnder(FS, dir, '', {});
        return result;
      } finally {
        FS.chdir('/');
        removeTree(FS, dir);
      }
    },

    // One line of the REPL session (src/cli/main.cpp: bayes_repl_line), in
    // the folder /repl, where `files` (data the session reads) are written
    // first.
    async repl({ line, files }) {
      const M = await ready;
      const FS = M.FS;
      if (!FS.analyzePath('/repl').exists) FS.mkdir('/repl');
      writeFiles(FS, '/repl', files);
      FS.chdir('/repl');
      const result = collect(() => {
        const said = M.ccall('bayes_repl_line', 'string', ['string'], [line]);
        return { said, status: M._bayes_repl_status() };
      });
      result.output += result.said;
      delete result.said;
      result.svgs = svgsUnder(FS, '/repl', '', {});
      return result;
    },

    async replReset() {
      const M = await ready;
      M._bayes_repl_reset();
      return {};
    },

    // When the interpreter's steps finished (for bench/web.mjs).
    async marks() {
      return marks;
    },
  };
}

// Milliseconds since 1970 with performance.now()'s resolution: the same clock
// in the page and in its worker.
export function wallClock() {
  return performance.timeOrigin + performance.now();
}

// bayes.wasm compiled as its bytes arrive (on the browser's compiler
// threads), started before bayes.js is loaded; a server that does not send
// it as application/wasm gets the bytes compiled once they are all in.
export function compileBayes(base) {
  const url = base + 'bayes.wasm';
  const whole = () =>
    fetch(url, { credentials: 'same-origin' })
      .then((r) => {
        if (!r.ok) throw new Error('could not load ' + url + ' (' + r.status + ')');
        return r.arrayBuffer();
      })
      .then((bytes) => WebAssembly.compile(bytes));
  if (typeof WebAssembly.compileStreaming !== 'function') return whole();
  return WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' })).catch(whole);
}

// A classic script added to the page (bayes.js; main.js loads graphviz.js so).
export function loadScript(url) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = url;
    s.onload = resolve;
    s.onerror = () => reject(new Error('could not load ' + url));
    document.head.appendChild(s);
  });
}

export class Engine {
  // base: the URL of the folder holding bayes.js and bayes.wasm (the page's own by default).
  static async start(base = new URL('.', document.baseURI).href) {
    const scriptUrl = base + 'bayes.js';
    const engine = new Engine();
    if (location.protocol !== 'file:' && typeof Worker === 'function') {
      try {
        engine.worker = new Worker(base + 'worker.js');
        engine.pending = new Map();
        engine.next = 0;
        engine.worker.onmessage = (event) => {
          const { id, result, error } = event.data;
          const p = engine.pending.get(id);
          engine.pending.delete(id);
          if (error) p.reject(new Error(error));
          else p.resolve(result);
        };
        // A worker that fails (its script cannot load) fails every request.
        engine.worker.onerror = (event) => {
          for (const p of engine.pending.values())
            p.reject(new Error(event.message || 'the worker stopped'));
          engine.pending.clear();
        };
        // The first request waits for the module to load: a failure shows here.
        await engine.call('replReset');
        return engine;
      } catch (e) {
        console.warn('bayes: no worker (' + e.message + '); running on the page');
        if (engine.worker) engine.worker.terminate();
        engine.worker = null;
      }
    }
    await loadScript(scriptUrl);
    engine.core = bayesCore(window.createBayes, base);
    await engine.core.replReset();
    return engine;
  }

  call(op, arg) {
    if (!this.worker) return this.core[op](arg);
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, arg });
    });
  }

  run({ files, args }) {
    return this.call('run', { files, args });
  }

  repl(line, files) {
    return this.call('repl', { line, files });
  }

  replReset() {
    return this.call('replReset');
  }
}
