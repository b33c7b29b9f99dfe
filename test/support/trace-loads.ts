// Preloaded with NODE_OPTIONS=--import=<this file>: appends the URL of every module the
// process loads to $TRACE_LOADS_FILE, so that tests can see what a step loaded.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env['TRACE_LOADS_FILE'];
if (file) {
  registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(file, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
