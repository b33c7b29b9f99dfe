// The post step's entry (action.yml runs.post); its work is in post.ts.
import { run } from './post.ts';

await run();
