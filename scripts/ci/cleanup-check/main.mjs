// cleanup-check, main: nothing to do yet. Being a step with a post step, placed before
// gemini-auth, is its whole point: post steps run in the reverse order of their main
// steps, so post.mjs runs after gemini-auth's post step, the last thing in the job.
// record.ts, a `run:` step after gemini-auth, writes down what post.mjs must find gone.
import { rmSync } from 'node:fs';
import { join } from 'node:path';

// A record left by an earlier job on a self-hosted runner must not stand in for this job's.
rmSync(join(process.env.RUNNER_TEMP, 'cleanup-check.json'), { force: true });
process.stdout.write('cleanup-check: after the post steps, the files that record.ts writes down must be gone.\n');
