// Prints the section of CHANGELOG.md for one version: the notes of its GitHub release.
// Usage: node scripts/release-notes.ts 1.2.3 [path/to/CHANGELOG.md]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The body under `## [VERSION] - YYYY-MM-DD`, without link definitions; throws when there is none. */
export function releaseNotes(changelog: string, version: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`"${version}" is not a version like 1.2.3.`);
  const lines = changelog.split(/\r?\n/);
  const heading = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}\\s*$`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) {
    throw new Error(`CHANGELOG.md has no heading "## [${version}] - YYYY-MM-DD". Move the entries of [Unreleased] under that heading, commit, and release again.`);
  }
  const next = lines.findIndex((line, index) => index > start && /^## /.test(line));
  const body = lines
    .slice(start + 1, next < 0 ? lines.length : next)
    .filter((line) => !/^\[[^\]]+\]: /.test(line))
    .join('\n')
    .trim();
  if (body === '') throw new Error(`The CHANGELOG.md section of ${version} is empty.`);
  return `${body}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [version, path = 'CHANGELOG.md'] = process.argv.slice(2);
  if (!version) {
    console.error('Usage: node scripts/release-notes.ts VERSION [CHANGELOG.md]');
    process.exit(2);
  }
  try {
    process.stdout.write(releaseNotes(readFileSync(path, 'utf8'), version));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
