// @actions/core imports @actions/http-client (and with it undici, about 1 MB) and
// @actions/exec at load, for getIDToken and its platform helpers, which gemini-auth
// does not call. Its package.json has no `sideEffects` flag, so the bundler keeps
// every module it imports: 60 ms on each start, twice a bare Node start.
// Its modules do nothing at load but define functions and constants (checked for
// the pinned version below), so the flag is true of it; declared before each build,
// the bundler drops what is not called. Runs as the first part of `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';

/** The version whose modules were read; a new one must be read again before it is declared pure. */
const CHECKED_VERSION = '3.0.1';

// The toolkit exports only its root, so its manifest is found by path, where npm installs it.
const manifest = new URL('../node_modules/@actions/core/package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; sideEffects?: boolean };
if (pkg.version !== CHECKED_VERSION) {
  throw new Error(`@actions/core is ${pkg.version}, not ${CHECKED_VERSION}: check that its modules still have no side effects at load, then update CHECKED_VERSION in ${import.meta.filename}.`);
}
if (pkg.sideEffects !== false) writeFileSync(manifest, `${JSON.stringify({ ...pkg, sideEffects: false }, null, 2)}\n`);
