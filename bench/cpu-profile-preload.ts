import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';

/**
 * Loaded with `--import` into the benched processes when `npm run bench -- --cpu-prof DIR` is
 * given. SIGUSR2 starts the V8 sampling profiler; the next SIGUSR2 stops it and writes
 * DIR/<script>-<pid>.cpuprofile (open in Chrome DevTools or speedscope). Signals instead of
 * `node --cpu-prof` because that one only writes on a normal exit, and Nest re-raises SIGTERM.
 */
const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (err) {
        console.error('cpu profile failed', err);
        return;
      }
      const name = basename(process.argv[1] ?? 'node', '.js');
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
