// Runs every bench/*.bench.ts in its own process (so peak RSS is per benchmark) and prints their reports.
// Each benchmark prints Markdown to stdout. Usage: npm run bench [-- name-filter]
// Long benchmarks run only when named by the filter or switched on by their variable (LONG below).
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const dir = new URL('.', import.meta.url).pathname;
const filter = process.argv[2];
/** The 5M-event backfill takes 18–23 min at load 8–15 on the 2-core machine: `BENCH_BACKFILL=1 npm run bench` or `npm run bench -- backfill`. */
const LONG: Record<string, string> = { 'backfill.bench.ts': 'BENCH_BACKFILL' };
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .filter((f) => {
    const variable = LONG[f];
    if (!variable || filter || process.env[variable]) return true;
    process.stdout.write(
      `\n## ${f.replace('.bench.ts', '')}\n\nSkipped (long): set ${variable}=1 or run \`npm run bench -- ${f.replace('.bench.ts', '')}\`.\n`,
    );
    return false;
  })
  .sort();
let failed = false;
for (const file of files) {
  process.stdout.write(`\n## ${file.replace('.bench.ts', '')}\n\n`);
  const res = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${file}`], { stdio: 'inherit' });
  if (res.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
