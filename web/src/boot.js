// The page's first script (dist/boot.js, a few kB): starts the interpreter's
// worker and fetches the course at once, then loads the page's own script
// (app.js: the editor, about 400 kB). For the test hook #model=BASE64&run=1
// it runs the model itself and writes the --json answer into #output before
// app.js is read, so that the two do not share the machine's cores.
// main.js takes all of it from window.bayesBoot.
import { Engine, wallClock } from './engine.js';
import { domReady, fetchCourse, fragmentParams, fromBase64, holdVirtualTime, nameOf } from './start.js';

const boot = { started: wallClock(), engine: Engine.start(), course: fetchCourse() };
window.bayesBoot = boot;
// Failures are reported by main.js, which awaits the same promises.
boot.engine.catch(() => {});
boot.course.catch(() => {});

const params = fragmentParams();
if (params.has('model') && params.get('run') === '1') {
  const release = holdVirtualTime();
  boot.hook = (async () => {
    const text = new TextDecoder().decode(fromBase64(params.get('model')));
    const course = await boot.course.catch(() => ({ examples: [], data: {} }));
    const name = nameOf(text, course.examples || []);
    const files = { ...(course.data || {}), [name]: text };
    const args = [name, '--json'];
    const result = await (await boot.engine).run({ files, args });
    await domReady();
    document.getElementById('output').textContent = result.stdout;
    window.bayesLastRun = { args, ...result };
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
    boot.answered = wallClock();
    return { text, name, files, args, result };
  })();
  boot.hook.catch(() => {}).finally(release);
}

// The page's script, once the body is there (it builds the editor in it).
const loadApp = () =>
  domReady().then(() => {
    const s = document.createElement('script');
    s.src = 'app.js';
    document.head.appendChild(s);
  });
if (boot.hook) boot.hook.catch(() => {}).finally(loadApp);
else loadApp();
