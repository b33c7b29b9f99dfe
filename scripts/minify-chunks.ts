// ncc minifies each entry bundle but leaves the chunks it splits off for
// dynamic imports as they are: the @actions/cache chunk alone is 3.4 MB.
// Minify them too, so a run that loads one parses a third of that. Class and
// function names stay: @actions/cache tells its errors apart by class name.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

const dist = new URL('../dist', import.meta.url).pathname;
for (const bundle of readdirSync(dist)) {
  for (const file of readdirSync(join(dist, bundle)).filter((name) => /^\d+\.index\.js$/.test(name))) {
    const path = join(dist, bundle, file);
    const result = await minify(readFileSync(path, 'utf8'), { module: true, keep_classnames: true, keep_fnames: true, format: { comments: false } });
    if (result.code === undefined) throw new Error(`terser gave nothing for ${path}`);
    writeFileSync(path, result.code);
  }
}
