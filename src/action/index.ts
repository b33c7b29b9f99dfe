// The main step's entry (action.yml runs.main); its work is in main.ts, which
// tools such as @github/local-action import and run themselves.
import { cacheWorkPending } from '../cache/actions-cache.ts';
import { run } from './main.ts';

await run();
// A call into @actions/cache the step stopped waiting for has no timeout of its
// own and would keep the process, and the job, waiting: the step's work is done,
// so it ends here, once what it printed has been written out.
if (cacheWorkPending()) {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
  process.exit();
}
