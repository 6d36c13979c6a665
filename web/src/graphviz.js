// Graphviz compiled to WebAssembly (@hpcc-js/wasm, with its .wasm inlined),
// bundled by build.mjs into dist/graphviz.js, an IIFE of its own: the page
// loads it the first time the Graph tab needs it, so the 800 kB module does
// not delay the editor. It defines one global, bayesGraphviz.
import { Graphviz } from '@hpcc-js/wasm/graphviz';

globalThis.bayesGraphviz = Graphviz;
