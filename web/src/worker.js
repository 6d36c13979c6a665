// The interpreter's worker (dist/worker.js): loads bayes.js and bayes.wasm
// from its own folder at once, and answers the page's requests {id, op, arg}
// (src/engine.js) in order.
import { bayesCore } from './engine.js';

const base = new URL('.', self.location.href).href;
importScripts(base + 'bayes.js');
const core = bayesCore(self.createBayes, base);

self.onmessage = async (event) => {
  const { id, op, arg } = event.data;
  try {
    const result = await core[op](arg);
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({ id, error: String(e && e.stack ? e.stack : e) });
  }
};
