// The main step's entry (action.yml runs.main); its work is in main.ts, which
// tools such as @github/local-action import and run themselves.
import { run } from './main.ts';

await run();
