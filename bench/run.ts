// Runs every bench/*.bench.ts in its own process (so peak RSS is per benchmark) and prints their reports.
// Each benchmark prints Markdown to stdout. Usage: npm run bench [-- name-filter]
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const dir = new URL('.', import.meta.url).pathname;
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
let failed = false;
for (const file of files) {
  process.stdout.write(`\n## ${file.replace('.bench.ts', '')}\n\n`);
  const res = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  if (res.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
