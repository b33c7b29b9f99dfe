// Plain JavaScript, not TypeScript: a .ts preload would load the type stripper and inflate the floor.
// Preloaded into each measured process (NODE_OPTIONS=--import): writes its peak RSS in KiB on exit.
import { appendFileSync } from 'node:fs';
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) appendFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
