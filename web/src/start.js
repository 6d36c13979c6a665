// What the page's first script (boot.js) and the page's own (main.js) share:
// the course's examples, the URL fragment, and holding headless Chromium's
// virtual time until an answer is shown.

// The course (dist/examples.json): { examples: [{ name, lesson, title, text,
// files }], data: { 'data/groups.csv': text } }.
export async function fetchCourse() {
  try {
    const response = await fetch('examples.json');
    if (!response.ok) throw new Error(String(response.status));
    return await response.json();
  } catch {
    // file:// pages cannot fetch; an XMLHttpRequest can where the browser
    // allows local files at all (as it must for bayes.wasm).
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', 'examples.json');
      xhr.responseType = 'json';
      xhr.onload = () => (xhr.response ? resolve(xhr.response) : reject(new Error('no examples.json')));
      xhr.onerror = () => reject(new Error('could not load examples.json'));
      xhr.send();
    });
  }
}

// The fragment's parameters: #z=... (a shared model), #model=BASE64[&run=1]
// (the test hook), #example=coin.model.
export function fragmentParams() {
  const params = new Map();
  for (const part of location.hash.replace(/^#/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    // decodeURIComponent, not URLSearchParams: a '+' of base64 stays a '+'.
    try {
      params.set(key, decodeURIComponent(value));
    } catch {
      params.set(key, value);
    }
  }
  return params;
}

export function fromBase64(text) {
  // Standard or URL-safe alphabet, padded or not, with '+' possibly turned
  // into a space by a form decoder.
  let b = text.trim().replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/');
  while (b.length % 4) b += '=';
  const s = atob(b);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

// The name a model's text runs under: a course example's own when the text
// is that example's (the answers then match the command line's exactly),
// else model.model.
export function nameOf(text, examples) {
  const same = examples.find((e) => e.text === text);
  return same ? same.name : 'model.model';
}

// Headless Chromium's --dump-dom --virtual-time-budget=MS lets virtual time
// jump ahead whenever the page's thread is idle, and the interpreter loads and
// runs in a worker, whose work does not count: the DOM would be dumped before
// the answer is there. For the test hook (#...&run=1) the page keeps its
// thread from going idle, with a chain of message tasks (each yields, so the
// page stays responsive), until the returned function is called.
export function holdVirtualTime() {
  // A browser driven by a test program (navigator.webdriver: puppeteer,
  // Selenium) waits for the answer itself: holding the thread there would
  // only take a core from the interpreter's worker.
  if (!/[#&]run=1(&|$)/.test(location.hash) || navigator.webdriver) return () => {};
  const channel = new MessageChannel();
  let held = true;
  channel.port1.onmessage = () => held && channel.port2.postMessage(0);
  channel.port2.postMessage(0);
  setTimeout(() => (held = false), 5 * 60 * 1000); // never for ever
  return () => {
    held = false;
    channel.port1.close();
  };
}

// Resolves once the document's body has been read.
export function domReady() {
  if (document.readyState !== 'loading') return Promise.resolve();
  return new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }));
}
