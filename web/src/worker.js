// The interpreter's worker (dist/worker.js): loads bayes.js and bayes.wasm
// from its own folder at once, and answers the page's requests {id, op, arg} (src/engine.js) in order.
import { bayesCore, compileBayes, wallClock } from './engine.js';

const marks = { worker: wallClock() };
const base = new URL('.', self.location.href).href;
// bayes.wasm compiles on the browser's compiler threads as its bytes arrive.
const compiled = compileBayes(base);
// build.mjs puts bayes.js at the head of dist/worker.js (one request, not two).
if (typeof self.createBayes !== 'function') importScripts(base + 'bayes.js');
marks.script = wallClock();
const core = bayesCore(self.createBayes, base, compiled, marks);

self.onmessage = async (event) => {
  const { id, op, arg } = event.data;
  try {
    const result = await core[op](arg);
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({ id, error: String(e && e.stack ? e.stack : e) });
  }
};
