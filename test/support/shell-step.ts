// A `run:` step for the runner harness: runs $STEP_RUN with bash as the runner runs
// `run:` scripts (`bash --noprofile --norc -eo pipefail`), with stderr merged into
// stdout so that tests see workflow commands and output in the order they came.
import { spawnSync } from 'node:child_process';

const script = process.env['STEP_RUN'] ?? '';
const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', `exec 2>&1\n${script}`], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
