import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';

/**
 * Loaded with `--import` into the benched processes when `npm run bench -- --cpu-prof DIR` is
 * given. SIGWINCH starts the V8 sampling profiler; the next SIGWINCH stops it and writes
 * DIR/<app or script>-<pid>.cpuprofile (open in Chrome DevTools or speedscope). Signals instead of
 * `node --cpu-prof` because that one only writes on a normal exit, and Nest re-raises SIGTERM.
 * SIGWINCH because its default action is to ignore it, and Nest's enableShutdownHooks() shuts the
 * app down on SIGUSR2 (SIGUSR1 is Node's own inspector signal).
 */
const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (err) {
        console.error('cpu profile failed', err);
        return;
      }
      const script = process.argv[1] ?? 'node';
      // dist/apps/<app>/src/main.js → <app>; dist/bench/baseline/bare-gateway.js → bare-gateway
      const name = /apps\/([^/]+)\/src\/main\.js$/.exec(script)?.[1] ?? basename(script, '.js');
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
